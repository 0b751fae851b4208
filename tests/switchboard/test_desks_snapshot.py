"""The desks in a snapshot: each agent's cursor and kept messages come back whole after a
take-over, kept as JSON made once per message (a snapshot joins them rather than encoding every
kept message again), and a snapshot of an older release (the messages' list) still restores."""

from __future__ import annotations

from accueil.switchboard import codec
from accueil.switchboard.stream import StreamDesks


def _offer(n: int) -> dict[str, object]:
    return {"type": "offer", "call": f"c{n}", "pop": {"person": "Claire", "tags": ["vip"], "n": n}}


def test_kept_messages_and_cursors_come_back_from_a_snapshot() -> None:
    desks = StreamDesks(keep=3)
    for n in range(5):
        desks.send("alice", _offer(n))
    desks.send("bob", {"type": "paused", "reason": "softphone not registered"})
    again = StreamDesks(keep=3)
    again.restore(codec.loads(codec.dumps(desks.export())))
    assert again.kept("alice") == desks.kept("alice")
    assert [m["call"] for m in again.kept("alice")] == ["c2", "c3", "c4"]
    assert (again.cursor("alice"), again.cursor("bob")) == (5, 1)
    _, missed, whole = again.connect("alice", after=3)
    assert ([m["cursor"] for m in missed], whole) == ([4, 5], True)
    again.send("alice", _offer(5))  # goes on numbering, still keeps 3
    assert [m["cursor"] for m in again.kept("alice")] == [4, 5, 6]


def test_an_older_snapshot_with_the_messages_list_restores() -> None:
    desks = StreamDesks()
    for n in range(2):
        desks.send("alice", _offer(n))
    older = StreamDesks()
    older.restore({"alice": (2, desks.kept("alice"))})  # as releases before wrote it
    assert older.kept("alice") == desks.kept("alice")
    assert older.export() == desks.export()
