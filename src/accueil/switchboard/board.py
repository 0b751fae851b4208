"""The switchboard: the life of a call, live (shared/DESIGN.md, "The life of a call").

The telephony reports an inbound call → the number's account and person, their availability
and rules give a decision (``decide_kept``: slices kept while their account's routing version
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
from datetime import datetime, timedelta
from typing import Any, cast

from pydantic_core import to_jsonable_python
from sqlalchemy.orm import Session

from accueil.core.routing import events
from accueil.core.routing.config import EngineConfig
from accueil.core.routing.engine import Engine
from accueil.core.screenpop import ScreenPop
from accueil.core.scripts.model import ActionKind
from accueil.core.scripts.runner import ScriptOutcome
from accueil.core.treatments import Answer, Connect, Message, OnCall, Reject, Treatment
from accueil.errors import AccueilError, InvalidInput
from accueil.services.call_slices import CallSlices, decide_kept
from accueil.services.calls import CallRecord, record_call
from accueil.services.decisions import CallDecision
from accueil.services.directory import get_agent, get_person
from accueil.services.messages import NewMessage, take_message
from accueil.services.screenpop import PopCache, familiar_pop
from accueil.services.script_preview import preview
from accueil.services.unit_of_work import Application
from accueil.switchboard.calls import CallInProgress, Refused, Stage
from accueil.switchboard.clock import SwitchClock
from accueil.switchboard.desks import Desks
from accueil.switchboard.desks import Message as DeskMessage
from accueil.switchboard.durable import Durable
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
# a call's decision, the instant it was made, and (a pool call) its screen pop made then
Decided = tuple[CallDecision, datetime, ScreenPop | None]


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
    ) -> None:
        super().__init__()
        self.app, self.clock, self.telephony, self.desks = app, clock, telephony, desks
        self.country = country
        self.host = EngineHost(Engine(config, strategy), self)
        self.runner = LiveRunner(self.host, clock)
        self.calls: dict[str, CallInProgress] = {}
        self.logged_in: set[str] = set()
        self._heard_last: asyncio.Future[None] | None = None  # keeps telephony events in order
        # each number's slice kept for the decisions (threads) and the pops, checked per call
        # against its account's routing version: a rule change is seen by the next call
        self.slices = CallSlices()
        self.pops = PopCache(app.clock, slices=self.slices)
        self.records = RecordWriter(app, self.runner.track, self.unrecorded)
        self.ready_pops: dict[str, ScreenPop] = {}  # pool calls' pops, made at arrival
        telephony.attach(self._heard)

    async def start(self) -> None:
        self.runner.start()

    async def stop(self) -> None:
        await self.runner.stop()

    # ----------------------------------------------------------------- agents' actions

    async def login(self, agent: str) -> DeskMessage:
        return await self.runner.submit(lambda at: self._login(at, agent))

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
        """The agent's outcome of the script: recorded (committed) before this answers."""

        def finish(at: float) -> DeskMessage:
            self._on_call(agent, call)
            return cast(DeskMessage, self._take(at, Finish(agent, call, answers)))

        return await self.runner.submit(finish)

    def _login(self, at: float, agent: str) -> DeskMessage:
        if agent in self.logged_in:
            return {"type": "logged_in", "agent": agent, "resumed": True}
        with self.app.unit_of_work() as work:
            found = get_agent(work.session, agent)
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
                raise Refused(f"agent {agent!r} is not logged in: send login first", agent=agent)
            return cast(DeskMessage, self._take(at, cast(AgentInput, make(at))))

        return self.runner.submit(apply, waits=waits)

    def _offer_answer(
        self, at: float, agent: str, call: str, token: int, accepted: bool
    ) -> DeskMessage:
        state = self.calls.get(call)
        if state is None:
            raise Refused(f"no call {call!r} in progress", call=call)
        if state.agent != agent or state.stage is not Stage.OFFERED:
            raise Refused(f"call {call!r} is not offered to {agent!r} now", call=call)
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
            raise Refused(f"{agent!r} is not on call {call!r}", call=call)
        return state

    def _finish(self, at: float, entry: Finish) -> DeskMessage:
        agent, call, answers = entry.agent, entry.call, entry.answers
        state = self._on_call(agent, call)
        if self.replaying and self._recorded(state):  # written before the leader died
            if state.stage is Stage.TALKING:
                self._feed_checked(events.CallEnded(at, call, agent, state.token))
            self._forget(state)
            return {"type": "saved", "call": call}
        person = state.person or None
        with self.app.unit_of_work() as work:
            walked = preview(
                work.session, state.account.key, person, now=work.now, caller=state.caller,
                answers=answers,
            )  # fmt: skip
            outcome = walked.state.outcome
            if outcome is None:
                raise _unfinished(walked.state.prompt, walked.state.errors)
            record = self._record(at, state, "answered", outcome, walked.state.script)
            record_id = record_call(work.session, state.account.key, record)
            address = self._address_for(work.session, state, outcome)
            message = ""
            if outcome.action is ActionKind.TAKE_MESSAGE and (
                outcome.person or outcome.message.for_person
            ):
                # stored with its deliveries queued, in the record's transaction
                new = NewMessage.from_outcome(outcome, agent=agent, call_id=call)
                message = take_message(work.session, state.account.key, new, now=work.now).uid
        # committed: only now is the desk told the message is saved
        if state.stage is Stage.TALKING:
            if address:
                self.telephony.transfer(call, address)
            else:
                self.telephony.hang_up(call, f"done: {outcome.action.value}")
            self._feed_checked(events.CallEnded(at, call, agent, state.token))
        self._forget(state)
        return {
            "type": "saved",
            "call": call,
            "record": record_id,
            "outcome": outcome.action.value,
            "transferred_to": address,
            "message": message,
        }

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
        else:  # in a thread, batched: a slow database does not hold the engine up
            self.records.put(state.account.key, record)
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
            asyncio.ensure_future(asyncio.to_thread(self._decide, event))
            if isinstance(event, InboundCall)
            else None
        )
        before = self._heard_last

        async def in_order() -> None:
            if before is not None:  # done, whatever became of it: the order holds, not errors
                await asyncio.wait([before])
            if deciding is None:
                self.runner.post(lambda at: self._take(at, Heard(event)))
            else:
                decided = await deciding
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
        try:
            with self.app.unit_of_work() as work:
                decided = decide_kept(
                    work.session, self.slices, event.caller, event.dialled, now=work.now,
                    call_id=event.call, country=self.country, policy=self.pops.policy,
                )  # fmt: skip
                return decided, work.now, self._pop_ahead(work.session, event, decided, work.now)
        except AccueilError as exc:  # a number that leads nowhere: refused loudly
            return exc.message
        except Exception:  # the database is away: the caller hears it, never silence
            log.exception("call %s could not be decided: refused", event.call)
            return "the switchboard cannot decide calls now"

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
        state = entry.call
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
        self.desks.send(
            offer.agent,
            {
                "type": "offer",
                "call": offer.call,
                "token": offer.token,
                "expires_in": round(offer.deadline - at, 3),
                "ring": offer.ring,
                "reason": offer.reason,
                "enqueued_at": state.enqueued_at.isoformat() if state.enqueued_at else None,
                "pop": self._pop(state, offer.agent),
            },
        )

    def _pop(self, state: CallInProgress, agent: str) -> Any:
        """The screen pop for this agent, or None (said in the log) when it cannot be read:
        the one made at arrival with this agent's familiarity (one read), else read whole."""
        if self.replaying:  # the desk had it; a replay to a reconnecting desk goes without
            return None
        try:
            ready = self.ready_pops.get(state.id)
            with self.app.unit_of_work() as work:
                if ready is not None:
                    shown = familiar_pop(work.session, ready, state.account, agent, now=work.now)
                else:
                    shown = self.pops.screen_pop(
                        work.session, state.dialled, state.caller, now=work.now, agent=agent,
                        country=self.country, decision=state.decision,
                    )  # fmt: skip
            return to_jsonable_python(shown)
        except Exception:  # the offer still rings: the agent answers without the pop
            log.exception("no screen pop for call %s", state.id)
            return None

    def _pop_ahead(
        self, session: Session, event: InboundCall, decided: CallDecision, now: datetime
    ) -> ScreenPop | None:
        """A pool call's screen pop, made with its decision in the decision's thread: the
        offer on the engine's task then only reads the agent's familiarity."""
        if not isinstance(decided.decision.treatment, Answer | Message):
            return None
        try:
            return self.pops.screen_pop(
                session, event.dialled, event.caller, now=now, country=self.country,
                decision=decided.decision,
            )  # fmt: skip
        except Exception:  # read again at the offer
            log.exception("no screen pop ahead for call %s", event.call)
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
            f"answer to {bad.step!r} does not fit: {bad.reason}", field=f"answers.{bad.step}"
        )
    if prompt is None:
        return InvalidInput("the script ended without an outcome", field="answers")
    return InvalidInput(
        f"the script is not finished: next question {prompt.step!r} ({prompt.text})",
        field=f"answers.{prompt.step}",
    )
