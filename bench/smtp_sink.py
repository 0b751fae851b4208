"""An SMTP server for the dispatch benchmark, in its own process (as a real one would be):
accepts every message and appends "<Message-ID> <unix time>" to a file. Runs until its
standard input closes. ``python -m bench.smtp_sink PORT FILE``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out: Path) -> None:
        self.out = out.open("a", encoding="utf-8", buffering=1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        head = raw.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        found = next(
            (line.split(":", 1)[1].strip() for line in head.splitlines()
             if line.lower().startswith("message-id:")),
            "",
        )  # fmt: skip
        self.out.write(f"{found} {time.time():.6f}\n")
        return "250 OK"


def main(port: int, out: Path) -> None:
    controller = Controller(Sink(out), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
