"""Logging, configured once: structlog, readable on a terminal, one JSON object a line for
services, and never a person's name or phone number in clear.

Modules log with ``log = accueil.logs.get_logger(__name__)`` and ``log.info("calendar.refreshed",
account=..., call_id=...)``: an event name and fields, not sentences. Identifiers (account keys,
call ids, counts) go as they are; fields that name a person (``person``, ``name``, ``caller``,
``number``, ``email``…) are replaced by a pseudonym, and phone numbers or e-mail addresses found in
any text are masked (``mask`` below, a processor every log line passes through).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
from collections.abc import MutableMapping
from typing import Any, Literal, TextIO
from urllib.parse import urlsplit

import structlog

Format = Literal["console", "json"]
LEVELS = ("debug", "info", "warning", "error")

# Fields whose value names or reaches a person: never written in clear.
SENSITIVE = frozenset(
    {
        "person", "person_key", "name", "full_name", "first_name", "last_name", "delegate",
        "caller", "caller_number", "number", "phone", "mobile", "e164", "dialled", "to", "from",
        "email", "address", "note", "known_name", "label",
    }
)  # fmt: skip
# A feed URL can carry a private token (Google's secret address): only its scheme and host.
URLS = frozenset({"url", "feed", "location"})

_PHONE = re.compile(r"(?<![\w+])\+?\d(?:[\s.\-()]?\d){6,16}(?!\w)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def pseudonym(value: object) -> str:
    """A stable stand-in for a sensitive value: the same person reads the same in every line."""
    digest = hashlib.sha256(str(value).encode("utf-8")).hexdigest()[:8]
    return f"~{digest}"


def _masked_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    plus = "+" if match.group(0).startswith("+") else ""
    return f"{plus}{'•' * (len(digits) - 2)}{digits[-2:]}"


def scrub(text: str) -> str:
    """``text`` with phone numbers (all but the last two digits) and e-mail addresses masked."""
    return _PHONE.sub(_masked_phone, _EMAIL.sub("•@•", text))


def _host_only(value: object) -> str:
    parts = urlsplit(str(value))
    if not parts.scheme or not parts.hostname:
        return pseudonym(value)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # a port out of range still names its host
        port = ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def mask(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The processor that keeps names, numbers and secret addresses out of the logs."""
    for key, value in list(event.items()):
        if value is None or isinstance(value, bool | int | float):
            continue
        if key in SENSITIVE:
            event[key] = pseudonym(value)
        elif key in URLS:
            event[key] = _host_only(value)
        elif isinstance(value, str):
            event[key] = scrub(value)
        else:
            event[key] = scrub(str(value))
    return event


class _Stderr:
    """The stderr of the moment (a test runner swaps it), looked up at each write."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


_state: dict[str, Any] = {"configured": False, "explicit_level": False}


def configure(
    fmt: str | None = None, level: str | None = None, stream: TextIO | None = None
) -> None:
    """Set up logging for this process. ``fmt`` and ``level`` default to ``ACCUEIL_LOG_FORMAT``
    and ``ACCUEIL_LOG_LEVEL``; the format then to console on a terminal, JSON otherwise, and
    the level to warning (a service raises it to info with ``serving``)."""
    fmt = fmt or os.environ.get("ACCUEIL_LOG_FORMAT") or None
    level = level or os.environ.get("ACCUEIL_LOG_LEVEL") or None
    out = stream or _Stderr()
    if fmt is None:
        fmt = "console" if sys.stderr.isatty() else "json"
    if fmt not in ("console", "json"):
        raise ValueError(f"log format {fmt!r}: use console or json")
    chosen = (level or "warning").lower()
    if chosen not in LEVELS:
        raise ValueError(f"log level {level!r}: use one of {', '.join(LEVELS)}")
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            mask,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, chosen.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=out),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )
    _state.update(configured=True, explicit_level=level is not None, fmt=fmt, stream=out)


def serving() -> None:
    """A long-running job (``calendar refresh --watch``, a server) logs what it does: info
    level, unless a level was chosen explicitly."""
    if not _state["configured"]:
        configure()
    if not _state["explicit_level"]:
        configure(_state["fmt"], "info", _state["stream"])
        _state["explicit_level"] = False


def get_logger(name: str) -> Any:
    """A logger for module ``name``; logging is configured (quietly) if nobody did yet."""
    if not _state["configured"]:
        configure()
    return structlog.get_logger(name)
