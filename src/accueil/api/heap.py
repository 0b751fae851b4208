"""The served process's garbage collector, set for short pauses.

A full collection walks every object the process tracks: once ``accueil serve`` has started
(the code, the app, the switchboard, the demo operator's caches as they fill) that is over
200,000 objects and took 110-150 ms of CPU, a pause every few hundred requests that every
request in flight waited out: the long tail of the open-loop bench (docs/api.md). Nearly all of
a request's garbage is freed by reference counting; the collector finds almost nothing to
collect, so its young collections are mostly cost, and they move the objects of requests in
flight into the older generations, which brings the full collections on sooner.

So, once started (``settle``): collect, then freeze what is left (moved out of the collector's
reach for good: it lives as long as the process anyway), and collect the young generation ten
times less often. Only the served app does this (``served_app``); tests build many apps in one
process and keep the defaults.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 7_000  # allocations between young collections (Python's default: 700)


def settle() -> None:
    """Collect, freeze the survivors, and space out the young collections."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
