"""Every field type checks what the agent typed and keeps it in one form."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from accueil.core.scripts.fields import BadAnswer, check_answer, shown
from accueil.core.scripts.model import Choice, Field, FieldType

PARIS = ZoneInfo("Europe/Paris")


def _check(field: Field, raw: str) -> object:
    return check_answer(field, raw, "FR", PARIS)


def test_a_phone_answer_is_parsed_with_phonenumbers_and_kept_in_e164() -> None:
    field = Field(FieldType.PHONE, "Téléphone")
    assert _check(field, "06 12 34 56 78") == "+33612345678"
    assert _check(field, "+44 20 7946 0958") == "+442079460958"
    with pytest.raises(BadAnswer, match=r"Téléphone: .*not a valid number"):
        _check(field, "06 12")


def test_an_email_answer_must_look_like_an_address() -> None:
    field = Field(FieldType.EMAIL, "E-mail")
    assert _check(field, " Jean.Leroy@Example.FR ") == "jean.leroy@example.fr"
    with pytest.raises(BadAnswer, match="not an email address"):
        _check(field, "jean.leroy-at-example")


def test_a_choice_is_accepted_by_its_value_or_its_label() -> None:
    field = Field(
        FieldType.CHOICE, "Motif", choices=(Choice("rdv", "Prendre rendez-vous"), Choice("x", "X"))
    )
    assert _check(field, "RDV") == "rdv"
    assert _check(field, "prendre rendez-vous") == "rdv"
    with pytest.raises(BadAnswer, match=r"not one of the choices \(rdv, x\)"):
        _check(field, "ordonnance")


def test_a_date_time_is_read_in_iso_or_french_form_in_the_accounts_zone() -> None:
    field = Field(FieldType.DATETIME, "Créneau")
    expected = datetime(2026, 12, 2, 14, 30, tzinfo=PARIS)
    assert _check(field, "2026-12-02 14:30") == expected
    assert _check(field, "02/12/2026 14h30") == expected
    assert _check(field, "02/12/2026 14:30") == expected
    with pytest.raises(BadAnswer, match="not a date and time"):
        _check(field, "mardi prochain")


@pytest.mark.parametrize(("raw", "value"), [("oui", True), ("Yes", True), ("n", False)])
def test_yes_no_understands_french_and_english(raw: str, value: bool) -> None:
    assert _check(Field(FieldType.YESNO, "Urgent"), raw) is value


def test_yes_no_refuses_anything_else() -> None:
    with pytest.raises(BadAnswer, match="answer yes or no"):
        _check(Field(FieldType.YESNO, "Urgent"), "peut-être")


def test_a_required_field_refuses_an_empty_answer_and_an_optional_one_keeps_none() -> None:
    with pytest.raises(BadAnswer, match="Nom is required"):
        _check(Field(FieldType.TEXT, "Nom"), "   ")
    assert _check(Field(FieldType.TEXT, "Dossier", required=False), "") is None
    assert _check(Field(FieldType.PHONE, "Portable", required=False), "") is None


def test_text_is_trimmed_and_bounded() -> None:
    field = Field(FieldType.TEXT, "Objet")
    assert _check(field, "  Rappel  ") == "Rappel"
    with pytest.raises(BadAnswer, match="too long"):
        _check(field, "x" * 1001)


def test_values_are_shown_as_people_read_them() -> None:
    assert shown(True) == "yes"
    assert shown(False, "fr") == "non"
    assert shown(None) == ""
    assert shown(datetime(2026, 12, 2, 14, 30, tzinfo=PARIS)) == "2026-12-02 14:30"
