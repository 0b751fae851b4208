"""The secretary's live desk in Debian's chromium: the agents' stream, the screen pop, the
script as a form, the message saved and on the employee's page; by keyboard only. The site
runs the live switchboard on a simulated clock (offers never lapse on their own) with the
in-memory telephony, where the test plays the callers."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from live_server import serving
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, update
from test_pages_browser import DESKTOP, PHONE, _shot, _signed_in, browser, need_chromium
from web_world import HASH, NOW, build_world

from accueil.api import create_app
from accueil.api.runtime import Runtime
from accueil.api.settings import ApiSettings
from accueil.core.access import Role
from accueil.core.availability import State
from accueil.services import users
from accueil.services.availability import (
    add_delegation,
    clear_status,
    person_delegations,
    remove_delegation,
    set_status,
)
from accueil.services.onboarding import load_directory
from accueil.store.db import make_engine, migrate, session_factory, transaction
from accueil.store.tables_users import UserRow
from accueil.switchboard.clock import SimulatedClock
from accueil.switchboard.hub import EventHub
from accueil.switchboard.live import Live, build_live
from accueil.telephony.memory import MemoryTelephony

__all__ = ["browser", "need_chromium"]  # the fixtures, shared with the other browser tests
CLAIRE = "+33140000001"


@dataclass
class Desk:
    url: str
    live: Live
    loop: asyncio.AbstractEventLoop
    hub: EventHub

    def on_loop(self, action: Callable[[], Any]) -> Any:
        """Run ``action`` on the server's event loop (the switchboard's task lives there)."""

        async def run() -> Any:
            return action()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=60)

    def call(self, call: str, caller: str, dialled: str = CLAIRE) -> None:
        telephony = self.live.telephony
        assert isinstance(telephony, MemoryTelephony)
        self.on_loop(lambda: telephony.inbound(call, caller, dialled))

    def paused(self, agent: str) -> None:
        """``agent`` logged in and paused: a call then waits (nobody ready), without
        overflowing (someone logged in could take it)."""
        board = self.live.board

        async def pause() -> None:
            if agent not in board.logged_in:
                await board.login(agent)
            await board.pause(agent, "break")

        asyncio.run_coroutine_threadsafe(pause(), self.loop).result(timeout=60)

    def cut(self, agent: str) -> None:
        """The agent's socket dropped by the server, as a network loss would."""
        desks = self.live.desks
        self.on_loop(lambda: desks._desks[agent].connection.close("network lost"))  # type: ignore[union-attr]

    def cut_streams(self) -> None:
        """Every event stream's socket (the supervisors' boards) dropped by the server."""
        hub = self.hub
        self.on_loop(lambda: [s.connection.close("network lost") for s in hub._subscribers])


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    engine: Engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('desk') / 'accueil.db'}")
    migrate(engine)
    build_world(engine)
    with transaction(session_factory(engine)) as session:
        users.add_user(session, "alice", Role.AGENT, agent="alice", now=NOW)
        session.execute(update(UserRow).where(UserRow.name == "alice").values(password_hash=HASH))
    clock = SimulatedClock(NOW)
    runtime = Runtime(engine, ApiSettings(login_attempts_per_minute=1000), clock=clock)
    runtime.live = build_live(runtime.app, clock, MemoryTelephony())
    with serving(create_app(runtime), lifespan="on") as url:
        task = runtime.live.board.runner._task
        assert task is not None
        yield Desk(url, runtime.live, task.get_loop(), runtime.hub)
    engine.dispose()


def _ready(page: Page) -> None:
    state = page.get_by_test_id("agent-state")
    expect(state).to_have_attribute("data-state", "logged_in")
    page.keyboard.press("r")
    expect(state).to_have_attribute("data-state", "ready")


def test_a_secretary_takes_a_message_by_keyboard_and_it_reaches_the_employee(
    browser: Browser, desk: Desk
) -> None:
    page = _signed_in(browser, desk.url, "alice", DESKTOP)
    expect(page).to_have_url(f"{desk.url}/desk")
    _ready(page)
    _shot(page, "desk-ready-desktop")
    desk.call("call-1", "+33611111111")
    pop = page.get_by_test_id("screen-pop")
    expect(pop.get_by_test_id("answer")).to_have_text(
        "Cabinet Alpha, bonjour, secrétariat de Claire Fontaine."
    )
    expect(pop).to_contain_text("Claire Fontaine")
    expect(pop).to_contain_text("Available")
    expect(pop.get_by_test_id("history")).to_contain_text("Claire Fontaine")
    expect(page.get_by_test_id("agent-state")).to_have_attribute("data-state", "offered")
    _shot(page, "desk-offer-desktop")
    # a loaded machine, made sure: the question has its focus well before htmx binds its form
    # (the settle); Enter then must still post the step, never leave the desk (CI saw it)
    page.evaluate("htmx.config.defaultSettleDelay = 1500")
    page.keyboard.press("a")
    question = page.get_by_label("Qui est à l'appareil ?")
    expect(question).to_be_focused()
    page.keyboard.type("Jeanne Martin")
    page.keyboard.press("Enter")
    finish = page.get_by_test_id("finish")
    expect(finish).to_be_focused()
    expect(page.get_by_test_id("outcome")).to_contain_text("Jeanne Martin")
    _shot(page, "desk-script-desktop")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("result")).to_contain_text("Message saved")
    _shot(page, "desk-saved-desktop")
    page.keyboard.press("w")
    expect(page.get_by_test_id("agent-state")).to_have_attribute("data-state", "ready")

    claire = _signed_in(browser, desk.url, "claire", PHONE)
    messages = claire.locator(".messages > li")
    expect(messages).to_have_count(2)  # the world's, and this one, first
    messages.first.get_by_role("link").or_(messages.first.get_by_role("button")).first.click()
    expect(claire.locator("main")).to_contain_text("Jeanne Martin")
    page.context.close()
    claire.context.close()


def test_the_pop_says_whom_to_ask_while_the_person_is_away(browser: Browser, desk: Desk) -> None:
    """Before the next test: the caller hangs up while offered, so no call is left waiting."""
    app = desk.live.board.app
    paul = {"account": "alpha", "key": "paul", "first_name": "Paul", "last_name": "Durand"}
    paul |= {"mobile": "06 98 76 54 32", "email": "paul@alpha.example"}
    with app.unit_of_work() as work:
        load_directory(work.session, {"people": [paul]}, source="test", now=work.now)
        until = work.now + timedelta(days=2)
        set_status(work.session, "alpha", "claire", State.OUT_OF_OFFICE, until=until, now=work.now)
        add_delegation(work.session, "alpha", "claire", "paul", start=work.now, now=work.now)
    try:
        page = _signed_in(browser, desk.url, "alice", PHONE)
        _ready(page)
        desk.call("call-away", "+33655555555")
        pop = page.get_by_test_id("screen-pop")
        expect(pop.get_by_test_id("delegate")).to_have_text(
            "Ask Paul Durand (delegate): mobile +33 6 98 76 54 32, paul@alpha.example"
        )
        _shot(page, "desk-offer-delegate-phone")
        telephony = desk.live.telephony
        assert isinstance(telephony, MemoryTelephony)
        desk.on_loop(lambda: telephony.caller_hangs_up("call-away"))
        expect(pop).to_have_count(0)
        page.context.close()
    finally:
        with app.unit_of_work() as work:
            clear_status(work.session, "alpha", "claire", now=work.now)
            for taken in person_delegations(work.session, "alpha", "claire"):
                remove_delegation(
                    work.session, "alpha", "claire", taken.id, by="test", now=work.now
                )


def test_the_next_pop_shows_the_meeting_an_employee_just_set(browser: Browser, desk: Desk) -> None:
    claire = _signed_in(browser, desk.url, "claire", PHONE)
    claire.get_by_label("Fin de la réunion").fill("15:00")
    claire.get_by_role("button", name="En réunion").click()
    expect(claire.get_by_test_id("status")).to_contain_text("15:00")

    page = _signed_in(browser, desk.url, "alice", PHONE)
    _ready(page)
    desk.call("call-2", "+33622222222")
    pop = page.get_by_test_id("screen-pop")
    expect(pop).to_contain_text("In a meeting")
    expect(pop).to_contain_text("15:00")
    _shot(page, "desk-offer-phone")
    page.keyboard.press("d")
    expect(pop).to_have_count(0)
    page.context.close()
    claire.context.close()


def test_a_lost_connection_shows_at_once_and_resumes_by_itself(
    browser: Browser, desk: Desk
) -> None:
    page = _signed_in(browser, desk.url, "alice", DESKTOP)
    page.get_by_role("button", name="Français").click()
    _ready(page)
    page.evaluate("window.accueilDesk.losses = 0")
    desk.cut("alice")
    # the banner may come and go faster than a look: count the losses (bounded by a deadline
    # far above the moment it takes, not by a count of looks, each slow on a loaded machine)
    deadline = time.monotonic() + 30
    while page.evaluate("window.accueilDesk.losses") == 0 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert page.evaluate("window.accueilDesk.losses") == 1
    expect(page.get_by_test_id("link")).to_be_hidden()
    expect(page.get_by_test_id("agent-state")).to_have_attribute("data-state", "ready")
    expect(page.get_by_test_id("agent-state")).to_contain_text("Prêt")
    page.context.close()


def test_the_board_shows_a_call_waiting_as_it_waits(browser: Browser, desk: Desk) -> None:
    """Told by the supervisor stream (static/board.js), not by polling: each fetch of the line
    follows a `line` the stream pushed; a lost stream shows, and resumes by itself."""
    page = _signed_in(browser, desk.url, "sup", DESKTOP)
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/board/now" in r.url else None)
    board = page.locator("#board")
    expect(board).to_have_attribute("data-link", "up")
    count = page.get_by_test_id("waiting-count").locator("b")
    expect(count).to_have_text(re.compile(r"^\d+$"))
    desk.paused("alice")  # an earlier test may have left her ready
    before = int(count.inner_text())  # the call declined earlier may still wait
    desk.call("call-board", "+33633333333")  # no secretary ready: it waits
    expect(count).to_have_text(str(before + 1))
    expect(page.get_by_test_id("waiting")).to_contain_text("Cabinet Alpha")
    expect(page.get_by_test_id("waiting")).to_contain_text("Claire Fontaine")
    lines = page.evaluate("window.accueilBoard.lines")
    assert 1 <= len(fetched) <= 1 + lines, "the page's first fetch, then one per line pushed"
    _shot(page, "board-live-desktop")

    desk.cut_streams()  # the network drops: shown, then back by itself
    # a function, evaluated once: a bare expression is eval'ed again on each poll, which the
    # page's Content-Security-Policy refuses once the first look was not enough
    page.wait_for_function("() => window.accueilBoard.losses === 1")
    expect(board).to_have_attribute("data-link", "up")
    expect(page.get_by_test_id("link")).to_be_hidden()
    assert page.evaluate("window.accueilBoard.subscribed") == 2
    desk.call("call-board-2", "+33644444444")
    expect(count).to_have_text(str(before + 2))
    page.context.close()
