"""A person's own greeting: the one thing of their script an employee changes themselves.

It is kept as their person layer of the account's script (``services/scripts``): the greeting
for one language and situation is set in that layer, everything else the layer says is kept, and
the merged script is checked whole before a new version is saved (a broken template is refused
with its reason, nothing saved). The layer's history keeps every earlier version, so a
greeting taken down (``clear_greeting``) is never lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import yaml
from sqlalchemy.orm import Session

from accueil.core.scripts.model import Situation
from accueil.errors import InvalidInput, NotFound, says
from accueil.services.directory import get_account
from accueil.services.script_layers import Owner
from accueil.services.scripts import ScriptVersion, get_version, save_script

MAX_GREETING = 500


def _layer(session: Session, account: str, person: str) -> dict[str, Any]:
    try:
        found = get_version(session, account, Owner("person", person))
    except NotFound:
        return {}
    data = yaml.safe_load(found.source)  # a JSON layer is YAML too
    return data if isinstance(data, dict) else {}


def own_greeting(session: Session, account: str, person: str, lang: str, situation: str) -> str:
    """The greeting the person set for ``lang`` and ``situation`` ("" when they set none)."""
    greetings = _layer(session, account, person).get("greetings") or {}
    text = (greetings.get(lang) or {}).get(situation, "")
    return text if isinstance(text, str) else ""


def set_greeting(
    session: Session,
    account: str,
    person: str,
    lang: str,
    situation: str,
    text: str,
    *,
    now: datetime,
    saved_by: str = "",
) -> ScriptVersion:
    """Save a new version of the person's layer with this greeting (ValidationFailed: the
    merged script would not hold, nothing saved)."""
    languages = get_account(session, account).languages
    if lang not in languages:
        raise InvalidInput(
            says(
                "%(lang)r: this account answers in %(languages)s",
                lang=lang,
                languages=", ".join(languages),
            ),
            field="lang",
        )
    if situation not in {s.value for s in Situation}:
        known = ", ".join(s.value for s in Situation)
        raise InvalidInput(
            says(
                "%(situation)r is not a situation; use one of %(known)s",
                situation=situation,
                known=known,
            ),
            field="situation",
        )
    text = " ".join(text.split())
    if not text or len(text) > MAX_GREETING:
        raise InvalidInput(
            says("a greeting is 1 to %(n)s characters", n=MAX_GREETING),
            field="text",
        )
    layer = _layer(session, account, person)
    greetings = layer.setdefault("greetings", {})
    greetings.setdefault(lang, {})[situation] = text
    source = yaml.safe_dump(layer, allow_unicode=True, sort_keys=False)
    return save_script(
        session,
        account,
        Owner("person", person),
        source,
        comment="greeting set on the person's page",
        now=now,
        saved_by=saved_by,
    )


def clear_greeting(
    session: Session,
    account: str,
    person: str,
    lang: str,
    situation: str,
    *,
    now: datetime,
    saved_by: str = "",
) -> ScriptVersion | None:
    """Take the person's greeting for ``lang`` and ``situation`` down: a new version of their
    layer without it (the account's or group's greeting is said again; the earlier versions
    stay in the history). None when they had none there: nothing is saved."""
    layer = _layer(session, account, person)
    greetings = layer.get("greetings") or {}
    said = greetings.get(lang) if isinstance(greetings, dict) else None
    if not isinstance(said, dict) or situation not in said:
        return None
    del said[situation]
    if not said:
        del greetings[lang]
    if not greetings:
        del layer["greetings"]
    source = yaml.safe_dump(layer, allow_unicode=True, sort_keys=False) if layer else "{}\n"
    return save_script(
        session,
        account,
        Owner("person", person),
        source,
        comment="greeting removed on the person's page",
        now=now,
        saved_by=saved_by,
    )
