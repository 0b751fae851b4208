"""Netstrings (``12:hello world!,``), the framing of Kamailio's evapi socket."""

from __future__ import annotations

MAX_LENGTH = 1 << 20  # no message of ours comes near; a larger one is a broken peer


class NetstringError(ValueError):
    """The stream is not netstrings: the connection must be dropped."""


def encode(payload: bytes) -> bytes:
    return b"%d:%s," % (len(payload), payload)


class Decoder:
    """Feed bytes as they arrive; take out whole payloads."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        out: list[bytes] = []
        while self._buffer:
            colon = self._buffer.find(b":", 0, 12)
            head = bytes(self._buffer[: colon if colon >= 0 else 12])
            if not head.isdigit() or (colon < 0 and len(self._buffer) >= 12):
                raise NetstringError(f"bad netstring length {head!r}")
            if colon < 0:
                break
            length = int(head)
            if length > MAX_LENGTH:
                raise NetstringError(f"netstring of {length} bytes refused")
            end = colon + 1 + length
            if len(self._buffer) < end + 1:
                break
            if self._buffer[end : end + 1] != b",":
                raise NetstringError("netstring not closed by ','")
            out.append(bytes(self._buffer[colon + 1 : end]))
            del self._buffer[: end + 1]
        return out
