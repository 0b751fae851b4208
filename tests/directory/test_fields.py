"""Reading one field: numbers in the account's country, devices, trainings, hours, keys."""

from __future__ import annotations

import pytest

from accueil.core.directory import Device, DeviceKind, Training
from accueil.core.hours import WeeklyHours
from accueil.directory_io import fields
from accueil.directory_io.fields import FieldError


def test_a_national_number_is_read_in_the_accounts_country() -> None:
    assert fields.phone("01 40 00 00 00", "FR") == "+33140000000"
    assert fields.phone("020 7946 0123", "GB") == "+442079460123"
    assert fields.phone("+33 1 40 00 00 00", "GB") == "+33140000000"


def test_a_number_that_does_not_exist_in_the_country_is_refused_with_its_reason() -> None:
    with pytest.raises(FieldError, match="not a valid number in FR"):
        fields.phone("01 40 00", "FR")


def test_devices_are_written_as_mappings_or_kind_colon_address() -> None:
    found = fields.devices(
        [
            {"kind": "mobile", "address": "06 12 34 56 78"},
            "desk:sip:2001@pbx.example",
            "home=mobile:07 81 23 45 67",
            "work=mobile:+33 6 00 00 00 01",
            "spare=mobile:+33600000002",
        ],
        "FR",
    )
    assert found == (  # a mobile's number as written is kept beside its E.164
        Device("mobile", DeviceKind.MOBILE, "+33612345678", "06 12 34 56 78"),
        Device("desk", DeviceKind.DESK, "sip:2001@pbx.example"),
        Device("home", DeviceKind.MOBILE, "+33781234567", "07 81 23 45 67"),
        Device("work", DeviceKind.MOBILE, "+33600000001", "+33 6 00 00 00 01"),
        Device("spare", DeviceKind.MOBILE, "+33600000002"),  # written in E.164: nothing to keep
    )


def test_devices_in_a_csv_cell_are_separated_by_a_bar() -> None:
    found = fields.devices("mobile:0612345678|softphone:sip:jm@soft.example", "FR")
    assert [d.kind for d in found] == [DeviceKind.MOBILE, DeviceKind.SOFTPHONE]


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("fax:0140000000", "'fax' is not a device kind"),
        ("desk:2001", "not a SIP address"),
        ("mobile", "write a device as kind:address"),
        ("mobile:0612|mobile:0781234567", "not a valid number"),
    ],
)
def test_a_bad_device_says_what_is_wrong(spec: str, reason: str) -> None:
    with pytest.raises(FieldError, match=reason):
        fields.devices(spec, "FR")


def test_two_devices_with_the_same_key_are_refused() -> None:
    with pytest.raises(FieldError, match="two devices are named 'mobile'"):
        fields.devices("mobile:0612345678|mobile:0781234567", "FR")


def test_trainings_are_a_mapping_a_list_or_a_cell() -> None:
    expected = (Training("acme", 3), Training("dupont", 1))
    assert fields.trainings({"acme": "3", "dupont": 1}) == expected
    assert fields.trainings(["acme:3", {"account": "dupont"}]) == expected
    assert fields.trainings("acme:3|dupont") == expected


def test_a_training_level_is_one_to_three() -> None:
    with pytest.raises(FieldError, match="out of range"):
        fields.trainings("acme:4")


def test_hours_can_be_closed() -> None:
    assert fields.hours("closed") == WeeklyHours()
    with pytest.raises(FieldError, match="bad hours"):
        fields.hours("mon-fri 18:00-09:00")


@pytest.mark.parametrize("value", ["a b", "", "-x", "x|y", "k" * 65])
def test_keys_are_short_words(value: str) -> None:
    with pytest.raises(FieldError):
        fields.key(value)


def test_time_zones_come_from_the_tz_database() -> None:
    assert fields.timezone("Europe/London") == "Europe/London"
    with pytest.raises(FieldError, match="not a time zone"):
        fields.timezone("Europe/Lyon")


def test_flags_and_languages_read_what_people_write() -> None:
    assert fields.flag("oui") is True
    assert fields.flag("FALSE") is False
    assert fields.languages("FR|en|fr") == ("fr", "en")
    with pytest.raises(FieldError, match="not a language code"):
        fields.languages(["french"])


def test_one_line_texts_refuse_line_breaks_and_control_characters() -> None:
    with pytest.raises(FieldError, match="a line break in a one-line field"):
        fields.text("Jeanne\nMartin")
    with pytest.raises(FieldError, match=r"a control character \('\\x00'\)"):
        fields.text("Jea\x00nne")  # PostgreSQL cannot even store it
    assert fields.text(
        "Ne jamais confirmer.\nRappeler le soir.\tMerci", limit=5000, lines=True
    ) == ("Ne jamais confirmer.\nRappeler le soir.\tMerci")
    with pytest.raises(FieldError, match="control character"):
        fields.text("note\x07", lines=True)
