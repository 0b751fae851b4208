"""Script layers as stored: whose layer a row is, the latest versions of a call's layers, and
a cache of built scripts keyed by the versions they are made of.

Every query filters by the account's id. The use cases (save, history, diff, rollback) built
on these are in ``scripts.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from sqlalchemy import Select, bindparam, exists, select
from sqlalchemy.orm import Session, aliased

from accueil.core.scripts.build import build
from accueil.core.scripts.document import Layer, parse_layer
from accueil.core.scripts.model import Script
from accueil.errors import InvalidInput, NotFound, says
from accueil.services.availability import person_row
from accueil.services.caching import SCRIPTS, cache_of
from accueil.services.directory import account_row
from accueil.services.tenancy import on_scoped_input
from accueil.store.tables_scripts import ScriptVersionRow

NO_SCRIPT = says("no script saved for this account")
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
                says(
                    "%(text)r: write ACCOUNT, ACCOUNT:PERSON or ACCOUNT/group:GROUP, e.g. "
                    "martin:dupont",
                    text=text,
                )
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


def owners_of_call(group: str, person: str) -> list[Owner]:
    """The layers a call to ``person`` (of ``group``) is built from, most general first."""
    owners = [Owner("account"), *([Owner("group", group)] if group else [])]
    return owners + ([Owner("person", person)] if person else [])


def owner_of(row: ScriptVersionRow) -> Owner:
    return _owner(row.scope, row.owner_key)


def _owner(scope: str, key: str) -> Owner:
    if scope == "account":
        return Owner("account")
    return Owner("person" if scope == "person" else "group", key)


def layer_of(row: ScriptVersionRow) -> Layer:
    """The parsed layer of a stored version (it was checked when saved)."""
    return _parse(_Stored(row.scope, row.owner_key, row.version, row.format, row.source, row.file))


def versions_of(account_id: int, owner: Owner) -> Select[ScriptVersionRow]:
    """Every version of one owner's layer in one account (unordered)."""
    return select(ScriptVersionRow).where(
        ScriptVersionRow.account_id == account_id,
        ScriptVersionRow.scope == owner.scope,
        ScriptVersionRow.owner_key == owner.key,
    )


def latest_rows(session: Session, account_id: int, owners: list[Owner]) -> list[ScriptVersionRow]:
    """The latest version of each owner's layer, for the owners that have one, in order."""
    found = []
    for owner in owners:
        query = versions_of(account_id, owner).order_by(ScriptVersionRow.version.desc())
        row = session.scalar(query.limit(1))
        if row is not None:
            found.append(row)
    return found


class ScriptCache:
    """Built scripts by the text of the layers they are made of.

    Keyed by content (owner, version, format and source of each layer), not by row ids: ids
    are reused after a rollback, and differ in meaning between two databases in one process
    (tests, a demo re-created), so an id key could serve another script. Saved versions never
    change, so there is nothing to invalidate; a new version is a new key.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._built: dict[tuple[_Stored, ...], Script] = {}

    def script(self, session: Session, account: str, person: str | None) -> Script:
        """Like ``effective_script``, without re-parsing or re-checking unchanged layers."""
        acc = account_row(session, account)
        group = person_row(session, acc, person).group_key if person else ""
        return self.script_of(session, acc.id, group, person or "")

    def script_of(self, session: Session, account_id: int, group: str, person: str) -> Script:
        """The script of a person (key, with their group) of an account already resolved.

        NotFound when nothing is saved; ValidationFailed when the saved layers no longer fit
        together (the person moved to a group whose layer lacks what theirs uses)."""
        stored = _latest_stored(session, account_id, owners_of_call(group, person))
        if not stored:
            raise NotFound(NO_SCRIPT, account_id=account_id)
        found = self._built.get(stored)
        if found is None:
            found = build([_parse(layer) for layer in stored])
            if len(self._built) >= self._size:
                self._built.pop(next(iter(self._built)))
            self._built[stored] = found
        return found

    def clear(self) -> None:
        self._built.clear()


@on_scoped_input
def scripts_of(session: Session) -> ScriptCache:
    """The built-script cache of the application that opened ``session``."""
    return cache_of(session, SCRIPTS, ScriptCache)


class _Stored(NamedTuple):
    """A saved layer as the cache keys it: what it is made of, not where it is stored."""

    scope: str
    owner_key: str
    version: int
    format: str
    source: str
    file: str


def _parse(stored: _Stored) -> Layer:
    owner = _owner(stored.scope, stored.owner_key)
    fmt: Format = "json" if stored.format == "json" else "yaml"
    file = stored.file or f"{owner} v{stored.version}"
    return parse_layer(stored.source, file, label=owner.label(stored.version), fmt=fmt)


_NEWER = aliased(ScriptVersionRow)
_LATEST = select(
    ScriptVersionRow.scope,
    ScriptVersionRow.owner_key,
    ScriptVersionRow.version,
    ScriptVersionRow.format,
    ScriptVersionRow.source,
    ScriptVersionRow.file,
).where(
    ScriptVersionRow.account_id == bindparam("account_id"),
    ScriptVersionRow.owner_key.in_(bindparam("keys", expanding=True)),
    ~exists().where(  # the latest version only: no newer one of the same owner
        _NEWER.account_id == ScriptVersionRow.account_id,
        _NEWER.scope == ScriptVersionRow.scope,
        _NEWER.owner_key == ScriptVersionRow.owner_key,
        _NEWER.version > ScriptVersionRow.version,
    ),
)  # built once: it runs on every screen pop


def _latest_stored(session: Session, account_id: int, owners: list[Owner]) -> tuple[_Stored, ...]:
    """Each owner's latest version, most general first, in one query."""
    keys = sorted({o.key for o in owners})
    rows = session.execute(_LATEST, {"account_id": account_id, "keys": keys})
    latest = {(row.scope, row.owner_key): _Stored(*row) for row in rows}
    return tuple(latest[(o.scope, o.key)] for o in owners if (o.scope, o.key) in latest)
