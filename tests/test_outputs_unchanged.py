"""Every command's output is byte for byte what tests/golden/commands.txt records.

The refactors of issue 19 move code between modules and must change no output: this runs
each command of ``tests.golden_commands.COMMANDS`` on the golden store (the bundled data
with five fixture imports) and compares the SHA-256 and size of what it writes. When an
output is meant to change, record it with ``python -m tests.golden_commands --write`` and
say why in the commit.
"""

from __future__ import annotations

import pytest

from tests import golden_commands as golden

RECORDED = golden.read_golden()


@pytest.fixture(scope="module")
def golden_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("golden-store") / "store"
    golden.build_store(root)
    return root


def test_every_command_is_recorded():
    assert set(RECORDED) == {golden.key(c) for c in golden.COMMANDS}


@pytest.mark.parametrize("command", golden.COMMANDS, ids=golden.key)
def test_output_unchanged(golden_store, tmp_path, command):
    found = golden.digest(golden.output(golden_store, command, tmp_path))
    assert found == RECORDED[golden.key(command)], (
        f"the output of coopgraph {golden.key(command)} changed"
    )
