"""Tenant scope made explicit (issue 11): every public service function that reads or writes
the database is account-scoped (the account first) or says what else it is
(``services/tenancy.py``); and an API operation scoped to an account, a person or a dialled
number calls no operator-level service function (those the operator's operations only)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

from fastapi.routing import APIRoute

import accueil.api.routes
import accueil.services
from accueil.api.conventions import SCOPE_KEY
from accueil.services.tenancy import scope_of


def _service_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    for info in pkgutil.iter_modules(accueil.services.__path__):
        module = importlib.import_module(f"accueil.services.{info.name}")
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn):
                continue
            if fn.__module__ == module.__name__ and "session" in inspect.signature(fn).parameters:
                yield f"{info.name}.{name}", fn


def test_every_service_function_is_account_scoped_or_marked() -> None:
    found = dict(_service_functions())
    unmarked = [name for name, fn in found.items() if scope_of(fn) is None]
    assert not unmarked, f"take the account first or mark them (services/tenancy.py): {unmarked}"
    assert scope_of(found["search.search_all"]) == "operator"
    assert scope_of(found["directory.resolve_number"]) == "lookup"
    assert scope_of(found["directory.list_people"]) == "account"
    assert len(found) > 150


def _called(fn: Callable[..., Any], depth: int = 2) -> set[Callable[..., Any]]:
    """The module-level functions ``fn`` names (``module.function`` or ``function``), and
    theirs down to ``depth`` (a route's own helpers)."""
    code, scope = fn.__code__, fn.__globals__
    names = set(code.co_names)
    for const in code.co_consts:  # nested functions and lambdas
        if inspect.iscode(const):
            names |= set(const.co_names)
    out: set[Callable[..., Any]] = set()
    for name in names:
        value = scope.get(name)
        if isinstance(value, ModuleType):
            out |= {getattr(value, a) for a in names if inspect.isfunction(getattr(value, a, 0))}
        elif inspect.isfunction(value):
            out.add(value)
            if depth and value.__module__ == fn.__module__:
                out |= _called(value, depth - 1)
    return out


def _api_routes() -> Iterator[APIRoute]:
    for info in pkgutil.iter_modules(accueil.api.routes.__path__):
        module = importlib.import_module(f"accueil.api.routes.{info.name}")
        yield from (r for r in module.router.routes if isinstance(r, APIRoute))


def test_account_person_and_lookup_operations_call_no_operator_level_service() -> None:
    tried, wrong = 0, []
    for route in _api_routes():
        if not isinstance(route, APIRoute) or not route.openapi_extra:
            continue
        scope = route.openapi_extra.get(SCOPE_KEY)
        if scope not in {"account", "person", "lookup"}:
            continue
        endpoint = inspect.unwrap(route.endpoint)
        for fn in _called(endpoint):
            if fn.__module__.startswith("accueil.services.") and scope_of(fn) == "operator":
                wrong.append(f"{route.path} ({scope}) calls {fn.__module__}.{fn.__name__}")
        tried += 1
    assert tried > 40
    assert not wrong, wrong
