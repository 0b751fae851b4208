"""Names as written and as said: particles joined and split on both sides, spelled letters,
nicknames and variants of first names."""

from __future__ import annotations

import pytest

from accueil.core.directory import Account, Person
from accueil.core.names import name_words, query_slots
from accueil.core.search import SearchIndex
from accueil.core.vocabulary import first_name_variants

ACME = Account("acme", "Acme", "Acme")


def _forms(text: str) -> list[list[str]]:
    return [[f.text for f in slot.forms if not f.variant] for slot in query_slots(text)[0]]


@pytest.mark.parametrize(
    ("written", "found_as"),
    [
        ("Le Roux", {"le", "roux", "leroux"}),
        ("de La Tour", {"delatour", "latour", "tour"}),
        ("Delatour", {"delatour", "latour", "tour"}),
        ("Leroux", {"leroux", "roux"}),
        ("MacDonald", {"mcdonald", "donald"}),
        ("Saint-Exupéry", {"saint", "exupery", "saintexupery"}),
        ("St Exupéry", {"saint", "exupery", "saintexupery"}),
        ("O'Brien", {"o", "brien", "obrien"}),
        ("Jean-Pierre", {"jean", "pierre", "jeanpierre"}),
    ],
)
def test_a_directory_name_is_found_by_its_parts_and_joined(
    written: str, found_as: set[str]
) -> None:
    assert found_as <= dict(name_words(written)).keys()


def test_a_name_is_not_split_where_no_particle_begins_it() -> None:
    assert dict(name_words("Lambert")).keys() == {"lambert"}
    assert dict(name_words("Laurent")).keys() == {"laurent"}


@pytest.mark.parametrize(
    ("said", "forms"),
    [
        ("Madame Le Roux", [["leroux", "roux"]]),
        ("je voudrais parler à monsieur de la tour", [["delatour", "latour", "tour"]]),
        ("mac donald", [["mcdonald", "donald"]]),
        ("K O W A L S K I", [["kowalski"]]),
        ("J P Lambert", [["jp"], ["lambert"]]),
        ("Sean O'Brien", [["sean"], ["obrien", "brien"]]),
        ("St Exupéry", [["saintexupery", "exupery"]]),
    ],
)
def test_what_a_caller_says_is_joined_the_same_way(said: str, forms: list[list[str]]) -> None:
    assert _forms(said) == forms


def test_nicknames_and_variants_go_both_ways() -> None:
    assert "william" in first_name_variants("bill")
    assert "bill" in first_name_variants("william")
    assert "katherine" in first_name_variants("katie")  # through Katy
    assert "stephane" in first_name_variants("steph")
    assert "jeanphilippe" in first_name_variants("jeanphi")
    assert first_name_variants("zzyzx") == frozenset()


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("Le Roux", ("Anne", "Leroux")),
        ("Leroux", ("Anne", "Le Roux")),
        ("Delatour", ("Anne", "de La Tour")),
        ("de la tour", ("Anne", "Delatour")),
        ("mc donald", ("Michelle", "MacDonald")),
        ("Michelle M'Donald", ("Michelle", "McDonald")),
        ("Saint Clair", ("Claire", "St-Clair")),
        ("Bill Smith", ("William", "Smith")),
        ("William Smith", ("Bill", "Smith")),
        ("Manu Dupont", ("Emmanuel", "Dupont")),
    ],
)
def test_either_way_of_saying_finds_either_way_of_writing(
    said: str, written: tuple[str, str]
) -> None:
    people = [
        Person("acme", "target", *written),
        Person("acme", "other", "Paul", "Rousseau"),
        Person("acme", "roux", "Paul", "Roux"),
    ]
    hits = SearchIndex.for_account(ACME, people, []).search(said)
    assert hits[0].key == "target", hits
