"""Benchmark: a small solve as a whole process (start-up, imports, load, solve, polish, print), and
where its import time goes.  Issue 20's targets: a 10-channel single-period solve in ≤ 0.6 s end to
end, ``channelmix --version`` in ≤ 0.25 s.

Run from the repository root::

    python benchmarks/bench_startup.py                                  # this install, 5 runs a command
    python benchmarks/bench_startup.py --vs ../other/.venv/bin/channelmix   # side by side: A B A B …
    python benchmarks/bench_startup.py --profile                        # and the import profile

A plain script, not a test (pytest collects ``tests/`` only).  Each command runs once unmeasured
(the files are in the page cache, the bytecode written unless PYTHONDONTWRITEBYTECODE is set: then an
editable install compiles its own modules in every run, about 0.15 s of a solve; set PYTHONPYCACHEPREFIX
and unset it to time what an installed package does), then ``--runs`` times, alternating with
``--vs`` when given; each run's wall time (``time.perf_counter``) and CPU time (user + system of the
finished child, from ``resource.getrusage``) are taken, and the table prints their medians and,
with ``--vs``, the median of the run-by-run ratios (this install ÷ the other), which holds when the
machine's speed drifts.  ``--profile`` runs the first command once with ``python -X importtime`` and
sums each package's own import time: the share of each is what to cut next (the absolute figures of
``-X importtime`` run high).  Print ``os.getloadavg()`` beside it: on a busy machine, quote ratios.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [  # the 10-channel Persian plan, the bakery's base plan (its variants listed, not solved), 13 channels
    ("khadamat-persian", ["solve", "scenarios/khadamat-persian.yaml"]),
    ("township-bakery", ["solve", "scenarios/township-bakery.yaml"]),
    ("boutique-en-ligne", ["solve", "scenarios/boutique-en-ligne.yaml"]),
    ("--version", ["--version"]),
]


def run_once(executable: str, args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one finished run (its output read and dropped)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run([executable, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(executables: list[str], args: list[str], runs: int) -> list[list[tuple[float, float]]]:
    """``runs`` (wall, cpu) pairs per executable, the executables taking turns after one warm-up each."""
    for executable in executables:
        run_once(executable, args)
    times: list[list[tuple[float, float]]] = [[] for _ in executables]
    for _ in range(runs):
        for i, executable in enumerate(executables):
            times[i].append(run_once(executable, args))
    return times


def import_profile(executable: str, args: list[str], top: int = 16) -> list[tuple[str, float, float]]:
    """Each package's own import time (ms, share) in one run under ``-X importtime``, largest first;
    channelmix by subpackage."""
    python = Path(executable).with_name("python")
    done = subprocess.run([str(python), "-X", "importtime", "-m", "channelmix", *args], cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    by: dict[str, float] = {}
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if found:
            parts = found.group(2).split(".")
            key = ".".join(parts[:2]) if parts[0] == "channelmix" else parts[0]
            by[key] = by.get(key, 0.0) + int(found.group(1)) / 1000
    total = sum(by.values()) or 1.0
    return [(name, ms, ms / total) for name, ms in sorted(by.items(), key=lambda kv: -kv[1])[:top]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--channelmix", default=str(Path(sys.executable).with_name("channelmix")),
                        help="the install to time (default: beside this Python)")
    parser.add_argument("--vs", help="another install's channelmix, timed in turn with it")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="also the import profile of the first command")
    options = parser.parse_args()
    executables = [options.channelmix] + ([options.vs] if options.vs else [])
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {options.runs} runs each, medians")
    head = f"{'command':20s} {'wall s':>7s} {'cpu s':>7s}"
    print(head + (f" {'vs wall':>8s} {'vs cpu':>7s} {'ratio wall':>10s} {'ratio cpu':>9s}" if options.vs else ""))
    for name, args in COMMANDS:
        times = measure(executables, args, options.runs)
        walls = [statistics.median(w for w, _ in t) for t in times]
        cpus = [statistics.median(c for _, c in t) for t in times]
        row = f"{name:20s} {walls[0]:7.3f} {cpus[0]:7.3f}"
        if options.vs:
            ratio_wall = statistics.median(a[0] / b[0] for a, b in zip(*times))
            ratio_cpu = statistics.median(a[1] / b[1] for a, b in zip(*times))
            row += f" {walls[1]:8.3f} {cpus[1]:7.3f} {ratio_wall:10.3f} {ratio_cpu:9.3f}"
        print(row)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if options.profile:
        name, args = COMMANDS[0]
        print(f"\nimport time of `channelmix {' '.join(args)}` by package (own time, -X importtime):")
        for package, ms, share in import_profile(options.channelmix, args):
            print(f"  {package:28s} {ms:7.1f} ms  {share:5.1%}")


if __name__ == "__main__":
    main()
