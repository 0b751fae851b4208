"""``ACCUEIL_SIP_FR_TIMER_SECONDS``: Kamailio's transaction timer (tm's ``fr_timer``), from
serve's settings to the configuration written, refused below 1 s as ``SipSettings`` refuses it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from accueil.api.settings import ApiSettings
from accueil.errors import InvalidInput
from accueil.sip.config import render
from accueil.sip.server_settings import sip_settings


def test_the_transaction_timer_reaches_kamailios_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACCUEIL_SIP_FR_TIMER_SECONDS", "12")
    written = render(sip_settings(ApiSettings()), modules="")
    assert 'modparam("tm", "fr_timer", 12000)' in written
    monkeypatch.delenv("ACCUEIL_SIP_FR_TIMER_SECONDS")
    written = render(sip_settings(ApiSettings()), modules="")
    assert 'modparam("tm", "fr_timer", 30000)' in written  # tm's own default


@pytest.mark.parametrize("wrong", ["0", "-5"])
def test_a_transaction_timer_below_a_second_is_refused_naming_it(
    wrong: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCUEIL_SIP_FR_TIMER_SECONDS", wrong)
    with pytest.raises(InvalidInput, match=r"sip\.fr_timer_seconds must be 1 s or more") as refused:
        sip_settings(ApiSettings())
    assert refused.value.details == {"field": "sip.fr_timer_seconds"}


def test_a_transaction_timer_that_is_no_number_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACCUEIL_SIP_FR_TIMER_SECONDS", "soon")
    with pytest.raises(ValidationError) as refused:
        ApiSettings()
    assert "sip_fr_timer_seconds" in str(refused.value)
