"""Refusing an alias bomb costs what reading a normal file of the same size costs.

Workload: the "billion laughs" bomb of issue 9 (nine aliases of nine aliases, nine levels:
9**9 values from under 1 KB) as a rules file, a script and a directory file, each read by the
project's one YAML loader (``core.safe_yaml``) through the reader that takes it. Baseline in
the same process: a normal file of the same size in bytes, read the same way (a rules file of
repeated rules, a script of repeated steps, a directory of repeated people). Figures are the
median of 20 reads, in milliseconds, and the peak of Python allocations (tracemalloc) of one
read. Before the safe loader, ``rules check`` of the bomb took 40 s and 1.4 GB.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable

from accueil.core.rules import load_text
from accueil.core.scripts.document import parse_layer
from accueil.directory_io.yaml_source import read_yaml
from accueil.errors import ValidationFailed

READS = 20


def bomb(head: str, tail: str) -> str:
    lines = [head.rstrip("\n"), 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"l{n}: &l{n} [{','.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 9)]
    return "\n".join(lines) + "\n" + tail


def padded(head: str, unit: str, size: int) -> str:
    """``head`` then ``unit`` (its ``{n}`` numbered) repeated up to ``size`` bytes, then a
    comment to make up the rest: a normal file of exactly that size."""
    text, n = head, 0
    while unit and len((text + unit.replace("{n}", str(n))).encode()) <= size:
        text, n = text + unit.replace("{n}", str(n)), n + 1
    return text + "#" * (size - len(text.encode()) - 1) + "\n"


RULE = (
    "  - name: VIP to mobile\n    when: {caller_in_list: VIP}\n"
    "    then: {type: message, urgency: urgent}\n"
)
STEP = "  - id: s{n}\n    say: Bonjour, cabinet Martin, que puis-je pour vous ?\n"
PERSON = "  - {account: acme, key: p{n}, first_name: Claire, last_name: Martin}\n"


SIZE = 978  # bytes, the size of the bomb: each file is made up to it with a comment


def _rules_bomb() -> str:
    return padded(bomb("account: martin\nperson: claire\n", "rules: *l8\n"), "", SIZE)


def _cases() -> list[tuple[str, Callable[[str], object], str, str]]:
    return [
        (
            "rules check",
            lambda t: load_text(t, "rules.yaml"),
            _rules_bomb(),
            padded("account: martin\nperson: claire\nrules:\n", RULE, SIZE),
        ),
        (
            "script check",
            lambda t: parse_layer(t, "script.yaml"),
            padded(bomb("greetings: {fr: {office_hours: Bonjour}}", "steps: *l8\n"), "", SIZE),
            padded("greetings: {fr: {office_hours: Bonjour}}\nsteps:\n", STEP, SIZE),
        ),
        (
            "directory import",
            lambda t: read_yaml(t, "people.yaml"),
            padded(bomb("accounts: []", "people: *l8\n"), "", SIZE),
            padded("accounts: [{key: acme, name: Acme}]\npeople:\n", PERSON, SIZE),
        ),
    ]


def _read(reader: Callable[[str], object], text: str) -> str:
    try:
        result = reader(text)
    except ValidationFailed as exc:
        return f"refused: {exc.problems[0].reason[:60]}"
    if isinstance(result, tuple) and result[1]:  # the directory reader returns its problems
        return f"refused: {result[1][0].reason[:60]}"
    return "read"


def _measure(reader: Callable[[str], object], text: str) -> tuple[float, float, str]:
    times = []
    outcome = ""
    for _ in range(READS):
        started = time.perf_counter()
        outcome = _read(reader, text)
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    _read(reader, text)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times) * 1000, peak, outcome


def run() -> None:
    print(
        f"workload: the billion-laughs alias bomb (9**9 values from {len(_rules_bomb().encode())}"
        f" bytes) read as rules, a script and a directory file; baseline: a normal file of the"
        f" same size read the same way; median of {READS} reads, peak of one (tracemalloc)"
    )
    for label, reader, hostile, normal in _cases():
        for kind, text in (("bomb", hostile), ("normal", normal)):
            ms, peak, outcome = _measure(reader, text)
            size = len(text.encode())
            print(f"  {label:<17} {kind:<7} {size:5d} B  {ms:7.2f} ms  {peak:6.2f} MiB  {outcome}")
