"""The coopgraph vocabulary as an rdflib DefinedNamespace.

ontology/coopgraph.ttl is the source of truth; tests/test_ontology.py checks that every
term declared here is defined there and the reverse. ``_fail = True`` makes a typo such as
``CG.startdate`` raise instead of minting a new IRI. The W3C vocabularies coopgraph writes
with rdflib (VoID, DCTERMS, RDF) are re-exported from rdflib's own DefinedNamespaces.
"""

from __future__ import annotations

from rdflib.namespace import DCTERMS, RDF, VOID, DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = ["BASE", "CG", "DCTERMS", "ONTOLOGY_IRI", "PREFIXES", "RDF", "VOID"]

BASE = "https://w3id.org/coopgraph/"
ONTOLOGY_IRI = BASE + "ontology"


class CG(DefinedNamespace):
    """coopgraph ontology terms."""

    _fail = True
    _NS = Namespace(BASE + "ontology#")

    # classes
    Nation: URIRef
    State: URIRef
    Alliance: URIRef
    Commitment: URIRef
    Fact: URIRef
    Membership: URIRef
    MembershipStatus: URIRef
    StatusKind: URIRef
    Operation: URIRef
    OperationKind: URIRef
    Participation: URIRef
    Role: URIRef
    AidFlow: URIRef
    AidType: URIRef
    Unit: URIRef
    FigureKind: URIRef
    Precision: URIRef
    Source: URIRef
    CowCodeAssignment: URIRef
    Capital: URIRef
    # properties
    startDate: URIRef
    endDate: URIRef
    startPrecision: URIRef
    endPrecision: URIRef
    note: URIRef
    commitment: URIRef
    ofMembership: URIRef
    status: URIRef
    operationKind: URIRef
    place: URIRef
    ledBy: URIRef
    operation: URIRef
    participant: URIRef
    role: URIRef
    peakTroops: URIRef
    peakTroopsDate: URIRef
    donor: URIRef
    recipient: URIRef
    aidType: URIRef
    programme: URIRef
    fiscalYear: URIRef
    amount: URIRef
    unit: URIRef
    figure: URIRef
    estimate: URIRef
    iso3166Alpha3: URIRef
    iso3166Part3: URIRef
    cowCode: URIRef
    capital: URIRef
    nameUsed: URIRef
    name: URIRef
    NameAssignment: URIRef
    SystemMembership: URIRef
    Obligation: URIRef
    DefenceObligation: URIRef
    OffenceObligation: URIRef
    NeutralityObligation: URIRef
    NonAggressionObligation: URIRef
    ConsultationObligation: URIRef
    obligation: URIRef
    phase: URIRef
    CapabilityObservation: URIRef
    year: URIRef
    milex: URIRef
    milper: URIRef
    irst: URIRef
    pec: URIRef
    tpop: URIRef
    upop: URIRef
    cinc: URIRef
    weaponCategory: URIRef
    orderYear: URIRef
    deliveryYears: URIRef
    numberOrdered: URIRef
    numberDelivered: URIRef
    tivPerUnit: URIRef
    tivOrder: URIRef
    uncertain: URIRef
    RollCall: URIRef
    rcid: URIRef
    session: URIRef
    resolution: URIRef
    importantVote: URIRef
    issue: URIRef
    votedYes: URIRef
    votedNo: URIRef
    abstained: URIRef
    absent: URIRef
    rowsSkipped: URIRef
    amountConstant: URIRef
    state: URIRef
    atopId: URIRef
    cowAllianceId: URIRef
    code: URIRef
    fromYear: URIRef
    toYear: URIRef
    cowAbbreviation: URIRef
    wikidata: URIRef
    url: URIRef
    sha256: URIRef
    rowsRead: URIRef
    rowsImported: URIRef
    rowsRejected: URIRef
    triples: URIRef
    sourceName: URIRef
    # controlled values
    DefencePact: URIRef
    NeutralityPact: URIRef
    Entente: URIRef
    CollectiveSecurity: URIRef
    OutsideIntegratedCommand: URIRef
    NotParticipating: URIRef
    ObligationsSuspended: URIRef
    Combat: URIRef
    Peacekeeping: URIRef
    Humanitarian: URIRef
    TrainingMission: URIRef
    LeadNation: URIRef
    Contributor: URIRef
    Supporter: URIRef
    Financing: URIRef
    Training: URIRef
    Equipment: URIRef
    ArmsTransfer: URIRef
    PeacekeepingAid: URIRef
    ThreatReduction: URIRef
    CounterDrug: URIRef
    SecurityForces: URIRef
    MilitaryAssistance: URIRef
    HumanitarianAid: URIRef
    USD: URIRef
    USD2020: URIRef
    EUR: URIRef
    SipriTIV: URIRef
    Obligation: URIRef
    CommitmentFigure: URIRef
    Allocation: URIRef
    DealValue: URIRef
    Delivery: URIRef
    Day: URIRef
    Month: URIRef
    Year: URIRef


#: Prefixes every bundled query and serialisation may use.
PREFIXES: dict[str, str] = {
    "cg": str(CG._NS),
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
