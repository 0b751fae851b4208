"""Saving, listing, diffing and rolling back scripts; the effective script of a call.

Every function takes the account key first and every query filters by its id. A save is
checked whole before anything is written: the layer itself, then every script it takes part
in (the account's, each group's and each person's that has its own layer), so a save can never
leave a person with a script that would fail during a call.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accueil.core.scripts.build import Known, build
from accueil.core.scripts.document import Layer, parse_layer
from accueil.core.scripts.model import Script
from accueil.errors import Conflict, NotFound, says
from accueil.services.availability import person_row
from accueil.services.callers import rotas_of
from accueil.services.directory import account_row
from accueil.services.events import ScriptSaved
from accueil.services.outbox import emit
from accueil.services.script_layers import (
    Format,
    Owner,
    Scope,
    ScriptCache,
    latest_rows,
    layer_of,
    owner_of,
    owners_of_call,
    versions_of,
)
from accueil.store.tables import AccountRow, GroupRow, PersonRow
from accueil.store.tables_scripts import ScriptVersionRow

__all__ = [  # Owner, Format and the cache live with the stored layers; imported from here too
    "Format",
    "Owner",
    "Scope",
    "ScriptCache",
    "ScriptVersion",
    "check_script",
    "diff",
    "effective_script",
    "get_version",
    "rollback",
    "save_script",
    "versions",
]


@dataclass(frozen=True)
class ScriptVersion:
    account: str
    owner: Owner
    version: int
    format: str
    source: str
    file: str
    comment: str
    saved_at: datetime
    saved_by: str

    @property
    def label(self) -> str:
        return self.owner.label(self.version)


def save_script(
    session: Session,
    account: str,
    owner: Owner,
    text: str,
    *,
    fmt: Format = "yaml",
    file: str = "",
    comment: str = "",
    now: datetime,
    saved_by: str = "",
    rolled_back_to: int | None = None,
) -> ScriptVersion:
    """Check and store a new version of ``owner``'s layer; raises ValidationFailed."""
    acc = account_row(session, account)
    _check_owner(session, acc, owner, in_use=True)
    version = _next_version(session, acc.id, owner)
    layer = parse_layer(text, file or f"{owner}", label=owner.label(version), fmt=fmt)
    _check_chains(session, acc, owner, layer)
    row = ScriptVersionRow(
        account_id=acc.id,
        scope=owner.scope,
        owner_key=owner.key,
        version=version,
        format=fmt,
        source=text,
        file=file,
        comment=comment,
        saved_at=now,
        saved_by=saved_by,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # the unique (owner, version): another save took this number
        raise Conflict(
            says(
                "version %(version)s of the %(owner)s script of %(account)r was saved "
                "meanwhile; look at it (accueil script show) and save again",
                version=version,
                owner=owner,
                account=account,
            ),
            account=account,
            owner=str(owner),
        ) from None
    # after the row's flush: the event bumps the routing version (an UPDATE), whose autoflush
    # would raise the version's unique conflict before it can be said as one
    emit(
        session,
        ScriptSaved(
            account=acc.key,
            at=now,
            scope=owner.scope,
            owner=owner.key,
            version=version,
            saved_by=saved_by,
            rolled_back_to=rolled_back_to,
        ),
    )
    return _version(acc.key, row)


def check_script(
    session: Session, account: str, owner: Owner, text: str, *, fmt: Format = "yaml", file: str = ""
) -> Script:
    """What ``save_script`` checks, without saving: the script this layer would give."""
    acc = account_row(session, account)
    _check_owner(session, acc, owner, in_use=True)
    layer = parse_layer(text, file or f"{owner}", label=owner.label(0), fmt=fmt)
    return _check_chains(session, acc, owner, layer)


def versions(session: Session, account: str, owner: Owner) -> list[ScriptVersion]:
    """Every saved version of ``owner``'s layer, oldest first (NotFound: no such owner)."""
    acc = account_row(session, account)
    _check_owner(session, acc, owner)
    rows = session.scalars(versions_of(acc.id, owner).order_by(ScriptVersionRow.version))
    return [_version(acc.key, r) for r in rows]


def get_version(
    session: Session, account: str, owner: Owner, version: int | None = None
) -> ScriptVersion:
    """One version of ``owner``'s layer (the latest when ``version`` is None)."""
    acc = account_row(session, account)
    _check_owner(session, acc, owner)
    query = versions_of(acc.id, owner)
    if version is not None:
        query = query.where(ScriptVersionRow.version == version)
    row = session.scalar(query.order_by(ScriptVersionRow.version.desc()).limit(1))
    if row is None:
        raise NotFound(_missing(session, acc, owner, version), account=account, owner=str(owner))
    return _version(acc.key, row)


def _missing(session: Session, acc: AccountRow, owner: Owner, version: int | None) -> str:
    """Why there is no such version, and what there is instead."""
    saved = session.scalars(
        select(ScriptVersionRow.version)
        .where(
            ScriptVersionRow.account_id == acc.id,
            ScriptVersionRow.scope == owner.scope,
            ScriptVersionRow.owner_key == owner.key,
        )
        .order_by(ScriptVersionRow.version)
    ).all()
    if saved:
        return says(
            "no version %(version)s of the %(owner)s script of %(account)r "
            "(it has versions %(first)s to %(last)s)",
            version=version,
            owner=owner,
            account=acc.key,
            first=saved[0],
            last=saved[-1],
        )
    if owner.scope == "account":
        return says(
            "no script saved for account %(account)r yet (accueil script save %(key)s FILE)",
            account=acc.key,
            key=acc.key,
        )
    return says(
        "the %(owner)s has no script layer of its own in %(account)r: "
        "its calls follow the layers above it (the account's, the group's)",
        owner=owner,
        account=acc.key,
    )


def diff(session: Session, account: str, owner: Owner, old: int, new: int) -> str:
    """A unified diff of two versions' texts, as authored."""
    a = get_version(session, account, owner, old)
    b = get_version(session, account, owner, new)
    lines = difflib.unified_diff(
        a.source.splitlines(keepends=True),
        b.source.splitlines(keepends=True),
        fromfile=f"{account} {owner} v{old}",
        tofile=f"{account} {owner} v{new}",
    )
    return "".join(lines)


def rollback(
    session: Session,
    account: str,
    owner: Owner,
    to_version: int,
    *,
    now: datetime,
    saved_by: str = "",
) -> ScriptVersion:
    """A new version equal to an old one; every version stays, nothing is lost."""
    old = get_version(session, account, owner, to_version)
    fmt: Format = "json" if old.format == "json" else "yaml"
    return save_script(
        session,
        account,
        owner,
        old.source,
        fmt=fmt,
        file=old.file,
        comment=f"rollback to version {to_version}",
        saved_by=saved_by,
        now=now,
        rolled_back_to=to_version,
    )


def effective_script(session: Session, account: str, person: str | None) -> Script:
    """The script a call to ``person`` (None: the switchboard) follows, from the latest layers."""
    acc = account_row(session, account)
    group = ""
    if person:
        prow = person_row(session, acc, person)
        group = prow.group_key
    return build(_layers(session, acc, group, person or ""), _known(session, acc))


def _layers(session: Session, acc: AccountRow, group: str, person: str) -> list[Layer]:
    latest = latest_rows(session, acc.id, owners_of_call(group, person))
    return [layer_of(row) for row in latest]


def _check_chains(session: Session, acc: AccountRow, owner: Owner, layer: Layer) -> Script:
    """Build every script this layer takes part in; returns the one of the layer's owner."""
    known = _known(session, acc)
    chains = _chains(session, acc, owner)
    parsed: dict[int, Layer] = {}  # the account's and groups' layers sit in many chains
    own: Script | None = None
    for chain in chains:
        layers = []
        for o, row in chain:
            if o == owner:
                layers.append(layer)  # the layer being saved replaces its current version
            elif row is not None:
                if row.id not in parsed:
                    parsed[row.id] = layer_of(row)
                layers.append(parsed[row.id])
        script = build(layers, known)
        if own is None:
            own = script
    assert own is not None  # the owner's own chain comes first
    return own


def _chains(
    session: Session, acc: AccountRow, owner: Owner
) -> list[list[tuple[Owner, ScriptVersionRow | None]]]:
    """The owner's own chain first, then the chains of the layers below it."""
    account, chains = Owner("account"), []
    people = session.execute(
        select(PersonRow.key, PersonRow.group_key).where(PersonRow.account_id == acc.id)
    ).all()
    group_of = dict(people)
    if owner.scope == "person":
        group = group_of.get(owner.key, "")
        middle = [Owner("group", group)] if group else []
        return [_chain(session, acc, [account, *middle, owner])]
    below = _owners_with_layers(session, acc.id)
    if owner.scope == "group":
        chains.append(_chain(session, acc, [account, owner]))
        for p in below.get("person", []):
            if group_of.get(p) == owner.key:
                chains.append(_chain(session, acc, [account, owner, Owner("person", p)]))
        return chains
    chains.append(_chain(session, acc, [account]))
    for g in below.get("group", []):
        chains.append(_chain(session, acc, [account, Owner("group", g)]))
    for p in below.get("person", []):
        group = group_of.get(p, "")
        middle = [Owner("group", group)] if group else []
        chains.append(_chain(session, acc, [account, *middle, Owner("person", p)]))
    return chains


def _chain(
    session: Session, acc: AccountRow, owners: list[Owner]
) -> list[tuple[Owner, ScriptVersionRow | None]]:
    rows = {owner_of(r): r for r in latest_rows(session, acc.id, owners)}
    return [(o, rows.get(o)) for o in owners]


def _owners_with_layers(session: Session, account_id: int) -> dict[str, list[str]]:
    rows = session.execute(
        select(ScriptVersionRow.scope, ScriptVersionRow.owner_key)
        .where(ScriptVersionRow.account_id == account_id)
        .distinct()
    )
    found: dict[str, list[str]] = {}
    for scope, key in rows:
        found.setdefault(scope, []).append(key)
    return found


def _known(session: Session, acc: AccountRow) -> Known:
    people = session.scalars(select(PersonRow.key).where(PersonRow.account_id == acc.id))
    groups = session.scalars(
        select(GroupRow.key).where(GroupRow.account_id == acc.id, GroupRow.removed_at.is_(None))
    )
    return Known(people=set(people), groups=set(groups), rotas=set(rotas_of(session, acc.id)))


def _check_owner(session: Session, acc: AccountRow, owner: Owner, *, in_use: bool = False) -> None:
    """The owner exists (``in_use``: a team taken down takes no new layer; its versions are
    still read)."""
    if owner.scope == "person":
        person_row(session, acc, owner.key)
    elif owner.scope == "group":
        query = select(GroupRow.id).where(GroupRow.account_id == acc.id, GroupRow.key == owner.key)
        if in_use:
            query = query.where(GroupRow.removed_at.is_(None))
        found = session.scalar(query)
        if found is None:
            raise NotFound(
                says("no group %(group)r in account %(account)r", group=owner.key, account=acc.key),
                group=owner.key,
            )


def _next_version(session: Session, account_id: int, owner: Owner) -> int:
    current = session.scalar(
        select(func.max(ScriptVersionRow.version)).where(
            ScriptVersionRow.account_id == account_id,
            ScriptVersionRow.scope == owner.scope,
            ScriptVersionRow.owner_key == owner.key,
        )
    )
    return (current or 0) + 1


def _version(account: str, row: ScriptVersionRow) -> ScriptVersion:
    saved_at = row.saved_at if row.saved_at.tzinfo else row.saved_at.replace(tzinfo=UTC)
    return ScriptVersion(
        account=account,
        owner=owner_of(row),
        version=row.version,
        format=row.format,
        source=row.source,
        file=row.file,
        comment=row.comment,
        saved_at=saved_at,
        saved_by=row.saved_by,
    )
