"""``python -m coopgraph.cli``: the ``coopgraph`` command."""

from coopgraph.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
