"""Email over SMTP with aiosmtplib: plain text and HTML, our Message-ID, connections reused.

A refusal (5xx) is final; a 4xx, a dropped connection or a time-out is retried by the
dispatcher. The Message-ID is ours (``<uid@accueil>``), the same on every attempt, so a mail
store that keeps one copy per Message-ID keeps one of each message whatever happened.

A message is written out as MIME bytes here (``raw``: headers, then a multipart/alternative of
plain text and HTML, each base64) rather than through ``email.message.EmailMessage``, whose
header registry and generator cost ten times as much CPU: on a shared machine that was most of
a sending's cost. ``compose`` (the library's) stays for the digest and for addresses that are
not ASCII (SMTPUTF8); the tests read both with the standard library's parser.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any

import aiosmtplib

from accueil.dispatch import render
from accueil.dispatch.channel import Receipt, SendFailed
from accueil.errors import says
from accueil.services.deliveries import Claimed
from accueil.services.messages import message_id


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 25
    username: str = ""
    password: str = ""
    security: str = "none"  # none, starttls, tls
    sender: str = "accueil <messages@accueil.invalid>"
    timeout: float = 10.0
    validate_certs: bool = True
    ca_file: str = ""  # the CAs to trust (PEM), else the system's


def mail_id(item: Claimed) -> str:
    """The Message-ID of a delivery: the message's, or one per escalation step."""
    uid = item.message.uid
    return message_id(uid) if item.step == 0 else message_id(f"{uid}.{item.step}")


def compose(item: Claimed, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"] = sender, item.address
    mail["Subject"] = render.subject(item)
    mail["Message-ID"] = mail_id(item)
    mail["Date"] = format_datetime(item.message.taken_at)
    mail["Content-Language"] = item.message.language
    if item.message.first:
        mail["In-Reply-To"] = mail["References"] = message_id(item.message.first)
    if item.message.urgency == "urgent":
        mail["Importance"], mail["X-Priority"] = "high", "1"
    mail.set_content(render.plain(item))
    mail.add_alternative(render.html_body(item), subtype="html")
    return mail


def raw(item: Claimed, sender: str) -> bytes:
    """The message of ``compose``, as the bytes sent after DATA (same headers, same parts)."""
    m = item.message
    head = [
        f"From: {_header_address(sender)}",
        f"To: {item.address}",
        f"Subject: {_header_text(render.subject(item), 'Subject')}",
        f"Message-ID: {mail_id(item)}",
        f"Date: {format_datetime(m.taken_at)}",
        f"Content-Language: {_header_text(m.language, 'Content-Language')}",
    ]
    if m.first:
        head += [f"In-Reply-To: {message_id(m.first)}", f"References: {message_id(m.first)}"]
    if m.urgency == "urgent":
        head += ["Importance: high", "X-Priority: 1"]
    boundary = f"=_{secrets.token_hex(12)}"
    head += ["MIME-Version: 1.0", f'Content-Type: multipart/alternative; boundary="{boundary}"']
    parts = [
        _part("plain", render.plain(item), boundary),
        _part("html", render.html_body(item), boundary),
    ]
    return (
        ("\r\n".join(head) + "\r\n\r\n").encode()
        + b"".join(parts)
        + (f"--{boundary}--\r\n".encode())
    )


def _part(subtype: str, text: str, boundary: str) -> bytes:
    lines = "\n".join(text.splitlines()) + "\n"  # as the library writes text: one \n a line
    body = base64.encodebytes(lines.encode()).replace(b"\n", b"\r\n")
    return (
        f'--{boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode() + body


def _header_text(text: str, name: str) -> str:
    """A header's value: as it is when short ASCII, else RFC 2047 words; never a line break."""
    flat = " ".join(text.split())
    if flat.isascii() and len(flat) < 900:
        return flat
    return Header(flat, "utf-8", header_name=name).encode(linesep="\r\n")


def _header_address(address: str) -> str:
    name, addr = parseaddr(address)
    return formataddr((" ".join(name.split()), addr), "utf-8")


def compose_digest(items: Sequence[Claimed], sender: str) -> EmailMessage:
    title, text, body = render.digest(items)
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, items[0].address, title
    ids = sorted(i.id for i in items)
    mail["Message-ID"] = message_id(f"digest.{ids[0]}.{ids[-1]}.{len(ids)}")
    mail.set_content(text)
    mail.add_alternative(body, subtype="html")
    return mail


class SmtpChannel:
    """Sends through one SMTP server, keeping connections open between messages."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._envelope_sender = parseaddr(settings.sender)[1]
        self._idle: list[aiosmtplib.SMTP] = []

    async def send(self, item: Claimed) -> Receipt:
        if not item.address.isascii():  # SMTPUTF8: the library knows how
            return await self.deliver(compose(item, self.settings.sender))
        mail = raw(item, self.settings.sender)
        return await self._exchange(
            lambda client: client.sendmail(self._envelope_sender, [item.address], mail)
        )

    async def send_digest(self, items: Sequence[Claimed]) -> Receipt:
        return await self.deliver(compose_digest(items, self.settings.sender))

    async def deliver(self, mail: EmailMessage) -> Receipt:
        return await self._exchange(lambda client: client.send_message(mail))

    async def _exchange(self, send: Callable[[aiosmtplib.SMTP], Awaitable[Any]]) -> Receipt:
        """One MAIL FROM/RCPT TO/DATA on an open connection (or a new one), kept open after."""
        client = await self._connection()
        try:
            _, response = await send(client)
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            await _close(client)
            raise _failure(exc) from None
        self._idle.append(client)
        return Receipt(detail=response)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for client in idle:
            await _close(client)

    async def _connection(self) -> aiosmtplib.SMTP:
        while self._idle:
            client = self._idle.pop()
            if client.is_connected:
                return client
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            timeout=s.timeout,
            use_tls=s.security == "tls",
            start_tls=s.security == "starttls",
            validate_certs=s.validate_certs,
            cert_bundle=s.ca_file or None,
        )
        try:
            await client.connect()
            if s.username:
                await client.login(s.username, s.password)
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            await _close(client)
            raise _failure(exc, f"{s.host}:{s.port}") from None
        return client


def _failure(exc: Exception, server: str = "") -> SendFailed:
    """What an SMTP error means: a 5xx is final, anything else may pass."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        return SendFailed(
            says("recipient refused: %(error)s", error=str(exc)), retry=any(c < 500 for c in codes)
        )
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return SendFailed(
            says("SMTP %(code)s: %(error)s", code=exc.code, error=exc.message), retry=exc.code < 500
        )
    if server:
        return SendFailed(
            says("SMTP connection to %(server)s: %(error)s", server=server, error=repr(exc))
        )
    return SendFailed(says("SMTP connection: %(error)s", error=repr(exc)))


async def _close(client: aiosmtplib.SMTP) -> None:
    try:
        if client.is_connected:
            await asyncio.wait_for(client.quit(), 2)
    except (TimeoutError, aiosmtplib.SMTPException, OSError):
        client.close()
