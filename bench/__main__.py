"""Run the benchmarks. Each ``bench_<name>.py`` module has a ``run() -> None`` that prints its
figures, its workload and its in-process baseline. Never a pass/fail timing: figures to read.
Several benchmarks run one after the other, each in its own process."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    wanted = [a if a.startswith("bench_") else f"bench_{a}" for a in argv]
    unknown = [w for w in wanted if w not in names]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}")
        return 2
    chosen = wanted or names
    if len(chosen) > 1:
        # One process per benchmark: peak memory (ru_maxrss) and warm caches stay its own.
        failed = [
            name
            for name in chosen
            if subprocess.run([sys.executable, "-m", "bench", name], check=False).returncode
        ]
        if failed:
            print(f"failed: {', '.join(failed)}")
        return 1 if failed else 0
    name = chosen[0]
    print(f"\n=== {name.removeprefix('bench_')} ===", flush=True)
    started = time.perf_counter()
    importlib.import_module(f"bench.{name}").run()
    took = time.perf_counter() - started
    print(f"--- {name.removeprefix('bench_')} took {took:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
