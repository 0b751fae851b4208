"""Which tenant a service function works for, said on the function itself.

An *account-scoped* function takes the account first (after the session: its key or its row id)
and filters every query by it; it needs no mark. Every other public function of ``services/``
carries one of five marks:

- ``operator_level``: the whole operator at once (every account, the pool of secretaries, users
  and tokens, imports and exports, the dispatcher's queue): the API reaches it from operations
  scoped ``operator`` only (403 for anyone else), or filters its answer by the accounts the
  caller may see (the list of accounts);
- ``by_number``: a dialled number leads to its account and maybe a person (a lookup); the API
  checks the caller's access on the account found, and a number that leads where the caller may
  not look leads nowhere for them (404, operations scoped ``lookup``);
- ``on_scoped_input``: works only on what an account-scoped read already gave (a row, a view, a
  message, an event, records each naming their account), or on no tenant's data at all (a rule
  text checked, plumbing): it cannot reach another account by itself;
- ``of_the_user``: a user's own credentials and sessions, checked to sign them in or out;
- ``account_or_operator``: one account's rows when given ``account``, every account's without
  it: the API passes the account in every operation but the operator's.

The marks change nothing at run time. ``scope_of`` reads them; ``tests/services/test_tenancy.py``
fails on a public service function that is neither account-first nor marked.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Literal, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
Tenancy = Literal["account", "operator", "lookup", "input", "user", "filtered"]
MARK = "__accueil_tenancy__"
ACCOUNT_FIRST = frozenset({"account", "account_id", "acc"})


def _marking(tenancy: Tenancy) -> Callable[[F], F]:
    def mark(fn: F) -> F:
        setattr(fn, MARK, tenancy)
        return fn

    return mark


operator_level = _marking("operator")
by_number = _marking("lookup")
on_scoped_input = _marking("input")
of_the_user = _marking("user")
account_or_operator = _marking("filtered")


def scope_of(fn: Callable[..., Any]) -> Tenancy | None:
    """The function's mark, else "account" when its first parameter after the session is the
    account; None: neither (the tenancy test fails on it)."""
    marked: Tenancy | None = getattr(fn, MARK, None)
    if marked is not None:
        return marked
    params = [p for p in inspect.signature(fn).parameters if p != "session"]
    return "account" if params and params[0] in ACCOUNT_FIRST else None
