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
from typing import Literal

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from accueil.core.scripts.build import Known, build
from accueil.core.scripts.document import Layer, parse_layer
from accueil.core.scripts.model import Script
from accueil.errors import InvalidInput, NotFound
from accueil.services.directory import account_row
from accueil.store.tables import AccountRow, GroupRow, PersonRow
from accueil.store.tables_scripts import ScriptVersionRow

Scope = Literal["account", "group", "person"]
Format = Literal["yaml", "json"]


@dataclass(frozen=True)
class Owner:
    """Whose layer: the account's (key ""), a group's or a person's."""

    scope: Scope
    key: str = ""

    @classmethod
    def parse(cls, text: str) -> tuple[str, Owner]:
        """'martin' → the account; 'martin:dupont' (or martin/dupont) → a person;
        'martin/group:associes' → a group."""
        cut = min((i for i in (text.find("/"), text.find(":")) if i >= 0), default=len(text))
        account, rest = text[:cut], text[cut + 1 :]
        if not account or (cut < len(text) and not rest.removeprefix("group:")):
            raise InvalidInput(
                f"{text!r}: write ACCOUNT, ACCOUNT:PERSON or ACCOUNT/group:GROUP, "
                "e.g. martin:dupont"
            )
        if not rest:
            return account, cls("account")
        if rest.startswith("group:"):
            return account, cls("group", rest.removeprefix("group:"))
        return account, cls("person", rest)

    def label(self, version: int) -> str:
        """How a call records this layer: "account:3", "person:dupont:5"."""
        if self.scope == "account":
            return f"account:{version}"
        return f"{self.scope}:{self.key}:{version}"

    def __str__(self) -> str:
        return self.scope if self.scope == "account" else f"{self.scope} {self.key!r}"


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
    saved_by: str = "",
    now: datetime | None = None,
) -> ScriptVersion:
    """Check and store a new version of ``owner``'s layer; raises ValidationFailed."""
    acc = account_row(session, account)
    _check_owner(session, acc, owner)
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
        saved_at=now or datetime.now(UTC),
        saved_by=saved_by,
    )
    session.add(row)
    session.flush()
    return _version(acc.key, row)


def check_script(
    session: Session, account: str, owner: Owner, text: str, *, fmt: Format = "yaml", file: str = ""
) -> Script:
    """What ``save_script`` checks, without saving: the script this layer would give."""
    acc = account_row(session, account)
    _check_owner(session, acc, owner)
    layer = parse_layer(text, file or f"{owner}", label=owner.label(0), fmt=fmt)
    return _check_chains(session, acc, owner, layer)


def versions(session: Session, account: str, owner: Owner) -> list[ScriptVersion]:
    """Every saved version of ``owner``'s layer, oldest first."""
    acc = account_row(session, account)
    rows = session.scalars(_query(acc.id, owner).order_by(ScriptVersionRow.version))
    return [_version(acc.key, r) for r in rows]


def get_version(
    session: Session, account: str, owner: Owner, version: int | None = None
) -> ScriptVersion:
    """One version of ``owner``'s layer (the latest when ``version`` is None)."""
    acc = account_row(session, account)
    query = _query(acc.id, owner)
    if version is not None:
        query = query.where(ScriptVersionRow.version == version)
    row = session.scalar(query.order_by(ScriptVersionRow.version.desc()).limit(1))
    if row is None:
        what = f"version {version} of " if version is not None else ""
        raise NotFound(
            f"no {what}script for the {owner} of account {account!r}",
            account=account,
            owner=str(owner),
        )
    return _version(acc.key, row)


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
    saved_by: str = "",
    now: datetime | None = None,
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
    )


def effective_script(session: Session, account: str, person: str | None) -> Script:
    """The script a call to ``person`` (None: the switchboard) follows, from the latest layers."""
    acc = account_row(session, account)
    group = ""
    if person:
        prow = _person(session, acc, person)
        group = prow.group_key
    return build(_layers(session, acc, group, person or ""), _known(session, acc))


class ScriptCache:
    """Built scripts by the versions they are made of.

    Versions never change once saved, so a script built from the same version rows is the
    same script: no invalidation, only the (cheap) look-up of the latest version ids.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._built: dict[tuple[int, ...], Script] = {}

    def script(self, session: Session, account: str, person: str | None) -> Script:
        """Like ``effective_script``, without re-reading or re-checking unchanged layers."""
        acc = account_row(session, account)
        group = _person(session, acc, person).group_key if person else ""
        return self.script_of(session, acc.id, group, person or "")

    def script_of(self, session: Session, account_id: int, group: str, person: str) -> Script:
        """The script of a person (key, with their group) of an account already resolved."""
        ids = _latest_ids(session, account_id, _owners(group, person))
        found = self._built.get(ids)
        if found is None:
            found = build([_layer(session.get_one(ScriptVersionRow, i)) for i in ids])
            if len(self._built) >= self._size:
                self._built.pop(next(iter(self._built)))
            self._built[ids] = found
        return found

    def clear(self) -> None:
        self._built.clear()


def _owners(group: str, person: str) -> list[Owner]:
    owners = [Owner("account"), *([Owner("group", group)] if group else [])]
    return owners + ([Owner("person", person)] if person else [])


_LATEST = (
    select(ScriptVersionRow.id, ScriptVersionRow.scope, ScriptVersionRow.owner_key)
    .where(
        ScriptVersionRow.account_id == bindparam("account_id"),
        ScriptVersionRow.owner_key.in_(bindparam("keys", expanding=True)),
    )
    .order_by(ScriptVersionRow.version.desc())
)  # built once: it runs on every screen pop


def _latest_ids(session: Session, account_id: int, owners: list[Owner]) -> tuple[int, ...]:
    """The id of each owner's latest version, most general first, in one query."""
    wanted = {(o.scope, o.key) for o in owners}
    keys = sorted({o.key for o in owners})
    latest: dict[tuple[str, str], int] = {}
    for row_id, scope, key in session.execute(_LATEST, {"account_id": account_id, "keys": keys}):
        if (scope, key) in wanted:
            latest.setdefault((scope, key), row_id)
    return tuple(latest[(o.scope, o.key)] for o in owners if (o.scope, o.key) in latest)


def _layers(session: Session, acc: AccountRow, group: str, person: str) -> list[Layer]:
    latest = _latest(session, acc.id, _owners(group, person))
    return [_layer(row) for row in latest]


def _latest(session: Session, account_id: int, owners: list[Owner]) -> list[ScriptVersionRow]:
    found = []
    for owner in owners:
        row = session.scalar(
            _query(account_id, owner).order_by(ScriptVersionRow.version.desc()).limit(1)
        )
        if row is not None:
            found.append(row)
    return found


def _layer(row: ScriptVersionRow) -> Layer:
    owner = _owner(row)
    fmt: Format = "json" if row.format == "json" else "yaml"
    label = owner.label(row.version)
    return parse_layer(row.source, row.file or f"{owner} v{row.version}", label=label, fmt=fmt)


def _check_chains(session: Session, acc: AccountRow, owner: Owner, layer: Layer) -> Script:
    """Build every script this layer takes part in; returns the one of the layer's owner."""
    known = _known(session, acc)
    chains = _chains(session, acc, owner)
    own: Script | None = None
    for chain in chains:
        layers = []
        for o, row in chain:
            if o == owner:
                layers.append(layer)  # the layer being saved replaces its current version
            elif row is not None:
                layers.append(_layer(row))
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
    rows = {_owner(r): r for r in _latest(session, acc.id, owners)}
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
    groups = session.scalars(select(GroupRow.key).where(GroupRow.account_id == acc.id))
    return Known(people=set(people), groups=set(groups))


def _check_owner(session: Session, acc: AccountRow, owner: Owner) -> None:
    if owner.scope == "person":
        _person(session, acc, owner.key)
    elif owner.scope == "group":
        found = session.scalar(
            select(GroupRow.id).where(GroupRow.account_id == acc.id, GroupRow.key == owner.key)
        )
        if found is None:
            raise NotFound(f"no group {owner.key!r} in account {acc.key!r}", group=owner.key)


def _person(session: Session, acc: AccountRow, person: str) -> PersonRow:
    row = session.scalar(
        select(PersonRow).where(PersonRow.account_id == acc.id, PersonRow.key == person)
    )
    if row is None:
        raise NotFound(f"no person {person!r} in account {acc.key!r}", person=person)
    return row


def _query(account_id: int, owner: Owner) -> Select[ScriptVersionRow]:
    return select(ScriptVersionRow).where(
        ScriptVersionRow.account_id == account_id,
        ScriptVersionRow.scope == owner.scope,
        ScriptVersionRow.owner_key == owner.key,
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


def _owner(row: ScriptVersionRow) -> Owner:
    scope: Scope = "person" if row.scope == "person" else "group"
    return Owner("account") if row.scope == "account" else Owner(scope, row.owner_key)


def _version(account: str, row: ScriptVersionRow) -> ScriptVersion:
    saved_at = row.saved_at if row.saved_at.tzinfo else row.saved_at.replace(tzinfo=UTC)
    return ScriptVersion(
        account=account,
        owner=Owner(row.scope, row.owner_key),  # type: ignore[arg-type]
        version=row.version,
        format=row.format,
        source=row.source,
        file=row.file,
        comment=row.comment,
        saved_at=saved_at,
        saved_by=row.saved_by,
    )
