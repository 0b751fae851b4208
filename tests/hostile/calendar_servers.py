"""Loopback HTTP servers for the calendar-feed hostile tests: each answers as its test says
(a body, a redirect, a slow drip) and counts the requests it got and the Host headers sent."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = Callable[[BaseHTTPRequestHandler], None]

ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile tests//EN\r\nBEGIN:VEVENT\r\n"
    b"UID:x\r\nDTSTART:20261130T090000Z\r\nDTEND:20261130T100000Z\r\nSUMMARY:Secret\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)


@dataclass
class Server:
    """One ThreadingHTTPServer on ``host``; ``answer`` writes each response."""

    host: str = "127.0.0.1"
    answer: Answer | None = None
    hits: int = 0
    hosts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                outer.hosts.append(self.headers.get("Host", ""))
                (outer.answer or body(ICS))(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((self.host, 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_port
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str = "/claire.ics") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def body(data: bytes, status: int = 200, length: int | None = None) -> Answer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "text/calendar")
        handler.send_header("Content-Length", str(len(data) if length is None else length))
        handler.end_headers()
        handler.wfile.write(data)

    return answer


def redirect(location: str, status: int = 302) -> Answer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


def drip(every: float, stop: threading.Event, *, headers: bool = False) -> Answer:
    """A byte every ``every`` seconds until ``stop``: of the body, or of the headers."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        try:
            if headers:
                handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
                while not stop.wait(every):
                    handler.wfile.write(b"X-Slow: 1\r\n")
                    handler.wfile.flush()
                return
            handler.send_response(200)
            handler.send_header("Content-Length", "100000")
            handler.end_headers()
            handler.wfile.write(b"BEGIN:VCALENDAR\r\n")
            while not stop.wait(every):
                handler.wfile.write(b"X")
                handler.wfile.flush()
        except OSError:
            pass  # the fetcher hung up: what the test wants

    return answer


def chunked_forever(chunk: bytes) -> Answer:
    """A chunked body with no length that never ends (until the client hangs up)."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.protocol_version = "HTTP/1.1"
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        try:
            while True:
                handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                time.sleep(0)
        except OSError:
            pass

    return answer
