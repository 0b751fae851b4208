"""Numbers are stored in E.164; national numbers are read in the account's country."""

from __future__ import annotations

import pytest

from accueil.core.phone import InvalidNumber, national, pretty, to_e164


@pytest.mark.parametrize(
    ("raw", "country", "e164"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("01.42.68.53.00", "FR", "+33142685300"),
        ("+33 1 42 68 53 00", "GB", "+33142685300"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("0033 6 12 34 56 78", "FR", "+33612345678"),
    ],
)
def test_national_and_international_forms_become_e164(raw: str, country: str, e164: str) -> None:
    assert to_e164(raw, country) == e164


@pytest.mark.parametrize("raw", ["", "hello", "06 12 34", "+33 0 00 00 00 00"])
def test_invalid_numbers_are_refused_with_the_input_quoted(raw: str) -> None:
    with pytest.raises(InvalidNumber) as info:
        to_e164(raw, "FR")
    assert info.value.details["raw"] == raw


def test_numbers_read_back_for_people() -> None:
    assert pretty("+33612345678") == "+33 6 12 34 56 78"
    assert national("+33612345678") == "06 12 34 56 78"
