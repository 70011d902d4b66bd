"""Importer ``cow-alliances``: the Correlates of War Formal Alliances data set, v4.1.

Reads the member-level file ``alliance_v4.1_by_member.csv`` (Latin-1; gzipped or not): one
row per member spell of an alliance. Each row becomes a ``cg:Membership`` (``org:member``
the state resolved by its COW code in its year of entry, ``org:organization`` the alliance,
start from ``mem_st_*``, end from ``mem_end_*`` unless ``right_censor`` is 1 (still a member
on 31 December 2012: no end), one ``cg:obligation`` per 0/1 column set: defence,
neutrality, non-aggression, entente as consultation). The rows also write the alliance
node: ``cg:Alliance`` with label, notation, ``cg:cowAllianceId``, dates from
``all_st_*``/``all_end_*`` (an empty end: in force on 31 December 2012) and
``cg:commitment``, the strongest obligation of any of its members (defence: defence pact;
neutrality or non-aggression: neutrality pact; entente: entente). The ``ss_type`` labels
are not used: the v4.1 file labels its neutrality pacts "Type IIa: Non-Aggression Pact".

COW asks that its alliance data not be redistributed: coopgraph reads a copy the user
downloaded from correlatesofwar.org and ships none of it.

Citation: Gibler, Douglas M. 2009. International Military Alliances, 1648-2008. Washington,
DC: CQ Press (Correlates of War Formal Alliances, v4.1).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from coopgraph import ids
from coopgraph import ntriples as nt
from coopgraph.namespace import CG, PREFIXES
from coopgraph.sources import (
    ImportContext,
    Importer,
    RowError,
    csv_rows,
    dataset_source,
    importer,
)
from coopgraph.sources.atop import (
    alliance_group,
    check_order,
    flag,
    grouped,
    interval_quads,
    number,
    partial_date,
)

DCT = PREFIXES["dcterms"]
ORG = PREFIXES["org"]
RDFS_LABEL = PREFIXES["rdfs"] + "label"
SKOS_NOTATION = PREFIXES["skos"] + "notation"

OBLIGATIONS = ("defense", "neutrality", "nonaggression", "entente")
COLUMNS = ("version4id", "ccode", "all_st_day", "all_st_month", "all_st_year", "all_end_day",
           "all_end_month", "all_end_year", "mem_st_day", "mem_st_month", "mem_st_year",
           "mem_end_day", "mem_end_month", "mem_end_year", "right_censor", *OBLIGATIONS,
           "version")  # fmt: skip
#: COW obligation column -> cg:Obligation.
OBLIGATION_TERMS = {
    "defense": CG.DefenceObligation,
    "neutrality": CG.NeutralityObligation,
    "nonaggression": CG.NonAggressionObligation,
    "entente": CG.ConsultationObligation,
}
#: Commitments by strength (index): the strongest obligation of an alliance decides.
COMMITMENTS = (None, CG.Entente, CG.NeutralityPact, CG.DefencePact)
STRENGTH = {"defense": 3, "neutrality": 2, "nonaggression": 2, "entente": 1}


@importer("cow-alliances")
class CowAlliances(Importer):
    """COW Formal Alliances v4.1, member level (alliance_v4.1_by_member.csv)."""

    name = "cow-alliances"
    title = "Correlates of War Formal Alliances (v4.1)"
    source_id = "cow-alliances-4-1"

    def header(self, ctx: ImportContext) -> list[str]:
        return dataset_source(
            ctx,
            self.source_id,
            title="Correlates of War Formal Alliances v4.1",
            publisher="Correlates of War Project (Douglas M. Gibler)",
            url="https://correlatesofwar.org/data-sets/formal-alliances/",
            year="2013",
        )

    def read(self, raw: BinaryIO, path: Path, ctx: ImportContext) -> Iterator[list[str] | RowError]:
        rows = csv_rows(raw, path, COLUMNS, encoding="latin-1")
        for group in grouped(rows, "version4id"):
            state: dict = {}  # the alliance node's quads, from the group's first good row
            yield from alliance_group(
                group,
                lambda line, row, state=state: self._member(line, row, ctx, state),
                lambda state=state: state.get("node", []),
                lambda strength, state=state: self._commitment(state.get("id"), strength, ctx),
            )

    def _member(
        self, line: int, row: dict[str, str], ctx: ImportContext, state: dict
    ) -> tuple[list[str], int]:
        try:
            alliance_id, code = number(row, "version4id"), number(row, "ccode")
            begins = partial_date(row, "all_st_year", "all_st_month", "all_st_day")
            ends = None
            if row["all_end_year"].strip():
                ends = partial_date(row, "all_end_year", "all_end_month", "all_end_day", end=True)
            start = partial_date(row, "mem_st_year", "mem_st_month", "mem_st_day")
            end = None
            if row["right_censor"].strip() != "1" and row["mem_end_year"].strip():
                end = partial_date(row, "mem_end_year", "mem_end_month", "mem_end_day", end=True)
            flags = [column for column in OBLIGATIONS if flag(row, column)]
        except ValueError as error:
            raise RowError(str(error), line) from None
        check_order(begins[0], ends[0] if ends else None, line, "alliance")
        check_order(start[0], end[0] if end else None, line)
        if row["version"].strip():
            ctx.state.setdefault("versions", set()).add(row["version"].strip())
        nation = ctx.nation_by_cow(code, start[0].year, line)
        g, alliance = ctx.graph, ids.organisation(f"COW-{alliance_id}")
        m = ids.fact(
            "membership", f"COW-{alliance_id}", ids.local_name(nation), start[0].isoformat()
        )
        if "node" not in state:
            state["id"], state["node"] = alliance_id, self._node(alliance_id, begins, ends, ctx)
        quads = [
            nt.quad(m, nt.RDF_TYPE, nt.iri(CG.Membership), g),
            nt.quad(m, nt.RDF_TYPE, nt.iri(ORG + "Membership"), g),
            nt.quad(m, ORG + "member", nt.iri(nation), g),
            nt.quad(m, ORG + "organization", nt.iri(alliance), g),
            *interval_quads(m, start, end, g),
            *(nt.quad(m, CG.obligation, nt.iri(OBLIGATION_TERMS[f]), g) for f in flags),
            nt.quad(m, DCT + "source", nt.iri(ids.source(self.source_id)), g),
        ]
        return quads, max((STRENGTH[f] for f in flags), default=0)

    def _node(self, number: int, begins, ends, ctx: ImportContext) -> list[str]:
        """The alliance node's type, label, notation, id, dates and source, once."""
        written = ctx.state.setdefault("nodes", set())
        if number in written:
            return []
        written.add(number)
        g, a = ctx.graph, ids.organisation(f"COW-{number}")
        return [
            nt.quad(a, nt.RDF_TYPE, nt.iri(CG.Alliance), g),
            nt.quad(a, nt.RDF_TYPE, nt.iri(ORG + "FormalOrganization"), g),
            nt.quad(a, RDFS_LABEL, nt.literal(f"COW alliance {number}", lang="en"), g),
            nt.quad(a, SKOS_NOTATION, nt.literal(f"COW-{number}"), g),
            nt.quad(a, CG.cowAllianceId, nt.integer(number), g),
            *interval_quads(a, begins, ends, g),
            nt.quad(a, DCT + "source", nt.iri(ids.source(self.source_id)), g),
        ]

    def _commitment(self, number: int | None, strength: int, ctx: ImportContext) -> list[str]:
        done = ctx.state.setdefault("commitments", set())
        if number is None or not strength or number in done:
            return []
        done.add(number)
        a = ids.organisation(f"COW-{number}")
        return [nt.quad(a, CG.commitment, nt.iri(COMMITMENTS[strength]), ctx.graph)]

    def version(self, ctx: ImportContext) -> str:
        return ", ".join(sorted(ctx.state.get("versions", set())))
