"""States, alliances, operations and cited sources by id, name or alias: what every
option and query parameter that names one of them accepts.

A user types ``NATO``, ``nato``, ``"Warsaw Pact"``, ``poland`` or ``"Soviet Union"``;
``Names.resolve`` gives the coopgraph id (``NATO``, ``WARSAW-PACT``, ``POL``, ``SUN``), or
a one-line usage error (exit 2) with up to three suggestions, never an id that matches
nothing and so an empty table. Names are compared without case, accents, punctuation or
extra spaces (``normalise``), in three tiers, the first that matches deciding:

1. the id (``skos:notation``), so ``RUS`` is Russia although the Soviet Union's COW
   abbreviation is RUS too;
2. the label (``rdfs:label``, ``skos:prefLabel``), so ``Russia`` is RUS;
3. an alias: other labels, ISO 3166-1 alpha-3 codes, COW abbreviations, the names a state
   used in some years, and the names an alliance's label gives in parentheses or around a
   slash ("Warsaw Treaty Organization (Warsaw Pact)": ``Warsaw Pact``).

Two things matched in the deciding tier make the name ambiguous ("Yugoslavia"): the error
lists them by id. The names are read from the store with one query
(``queries/internal/names.rq``), once per open scope (``Scope.names``). An id alone is
first looked up among the ids of its kinds (``by_id``: a few milliseconds, where reading
every name and alias takes about a hundred), as the first tier decides first.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coopgraph import queries
from coopgraph.errors import UsageError

CG = "https://w3id.org/coopgraph/ontology#"
#: The kinds of thing a name stands for, by the class the query reads, and as an error
#: message calls them.
KINDS = {
    "nation": (CG + "State", "state"),
    "organisation": ("http://www.w3.org/ns/org#FormalOrganization", "alliance or organisation"),
    "operation": (CG + "Operation", "operation"),
    "source": (CG + "Source", "cited source"),
}
#: Kinds whose labels spell out other names in parentheses ("... (Warsaw Pact)").
SPELLED_OUT = ("organisation", "operation")
TIERS = ("id", "name", "alias")
SUGGESTIONS = 3


def normalise(name: str) -> str:
    """A name compared without case, accents, punctuation or extra spaces.

    >>> normalise("  Côte d'Ivoire ") == normalise("cote D IVOIRE") == "cote d ivoire"
    True
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = "".join(c if c.isalnum() else " " for c in text.casefold())
    return " ".join(text.split())


def label_aliases(label: str) -> list[str]:
    """The other names a label spells out: its parts in parentheses (split at ``;`` and
    ``,``), and the parts around `` / `` of what precedes them; numbers alone are not names.

    >>> for name in label_aliases("Baghdad Pact / Central Treaty Organization (CENTO; Pact "
    ...                           "of Mutual Cooperation)"):
    ...     print(name)
    Baghdad Pact / Central Treaty Organization
    Baghdad Pact
    Central Treaty Organization
    CENTO
    Pact of Mutual Cooperation
    """
    head = re.sub(r"\s*\([^)]*\)", "", label).strip()
    found = [head] if head != label else []
    if " / " in head:
        found += [part.strip() for part in head.split(" / ")]
    for inside in re.findall(r"\(([^)]*)\)", label):
        found += [part.strip() for part in re.split(r"[;,]", inside)]
    return [name for name in found if name and not name.isdigit()]


@dataclass(frozen=True)
class Thing:
    """One state, alliance or operation: its kind, id and label."""

    kind: str
    id: str
    label: str

    def __str__(self) -> str:
        short = re.sub(r"\s*\(.*", "", self.label) or self.label
        return f"{self.id} ({short})" if short != self.id else self.id


class Names:
    """Every id, name and alias of the store's states, alliances and operations."""

    def __init__(self, rows: Iterable[tuple[str, str, str, str, str]]):
        """``rows`` of (kind, id, label, tier, name), ``tier`` one of ``TIERS``."""
        self._things: dict[tuple[str, str], Thing] = {}
        # kind -> tier -> normalised name -> ids
        self._index: dict[str, dict[str, dict[str, set[str]]]] = defaultdict(
            lambda: {tier: defaultdict(set) for tier in TIERS}
        )
        for kind, id_, label, tier, name in rows:
            self._things[kind, id_] = Thing(kind, id_, label)
            self._index[kind][tier][normalise(name)].add(id_)
            if tier == "name" and kind in SPELLED_OUT:
                for alias in label_aliases(name):
                    self._index[kind]["alias"][normalise(alias)].add(id_)

    @classmethod
    def read(cls, reader) -> Names:
        """The names of everything the store at ``reader`` holds (one query)."""
        kind_of = {iri: kind for kind, (iri, _) in KINDS.items()}
        rows = queries.run(reader, queries.internal("names"))
        return cls(
            (
                kind_of[row["class"].value],
                row["id"].value,
                row["label"].value,
                row["how"].value,
                row["name"].value,
            )
            for row in rows
        )

    def resolve(self, text: str, kinds: str | Sequence[str], *, what: str) -> str:
        """The id of the one thing of ``kinds`` that ``text`` names (see the module doc).

        ``what`` names the option or parameter in the error (``--from``, ``parameter
        alliance``). Unknown or ambiguous: a ``UsageError`` with up to three suggestions.
        """
        kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
        key = normalise(text)
        for tier in TIERS:
            found = sorted(
                {(kind, id_) for kind in kinds for id_ in self._index[kind][tier].get(key, ())}
            )
            if len(found) == 1:
                return found[0][1]
            if found:
                listed = ", ".join(str(self._things[k]) for k in found[: SUGGESTIONS + 2])
                more = f" and {len(found) - SUGGESTIONS - 2} more" if len(found) > 5 else ""
                raise UsageError(f"{what}: '{text}' names several: {listed}{more}; give the id")
        called = " or ".join(KINDS[kind][1] for kind in kinds)
        hint = did_you_mean(self.suggest(key, kinds))
        raise UsageError(f"{what}: no {called} '{text}' in the store{hint}")

    def describe(self, kind: str, id_: str) -> str:
        """``POL (Poland)``: the id with its label, as messages name a thing."""
        return str(self._things.get((kind, id_), id_))

    def suggest(self, key: str, kinds: Sequence[str]) -> list[str]:
        """Up to three things of ``kinds`` whose id, name or alias is close to the
        normalised ``key``: the closest spellings first, then names that contain it."""
        import difflib  # here: only a name that resolves to nothing needs suggestions

        owners: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for kind in kinds:
            for names in self._index[kind].values():
                for name, ids in names.items():
                    owners[name] |= {(kind, id_) for id_ in ids}
        close = difflib.get_close_matches(key, list(owners), n=10, cutoff=0.6)
        if key:
            close += sorted(n for n in owners if key in n.split() or n.startswith(key))
        chosen: list[tuple[str, str]] = []
        for name in close:
            for thing in sorted(owners[name]):
                if thing not in chosen:
                    chosen.append(thing)
        return [str(self._things[thing]) for thing in chosen[:SUGGESTIONS]]


def by_id(reader, text: str, kinds: str | Sequence[str]) -> str | None:
    """The id of the one state, alliance or operation of ``kinds`` whose id ``text`` is,
    compared as ``normalise`` compares: ``Names.resolve``'s first tier, which decides
    before names and aliases are looked at, so a match here is what it would give; read
    with one query of the ids per kind (``queries/internal/ids.rq``). None when no id or
    several match, or ``kinds`` holds sources (their ids are not ``skos:notation``):
    ``Names`` then decides, or words the error."""
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    if "source" in kinds:
        return None
    key = normalise(text)
    found = {
        (kind, row["id"].value)
        for kind in kinds
        for row in queries.run(reader, queries.internal("ids"), {"class": KINDS[kind][0]})
        if normalise(row["id"].value) == key
    }
    return found.pop()[1] if len(found) == 1 else None


def suggest_words(word: str, known: Iterable[str]) -> list[str]:
    """Up to three of ``known`` close to ``word`` (case-insensitive), for names without
    labels such as sources."""
    import difflib

    by_key = {name.casefold(): name for name in known}
    close = difflib.get_close_matches(word.casefold(), list(by_key), n=SUGGESTIONS, cutoff=0.6)
    return [by_key[name] for name in close]


def _either(names: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def did_you_mean(names: Sequence[str]) -> str:
    """``"; did you mean a, b or c?"``, or nothing when there is no suggestion."""
    return f"; did you mean {_either(names)}?" if names else ""
