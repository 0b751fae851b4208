"""After a replay, the telephony requests the world still expects, asked again.

A leader appends an input to the journal, applies it, and only then sends the telephony what
the input asked for (ring a device, bridge, hang up…). Killed in between, it journaled an
input whose requests never left the process. The new leader replays with the telephony muted
(``inputs.Mute`` notes the requests) and then asks again, in their order, those whose effect
the journal does not show and that still fit the state it rebuilt:

- a device or softphone still ringing for the call (``ring_device``, ``ring_agent``) is rung
  again; one asked to stop is asked again to stop;
- a call talking with its agent is bridged again;
- a call hung up or transferred is hung up or transferred again, unless the telephony said
  since that it ended.

Every port takes these twice without harm: ringing what rings, bridging what is bridged,
hanging up what is over do nothing (``telephony/memory.py``, ``sip/telephony.py``).
"""

from __future__ import annotations

from accueil.switchboard.calls import CallInProgress, Stage
from accueil.switchboard.inputs import Request
from accueil.telephony.port import DeviceRing, Telephony

_RINGS = ("ring_agent", "ring_device", "stop_ringing")


def still_expected(asked: list[Request], calls: dict[str, CallInProgress]) -> list[Request]:
    """The requests of ``asked`` (in order) that the rebuilt ``calls`` still expect."""
    last: dict[tuple[str, str, str], tuple[int, Request]] = {}
    for n, request in enumerate(asked):
        what, call, detail = request
        if what == "ended":
            last = {key: v for key, v in last.items() if key[1] != call}
        elif what in _RINGS:
            who = detail.device if isinstance(detail, DeviceRing) else str(detail)
            last[("ring", call, who)] = (n, request)
        else:
            last[("line", call, "")] = (n, request)
    return [r for _, r in sorted(last.values(), key=lambda v: v[0]) if _fits(r, calls)]


def _fits(request: Request, calls: dict[str, CallInProgress]) -> bool:
    what, call, detail = request
    state = calls.get(call)
    if what == "ring_device":
        assert isinstance(detail, DeviceRing)
        return state is not None and state.stage is Stage.RINGING and detail.device in state.ringing
    if what == "ring_agent":
        return state is not None and state.stage is Stage.OFFERED and state.agent == detail
    if what == "bridge":
        return state is not None and state.stage is Stage.TALKING and state.agent == detail
    return True  # stop ringing, hang up, transfer: asked again, harmless if done


def ask_again(telephony: Telephony, requests: list[Request]) -> None:
    for what, call, detail in requests:
        if what == "ring_device":
            assert isinstance(detail, DeviceRing)
            telephony.ring_device(call, detail)
        elif what in ("ring_agent", "stop_ringing", "bridge"):
            getattr(telephony, what)(call, str(detail))
        elif what == "transfer":
            telephony.transfer(call, str(detail))
        elif what == "hang_up":
            telephony.hang_up(call, str(detail))
