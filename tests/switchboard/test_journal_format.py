"""The journal's format (``switchboard/codec.py``): every input round-trips; a row written by
this release stays readable by the next (the documents below are kept as written); a row that
is corrupted, of a newer release or not of ours is a clear error, and nothing it names is run."""

from __future__ import annotations

import dataclasses
import logging
import math
import typing
from datetime import UTC, datetime

import pytest
from board_world import MONDAY_10
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update

from accueil.core.decision import Decision, RingTarget
from accueil.core.directory import Account, Tier
from accueil.core.hours import WeeklyHours
from accueil.core.routing import events
from accueil.core.rules import Scope
from accueil.core.treatments import Answer, Connect, Message, Reject
from accueil.store.tables_switchboard import JournalRow, QuarantinedRow
from accueil.switchboard import codec, inputs
from accueil.switchboard.calls import CallInProgress, Stage
from accueil.switchboard.codec import JournalFormatError
from accueil.switchboard.journal import Journal
from accueil.telephony import port

FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)
TEXT = st.text(max_size=12)
BY_TYPE: dict[str, st.SearchStrategy[typing.Any]] = {
    "float": FINITE,
    "float | None": st.none() | FINITE,
    "str": TEXT,
    "int": st.integers(),
    "tuple[str, ...]": st.lists(TEXT, max_size=3).map(tuple),
    "tuple[tuple[str, int], ...]": st.lists(st.tuples(TEXT, st.integers()), max_size=3).map(tuple),
    "dict[str, str]": st.dictionaries(TEXT, TEXT, max_size=4),
}


def _built(cls: type) -> st.SearchStrategy[typing.Any]:
    """Instances of a dataclass of plain fields, every field drawn."""
    return st.builds(cls, **{f.name: BY_TYPE[str(f.type)] for f in dataclasses.fields(cls)})


AGENT_INPUTS = typing.get_args(inputs.AgentInput)
TELEPHONY_EVENTS = typing.get_args(port.TelephonyEvent)
TREATMENTS = st.sampled_from(
    [
        Answer(),
        Message(),
        Reject(),
        Connect.model_validate(
            {"devices": [{"device": "mobile", "timeout": 20}], "no_answer": {"type": "answer"}}
        ),
    ]
)
ACCOUNT = Account(
    "martin", "Cabinet Martin", "Cabinet Martin, bonjour", languages=("fr", "en"),
    business_hours=WeeklyHours.parse("mon-fri 09:00-18:00"), tier=Tier.PREMIUM,
)  # fmt: skip


@st.composite
def calls_in_progress(draw: st.DrawFn) -> CallInProgress:
    decision = Decision(
        draw(TREATMENTS), draw(TEXT), draw(st.sampled_from(list(Scope))), draw(TEXT),
        targets=(RingTarget("mobile", "+33600000000", 20),),
    )  # fmt: skip
    return CallInProgress(
        draw(TEXT), draw(TEXT), draw(TEXT), draw(FINITE), MONDAY_10, ACCOUNT, draw(TEXT),
        decision, stage=draw(st.sampled_from(list(Stage))),
        devices=draw(st.lists(_built(port.DeviceRing), max_size=2)),
        ringing=draw(st.sets(TEXT, max_size=2)), agent=draw(TEXT), token=draw(st.integers()),
        waited=draw(st.none() | FINITE), familiar=draw(st.none() | st.booleans()),
        enqueued_at=draw(st.none() | st.just(datetime(2026, 11, 30, 9, 0, 5, tzinfo=UTC))),
    )  # fmt: skip


INPUTS = st.one_of(
    *(_built(cls) for cls in AGENT_INPUTS),
    st.one_of(*(_built(cls) for cls in TELEPHONY_EVENTS)).map(inputs.Heard),
    _built(inputs.Finish),
    st.builds(inputs.Inbound, _built(port.InboundCall), calls_in_progress()),
    st.builds(inputs.Inbound, _built(port.InboundCall), st.none(), TEXT),
)


def test_every_input_type_is_drawn() -> None:
    drawn = {*AGENT_INPUTS, inputs.Heard, inputs.Finish, inputs.Inbound}
    assert drawn == set(typing.get_args(inputs.Input))
    assert set(TELEPHONY_EVENTS) == {
        port.InboundCall, port.Answered, port.NoAnswer, port.Busy, port.CallerHungUp, port.Ended
    }  # fmt: skip


@given(INPUTS)
def test_every_input_round_trips(entry: inputs.Input) -> None:
    assert codec.loads(codec.dumps(entry)) == entry


@given(st.lists(st.one_of(FINITE, st.just(math.inf), st.just(-math.inf)), max_size=4))
def test_floats_json_cannot_write_round_trip(values: list[float]) -> None:
    assert codec.loads(codec.dumps(tuple(values))) == tuple(values)


def test_a_value_met_again_is_written_the_same() -> None:
    """Immutable values are encoded once and kept (a kept slice's account, in every call's
    input): the document is the same, first time or kept, and one reached twice still loads."""
    calls = [
        CallInProgress(f"c{n}", "+33612345678", "+33140000001", 1.0, MONDAY_10, ACCOUNT, "claire",
                       Decision(Answer(), "fallback", Scope.FALLBACK, "the pool answers"))
        for n in range(2)
    ]  # fmt: skip
    first, again = codec.dumps(calls), codec.dumps(calls)
    assert first == again
    assert codec.loads(again) == calls
    assert codec.loads(codec.dumps(calls[0])) == calls[0]


# Documents as this release writes them: a later release must still read them (add, never edit).
WRITTEN_V1 = {
    b'{"format":"accueil.switchboard","version":1,"body":{"$o":"AgentLoggedIn","f":{"at":3.5,'
    b'"agent":"alice","languages":{"$t":["fr"]},"trainings":{"$t":[{"$t":["martin",3]}]},'
    b'"site":"paris","wrapup_seconds":null}}}': events.AgentLoggedIn(
        3.5, "alice", ("fr",), (("martin", 3),), site="paris"
    ),
    b'{"format":"accueil.switchboard","version":1,"body":{"$o":"Heard","f":{"event":'
    b'{"$o":"NoAnswer","f":{"call":"c1","by":"mobile"}}}}}': inputs.Heard(
        port.NoAnswer("c1", "mobile")
    ),
    # a field added later with a default (wrapup_seconds) is read as its default
    b'{"format":"accueil.switchboard","version":1,"body":{"$o":"AgentLoggedIn","f":{"at":1.0,'
    b'"agent":"bob"}}}': events.AgentLoggedIn(1.0, "bob"),
}


@pytest.mark.parametrize("written", list(WRITTEN_V1))
def test_a_journal_written_before_reads_the_same(written: bytes) -> None:
    assert codec.loads(written) == WRITTEN_V1[written]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (b"\x80\x05garbage", "not JSON"),
        (b'{"some": "json"}', "not an accueil.switchboard document"),
        (b'{"format":"accueil.switchboard","version":2,"body":null}', "a newer one wrote it"),
        (
            b'{"format":"accueil.switchboard","version":1,"body":{"$o":"system","f":{}}}',
            "unknown type 'system'",
        ),
        (
            b'{"format":"accueil.switchboard","version":1,"body":{"$o":"AgentReady",'
            b'"f":{"at":1.0,"agent":"a","rm":"-rf"}}}',
            "AgentReady has no field 'rm'",
        ),
        (
            b'{"format":"accueil.switchboard","version":1,"body":{"$o":"AgentReady",'
            b'"f":{"at":1.0}}}',
            "AgentReady without its field 'agent'",
        ),
        (
            b'{"format":"accueil.switchboard","version":1,"body":{"$m":[{"$o":"Timers",'
            b'"f":{}},"__init__"]}}',
            "Timers has no method '__init__'",
        ),
        (
            b'{"format":"accueil.switchboard","version":1,"body":{"$c":"object"}}',
            "unknown type 'object'",
        ),
    ],
)
def test_a_row_that_is_not_ours_is_a_clear_error(row: bytes, reason: str) -> None:
    with pytest.raises(JournalFormatError, match=reason):
        codec.loads(row)


def test_a_type_outside_the_journal_is_refused_when_written() -> None:
    with pytest.raises(TypeError, match="is not a journal type"):
        codec.dumps(events.AgentReady(1.0, typing.cast(str, object())))


def test_a_corrupted_journal_row_is_named_and_moved_aside_when_the_journal_loads(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    journal = Journal(engine)
    first = journal.append(1.0, events.AgentReady(1.0, "alice"))
    seq = journal.append(2.0, events.AgentPaused(2.0, "alice", "lunch"))
    last = journal.append(3.0, events.AgentReady(3.0, "alice"))
    with engine.begin() as connection:
        connection.execute(update(JournalRow).where(JournalRow.seq == seq).values(body=b"{"))
    with caplog.at_level(logging.ERROR):
        loaded = Journal(engine)
        saved = loaded.load()
    assert [e.seq for e in saved.entries] == [first, last]  # the rest, in order
    assert loaded.last_seq == last
    assert f"switchboard journal row {seq} (AgentPaused, term 0, at 2.000 s)" in caplog.text
    assert "not JSON" in caplog.text
    with engine.connect() as connection:
        moved = connection.execute(select(QuarantinedRow.seq, QuarantinedRow.reason)).all()
    assert [(m.seq, m.reason[:8]) for m in moved] == [(seq, "not JSON")]
