"""The on-call rotas the example scripts (examples/scripts/) dispatch to (test helper)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from accueil.services.callers import set_rota

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # when the test writes

ALWAYS = "mon-sun 00:00-24:00"
ROTAS = {
    "martin": {"key": "permanence", "name": "Avocat de permanence", "contact": "+33612345678"},
    "clinique": {"key": "medecin-de-garde", "name": "Médecin de garde", "contact": "+33611223344"},
}


def add_example_rotas(session: Session, *accounts: str) -> None:
    """Give each account named (present in the database) the rota its example script uses."""
    for account in accounts:
        rota = ROTAS[account]
        shift = {"contacts": [rota["contact"]], "hours": ALWAYS}
        set_rota(
            session, account, {"key": rota["key"], "name": rota["name"], "shifts": [shift]}, now=NOW
        )
