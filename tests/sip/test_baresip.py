"""A real softphone: baresip (headless, auto-answer) registered as secretary alice answers the
call the engine offers her, and audio flows both ways: her tone reaches the caller as RTP, the
caller's tone reaches her and is decoded (baresip's sndfile dump of what it received)."""

from __future__ import annotations

import asyncio
import math
import os
import shutil
import socket
import struct
import subprocess
import threading
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest
from call_world import Line, play
from sip_world import DOMAIN, PASSWORDS, Sipp
from sqlalchemy import Engine

from accueil.sip.kamailio import Kamailio, free_port

MODULES = Path("/usr/lib/baresip/modules")


def need_baresip() -> None:
    if shutil.which("baresip") and (MODULES / "sndfile.so").exists():
        return
    reason = "baresip missing (Debian baresip-core; bash .ci/sip-tools installs it)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _ulaw(sample: int) -> int:
    """G.711 mu-law of a 16-bit sample."""
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), 32635) + 132
    exponent = max(0, magnitude.bit_length() - 8)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (min(exponent, 7) << 4) | mantissa) & 0xFF


def _tone(frequency: float, samples: int, rate: int = 8000) -> list[int]:
    return [int(12000 * math.sin(2 * math.pi * frequency * i / rate)) for i in range(samples)]


_SILENT = {0xFF, 0x7F}  # mu-law zero


@dataclass
class RtpPeer:
    """The caller's audio: answers each RTP packet from the softphone with one of its own (a
    1 kHz tone, PCMU), to the address it came from (symmetric RTP)."""

    sock: socket.socket
    heard: int = 0  # packets from the softphone with sound in them
    sent: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        payload = bytes(_ulaw(s) for s in _tone(1000.0, 160))
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                packet, source = self.sock.recvfrom(2048)
            except TimeoutError:
                continue
            if len(packet) > 12 and set(packet[12:]) - _SILENT:
                self.heard += 1
            header = struct.pack("!BBHII", 0x80, 0, self.sent & 0xFFFF, self.sent * 160, 0xACCE11)
            self.sock.sendto(header + payload, source)
            self.sent += 1


def _softphone(folder: Path, kamailio: Kamailio) -> tuple[Path, int]:
    """baresip's configuration for alice: auto-answer, a 440 Hz tone as her microphone, what she
    hears dumped to WAV files."""
    folder.mkdir()
    port = free_port()
    mic = folder / "mic.wav"
    with wave.open(str(mic), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"".join(struct.pack("<h", s) for s in _tone(440.0, 8000 * 20)))
    s = kamailio.settings
    (folder / "config").write_text(
        f"""poll_method epoll
sip_listen 127.0.0.1:{port}
sip_transports udp
audio_source aufile,{mic}
audio_player aubridge,ear
audio_alert aubridge,ring
ausrc_srate 8000
auplay_srate 8000
ausrc_channels 1
auplay_channels 1
snd_path {folder}
module_path {MODULES}
module g711.so
module aufile.so
module aubridge.so
module sndfile.so
module_app account.so
module_app menu.so
"""
    )
    (folder / "accounts").write_text(
        f"<sip:alice@{DOMAIN}>;auth_pass={PASSWORDS['alice']};"
        f'outbound="sip:{s.host}:{s.port};transport=udp";regint=300;answermode=auto;'
        "audio_codecs=PCMU\n"
    )
    return folder, port


def _start(tmp_path: Path, kamailio: Kamailio) -> tuple[Path, IO[bytes], subprocess.Popen[bytes]]:
    """baresip started on a free port (again on another when the port was taken meanwhile)."""
    for attempt in range(3):
        folder, _ = _softphone(tmp_path / f"baresip{attempt}", kamailio)
        out = (tmp_path / "baresip.out").open("wb")
        # the test ends it; its own bound (90 s) only ends one left behind, and holds its
        # registration, the call and its 3 s of talk on a loaded machine
        baresip = subprocess.Popen(
            ["timeout", "-k", "2", "95", "baresip", "-f", str(folder), "-t", "90"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.5)
        if b"Address already in use" not in (tmp_path / "baresip.out").read_bytes():
            return folder, out, baresip
        baresip.terminate()
        baresip.wait(60)
        out.close()
    raise AssertionError("baresip found no free port in 3 tries")


def test_a_real_softphone_answers_and_audio_flows_both_ways(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int], tmp_path: Path
) -> None:
    need_baresip()
    folder, out, baresip = _start(tmp_path, kamailio)
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp.bind(("127.0.0.1", 0))
    peer = RtpPeer(rtp)
    listener = threading.Thread(target=peer.run, daemon=True)
    listener.start()

    def said() -> str:
        return (tmp_path / "baresip.out").read_text(errors="replace")[-3000:]

    async def scenario(w: Line) -> None:
        deadline = time.monotonic() + 30  # a loaded machine starts baresip slowly
        while "200 OK" not in said():  # registered with its digest
            assert time.monotonic() < deadline and baresip.poll() is None, said()
            await asyncio.sleep(0.1)
        await w.ready("alice")
        done = await w.call(talk_ms=3000, media_port=rtp.getsockname()[1])
        assert done.ok, done.explain() + said() + kamailio.said()[-2000:]
        assert w.desks.last("alice", "connected")["call"] == w.desks.last("alice", "offer")["call"]

    try:
        play(seeded, kamailio, sipp, trunk, scenario)
    finally:
        peer.stop.set()
        # it stops within its 0.2 s receive; bounded far above (a loaded machine): closed
        # under it, its socket's error would fail the test (warnings are errors)
        listener.join(30)
        rtp.close()
        baresip.terminate()
        baresip.wait(60)
        out.close()
    # alice's tone reached the caller, and the caller's reached alice, decoded
    assert peer.heard > 50 and peer.sent > 50, (peer.heard, peer.sent, said())
    [heard] = list(folder.glob("dump-*-dec.wav")) or [None]
    assert heard is not None, (sorted(p.name for p in folder.iterdir()), said())
    with wave.open(str(heard), "rb") as dump:
        frames = dump.readframes(dump.getnframes())
    loudest = max(abs(v) for (v,) in struct.iter_unpack("<h", frames[: len(frames) // 2 * 2]))
    assert loudest > 3000, (loudest, said())
