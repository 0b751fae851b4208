"""Who may see and change what: roles and the access policy (pure, no I/O).

Five roles. The operator admin and the supervisor work for the operator and see every account;
the operator admin alone manages users and tokens. An agent sees only the accounts of the calls
offered to them. A client admin sees and changes one account. An employee sees their own account's
card and changes only what is theirs (their availability, rules, messages).

Anything a principal may not see is *absent* for them: the API answers 404, never a 403 that would
confirm another tenant's data exists. 403 is kept for operator-level actions, which reveal nothing
about a tenant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    OPERATOR_ADMIN = "operator_admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    CLIENT_ADMIN = "client_admin"
    EMPLOYEE = "employee"


OPERATOR_ROLES = frozenset({Role.OPERATOR_ADMIN, Role.SUPERVISOR})


class Scope(StrEnum):
    """What an operation touches; every API operation declares one."""

    PUBLIC = "public"  # no data (health, login)
    SELF = "self"  # the caller's own user
    OPERATOR = "operator"  # the whole operator (pool, users, imports of every account)
    ACCOUNT = "account"  # one account's data, named in the path
    PERSON = "person"  # one person's data, named in the path
    LOOKUP = "lookup"  # a dialled number leads to an account (and maybe a person) first


class Action(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class Principal:
    """The user behind a request, as the policy sees them."""

    user: str
    role: Role
    account: str | None = None  # client admin and employee: their account
    person: str | None = None  # employee: their own person key
    agent: str | None = None  # agent: their agent key
    offered: frozenset[str] = field(default_factory=frozenset)  # agent: accounts offered now

    @property
    def operator(self) -> bool:
        return self.role in OPERATOR_ROLES


def role_needs(role: Role) -> tuple[bool, bool]:
    """(needs an account, needs a person) for a user of ``role``."""
    return role in {Role.CLIENT_ADMIN, Role.EMPLOYEE}, role is Role.EMPLOYEE


def sees_account(principal: Principal, account: str) -> bool:
    """Whether the account exists at all for this principal."""
    if principal.operator:
        return True
    if principal.role is Role.AGENT:
        return account in principal.offered
    return principal.account == account


def may_account(principal: Principal, account: str, action: Action) -> bool:
    """Account-level data (lists, rules, scripts, closures… of the whole account)."""
    if not sees_account(principal, account):
        return False
    if principal.role is Role.EMPLOYEE:
        return False
    if principal.role is Role.AGENT:
        return action is Action.READ
    return True


def may_account_card(principal: Principal, account: str) -> bool:
    """The account's card (name, zone, hours): every principal that sees the account."""
    return sees_account(principal, account)


def may_person(principal: Principal, account: str, person: str, action: Action) -> bool:
    """One person's data: an employee only their own, the others as for the account."""
    if principal.role is Role.EMPLOYEE:
        return principal.account == account and principal.person == person
    return may_account(principal, account, action)


def may_reach(principal: Principal, account: str, person: str | None) -> bool:
    """A call to ``person`` of ``account`` (None: its switchboard): its decision and screen pop."""
    if person is not None:
        return may_person(principal, account, person, Action.READ)
    return may_account(principal, account, Action.READ)


def may_operator(principal: Principal, action: Action) -> bool:
    """Operator-level data: the pool, every account at once."""
    return principal.operator


def may_read_usage(principal: Principal, account: str) -> bool:
    """An account's usage (what it is billed on): the operator's staff, and its client admins."""
    if principal.operator:
        return True
    return principal.role is Role.CLIENT_ADMIN and principal.account == account


def may_manage_users(principal: Principal) -> bool:
    return principal.role is Role.OPERATOR_ADMIN


def visible_accounts(principal: Principal, accounts: list[str]) -> list[str]:
    """The accounts of ``accounts`` this principal sees, in the given order."""
    return [a for a in accounts if sees_account(principal, a)]


def may_read_audit(principal: Principal, account: str | None) -> bool:
    """The audit log: operator admins all of it; a client admin their own account's rows."""
    if principal.role is Role.OPERATOR_ADMIN:
        return True
    return (
        principal.role is Role.CLIENT_ADMIN
        and account is not None
        and (principal.account == account)
    )
