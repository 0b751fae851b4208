"""The routing version: one counter per account, bumped with any change a call's decision reads.

A call's decision reads a slice that changes rarely (the directory, the rule chain, lists,
contacts, rotas, closures; ``call_slices.py`` keeps it). Every service that changes one of them
emits its event in its own transaction, and ``outbox.emit`` calls ``bump_for`` there: the
counter moves with the change, committed together or not at all, and a kept slice is checked
against it in one row read.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from accueil.services.events import (
    CallerListRemoved,
    CallerListSaved,
    ClosureAdded,
    ClosureRemoved,
    ContactRemoved,
    ContactSaved,
    DirectoryImported,
    Event,
    GroupRemoved,
    GroupRestored,
    NumberReleased,
    RotaRemoved,
    RotaSaved,
    RulesSaved,
    ScriptSaved,
    VipListSaved,
)
from accueil.services.tenancy import on_scoped_input
from accueil.store.tables import AccountRow

# the events that tell a change to what a call's slice holds (a person's own VIP list too;
# the script, which the switchboard's screen pops keep with the slice)
ROUTING_CHANGES = (
    CallerListRemoved,
    CallerListSaved,
    ClosureAdded,
    ClosureRemoved,
    ContactRemoved,
    ContactSaved,
    DirectoryImported,
    GroupRemoved,
    GroupRestored,
    NumberReleased,
    RotaRemoved,
    RotaSaved,
    RulesSaved,
    ScriptSaved,
    VipListSaved,
)


@on_scoped_input
def bump_for(session: Session, event: Event) -> None:
    """In ``event``'s transaction: the account's kept slices are stale if it tells a change."""
    if isinstance(event, ROUTING_CHANGES) and event.account:
        session.execute(
            update(AccountRow)
            .where(AccountRow.key == event.account)
            .values(routing_version=AccountRow.routing_version + 1)
        )
