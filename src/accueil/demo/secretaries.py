"""The demo's secretaries, played by the simulation on the live switchboard, except those a
person signs in as on the desk.

Each played secretary signs in and goes ready, answers an offer after ``answer_after`` seconds,
and after ``talk`` seconds gives the outcome of the call's script: it walks the script with
plausible answers (a name, the caller's number, "no" to urgent, a subject) and sends them as
the desk does (``Switchboard.finish``), so a message taken is stored and delivered like any.
A secretary whose desk connects is left to the person for the rest of the run.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from accueil.core.scripts.model import FieldType
from accueil.core.scripts.runner import Prompt
from accueil.errors import AccueilError
from accueil.services.script_preview import preview
from accueil.switchboard.calls import CallInProgress, Stage
from accueil.switchboard.live import Live, Player
from accueil.tasks import stopped

log = logging.getLogger(__name__)
NAMES = ("Jeanne Martin", "Paul Girard", "Sophie Laurent", "Marc Petit", "Alice Moreau")
SUBJECTS = {
    "fr": ("Rappel au sujet du devis", "Rendez-vous à déplacer", "Question sur une facture"),
    "en": ("About the quote", "To move an appointment", "A question on an invoice"),
}
MAX_STEPS = 12


@dataclass
class DemoSecretaries:
    """Plays ``agents`` on ``live``'s switchboard (a ``Player``: started and stopped with it)."""

    live: Live
    agents: list[str]
    answer_after: float = 2.0
    talk: float = 8.0
    tick: float = 0.5
    heartbeat: float = 10.0  # a sign of life, as every desk sends
    people: set[str] = field(default_factory=set)  # secretaries a person signed in as
    _since: dict[tuple[str, str], float] = field(default_factory=dict)
    _beats: dict[str, float] = field(default_factory=dict)
    _task: asyncio.Task[None] | None = None
    _served: int = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="demo-secretaries")

    async def stop(self) -> None:
        if self._task is not None:
            await stopped(self._task)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.tick)
            for agent in self.agents:
                try:
                    await self._play(agent)
                except AccueilError as exc:  # the call moved on meanwhile: next tick
                    log.debug("demo secretary %s: %s", agent, exc.message)
                except Exception:  # one secretary's trouble never stops the others
                    log.exception("demo secretary %s", agent)

    async def _play(self, agent: str) -> None:
        board, desks = self.live.board, self.live.desks
        if agent in self.people or desks.connected(agent):
            self.people.add(agent)
            return
        if agent not in board.logged_in:
            await board.login(agent)
            await board.ready(agent)
            return
        now = asyncio.get_running_loop().time()
        if now - self._beats.get(agent, 0.0) >= self.heartbeat:
            self._beats[agent] = now
            await board.heartbeat(agent)
        for call in [c for c in board.calls.values() if c.agent == agent]:
            since = self._since.setdefault((call.id, call.stage.value), now)
            if call.stage is Stage.OFFERED and now - since >= self.answer_after:
                await board.accept(agent, call.id, call.token)
            elif call.stage is Stage.TALKING and now - since >= self.talk:
                await board.finish(agent, call.id, self._answers(call))
                self._served += 1
        if len(self._since) > 1000:
            self._since.clear()

    def _answers(self, call: CallInProgress) -> dict[str, str]:
        """Answers that walk the call's script to its outcome, as a secretary would give."""
        answers: dict[str, str] = {}
        with self.live.board.app.unit_of_work() as work:
            for _ in range(MAX_STEPS):
                walked = preview(
                    work.session, call.account.key, call.person or None, now=work.now,
                    caller=call.caller, answers=answers,
                )  # fmt: skip
                prompt = walked.state.prompt
                if walked.state.outcome is not None or prompt is None:
                    break
                lang = walked.greeting.language
                answers[prompt.step] = _answer(prompt, call, lang, work.now, self._served)
        return answers


def _answer(prompt: Prompt, call: CallInProgress, lang: str, now: datetime, n: int) -> str:
    kind = prompt.field.type
    if kind is FieldType.PHONE:
        return call.caller or "+33612345678"
    if kind is FieldType.EMAIL:
        return "demo@example.org"
    if kind is FieldType.YESNO:
        return "no"
    if kind is FieldType.CHOICE:
        return prompt.field.choices[0].value if prompt.field.choices else ""
    if kind is FieldType.DATETIME:
        return (now + timedelta(days=1)).strftime("%Y-%m-%d 10:00")
    if any(word in prompt.step.lower() for word in ("name", "nom", "who", "qui")):
        return NAMES[n % len(NAMES)]
    subjects = SUBJECTS.get(lang, SUBJECTS["en"])
    return subjects[n % len(subjects)]


@dataclass
class Together:
    """Two players started and stopped as one (the simulated callers, then the secretaries)."""

    first: Player
    second: Player

    def start(self) -> None:
        self.first.start()
        self.second.start()

    async def stop(self) -> None:
        await self.second.stop()
        await self.first.stop()
