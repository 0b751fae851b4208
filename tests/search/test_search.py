"""Searching one account, or all of them, for what a caller said."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from accueil.core.directory import Account, Group, Person
from accueil.core.search import HitKind, SearchIndex

MARTIN = Account(key="martin", name="Cabinet Martin", answer_name="Cabinet Martin")
CLINIC = Account(key="clinic", name="Clinique du Parc", answer_name="Clinique du Parc")


def _people(account: str, *names: tuple[str, str, str]) -> list[Person]:
    return [Person(account, key, first, last) for key, first, last in names]


def test_accents_and_case_do_not_matter() -> None:
    index = SearchIndex.for_account(
        MARTIN, _people("martin", ("h", "Hélène", "Lefèvre"), ("x", "Xavier", "Durand")), []
    )
    for typed in ("HELENE LEFEVRE", "hélène lefèvre", "Helene Lefevre"):
        assert index.search(typed)[0].key == "h"
        assert index.search(typed)[0].score == 100


def test_available_people_come_first_at_equal_score() -> None:
    people = _people("martin", ("a", "Catherine", "Aubert"), ("b", "Catherine", "Bonnet"))
    index = SearchIndex.for_account(MARTIN, people, [])
    assert [h.key for h in index.search("Catherine")] == ["a", "b"]

    asked: list[list[tuple[str, str]]] = []

    def only_b_is_available(
        people: Sequence[tuple[str, str]],
    ) -> Mapping[tuple[str, str], bool | None]:
        asked.append(list(people))
        return {(a, p): p == "b" for a, p in people}

    hits = index.search("Catherine", availability=only_b_is_available)
    assert [(h.key, h.available) for h in hits] == [("b", True), ("a", False)]
    assert asked == [[("martin", "a"), ("martin", "b")]]  # once, for the rows shown


def test_availability_is_asked_for_the_rows_shown_only() -> None:
    people = _people("martin", *[(f"c{i}", "Catherine", f"Name{i}") for i in range(30)])
    index = SearchIndex.for_account(MARTIN, people, [])
    asked: list[tuple[str, str]] = []

    def nobody(people: Sequence[tuple[str, str]]) -> Mapping[tuple[str, str], bool | None]:
        asked.extend(people)
        return {}

    hits = index.search("Catherine", limit=5, availability=nobody)
    assert len(hits) == 5
    assert sorted(asked) == sorted((h.account, h.key) for h in hits)
    assert all(h.available is None for h in hits)


def test_availability_never_lifts_a_worse_match_above_a_better_one() -> None:
    people = _people("martin", ("good", "Sophie", "Lefèvre"), ("near", "Sophie", "Lefort"))
    index = SearchIndex.for_account(MARTIN, people, [])
    hits = index.search(
        "Sophie Lefèvre", availability=lambda people: {(a, p): p == "near" for a, p in people}
    )
    assert hits[0].key == "good"


def test_a_group_is_found_by_its_name_and_its_people_by_their_group() -> None:
    groups = [Group("martin", "compta", "Comptabilité"), Group("martin", "rh", "RH")]
    people = [
        Person("martin", "s", "Sophie", "Lefèvre", group="compta"),
        Person("martin", "m", "Marc", "Lefebvre", group="rh"),
    ]
    index = SearchIndex.for_account(MARTIN, people, groups)
    hits = index.search("comptabilite")
    assert (hits[0].kind, hits[0].key) == (HitKind.GROUP, "compta")
    assert hits[1].key == "s"
    assert index.search("Lefebvre comptabilité")[0].key == "s"  # same sound, right group


def test_titles_are_searchable_and_shown() -> None:
    people = [
        Person("martin", "p", "Stéphane", "Girard", title="Plombier"),
        Person("martin", "d", "Anh", "Nguyen", title="Dr"),
    ]
    index = SearchIndex.for_account(MARTIN, people, [])
    assert index.search("plombier")[0].key == "p"
    assert index.search("plombier")[0].label == "Stéphane Girard — Plombier"
    assert index.search("nguyen")[0].label == "Dr Anh Nguyen"


def test_typing_the_first_letters_finds_the_person() -> None:
    people = _people("martin", ("c", "Guillaume", "Chevallier"), ("d", "Jean", "Durand"))
    index = SearchIndex.for_account(MARTIN, people, [])
    assert index.search("chev")[0].key == "c"
    assert index.search("dur")[0].key == "d"


def test_people_who_left_are_not_found() -> None:
    people = [
        Person("martin", "old", "Paul", "Ancien", active=False),
        Person("martin", "new", "Paula", "Nouvelle"),
    ]
    index = SearchIndex.for_account(MARTIN, people, [])
    assert [h.key for h in index.search("Paul Ancien")] == ["new"]


def test_a_query_of_only_courtesy_words_or_nothing_finds_nothing_without_failing() -> None:
    index = SearchIndex.for_account(MARTIN, _people("martin", ("a", "Anne", "Morel")), [])
    assert index.search("") == []
    assert index.search("   ") == []
    assert index.search("zzzzzzzz") == []
    assert SearchIndex.for_account(MARTIN, [], []).search("Anne") == []


def test_a_pasted_paragraph_is_cut_to_its_first_words_and_repeats_count_once() -> None:
    index = SearchIndex.for_account(MARTIN, _people("martin", ("a", "Anne", "Morel")), [])
    assert index.search("Anne Morel " * 1000) == index.search("Anne Morel")
    assert index.search("Anne Morel")[0].score == 100
    filler = " ".join(f"mot{i}" for i in range(12))
    assert index.search(f"{filler} Morel") == []  # past the twelfth word


def test_the_limit_is_respected() -> None:
    people = _people("martin", *((f"p{i}", "Marie", f"Martin{i}") for i in range(30)))
    index = SearchIndex.for_account(MARTIN, people, [])
    assert len(index.search("Marie", limit=10)) == 10
    assert len(index.search("Marie", limit=3)) == 3


def test_across_accounts_the_hit_says_which_client_it_belongs_to() -> None:
    people = [
        *_people("martin", ("dupont", "Maître", "Dupont")),
        *_people("clinic", ("nguyen", "Anh", "Nguyen")),
    ]
    index = SearchIndex.across([MARTIN, CLINIC], people, [])
    hit = index.search("docteur nguyen")[0]
    assert (hit.account, hit.key) == ("clinic", "nguyen")
    account_hit = index.search("clinique du parc")[0]
    assert (account_hit.kind, account_hit.account) == (HitKind.ACCOUNT, "clinic")


def test_an_account_index_holds_only_that_account() -> None:
    index = SearchIndex.for_account(MARTIN, _people("martin", ("a", "Anne", "Morel")), [])
    assert len(index) == 1
    assert all(h.account == "martin" for h in index.search("Anne"))
