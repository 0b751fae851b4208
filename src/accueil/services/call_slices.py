"""The slices of the numbers called, kept across calls and checked on every call.

A call's decision reads, besides what changes call by call (statuses, calendars, delegations),
a slice that changes rarely: the number's account and person, the account's lists, contacts,
rotas and closures, the rule chain, the person's group and own VIP list. ``CallSlices`` keeps
each dialled number's slice and checks it on every call with **one row read**: the number's
account and person, and that account's ``routing_version``. Every change to what a slice
holds bumps that counter in the change's own transaction (``routing_version.bump_for``, called
by ``outbox.emit`` for the events that tell such changes), so the call after a committed rule
change reads the new rules — in this process or any other on the same database, with no clock
and no event to wait for.

Kept slices are shared by the switchboard's threads: a slice is read whole, then kept under the
version read *before* it (a slice is never older than the version it is kept under), and only
when the number still leads where the check said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import Session

from accueil.core.availability import Policy
from accueil.core.decision import Call
from accueil.errors import NotFound, says
from accueil.services.decisions import CallDecision, CallSlice, decide_in, read_slice
from accueil.services.directory import Destination, destination_of, number_rows
from accueil.services.tenancy import by_number, on_scoped_input
from accueil.store.tables import AccountRow, GroupRow, NumberRow, PersonRow

_CHECK = (  # built once: every call runs it
    select(NumberRow.account_id, NumberRow.person_id, AccountRow.routing_version)
    .join(AccountRow, AccountRow.id == NumberRow.account_id)
    .where(NumberRow.e164 == bindparam("e164"))
)


@dataclass(frozen=True)
class PopSlice:
    """What a call to one number needs that changes rarely."""

    number: str  # the dialled number, E.164 ("" when read by account and person keys)
    call: CallSlice
    group_name: str


@dataclass(frozen=True)
class NumberSlice:
    """A dialled number's destination and slice, as read at one routing version."""

    destination: Destination
    pop: PopSlice


R = TypeVar("R", AccountRow, PersonRow)
_Key = tuple[int, int | None, int]  # the number's account, its person, the routing version


class CallSlices:
    """Each dialled number's slice, kept while its account's routing version stands."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[_Key, NumberSlice]] = {}
        self.reads = 0  # slices read from the store (the rest were kept)

    def slice_of(self, session: Session, e164: str) -> NumberSlice:
        """The slice of a call to ``e164`` (NotFound when the number leads to no account)."""
        found = session.connection().execute(_CHECK, {"e164": e164}).first()
        if found is None:
            raise NotFound(says("the number %(e164)s leads to no account", e164=e164), number=e164)
        key: _Key = (int(found[0]), found[1], int(found[2]))
        kept = self._kept.get(e164)
        if kept is not None and kept[0] == key:
            return kept[1]
        number, acc, person = number_rows(session, e164)
        # kept across sessions: copies no session owns, so a request that reads this slice and
        # then fails (its rollback expires every row of its session) cannot empty it
        acc, person = _unowned(acc), _unowned(person) if person is not None else None
        read = NumberSlice(
            destination_of(number, acc, person),
            read_pop_slice(session, number.e164, read_slice(session, acc, person)),
        )
        self.reads += 1
        if (acc.id, number.person_id) == key[:2]:
            self._kept[e164] = (key, read)
        return read


def _unowned(row: R) -> R:
    """A transient copy of ``row``'s columns: read as it was, never expired by a session."""
    mapper = inspect(row).mapper
    copy: R = mapper.class_manager.new_instance()  # instrumented, no constructor run
    for column in mapper.column_attrs:
        setattr(copy, column.key, getattr(row, column.key))
    return copy


@on_scoped_input
def decide_on(
    session: Session,
    kept: NumberSlice,
    caller: str,
    *,
    now: datetime,
    call_id: str = "",
    lang: str = "en",
    policy: Policy | None = None,
) -> CallDecision:
    """A call's decision on a number's slice already checked (``CallSlices.slice_of``): the
    person's availability at ``now`` and the rules."""
    call = Call(caller, kept.destination.number.e164, call_id)
    decision = decide_in(session, kept.pop.call, call, now, lang=lang, policy=policy)
    return CallDecision(kept.destination, decision)


@by_number
def read_pop_slice(session: Session, number: str, call: CallSlice) -> PopSlice:
    """A number's slice: the call's slice and the name of the person's group."""
    person = call.person_row
    group = group_name(session, call.account_row.id, person.group_key if person else "")
    return PopSlice(number, call, group)


def group_name(session: Session, account_id: int, group: str) -> str:
    if not group:
        return ""
    name = session.scalar(
        select(GroupRow.name).where(GroupRow.account_id == account_id, GroupRow.key == group)
    )
    return name or ""
