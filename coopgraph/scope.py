"""The data a command works on, opened once: where it lives, the reader, the chosen graphs.

A ``Scope`` is opened at the top of each api function (``Scope.open``) and passed down:
the analyses, the layers and the views read through it and never open a store
themselves. On an endpoint every open is an HTTP round trip, so this is what keeps a
ten-year multiplex series at one (``tests/test_scope.py`` counts them).

``sources`` chooses the facts: each name a loaded source (``coopgraph sources``), the
ontology and the states graph always added; None is every graph. ``select`` gives the
same open store with other sources, sharing what was read once (the loaded sources, the
states and their years). ``warn_uncovered`` and ``warn_unless_covered`` warn about years
asked that the sources read do not cover (``coopgraph.coverage``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coopgraph import coverage, ids
from coopgraph.errors import UsageError
from coopgraph.location import Location, Reader, locate

if TYPE_CHECKING:
    from coopgraph.names import Names
    from coopgraph.project import StateYears

#: Graphs every source selection sees: the vocabulary and the states every fact points at.
ALWAYS = ("ontology", "nations")
#: Graphs that hold no facts of their own: never offered as a source to choose.
NOT_SOURCES = ("meta", "shapes", "ontology")


@dataclass
class _Shared:
    """What one open store gives every selection of it, read at most once."""

    reader: Reader
    loaded: dict[str, dict[str, Any]] | None = None
    states: StateYears | None = None
    names: Names | None = None


@dataclass
class Scope:
    """An open store and a choice of its sources (see the module doc)."""

    location: Location
    sources: tuple[str, ...] | None
    _shared: _Shared = field(repr=False)

    @classmethod
    def open(
        cls, where: Scope | Location | Path | str | Any, sources: Sequence[str] | None = None
    ) -> Scope:
        """The scope of ``where`` (a scope, a location, a store directory or an
        ``Endpoint``) with ``sources``; a scope given is re-selected, not reopened."""
        if isinstance(where, Scope):
            return where.select(sources)
        location = locate(where)
        scope = cls(location, None, _Shared(location.reader()))
        return scope.select(sources)

    @property
    def reader(self) -> Reader:
        return self._shared.reader

    def select(self, sources: Sequence[str] | None) -> Scope:
        """The same open store with ``sources`` chosen (None: every graph), each name
        case-insensitive; an unknown source is a usage error naming the loaded ones and
        the closest."""
        chosen = None if sources is None else tuple(map(self.source, sources))
        return Scope(self.location, chosen, self._shared)

    def source(self, name: str) -> str:
        """The loaded source ``name`` stands for (case-insensitive), or a usage error
        naming the loaded ones and suggesting the closest."""
        if name in self.loaded:
            return name
        known = [n for n in self.loaded if n not in NOT_SOURCES]
        same = [n for n in known if n.casefold() == name.casefold()]
        if len(same) == 1:
            return same[0]
        from coopgraph.names import did_you_mean, suggest_words

        hint = did_you_mean(suggest_words(name, known))
        raise UsageError(f"source '{name}' is not loaded (loaded: {', '.join(known)}){hint}")

    @cached_property
    def graphs(self) -> list[str] | None:
        """Named graph IRIs of the chosen sources (each with the other graphs its import
        wrote, ``parts``) with ``ALWAYS``'s (None: every graph)."""
        if self.sources is None:
            return None
        chosen = [
            str(graph)
            for name in self.sources
            for graph in [self.loaded[name]["graph"], *self.loaded[name].get("parts", ())]
        ]
        always = [ids.graph(name) for name in ALWAYS]
        return always + [g for g in chosen if g not in always]

    @property
    def loaded(self) -> dict[str, dict[str, Any]]:
        """What the store holds per source (``importer.loaded_sources``), read once."""
        if self._shared.loaded is None:
            from coopgraph.importer import loaded_sources

            self._shared.loaded = loaded_sources(self.reader)
        return self._shared.loaded

    @property
    def names(self) -> Names:
        """The ids, names and aliases of the states, alliances and operations
        (``coopgraph.names``), read once."""
        if self._shared.names is None:
            from coopgraph.names import Names

            self._shared.names = Names.read(self.reader)
        return self._shared.names

    def resolve(self, text: str, kinds: str | Sequence[str], *, what: str) -> str:
        """The id of the state, alliance or operation ``text`` names (``Names.resolve``).
        A state's id is taken as it is when the states are read already (no query); an
        id is looked up among the ids alone (``names.by_id``) before every name is read."""
        known = self._shared.states
        if kinds == "nation" and known is not None and text in known.iris:
            return text
        if self._shared.names is None:
            from coopgraph.names import by_id

            found = by_id(self.reader, text, kinds)
            if found is not None:
                return found
        return self.names.resolve(text, kinds, what=what)

    @property
    def states(self) -> StateYears:
        """Every state with its years and COW codes (``project.state_years``), read once."""
        if self._shared.states is None:
            from coopgraph import project

            self._shared.states = project.state_years(self.reader)
        return self._shared.states

    def warn_uncovered(self, years: Iterable[int], sources: Iterable[str] | None) -> None:
        """Warn (``CoverageWarning``) once per source of ``sources`` (None: every loaded
        one), the sources a command reads, whose coverage leaves out some of ``years``
        (``coverage.warn_uncovered``). The api calls it with the years a command asks
        for, so a warning points at the line that called the api."""
        coverage.warn_uncovered(self.loaded, self._facts(sources), years, stacklevel=3)

    def warn_unless_covered(self, years: Iterable[int]) -> None:
        """Warn (``CoverageWarning``) about the ``years`` no chosen source covers (every
        loaded source when none are chosen): for a library query, whose relevant source is
        unknown (``coverage.warn_unless_covered``)."""
        coverage.warn_unless_covered(self.loaded, self._facts(self.sources), years, stacklevel=3)

    def _facts(self, sources: Iterable[str] | None) -> list[str]:
        """``sources`` (None: every loaded one) but the graphs every selection sees and
        those without facts (``ALWAYS``, ``NOT_SOURCES``): never a command's source."""
        names = self.loaded if sources is None else sources
        return [name for name in names if name not in (*ALWAYS, *NOT_SOURCES)]
