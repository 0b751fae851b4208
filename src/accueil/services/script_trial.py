"""Trying a script out: the effective script of a call, walked with given answers.

What ``accueil script run`` (and a script editor's preview) shows: the greeting and the run up to
the next question, in the context the screen pop's script sees. Reads only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from accueil.core.scripts.model import Script
from accueil.core.scripts.runner import Greeting, RunState, greeting, run
from accueil.errors import InvalidInput
from accueil.services.screenpop import script_context
from accueil.services.scripts import effective_script


@dataclass(frozen=True)
class Trial:
    greeting: Greeting
    state: RunState


def try_script(
    session: Session,
    account: str,
    person: str | None,
    answers: Mapping[str, str],
    *,
    caller: str = "",
    now: datetime,
    lang: str = "",
) -> Trial:
    """Walk the effective script of a call to ``person`` (None: the switchboard) of ``account``.

    An answer to no question of the script is refused (a typo, not something to ignore).
    """
    script = effective_script(session, account, person)
    _only_questions(script, answers)
    context = script_context(session, account, person, caller, now=now, lang=lang)
    return Trial(greeting(script, context), run(script, context, answers))


def _only_questions(script: Script, answers: Mapping[str, str]) -> None:
    questions = [s.id for s in script.steps if s.kind == "ask"]
    stray = sorted(set(answers) - set(questions))
    if stray:
        raise InvalidInput(
            f"no question {', '.join(map(repr, stray))} in this script "
            f"(its questions: {', '.join(questions)})"
        )
