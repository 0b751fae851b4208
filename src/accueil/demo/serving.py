"""The demo, live: the service on the demo operator, its logins, the simulated telephony through
the real switchboard at real speed, and the demo's secretaries played by the simulation."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from accueil.core.access import Role
from accueil.demo.samples import sample_calls
from accueil.demo.secretaries import DemoSecretaries, Together
from accueil.errors import Conflict
from accueil.services import users
from accueil.services.directory import list_accounts, list_agents, list_people
from accueil.services.unit_of_work import Application

PASSWORD = "accueil-demo"
PEAK_HOUR = 10.0  # the demo day is played from its morning peak: calls within a minute


@dataclass(frozen=True)
class Login:
    name: str
    role: Role
    what: str  # who they are, in words


def demo_logins(app: Application) -> list[Login]:
    """One login per role on the demo operator (made once; a second demo reuses them)."""
    with app.unit_of_work() as work:
        wanted = _wanted(work.session)
        for login, (account, person, agent) in wanted:
            try:
                users.add_user(
                    work.session, login.name, login.role, account=account, person=person,
                    agent=agent, now=work.now,
                )  # fmt: skip
                users.set_password(work.session, login.name, PASSWORD)
            except Conflict:
                pass  # made by an earlier demo: kept as it is
    return [login for login, _ in wanted]


def _wanted(session: Session) -> list[tuple[Login, tuple[str | None, str | None, str | None]]]:
    found = sample_calls(session)
    account = found.account if found else list_accounts(session)[0].key
    person = found.person if found else list_people(session, account)[0]
    agent = list_agents(session)[0]
    return [
        (Login("admin", Role.OPERATOR_ADMIN, "the operator's admin"), (None, None, None)),
        (Login("superviseur", Role.SUPERVISOR, "the supervisor: the board"), (None, None, None)),
        (
            Login("secretaire", Role.AGENT, f"a secretary ({agent.name}): the desk"),
            (None, None, agent.key),
        ),
        (
            Login("client", Role.CLIENT_ADMIN, f"the client admin of {account}"),
            (account, None, None),
        ),
        (
            Login("employe", Role.EMPLOYEE, f"{person.full_name}, an employee of {account}"),
            (account, person.key, None),
        ),
    ]


def bound_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)  # a browser opened on the printed URL waits while the service starts
    return sock


def run_demo_service(engine: Engine, sock: socket.socket, seconds: float | None) -> None:
    """The service on ``sock`` until Ctrl-C or ``seconds``: the switchboard with the simulated
    telephony (the demo day from its morning peak, real speed) and the played secretaries."""
    import uvicorn

    from accueil.api import create_app
    from accueil.api.live import live_from_settings
    from accueil.api.runtime import Runtime
    from accueil.api.settings import ApiSettings
    from accueil.switchboard.clock import RealClock

    settings = ApiSettings(telephony="simulated", telephony_from_hour=PEAK_HOUR)
    runtime = Runtime(engine, settings, clock=RealClock())
    live = live_from_settings(runtime)
    with runtime.unit() as session:
        agents = [a.key for a in list_agents(session)]
    secretaries = DemoSecretaries(live, agents)
    live.player = Together(live.player, secretaries) if live.player else secretaries
    runtime.live = live
    config = uvicorn.Config(create_app(runtime), log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    if seconds is not None:
        timer = threading.Timer(seconds, lambda: setattr(server, "should_exit", True))
        timer.daemon = True
        timer.start()
    server.run(sockets=[sock])
