"""``ACCUEIL_SIP_REPLY_SECONDS``: how long a rung softphone may stay silent before it is out of
reach, from serve's settings to the SIP telephony (and to Kamailio's ``fr_timer`` it asks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from accueil.api.live import sip_edge
from accueil.api.settings import ApiSettings


def test_the_reply_time_reaches_the_telephony(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCUEIL_SIP_REPLY_SECONDS", "2.5")
    settings = ApiSettings(sip_kamailio=False, sip_workdir=str(tmp_path))
    assert sip_edge(settings).telephony.reply_seconds == 2.5
    assert sip_edge(ApiSettings(sip_kamailio=False)).telephony.reply_seconds == 2.5
    monkeypatch.delenv("ACCUEIL_SIP_REPLY_SECONDS")
    assert sip_edge(ApiSettings(sip_kamailio=False)).telephony.reply_seconds == 4.0


@pytest.mark.parametrize("wrong", ["0", "0.5", "61", "soon"])
def test_a_wrong_reply_time_is_refused_naming_it(
    wrong: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCUEIL_SIP_REPLY_SECONDS", wrong)
    with pytest.raises(ValidationError) as refused:
        ApiSettings()
    assert "sip_reply_seconds" in str(refused.value)
