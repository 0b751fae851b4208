"""Delivery preferences: account defaults and policy, a person's choices, quiet hours, digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from random import Random

import pytest
from messages_helpers import NOW
from sqlalchemy import select

from accueil.core.delivery import (
    Channel,
    Level,
    Preferences,
    QuietHours,
    backoff,
    merge,
    next_digest,
    plan,
    release_at,
)
from accueil.core.localtime import zone
from accueil.errors import NotFound, ValidationFailed
from accueil.services import messages
from accueil.services.delivery_preferences import (
    effective_preferences,
    get_preferences,
    set_preferences,
)
from accueil.services.unit_of_work import Application
from accueil.store.tables_messages import DeliveryRow

PARIS = zone("Europe/Paris")


def _save(app: Application, person: str, data: object) -> Preferences:
    with app.unit_of_work() as work:
        return set_preferences(work.session, "martin", person, data, now=work.now, file="p.yaml")


def test_a_persons_choices_override_the_accounts_per_urgency(app: Application) -> None:
    _save(app, "", {"quiet_hours": "21:00-07:00", "normal": {"channels": ["email"]}})
    _save(app, "claire", {"normal": {"channels": ["sms", "email"]}})
    with app.sessions() as s:
        mine = effective_preferences(s, "martin", "claire")
        pauls = effective_preferences(s, "martin", "paul")
        assert get_preferences(s, "martin", "claire").quiet_hours is None
    assert mine.normal and mine.normal.channels == [Channel.SMS, Channel.EMAIL]
    assert pauls.normal and pauls.normal.channels == [Channel.EMAIL]
    assert mine.quiet_hours == "21:00-07:00"  # the account's, kept
    assert mine.low and mine.low.channels == [Channel.DIGEST]  # accueil's default


@pytest.mark.parametrize(
    ("person", "data", "where"),
    [
        ("claire", {"normal": {"channels": ["fax"]}}, "p.yaml field 'normal.channels[0]'"),
        ("claire", {"normal": {"channels": []}}, "p.yaml field 'normal.channels'"),
        ("claire", {"quiet_hours": "25:00-07:00"}, "p.yaml field 'quiet_hours'"),
        ("claire", {"urgent": {"channels": ["sms"], "escalate_to": ["boss"]}}, "escalate_to"),
        (
            "",
            {"urgent": {"channels": ["sms"], "escalate_to": ["person:paul", "rota:nuit"]}},
            "p.yaml field 'urgent.escalate_to[1]': no on-call rota 'nuit' in use",
        ),
        (
            "claire",
            {"normal": {"channels": ["sms"], "escalate_to": ["person:nobody"]}},
            "p.yaml field 'normal.escalate_to[0]': no person 'nobody' in this account",
        ),
        ("claire", {"webhook_url": "https://x.example"}, "p.yaml field 'webhook_url'"),
        ("claire", {"colour": "red"}, "p.yaml field 'colour'"),
        ("", {"webhook_url": "ftp://x.example"}, "a webhook URL starts with https://"),
        ("claire", ["email"], "preferences are a mapping"),
    ],
)
def test_bad_preferences_are_refused_with_where_and_why_and_nothing_saved(
    app: Application, person: str, data: object, where: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _save(app, person, data)
    assert where in str(caught.value)
    with app.sessions() as s:
        assert get_preferences(s, "martin", person) == Preferences()


def test_a_person_cannot_choose_a_channel_the_account_does_not_allow(app: Application) -> None:
    _save(app, "", {"allowed_channels": ["email", "digest"]})
    with pytest.raises(ValidationFailed) as caught:
        _save(app, "claire", {"urgent": {"channels": ["email", "sms"]}})
    assert "p.yaml field 'urgent.channels[1]': 'sms' is not allowed by the account" in str(
        caught.value
    )


def test_preferences_of_an_unknown_person_are_refused(app: Application) -> None:
    with pytest.raises(NotFound, match="no person 'ghost'"):
        _save(app, "ghost", {})


def test_quiet_hours_hold_a_normal_message_until_they_end_but_not_an_urgent_one(
    app: Application,
) -> None:
    _save(app, "", {"quiet_hours": "21:00-07:00"})
    night = datetime(2026, 11, 30, 22, 30, tzinfo=UTC)  # 23:30 in Paris
    with app.unit_of_work() as work:
        messages.take_message(work.session, "martin", _new(Level.NORMAL), now=night)
        messages.take_message(work.session, "martin", _new(Level.URGENT), now=night)
    with app.sessions() as s:
        due = {r.channel: r.next_attempt_at for r in s.scalars(select(DeliveryRow))}
    assert due["sms"] == night  # urgent: now
    assert due["email"] in (night, datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    with app.sessions() as s:
        held = [
            r.next_attempt_at
            for r in s.scalars(select(DeliveryRow).where(DeliveryRow.channel == "email"))
        ]
    assert sorted(held) == [night, datetime(2026, 12, 1, 6, 0, tzinfo=UTC)]  # 07:00 Paris


def test_a_low_message_waits_for_the_daily_digest(app: Application) -> None:
    with app.unit_of_work() as work:
        messages.take_message(work.session, "martin", _new(Level.LOW), now=NOW)
    with app.sessions() as s:
        row = s.scalars(select(DeliveryRow)).one()
    assert (row.channel, row.next_attempt_at) == (
        "digest",
        datetime(2026, 11, 30, 17, 0, tzinfo=UTC),
    )


def _new(level: Level) -> messages.NewMessage:
    return messages.NewMessage(person="claire", urgency=level, caller_name="X")


def test_quiet_hours_across_midnight_end_the_next_morning_in_the_accounts_zone() -> None:
    quiet = QuietHours.parse("21:00-07:00")
    evening = datetime(2026, 3, 28, 21, 30, tzinfo=UTC)  # 22:30 Paris, the night clocks change
    assert release_at(evening, PARIS, quiet) == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)
    early = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # 06:00 Paris
    assert release_at(early, PARIS, quiet) == datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    day = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert release_at(day, PARIS, quiet) == day
    assert release_at(day, PARIS, QuietHours.parse("12:00-14:00")) == day + timedelta(hours=1)


def test_the_digest_goes_at_its_next_time() -> None:
    assert next_digest(NOW, PARIS, "18:00") == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    late = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert next_digest(late, PARIS, "18:00") == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


def test_an_urgent_plan_escalates_only_with_someone_to_escalate_to() -> None:
    account = Preferences.model_validate(
        {
            "urgent": {
                "channels": ["sms"],
                "escalate_after_minutes": 10,
                "escalate_to": ["rota:permanence", "person:paul"],
            }
        }
    )
    found = plan(merge(account, None), Level.URGENT, NOW, PARIS)
    assert found.escalate_after == timedelta(minutes=10)
    assert found.escalate_to == ("rota:permanence", "person:paul")
    alone = Preferences.model_validate(
        {"urgent": {"channels": ["sms"], "escalate_after_minutes": 10}}
    )
    assert plan(merge(alone, None), Level.URGENT, NOW, PARIS).escalate_after is None


def test_backoff_grows_exponentially_with_jitter_capped_and_floored_by_retry_after() -> None:
    rng = Random(7)
    waits = [backoff(n, rng).total_seconds() for n in range(1, 8)]
    for n, wait in enumerate(waits, start=1):
        assert 2 ** (n - 1) <= wait <= 2**n
    assert backoff(40, rng).total_seconds() <= 3600
    assert backoff(1, rng, retry_after=30).total_seconds() >= 30
    assert len({backoff(3, Random(s)) for s in range(10)}) > 1  # jittered
