"""The example scripts and the accounts and people they are written for (test helpers)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from accueil.core.directory import Account, Person
from accueil.core.hours import WeeklyHours
from accueil.core.scripts.document import Layer, parse_layer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scripts"

MARTIN = Account(
    key="martin",
    name="Cabinet Martin",
    answer_name="Cabinet Martin",
    business_hours=WeeklyHours.parse("mon-fri 09:00-18:00"),
)
CLINIC = Account(
    key="clinique",
    name="Clinique du Parc",
    answer_name="Clinique du Parc",
    business_hours=WeeklyHours.parse("mon-fri 08:00-19:00; sat 08:00-12:00"),
)
DUPONT = Person(
    "martin", "dupont", "Claire", "Dupont", pronunciation="du-PON", title="Maître", group="associes"
)
DR_NGUYEN = Person("clinique", "nguyen", "Anh", "Nguyen", pronunciation="ngou-YEN", title="Dr")
TUESDAY_2PM = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # 14:00 in Paris
TUESDAY_9PM = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # 21:00 in Paris


def example(name: str, label: str = "") -> Layer:
    path = EXAMPLES / name
    return parse_layer(path.read_text(encoding="utf-8"), path.name, label=label)
