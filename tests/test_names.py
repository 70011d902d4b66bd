"""Ids, names and aliases in every option and parameter that names a state, alliance,
operation or source: resolved case-insensitively, or one line with suggestions and exit 2,
never an empty table (issue 20)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from coopgraph.cli import main
from coopgraph.errors import UsageError
from coopgraph.names import Names, label_aliases, normalise
from coopgraph.scope import Scope

WTO = "Warsaw Treaty Organization (Warsaw Pact)"
ROWS = [
    ("organisation", "WARSAW-PACT", WTO, "id", "WARSAW-PACT"),
    ("organisation", "WARSAW-PACT", WTO, "name", WTO),
    ("organisation", "NATO", "North Atlantic Treaty Organization", "id", "NATO"),
    ("organisation", "NATO", "North Atlantic Treaty Organization", "name",
     "North Atlantic Treaty Organization"),
    ("nation", "RUS", "Russia", "id", "RUS"),
    ("nation", "RUS", "Russia", "name", "Russia"),
    ("nation", "SUN", "Union of Soviet Socialist Republics", "id", "SUN"),
    ("nation", "SUN", "Union of Soviet Socialist Republics", "alias", "RUS"),
    ("nation", "SUN", "Union of Soviet Socialist Republics", "alias", "Russia"),
    ("nation", "SUN", "Union of Soviet Socialist Republics", "alias", "Soviet Union"),
    ("nation", "SCG", "Serbia and Montenegro", "alias", "Yugoslavia"),
    ("nation", "SRB", "Serbia", "alias", "Yugoslavia"),
]  # fmt: skip


@pytest.fixture(scope="module")
def names() -> Names:
    return Names(ROWS)


@pytest.mark.parametrize(
    "text, kinds, expected",
    [
        ("NATO", "organisation", "NATO"),
        ("nato", "organisation", "NATO"),
        ("Warsaw Pact", "organisation", "WARSAW-PACT"),  # in the label's parentheses
        ("warsaw-pact", "organisation", "WARSAW-PACT"),
        ("  north ATLANTIC treaty organization ", "organisation", "NATO"),
        ("RUS", "nation", "RUS"),  # the id wins over the Soviet Union's COW abbreviation
        ("russia", "nation", "RUS"),  # the label wins over the Soviet Union's alias
        ("Soviet Union", "nation", "SUN"),
        ("NATO", ("organisation", "nation"), "NATO"),
    ],
)
def test_ids_names_and_aliases_resolve_in_tiers(names, text, kinds, expected):
    assert names.resolve(text, kinds, what="--x") == expected


def test_an_unknown_name_suggests_the_closest_and_an_ambiguous_one_lists_them(names):
    with pytest.raises(
        UsageError,
        match=r"^--from: no alliance or organisation 'NATOO' in the "
        r"store; did you mean NATO \(North Atlantic Treaty Organization\)\?$",
    ):
        names.resolve("NATOO", "organisation", what="--from")
    with pytest.raises(UsageError, match="did you mean WARSAW-PACT"):
        names.resolve("Warsaw", "organisation", what="--from")
    with pytest.raises(
        UsageError,
        match=r"'Yugoslavia' names several: SCG \(Serbia and "
        r"Montenegro\), SRB \(Serbia\); give the id",
    ):
        names.resolve("Yugoslavia", "nation", what="--leave")
    with pytest.raises(UsageError, match="no state 'NATO'"):
        names.resolve("NATO", "nation", what="--leave")  # a name of another kind is no state


def test_label_aliases_and_normalise():
    assert label_aliases("Implementation Force (IFOR, Operation Joint Endeavour)") == [
        "Implementation Force", "IFOR", "Operation Joint Endeavour",
    ]  # fmt: skip
    assert label_aliases("Sino-Soviet Treaty of Friendship and Alliance (1945)") == [
        "Sino-Soviet Treaty of Friendship and Alliance"
    ]
    assert normalise("Côte d’Ivoire") == normalise("cote d'ivoire") == "cote d ivoire"


def test_the_bundled_names(bundled_store):
    scope = Scope.open(bundled_store)
    assert scope.resolve("Warsaw Pact", "organisation", what="-") == "WARSAW-PACT"
    assert scope.resolve("poland", "nation", what="-") == "POL"
    assert scope.resolve("Soviet Union", "nation", what="-") == "SUN"
    assert scope.resolve("ivory coast", "nation", what="-") == "CIV"
    assert scope.resolve("Allied Force", "operation", what="-") == "ALLIED-FORCE"
    assert scope.resolve("nato-members-page", "source", what="-") == "nato-members-page"
    with pytest.raises(UsageError, match="names several: SCG .*, YUG "):
        scope.resolve("Serbia and Montenegro, Former", "nation", what="-")


def run(store, *args: str):
    result = CliRunner().invoke(main, ["--store", str(store), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["query", "--name", "alliance-members", "-p", "alliance=NATOO"],
         "parameter alliance: no alliance or organisation 'NATOO' in the store; did you mean "
         "NATO (North Atlantic Treaty Organization)"),
        (["align", "--from", "1990", "--to", "1990", "--dyad", "USA,XYZ"],
         "--dyad: no state 'XYZ' in the store"),
        (["dependence", "--from", "2000", "--recipient", "XYZ"],
         "--recipient: no state 'XYZ' in the store"),
        (["aidalign", "--donor", "USAA", "--from", "2000", "--to", "2001"],
         "--donor: no state 'USAA' in the store; did you mean USA"),
        (["whatif", "--year", "1999", "--leave", "POL", "--from", "NATOO"],
         "--from: no alliance or organisation 'NATOO'"),
        (["whatif", "--year", "2005", "--stop-aid", "Atlantis"], "--stop-aid: no state 'Atlantis'"),
        (["viz", "operation", "ISAFF", "-o", "x.html"], "did you mean ISAF"),
        (["query", "--name", "operations-led-by", "-p", "leader=NATOO"],
         "parameter leader: no alliance or organisation or state 'NATOO'"),
        (["query", "--name", "source-facts", "-p", "source=nato-members-pag"],
         "parameter source: no cited source 'nato-members-pag' in the store; did you mean "
         "nato-members-page"),
        (["query", "--name", "alliance-membrs"], "did you mean alliance-members"),
        (["metrics", "--year", "1999", "--sources", "curatd"],
         "source 'curatd' is not loaded (loaded: curated, nations); did you mean curated?"),
        (["import", "atopp", "x.csv"], "unknown source 'atopp'"),
    ],
)  # fmt: skip
def test_an_unknown_name_is_one_line_and_exit_2_never_an_empty_table(
    bundled_store, tmp_path, monkeypatch, args, message
):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(bundled_store, *args)
    assert code == 2, (out, err)
    assert out == "" and len(err.splitlines()) == 1 and message in err, err
    assert "Traceback" not in err and "(0 rows)" not in out


@pytest.mark.parametrize(
    "by_name, by_id",
    [
        (["query", "--name", "alliance-members", "-p", "alliance=Warsaw Pact",
          "-p", "date=1980-01-01"],
         ["query", "--name", "alliance-members", "-p", "alliance=WARSAW-PACT",
          "-p", "date=1980-01-01"]),
        (["query", "--name", "nation-alliances", "-p", "nation=poland"],
         ["query", "--name", "nation-alliances", "-p", "nation=POL"]),
        (["query", "--name", "operations-led-by", "-p", "leader=north atlantic treaty "
          "organization"],
         ["query", "--name", "operations-led-by", "-p", "leader=NATO"]),
        (["align", "--from", "1990", "--to", "1990", "--dyad", "united states,soviet union"],
         ["align", "--from", "1990", "--to", "1990", "--dyad", "USA,SUN"]),
        (["dependence", "--from", "2000", "--recipient", "pakistan"],
         ["dependence", "--from", "2000", "--recipient", "PAK"]),
        (["whatif", "--year", "1999", "--leave", "Poland", "--from", "nato", "--top", "3"],
         ["whatif", "--year", "1999", "--leave", "POL", "--from", "NATO", "--top", "3"]),
        (["metrics", "--year", "1999", "--sources", "Curated", "--top", "3"],
         ["metrics", "--year", "1999", "--sources", "curated", "--top", "3"]),
    ],
)  # fmt: skip
def test_a_name_gives_the_same_answer_as_the_id(bundled_store, by_name, by_id):
    named, given = run(bundled_store, *by_name), run(bundled_store, *by_id)
    assert named[0] == given[0] == 0, (named, given)
    assert named[1] == given[1] and "(0 rows)" not in given[1]


def test_an_ambiguous_name_lists_the_candidates(bundled_store):
    code, _, err = run(
        bundled_store, "query", "--name", "nation-alliances", "-p",
        "nation=Serbia and Montenegro, Former",
    )  # fmt: skip
    assert code == 2 and "names several: SCG" in err and "give the id" in err
