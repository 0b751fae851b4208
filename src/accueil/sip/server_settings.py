"""Kamailio's settings from the server's (``accueil serve``'s ``ACCUEIL_SIP_*``) and the SIP
accounts file.

Apart from the SIP edge so that ``accueil serve`` checks them before it loads the API and the
switchboard (seconds): a wrong setting is refused at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from accueil.errors import InvalidInput, says
from accueil.sip.config import SipSettings


def read_accounts(path: Path) -> dict[str, str]:
    """The SIP accounts file: one ``user password`` a line (``#`` starts a comment). A wrong
    line is refused with its number."""
    accounts: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(
            says("%(path)s: cannot read the SIP accounts (%(why)s)", path=path, why=exc.strerror)
        ) from None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        where = f"{path}:{number}"
        if len(parts) != 2:
            raise InvalidInput(
                says("%(where)s: write 'user password' (two words)", where=where),
                field="sip.accounts",
            )
        if parts[0] in accounts:
            raise InvalidInput(
                says("%(where)s: %(user)r is given twice", where=where, user=parts[0]),
                field="sip.accounts",
            )
        accounts[parts[0]] = parts[1]
    return accounts


class ServeSettings(Protocol):
    """The server's SIP settings (``accueil.api.settings.ApiSettings``)."""

    sip_host: str
    sip_port: int
    sip_domain: str
    sip_trunks: str
    sip_accounts_file: str
    sip_evapi_host: str
    sip_evapi_port: int
    sip_max_wait_seconds: int
    sip_fr_timer_seconds: int


def sip_settings(serve: ServeSettings) -> SipSettings:
    """Kamailio's settings from the server's (trunks comma-separated, accounts from their file)."""
    accounts = read_accounts(Path(serve.sip_accounts_file)) if serve.sip_accounts_file else {}
    trunks = tuple(t.strip() for t in serve.sip_trunks.split(",") if t.strip())
    return SipSettings(
        port=serve.sip_port,
        evapi_port=serve.sip_evapi_port,
        domain=serve.sip_domain,
        host=serve.sip_host,
        evapi_host=serve.sip_evapi_host,
        accounts=accounts,
        trunks=trunks,
        max_wait_seconds=serve.sip_max_wait_seconds,
        fr_timer_seconds=serve.sip_fr_timer_seconds,
    )
