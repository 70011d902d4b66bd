"""The coopgraph vocabulary as IRI strings, with no RDF library behind it.

ontology/coopgraph.ttl is the source of truth; tests/test_ontology.py checks that every
term declared here is defined there and the reverse. ``CG.startDate`` is the term's IRI as
a plain ``str`` (what ``coopgraph.ntriples`` writes and SPARQL parameters bind); a name not
declared below, such as the typo ``CG.startdate``, raises AttributeError instead of minting
a new IRI, as the rdflib ``DefinedNamespace`` with ``_fail = True`` this replaces did.
Strings keep rdflib out of the commands that neither parse nor write RDF with it (the
command line starts without it); code that needs rdflib terms builds them where it
imports rdflib (``URIRef(CG.Alliance)``).
"""

from __future__ import annotations

__all__ = ["BASE", "CG", "ONTOLOGY_IRI", "PREFIXES"]

BASE = "https://w3id.org/coopgraph/"
ONTOLOGY_IRI = BASE + "ontology"


def _vocabulary(cls: type) -> type:
    """Gives each name annotated in ``cls`` its IRI, ``cls._NS`` + the name, as a class
    attribute; a name not annotated stays undefined, so a typo raises AttributeError."""
    for term in cls.__annotations__:
        setattr(cls, term, cls._NS + term)
    return cls


@_vocabulary
class CG:
    """coopgraph ontology terms, each an IRI string (``CG.Alliance``)."""

    _NS = BASE + "ontology#"

    # classes
    Nation: str
    State: str
    Alliance: str
    Commitment: str
    Fact: str
    Membership: str
    MembershipStatus: str
    StatusKind: str
    Operation: str
    OperationKind: str
    Participation: str
    Role: str
    AidFlow: str
    AidType: str
    Unit: str
    FigureKind: str
    Precision: str
    Source: str
    CowCodeAssignment: str
    Capital: str
    # properties
    startDate: str
    endDate: str
    startPrecision: str
    endPrecision: str
    note: str
    commitment: str
    ofMembership: str
    status: str
    operationKind: str
    place: str
    ledBy: str
    operation: str
    participant: str
    role: str
    peakTroops: str
    peakTroopsDate: str
    donor: str
    recipient: str
    aidType: str
    programme: str
    fiscalYear: str
    amount: str
    unit: str
    figure: str
    estimate: str
    iso3166Alpha3: str
    iso3166Part3: str
    cowCode: str
    capital: str
    nameUsed: str
    name: str
    NameAssignment: str
    SystemMembership: str
    Obligation: str
    DefenceObligation: str
    OffenceObligation: str
    NeutralityObligation: str
    NonAggressionObligation: str
    ConsultationObligation: str
    obligation: str
    phase: str
    CapabilityObservation: str
    year: str
    milex: str
    milper: str
    irst: str
    pec: str
    tpop: str
    upop: str
    cinc: str
    weaponCategory: str
    orderYear: str
    deliveryYears: str
    numberOrdered: str
    numberDelivered: str
    tivPerUnit: str
    tivOrder: str
    uncertain: str
    RollCall: str
    rcid: str
    session: str
    resolution: str
    importantVote: str
    issue: str
    votedYes: str
    votedNo: str
    abstained: str
    absent: str
    rowsSkipped: str
    amountConstant: str
    state: str
    atopId: str
    cowAllianceId: str
    code: str
    fromYear: str
    toYear: str
    cowAbbreviation: str
    wikidata: str
    url: str
    sha256: str
    rowsRead: str
    rowsImported: str
    rowsRejected: str
    triples: str
    sourceName: str
    # controlled values
    DefencePact: str
    NeutralityPact: str
    Entente: str
    CollectiveSecurity: str
    OutsideIntegratedCommand: str
    NotParticipating: str
    ObligationsSuspended: str
    Combat: str
    Peacekeeping: str
    Humanitarian: str
    TrainingMission: str
    LeadNation: str
    Contributor: str
    Supporter: str
    Financing: str
    Training: str
    Equipment: str
    ArmsTransfer: str
    PeacekeepingAid: str
    ThreatReduction: str
    CounterDrug: str
    SecurityForces: str
    MilitaryAssistance: str
    HumanitarianAid: str
    USD: str
    USD2020: str
    EUR: str
    SipriTIV: str
    Obligation: str
    CommitmentFigure: str
    Allocation: str
    DealValue: str
    Delivery: str
    Day: str
    Month: str
    Year: str


#: Prefixes every bundled query and serialisation may use.
PREFIXES: dict[str, str] = {
    "cg": CG._NS,
    "cgid": BASE + "id/",
    "cgg": BASE + "graph/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "wd": "http://www.wikidata.org/entity/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
}
