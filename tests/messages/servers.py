"""Real servers on loopback for the delivery tests: SMTP (aiosmtpd) and HTTP (a webhook
receiver, an SMS gateway). Working fakes: they store what they receive and can be told to fail
the next requests in the ways real ones do (refuse, answer 4xx/5xx, drop, hang)."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MailStore:
    """What the SMTP server accepted, and the faults to play on the next DATA commands.

    A fault is "refuse" (550), "later" (451), "drop" (close the connection mid-DATA, nothing
    kept) or "hang" (answer nothing for ``hang_seconds``).
    """

    mails: list[EmailMessage] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    hang_seconds: float = 3.0
    delay: float = 0.0  # seconds each accepted message takes
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            fault = self.faults.pop(0) if self.faults else ""
        if fault == "refuse":
            return "550 5.1.1 mailbox unavailable"
        if fault == "later":
            return "451 4.3.0 try again later"
        if fault == "drop":
            assert server.transport is not None
            server.transport.close()
            return "421 closing"
        if fault == "hang":
            await asyncio.sleep(self.hang_seconds)
            return "451 4.4.2 too slow"
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        mail = message_from_bytes(raw, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        with self.lock:
            self.mails.append(mail)
        return "250 OK queued"

    def ids(self) -> Counter[str]:
        with self.lock:
            return Counter(str(m["Message-ID"]) for m in self.mails)


TLS = Path(__file__).resolve().parents[1] / "fixtures" / "tls"  # localhost, until 2126
USER, PASSWORD = "accueil", "s3cret"


def _login(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
           data: Any) -> AuthResult:  # fmt: skip
    good = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=good, handled=False)  # a failure answers 535


def tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
    return context


@contextmanager
def smtp_server(security: str = "none") -> Iterator[tuple[MailStore, int]]:
    """aiosmtpd on loopback; ``starttls`` or ``tls`` (implicit): TLS and AUTH required."""
    store = MailStore()
    port = free_port()
    secure: dict[str, Any] = {}
    if security == "starttls":
        secure = {"tls_context": tls_context(), "require_starttls": True}
    elif security == "tls":
        secure = {"ssl_context": tls_context()}
    if secure:  # (with implicit TLS, aiosmtpd cannot tell it is on TLS: it is)
        secure |= {"authenticator": _login, "auth_required": True}
        secure["auth_require_tls"] = security == "starttls"
    controller = Controller(store, hostname="127.0.0.1", port=port, **secure)
    controller.start()
    try:
        yield store, port
    finally:
        controller.stop()


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """Keeps every request; answers the next ones as ``script`` says, then ``status``.

    A scripted answer is a status (500, 429…), "hang" (answer after ``hang_seconds``) or
    "garbage" (a 200 whose body is not what was asked).
    ``answer`` gives the body of a 2xx (a gateway's JSON, say) from the request.
    """

    requests: list[Request] = field(default_factory=list)
    accepted: list[Request] = field(default_factory=list)  # those answered 2xx
    script: list[int | str] = field(default_factory=list)
    status: int = 200
    retry_after: str = ""
    hang_seconds: float = 2.0
    answer: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            step = self.script.pop(0) if self.script else self.status
            self.requests.append(request)
        if step == "hang":
            time.sleep(self.hang_seconds)
            step = 200
        if step == "garbage":  # a 200 that says nothing a client can read
            return 200, {"content-type": "text/html"}, b"<html><body>Service Unavail"
        status = int(step)
        if 200 <= status < 300:
            with self.lock:
                self.accepted.append(request)
        headers = {"retry-after": self.retry_after} if self.retry_after and status == 429 else {}
        body = b""
        if 200 <= status < 300 and self.answer is not None:
            body = json.dumps(self.answer(request)).encode()
            headers["content-type"] = "application/json"
        return status, headers, body


@contextmanager
def http_receiver(receiver: HttpReceiver | None = None) -> Iterator[HttpReceiver]:
    found = receiver or HttpReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            if len(body) < length:  # the client died mid-request (SIGKILL): nothing received
                self.close_connection = True
                return
            request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            status, headers, body = found.handle(request)
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up waiting (a hang test)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    found.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Gateway:
    """Plays an SMS gateway (generic or Twilio-compatible): sends each idempotency key once.

    A repeated request with a key it has seen answers the first id and sends nothing more, as
    real gateways do with an idempotency key.
    """

    kind: str = "generic"
    sent: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # key → (id, to, text)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: Request) -> dict[str, str]:
        if self.kind == "twilio":
            from urllib.parse import parse_qs

            form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
            key, to, text = request.headers["i-twilio-idempotency-token"], form["To"], form["Body"]
        else:
            data = request.json()
            key, to, text = request.headers["idempotency-key"], data["to"], data["text"]
        with self.lock:
            if key not in self.sent:
                self.sent[key] = (f"SM{len(self.sent) + 1:04d}", to, text)
            found = self.sent[key][0]
        return {"sid": found, "status": "queued"} if self.kind == "twilio" else {"id": found}
