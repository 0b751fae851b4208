"""The switchboard: the life of a call, live (shared/DESIGN.md, "The life of a call").

The telephony reports an inbound call → the number's account and person, their availability
and rules give a decision (``decide_on``: slices kept while their account's routing version
stands) → connect treatments ring the person's devices with their timeouts and fall back as
the rule says; pool treatments enter the routing engine's line with the account's tier, target
and language → the engine offers the call to one agent (a lease): their softphone rings and
their desk gets the screen pop, showing the decision made at arrival → the agent accepts → bridged
→ the agent gives the script's answers → the call record (with the message taken) is committed,
with its outbox row, before the desk is told it is saved → the caller is patched through or
hung up; the agent wraps up. Abandoned, overflowed, rejected and directly connected calls get
a record too.

Every input runs on the ``LiveRunner``'s one task: no lock. Agents' actions are coroutines
that answer with a JSON-ready dict or raise (``Refused``, ``NotFound``, ``InvalidInput``), the
state unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any, cast

from pydantic_core import to_jsonable_python

from accueil.core.directory import Agent
from accueil.core.routing import events
from accueil.core.routing.config import EngineConfig
from accueil.core.routing.engine import Engine
from accueil.core.scripts.model import ActionKind
from accueil.core.scripts.runner import ScriptOutcome
from accueil.core.treatments import Answer, Connect, Message, OnCall, Reject, Treatment
from accueil.errors import InvalidInput, says
from accueil.services.call_slices import CallSlices
from accueil.services.calls import CallRecord, familiarity_of
from accueil.services.directory import get_agent, get_person
from accueil.services.messages import NewMessage
from accueil.services.outcomes import save_outcome
from accueil.services.screenpop import PopCache
from accueil.services.script_preview import preview
from accueil.services.unit_of_work import Application
from accueil.switchboard.bounded import Bounded, DatabaseSlow
from accueil.switchboard.calls import CallInProgress, Refused, Stage
from accueil.switchboard.clock import SwitchClock
from accueil.switchboard.deciders import (
    CANNOT_DECIDE,
    Decided,
    Deciders,
    database_url,
    decide_call,
)
from accueil.switchboard.desks import Desks
from accueil.switchboard.desks import Message as DeskMessage
from accueil.switchboard.durable import REQUESTS, Durable, Held, Outcome
from accueil.switchboard.host import EngineHost
from accueil.switchboard.inputs import AgentInput, Finish, Heard, Inbound, Input
from accueil.switchboard.records import RecordWriter
from accueil.switchboard.runner import FENCED, LiveRunner
from accueil.telephony.port import (
    Answered,
    Busy,
    CallerHungUp,
    DeviceRing,
    Ended,
    InboundCall,
    NoAnswer,
    Telephony,
    TelephonyEvent,
)

log = logging.getLogger(__name__)
# a new call decided later than this after it came in is said in the log (its caller heard
# ringback, or over SIP Kamailio held it, all that time): the decisions' thread or the
# database is slow
SLOW_DECISION_SECONDS = 2.0


class Switchboard(Durable):
    """The engine host with the telephony and the desks: every live call's life."""

    def __init__(
        self,
        app: Application,
        clock: SwitchClock,
        telephony: Telephony,
        desks: Desks,
        *,
        config: EngineConfig | None = None,
        strategy: str = "accueil",
        country: str = "FR",
        database_wait: float = 10.0,
        journal_wait: float = 1.0,
        decision_workers: int = 0,
    ) -> None:
        super().__init__()
        self.app, self.clock = app, clock
        # requests and desk messages wait for the journal of the batch that made them
        self.telephony = cast(Telephony, Held(telephony, self, REQUESTS))
        self.desks = cast(Desks, Held(desks, self, ("send",)))
        self.country = country
        self.host = EngineHost(Engine(config, strategy), self)
        self.runner = LiveRunner(self.host, clock, self, journal_wait)
        # the database's work for the engine (decisions, logins, outcomes, pops) runs in these
        # threads, each wait bounded: a database that hangs is one that refuses, said loudly
        self.database = Bounded("switchboard-db", 8, database_wait)
        self._pops_wanted: list[tuple[DeskMessage, CallInProgress, str, dict[str, Any] | None]] = []
        self._finished: dict[str, Outcome] = {}  # outcomes saved, their finish being applied
        self.calls: dict[str, CallInProgress] = {}
        self.logged_in: set[str] = set()
        self._heard_last: asyncio.Future[None] | None = None  # keeps telephony events in order
        # each number's slice kept for the decisions (threads) and the pops, checked per call
        # against its account's routing version: a rule change is seen by the next call
        self.slices = CallSlices()
        self.pops = PopCache(app.clock, slices=self.slices)
        self.records = RecordWriter(app, self.runner.track, self.unrecorded)
        # opt-in: calls decided (and their pops made) in worker processes of their own
        self.deciders = (
            Deciders(database_url(app.engine), decision_workers, self.pops.policy, country)
            if decision_workers
            else None
        )
        # pool calls' pops, made at arrival as the desk gets them, but for the agent's familiarity
        self.ready_pops: dict[str, dict[str, Any]] = {}
        telephony.attach(self._heard)

    async def start(self) -> None:
        if self.deciders is not None:
            await self.deciders.start()
        self.runner.start()

    async def stop(self) -> None:
        try:
            await self.runner.stop()
        finally:
            if self.deciders is not None:
                await self.deciders.stop()

    # ----------------------------------------------------------------- agents' actions

    async def login(self, agent: str) -> DeskMessage:
        """The agent's languages, trainings and site read off the engine's task (bounded),
        then logged in on it."""
        found = await self.database.run(f"reading agent {agent!r}", self._read_agent, agent)
        return await self.runner.submit(lambda at: self._login(at, agent, found))

    def _read_agent(self, agent: str) -> Agent:
        with self.app.unit_of_work() as work:
            return get_agent(work.session, agent)

    async def logout(self, agent: str, *, waits: bool = False) -> DeskMessage:
        """``waits``: the switchboard's own (presence), kept while it is fenced, not refused."""
        return await self._agent_event(agent, lambda at: events.AgentLoggedOut(at, agent), waits)

    def _apply(self, at: float, entry: Input) -> Any:
        if isinstance(entry, Inbound):
            self.heard += 1
            return self._inbound_decided(at, entry)
        if isinstance(entry, Heard):
            self.heard += 1
            return self.on_telephony(at, entry.event)
        if isinstance(entry, Finish):
            return self._finish(at, entry)
        if isinstance(entry, events.OfferAccepted | events.OfferDeclined):
            self._feed_checked(entry)
            accepted = isinstance(entry, events.OfferAccepted)
            kind = "accepted" if accepted else "declined"
            return {"type": kind, "call": entry.call, "token": entry.token}
        self._feed_checked(entry)
        if isinstance(entry, events.AgentLoggedIn):
            self.logged_in.add(entry.agent)
            return {"type": "logged_in", "agent": entry.agent, "resumed": False}
        if isinstance(entry, events.AgentLoggedOut):
            self.logged_in.discard(entry.agent)
            self._close_unfinished(at, entry.agent)
        return {"type": "ok", "did": type(entry).__name__, "agent": entry.agent}

    async def ready(self, agent: str) -> DeskMessage:
        return await self._agent_event(agent, lambda at: events.AgentReady(at, agent))

    async def pause(self, agent: str, reason: str, *, waits: bool = False) -> DeskMessage:
        paused = events.AgentPaused
        return await self._agent_event(agent, lambda at: paused(at, agent, reason), waits)

    async def heartbeat(self, agent: str) -> DeskMessage:
        return await self._agent_event(agent, lambda at: events.Heartbeat(at, agent))

    async def wrapup_done(self, agent: str) -> DeskMessage:
        return await self._agent_event(agent, lambda at: events.WrapUpEnded(at, agent))

    async def accept(self, agent: str, call: str, token: int) -> DeskMessage:
        return await self.runner.submit(lambda at: self._offer_answer(at, agent, call, token, True))

    async def decline(self, agent: str, call: str, token: int) -> DeskMessage:
        return await self.runner.submit(
            lambda at: self._offer_answer(at, agent, call, token, False)
        )

    async def finish(self, agent: str, call: str, answers: dict[str, str]) -> DeskMessage:
        """The agent's outcome of the script: recorded (committed) before this answers. The
        script is walked and the record (with the message taken) committed off the engine's
        task, bounded (a retry after a database that did not answer finds them written and
        writes nothing twice); then the finish is journaled and ends the call."""
        state, at = await self.runner.submit(lambda at: (self._on_call(agent, call), at))
        saved = await self.database.run(
            f"saving the outcome of call {call!r}", self._save_outcome, at, state, agent, answers
        )

        def finish(at: float) -> DeskMessage:
            if self.calls.get(call) is not state or state.stage not in (
                Stage.TALKING, Stage.WRAPUP,
            ):  # fmt: skip
                return saved.reply  # ended meanwhile: its record and message are committed
            self._finished[call] = saved
            try:
                return cast(DeskMessage, self._take(at, Finish(agent, call, answers)))
            finally:
                self._finished.pop(call, None)

        return await self.runner.submit(finish)

    def _login(self, at: float, agent: str, found: Agent) -> DeskMessage:
        if agent in self.logged_in:
            return {"type": "logged_in", "agent": agent, "resumed": True}
        trainings = tuple((t.account, t.level) for t in found.trainings)
        entry = events.AgentLoggedIn(at, agent, found.languages, trainings, site=found.site)
        return cast(DeskMessage, self._take(at, entry))

    async def _agent_event(
        self, agent: str, make: Callable[[float], events.Event], waits: bool = False
    ) -> DeskMessage:
        return await self._agent_submit(agent, make, waits=waits)

    def pause_now(self, agent: str, reason: str) -> asyncio.Future[DeskMessage]:
        """``pause`` queued at once, in order with every input queued before and after it."""
        return self._agent_submit(
            agent, lambda at: events.AgentPaused(at, agent, reason), waits=True
        )

    def _agent_submit(
        self, agent: str, make: Callable[[float], events.Event], *, waits: bool = False
    ) -> asyncio.Future[DeskMessage]:
        def apply(at: float) -> DeskMessage:
            if agent not in self.logged_in:
                raise Refused(
                    says("agent %(agent)r is not logged in: send login first", agent=agent),
                    agent=agent,
                )
            return cast(DeskMessage, self._take(at, cast(AgentInput, make(at))))

        return self.runner.submit(apply, waits=waits)

    def _offer_answer(
        self, at: float, agent: str, call: str, token: int, accepted: bool
    ) -> DeskMessage:
        state = self.calls.get(call)
        if state is None:
            raise Refused(says("no call %(call)r in progress", call=call), call=call)
        if state.agent != agent or state.stage is not Stage.OFFERED:
            raise Refused(
                says("call %(call)r is not offered to %(agent)r now", call=call, agent=agent),
                call=call,
            )
        kind = events.OfferAccepted if accepted else events.OfferDeclined
        return cast(DeskMessage, self._take(at, kind(at, call, agent, token)))

    def _feed_checked(self, event: events.Event) -> list[events.Command]:
        """Feed an agent's event; the engine's refusal becomes the agent's error."""
        commands = self.host.feed(event)
        refused = [c for c in commands if isinstance(c, events.Ignored) and c.event is event]
        if refused:
            raise Refused(refused[0].reason, event=type(event).__name__)
        return commands

    # ----------------------------------------------------------------- the outcome

    def _on_call(self, agent: str, call: str) -> CallInProgress:
        state = self.calls.get(call)
        if (
            state is None
            or state.agent != agent
            or state.stage not in (Stage.TALKING, Stage.WRAPUP)
        ):
            raise Refused(
                says("%(agent)r is not on call %(call)r", agent=agent, call=call), call=call
            )
        return state

    def _finish(self, at: float, entry: Finish) -> DeskMessage:
        """End the call the agent gave the outcome of. Live, the outcome was saved before the
        finish was journaled (``finish``); a replay finds it saved (an older release's
        journal may hold a finish whose record was not written: it is written now)."""
        agent, call = entry.agent, entry.call
        state = self._on_call(agent, call)
        saved = self._finished.get(call)
        if saved is None:
            if self.replaying and self._recorded(state):  # written before the leader died
                if state.stage is Stage.TALKING:
                    self._feed_checked(events.CallEnded(at, call, agent, state.token))
                self._forget(state)
                return {"type": "saved", "call": call}
            saved = self._save_outcome(at, state, agent, entry.answers)
        # committed: only now is the desk told the message is saved
        if state.stage is Stage.TALKING:
            if saved.address:
                self.telephony.transfer(call, saved.address)
            else:
                self.telephony.hang_up(call, f"done: {saved.reply['outcome']}")
            self._feed_checked(events.CallEnded(at, call, agent, state.token))
        self._forget(state)
        return saved.reply

    def _save_outcome(
        self, at: float, state: CallInProgress, agent: str, answers: dict[str, str]
    ) -> Outcome:
        """Walk the script with ``answers``; commit the call's record and the message taken
        (an unfinished script is refused with its next question). A call recorded already
        (the same outcome sent again after no answer in time, even while the first sending's
        save is still in flight) is not written again: its record and message are answered
        (``services.outcomes``; blocking: a thread, or a replay)."""
        call, person = state.id, state.person or None
        with self.app.unit_of_work() as work:
            walked = preview(
                work.session, state.account.key, person, now=work.now, caller=state.caller,
                answers=answers,
            )  # fmt: skip
            outcome = walked.state.outcome
            if outcome is None:
                raise _unfinished(walked.state.prompt, walked.state.errors)
            record = self._record(at, state, "answered", outcome, walked.state.script)
            new = None
            if outcome.action is ActionKind.TAKE_MESSAGE and (
                outcome.person or outcome.message.for_person
            ):
                new = NewMessage.from_outcome(outcome, agent=agent, call_id=call)
            # once per call: a sending whose save is still in flight is waited for, not doubled
            saved = save_outcome(work.session, state.account.key, record, new, now=work.now)
            record_id, message = saved.record, saved.message
            address = self._address_for(work.session, state, outcome)
        reply: DeskMessage = {
            "type": "saved",
            "call": call,
            "record": record_id,
            "outcome": outcome.action.value,
            "transferred_to": address,
            "message": message,
        }
        return Outcome(reply, address)

    def _address_for(self, session: Any, state: CallInProgress, outcome: ScriptOutcome) -> str:
        """Where a patch-through goes: the person's first device (else the caller is hung up)."""
        if (
            outcome.action.value not in ("patch_through", "transfer")
            or state.stage is not Stage.TALKING
        ):
            return ""
        key = outcome.person or state.person
        if not key:
            return ""
        devices = get_person(session, state.account.key, key).devices
        return devices[0].address if devices else ""

    def _record(
        self,
        at: float,
        state: CallInProgress,
        fate: str,
        outcome: ScriptOutcome | None = None,
        script_ref: str = "",
    ) -> CallRecord:
        return CallRecord(
            caller=state.caller,
            dialled=state.dialled,
            started_at=state.started_at,
            person=state.person,
            agent=state.agent if fate == "answered" else "",
            call_id=state.id,
            script_ref=script_ref,
            outcome=outcome,
            fate=fate,
            waited=state.waited,
            ended_at=self.clock.now() - timedelta(seconds=self.clock.seconds() - at),
            familiar=state.familiar,
            treatment=state.treatment,
            rule=state.decision.rule,
        )

    def _close(self, at: float, state: CallInProgress, fate: str) -> None:
        """The call is over without an agent's outcome: write its record and forget it."""
        if state.waited is None:
            state.waited = at - state.arrived
        record = self._record(at, state, fate)
        if self.replaying:
            if not self._recorded(state):
                self.records.write([(state.account.key, record)])
        else:  # in a thread, batched, once the journal has the input that ended the call
            account = state.account.key
            self._effect(lambda: self.records.put(account, record))
        self._forget(state)

    def _close_unfinished(self, at: float, agent: str) -> None:
        """An agent moves on without giving the outcome of a call they answered."""
        for state in [c for c in self.calls.values() if c.agent == agent]:
            if state.stage is Stage.WRAPUP:
                self._close(at, state, "answered")

    def _forget(self, state: CallInProgress) -> None:
        state.stage = Stage.ENDED
        self.calls.pop(state.id, None)
        self.ready_pops.pop(state.id, None)

    # ----------------------------------------------------------------- the telephony

    def _heard(self, event: TelephonyEvent) -> None:
        """Telephony events reach the runner in the order they came; an inbound call is
        decided (the directory read) in a thread meanwhile, off the engine's task."""
        arrived = self.clock.seconds()
        deciding = (
            asyncio.ensure_future(self._deciding(event)) if isinstance(event, InboundCall) else None
        )
        before = self._heard_last
        if deciding is None and (before is None or before.done()):
            # nothing ahead of it: straight to the runner (no task of its own, the common case:
            # a call's answer, its end)
            self.runner.post(lambda at: self._take(at, Heard(event)))
            return

        async def in_order() -> None:
            if before is not None:  # done, whatever became of it: the order holds, not errors
                await asyncio.wait([before])
            if deciding is None:
                self.runner.post(lambda at: self._take(at, Heard(event)))
            else:
                try:
                    decided = await deciding
                except DatabaseSlow as exc:  # the caller hears it, never silence
                    log.error("call %s could not be decided: refused (%s)", event.call, exc)
                    decided = CANNOT_DECIDE
                inbound = cast(InboundCall, event)
                self.runner.post(
                    lambda at: self._inbound(at, inbound, decided, arrived),
                    refuse=lambda: self._refuse_fenced(inbound),
                )

        self._heard_last = asyncio.ensure_future(in_order())
        self.runner.track(self._heard_last)

    async def end_lost_calls(self) -> int:
        """After a restart whose telephony died with the process (in memory, simulated), the
        calls it carried are over: each ends (and is recorded) as if the telephony said so."""
        lost = list(self.calls)
        for call in lost:
            await self.runner.submit(self._ended_by_telephony(call), waits=True)
        return len(lost)

    def _refuse_fenced(self, event: InboundCall) -> None:
        """A new call while the switchboard cannot confirm it leads: hung up with the reason
        (never journaled: the switchboard took nothing in)."""
        log.error("call %s to %s refused: %s", event.call, event.dialled, FENCED)
        self.telephony.hang_up(event.call, "the switchboard cannot take calls now")

    def _ended_by_telephony(self, call: str) -> Callable[[float], Any]:
        return lambda at: self._take(at, Heard(Ended(call)))

    def on_telephony(self, at: float, event: TelephonyEvent) -> None:
        if isinstance(event, InboundCall):
            self._inbound(at, event, self._decide(event), at)
            return
        state = self.calls.get(event.call)
        if state is None:
            if not isinstance(event, Ended):
                log.info("telephony event for no call in progress: %s", event)
            return
        if isinstance(event, Answered):
            self._answered(at, state, event.by)
        elif isinstance(event, NoAnswer | Busy):
            self._not_answered(at, state, event.by, busy=isinstance(event, Busy))
        elif isinstance(event, CallerHungUp | Ended):
            self._caller_gone(at, state)

    def _decide(self, event: InboundCall) -> Decided | str:
        """The call's decision and the instant it was made, or why it is refused (a thread);
        for a call that goes to the pool, its screen pop but for the agent's familiarity."""
        return decide_call(self.app.unit_of_work, self.slices, self.pops, event, self.country)

    async def _deciding(self, event: InboundCall) -> Decided | str:
        """The call decided in a worker process when there are some (at the switchboard's
        instant), else (or when no worker could) in the database's threads."""
        if self.deciders is not None:
            now = self.app.clock.now()
            decided = await self.deciders.decide(event, now, self.database.bound)
            if decided is not None:
                return decided
        return await self.database.run(f"deciding call {event.call}", self._decide, event)

    def _inbound(
        self,
        at: float,
        event: InboundCall,
        decided: Decided | str,
        arrived: float,
    ) -> None:
        """Journal a new call as decided (or refused), then apply it."""
        if event.call in self.calls:
            self._take(at, Inbound(event, None, "reported twice"))
            return
        if isinstance(decided, str):
            self._take(at, Inbound(event, None, decided))
            return
        decision, started, pop = decided
        if at - arrived > SLOW_DECISION_SECONDS and not self.replaying:
            log.warning(
                "call %s decided %.1f s after it came in: the decisions or the database are "
                "slow (its caller waited meanwhile)",
                event.call, at - arrived,
            )  # fmt: skip
        if pop is not None and not self.replaying:
            self.ready_pops[event.call] = pop
        destination = decision.destination
        state = CallInProgress(
            event.call,
            event.caller,
            destination.number.e164,
            min(arrived, at),
            started,
            destination.account,
            destination.person.key if destination.person else "",
            # what the switchboard reads of it: the facts and the trace stay with the records
            replace(decision.decision, conditions=(), availability=None, trace=()),
        )
        self._take(at, Inbound(event, state))

    def _inbound_decided(self, at: float, entry: Inbound) -> None:
        event = entry.event
        if entry.call is None:
            if entry.refused == "reported twice":
                log.warning("call %s reported twice", event.call)
                return
            log.warning("call %s to %s refused: %s", event.call, event.dialled, entry.refused)
            self.telephony.hang_up(event.call, entry.refused)
            return
        state = entry.call.follow()  # the entry stays as it came in until it is journaled
        self.calls[state.id] = state
        self._treat(at, state, state.decision.treatment)

    def _treat(self, at: float, state: CallInProgress, treatment: Treatment) -> None:
        if isinstance(treatment, Connect):
            targets = state.decision.targets
            state.devices = [DeviceRing(t.device, t.address, t.timeout) for t in targets]
            state.fallback = treatment.no_answer
            self._ring(at, state, together=treatment.ring == "together")
        elif isinstance(treatment, OnCall):
            contacts = state.decision.contacts
            state.devices = [
                DeviceRing(f"on_call_{i}", c, treatment.timeout) for i, c in enumerate(contacts)
            ]
            state.fallback = treatment.no_answer
            self._ring(at, state, together=False)
        elif isinstance(treatment, Reject):
            self.telephony.hang_up(state.id, f"rejected ({treatment.mode})")
            self._close(at, state, "rejected")
        else:
            self._enqueue(at, state, treatment)

    def _ring(self, at: float, state: CallInProgress, *, together: bool) -> None:
        state.stage = Stage.RINGING
        batch = state.devices if together else state.devices[:1]
        state.devices = state.devices[len(batch) :]
        for ring in batch:
            state.ringing.add(ring.device)
            self.telephony.ring_device(state.id, ring)
        if not batch:
            self._fall_back(at, state)

    def _fall_back(self, at: float, state: CallInProgress) -> None:
        fallback, state.fallback = state.fallback, None
        if fallback is None:
            self.telephony.hang_up(state.id, "nobody answered")
            self._close(at, state, "unanswered")
        else:
            self._treat(at, state, fallback)

    def _enqueue(self, at: float, state: CallInProgress, treatment: Answer | Message) -> None:
        account = state.account
        wanted = treatment.languages if isinstance(treatment, Answer) else []
        languages = tuple(wanted) or account.languages[:1]
        state.stage = Stage.WAITING
        if state.enqueued_at is None:
            state.enqueued_at = self.clock.now()
        self.host.feed(
            events.CallEnqueued(
                at,
                state.id,
                account.key,
                state.person,
                languages,
                tier=account.tier.value,
                target_seconds=float(account.target_seconds),
                since=state.arrived,  # the time spent ringing devices counts: same place
            )
        )

    def _answered(self, at: float, state: CallInProgress, by: str) -> None:
        if state.stage is Stage.RINGING and by in state.ringing:
            for other in state.ringing - {by}:
                self.telephony.stop_ringing(state.id, other)
            state.ringing, state.stage = set(), Stage.CONNECTED
            state.waited = at - state.arrived
        elif state.stage is Stage.OFFERED and by == state.agent:  # picked up on the softphone
            self.host.feed(events.OfferAccepted(at, state.id, by, state.token))

    def _not_answered(self, at: float, state: CallInProgress, by: str, *, busy: bool) -> None:
        if state.stage is Stage.RINGING and by in state.ringing:
            state.ringing.discard(by)
            if not state.ringing:
                self._ring(at, state, together=False)
        elif state.stage is Stage.OFFERED and by == state.agent and busy:
            self.host.feed(events.OfferDeclined(at, state.id, by, state.token))
        # an agent's softphone ringing out: the engine's lease lapses on its own

    def _caller_gone(self, at: float, state: CallInProgress) -> None:
        if state.stage in (Stage.WAITING, Stage.OFFERED):
            self.host.feed(events.CallAbandoned(at, state.id))
            self._close(at, state, "abandoned")
        elif state.stage is Stage.RINGING:
            self._close(at, state, "abandoned")
        elif state.stage is Stage.CONNECTED:
            self._close(at, state, "connected")
        elif state.stage is Stage.TALKING:
            state.stage = Stage.WRAPUP  # the agent still gives the outcome
            self.host.feed(events.CallEnded(at, state.id, state.agent, state.token))

    # ----------------------------------------------------------------- the engine's commands

    def carry_out(self, at: float, command: events.Command) -> None:
        """The host's ``Carrier``: what each of the engine's commands does live."""
        if isinstance(command, events.Ignored):
            log.debug("engine ignored %s: %s", command.event, command.reason)
            return
        if isinstance(command, events.PauseAgent):
            self.desks.send(command.agent, {"type": "paused", "reason": command.reason})
            return
        state = self.calls.get(command.call)
        if isinstance(command, events.Offer):
            self._offer(at, command, state)
        elif isinstance(command, events.RevokeOffer):
            self.telephony.stop_ringing(command.call, command.agent)
            self.desks.send(command.agent, _revoked(command))
            if state is not None and state.stage is Stage.OFFERED and state.token == command.token:
                state.stage, state.agent = Stage.WAITING, ""
        elif isinstance(command, events.Bridge) and state is not None:
            state.stage, state.waited, state.familiar = (
                Stage.TALKING,
                command.waited,
                command.familiar,
            )
            self.telephony.bridge(command.call, command.agent)
            self.desks.send(command.agent, {"type": "connected", "call": command.call})
        elif isinstance(command, events.WrapUp):
            seconds = round(command.until - at, 3)
            self.desks.send(
                command.agent, {"type": "wrapup", "call": command.call, "seconds": seconds}
            )
        elif isinstance(command, events.Overflow) and state is not None:
            self.telephony.hang_up(command.call, f"overflow: {command.reason}")
            self._close(at, state, "overflowed")

    def _offer(self, at: float, offer: events.Offer, state: CallInProgress | None) -> None:
        if state is None:
            return
        self._close_unfinished(at, offer.agent)
        state.stage, state.agent, state.token = Stage.OFFERED, offer.agent, offer.token
        self.telephony.ring_agent(offer.call, offer.agent)
        message: DeskMessage = {
            "type": "offer",
            "call": offer.call,
            "token": offer.token,
            "expires_in": round(offer.deadline - at, 3),
            "ring": offer.ring,
            "reason": offer.reason,
            "enqueued_at": state.enqueued_at.isoformat() if state.enqueued_at else None,
            "pop": None,
        }
        if self.replaying:  # the desk had it; a replay to a reconnecting desk goes without
            pass
        elif self.holding:  # read off the engine's task before the batch goes out
            self._pops_wanted.append((message, state, offer.agent, self.ready_pops.get(state.id)))
        else:
            message["pop"] = self._pop(state, offer.agent, self.ready_pops.get(state.id))
        self.desks.send(offer.agent, message)

    def _reads(self) -> Callable[[], Any] | None:
        """The batch's screen pops, read in the journal's thread after its append (one hop
        off the engine's task); not read in time, the offers go without them (said)."""
        if not self._pops_wanted:
            return None
        asked = [(state, agent, ready) for _, state, agent, ready in self._pops_wanted]
        return lambda: self._pops(asked)

    def _before_release(self, read: Any) -> None:
        wanted, self._pops_wanted = self._pops_wanted, []
        if not wanted:
            return
        if read is None:
            log.error("%d offers go without their screen pop: no answer in time", len(wanted))
            return
        for (message, _, _, _), pop in zip(wanted, read, strict=True):
            message["pop"] = pop

    def _pops(self, asked: list[tuple[CallInProgress, str, dict[str, Any] | None]]) -> list[Any]:
        return [self._pop(state, agent, ready) for state, agent, ready in asked]

    def _pop(self, state: CallInProgress, agent: str, ready: dict[str, Any] | None) -> Any:
        """The screen pop for this agent, or None (said in the log) when it cannot be read:
        the one made at arrival with this agent's familiarity (one read), else read whole."""
        try:
            if ready is not None:  # one read, nothing to commit
                with self.app.sessions() as session:
                    familiar = familiarity_of(
                        session, state.account.id or 0, state.person, agent, self.app.clock.now()
                    )
                return {**ready, "familiar": to_jsonable_python(familiar)}
            with self.app.unit_of_work() as work:
                shown = self.pops.screen_pop(
                    work.session, state.dialled, state.caller, now=work.now, agent=agent,
                    country=self.country, decision=state.decision,
                )  # fmt: skip
            return to_jsonable_python(shown)
        except Exception:  # the offer still rings: the agent answers without the pop
            log.exception("no screen pop for call %s", state.id)
            return None

    # ----------------------------------------------------------------- reading

    def live_calls(self) -> list[dict[str, object]]:
        now = self.clock.seconds()
        return [c.shown(now) for c in self.calls.values()]


def _revoked(command: events.RevokeOffer) -> DeskMessage:
    return {
        "type": "revoked",
        "call": command.call,
        "token": command.token,
        "reason": command.reason,
    }


def _unfinished(prompt: Any, errors: Any) -> InvalidInput:
    if errors:
        bad = errors[0]
        return InvalidInput(
            says("answer to %(step)r does not fit: %(reason)s", step=bad.step, reason=bad.reason),
            field=f"answers.{bad.step}",
        )
    if prompt is None:
        return InvalidInput(says("the script ended without an outcome"), field="answers")
    return InvalidInput(
        says(
            "the script is not finished: next question %(step)r (%(prompt)s)",
            step=prompt.step,
            prompt=prompt.text,
        ),
        field=f"answers.{prompt.step}",
    )
