"""A script as the agent would see it for one call: the context of a call at a time, the
greeting, and the walk up to the first question (for ``accueil script run`` and the API)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from accueil.core.scripts.context import ScriptContext
from accueil.core.scripts.model import Script
from accueil.core.scripts.runner import Greeting, RunState, greeting, run
from accueil.errors import InvalidInput, says
from accueil.services.screenpop import script_context
from accueil.services.scripts import effective_script


def call_context(
    session: Session, account: str, person: str | None, now: datetime, caller: str, lang: str
) -> ScriptContext:
    """The call as the agent would have it at ``now``: the context the screen pop's script sees."""
    return script_context(session, account, person, caller, now=now, lang=lang)


def only_questions(script: Script, answers: Mapping[str, str]) -> None:
    """An answer to no question of the script is a typo: say so rather than ignore it."""
    questions = [s.id for s in script.steps if s.kind == "ask"]
    stray = sorted(set(answers) - set(questions))
    if stray:
        raise InvalidInput(
            says(
                "no question %(stray)s in this script (its questions: %(questions)s)",
                stray=", ".join(map(repr, stray)),
                questions=", ".join(questions),
            ),
            field="answers",
        )


@dataclass(frozen=True)
class Preview:
    greeting: Greeting
    state: RunState


def preview(
    session: Session,
    account: str,
    person: str | None,
    *,
    now: datetime,
    caller: str = "",
    lang: str = "",
    answers: Mapping[str, str] | None = None,
) -> Preview:
    """The effective script of a call to ``person`` from ``caller`` at ``now``, walked with
    ``answers`` up to the next question."""
    script = effective_script(session, account, person)
    given = dict(answers or {})
    only_questions(script, given)
    context = call_context(session, account, person, now, caller, lang)
    return Preview(greeting(script, context), run(script, context, given))
