"""Callers' patience, learned from the calls the engine sees end (issue 17, session 9).

Each call that stops waiting tells how long it waited and whether the caller hung up. From a
histogram of those waits (1-second bins) the engine estimates, on its own clock, the hazard of
hanging up by time waited, and from it the *grace*: how long a caller may wait before hanging up
becomes likely. Within the grace a wait is nearly free; past it, every second costs the same
(memoryless patience, as W1's 10 s + Exp(80 s)): the *hazard* past the grace, abandonments per
second waited beyond it, prices a wait (the guard, session 11). Sans-I/O and cheap: an ended call
costs two counter increments; the grace and the hazard are recomputed every ``refresh`` calls, in
one pass over the bins.
"""

from __future__ import annotations

import math


class Patience:
    """Kaplan-Meier estimate of the callers' patience from the waits the engine saw end."""

    __slots__ = (
        "_abandoned",
        "_ended",
        "_grace",
        "_hazard",
        "_since",
        "bins",
        "min_abandons",
        "refresh",
        "risk",
    )

    def __init__(self, risk: float = 0.005, min_abandons: int = 50, bins: int = 120) -> None:
        self.risk = risk  # the share of callers that may hang up within the grace
        self.min_abandons = min_abandons  # abandonments seen before any grace is granted
        self.bins = bins  # seconds followed; longer waits count in the last bin
        self.refresh = 4 * min_abandons  # ended calls between two estimates
        self._ended = [0] * bins  # calls whose wait ended in each second (any outcome)
        self._abandoned = [0] * bins  # of them, callers who hung up
        self._since = 0  # ended calls since the last estimate
        self._grace = 0.0
        self._hazard = 0.0

    def ended(self, waited: float, abandoned: bool) -> None:
        """A call stopped waiting after ``waited`` seconds (answered, abandoned or overflowed:
        only an abandonment is an event; the others are censored there)."""
        b = min(self.bins - 1, max(0, int(waited)))
        self._ended[b] += 1
        if abandoned:
            self._abandoned[b] += 1
        self._since += 1
        if self._since >= self.refresh:
            self._since = 0
            self._grace = self._estimate()
            self._hazard = self._hazard_past(self._grace) if self._grace > 0 else 0.0

    def grace(self) -> float:
        """Seconds of waiting within which at most ``risk`` of the callers hang up (0 until
        enough abandonments were seen: no grace assumed)."""
        return self._grace

    def hazard(self) -> float:
        """Callers hanging up per second waited past the grace (0 while no grace is learned):
        a constant rate's estimate, the abandonments past the grace over the seconds waited
        there (a wait of w seconds past the grace costs about hazard × w abandonments)."""
        return self._hazard

    def survival(self, waited: float) -> float:
        """The estimated share of callers still waiting after ``waited`` seconds."""
        at_risk = sum(self._ended)
        alive = 1.0
        for b in range(min(self.bins, max(0, math.ceil(waited)))):
            if at_risk <= 0:
                break
            alive *= 1.0 - self._abandoned[b] / at_risk
            at_risk -= self._ended[b]
        return alive

    def _estimate(self) -> float:
        if sum(self._abandoned) < self.min_abandons:
            return 0.0
        at_risk = sum(self._ended)
        alive = 1.0
        for b in range(self.bins):
            if at_risk <= 0:
                return float(b)
            alive *= 1.0 - self._abandoned[b] / at_risk
            if alive < 1.0 - self.risk:
                return float(b)  # the bin where hanging up starts: the grace ends at its start
            at_risk -= self._ended[b]
        return float(self.bins)

    def _hazard_past(self, grace: float) -> float:
        # Seconds waited in each bin past the grace: the calls still waiting at its start, less
        # half of those whose wait ended in it (the last bin, open-ended, counts as one second).
        start = min(self.bins, int(grace))
        at_risk = sum(self._ended[start:])
        exposure = 0.0
        abandons = 0
        for b in range(start, self.bins):
            exposure += at_risk - self._ended[b] / 2
            abandons += self._abandoned[b]
            at_risk -= self._ended[b]
        return abandons / exposure if exposure > 0 else 0.0
