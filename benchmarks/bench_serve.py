"""The planner's targets, measured through its HTTP API in one run (issue #21):

- edit to verified plan: a budget edit posted to ``/api/solve`` until the verified plan's answer
  is back, for every shipped scenario (target ≤ 0.5 s single-period, ≤ 3 s the six-month bakery);
  the median of ``--repeat`` edits after one warm-up edit per scenario;
- server start to first plan: ``channelmix serve`` started as a process until the first plan
  of the bakery is answered (target ≤ 2 s);
- the same edit through ``channelmix solve --set`` (a process per edit), for the ratio.

    python benchmarks/bench_serve.py [--repeat 5]
    python benchmarks/bench_serve.py --start-only --starts 5 --against OTHER/.venv/bin/channelmix

``--against`` times another installation's ``channelmix serve`` (an older checkout) in the same
run, the two started in turn (A B A B …), so the start-up figures stand side by side.

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

import channelmix as cm
from channelmix.cli.planner.forms import form_of
from channelmix.cli.planner.server import prepare, serving

ROOT = Path(__file__).parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
CHANNELMIX = Path(sys.executable).with_name("channelmix")


def edits(path: Path, count: int) -> list[str]:
    """Budget edits around the file's own budget: each a new scenario, never a cached answer."""
    form = form_of(cm.load(path))
    budget = form["budget"]
    return [f"{form['budget_path']}={budget * (0.9 + 0.05 * i):.0f}" for i in range(count)]


def through_api(repeat: int) -> list[tuple[str, str, float, float, float]]:
    rows = []
    with serving(prepare(ROOT / "scenarios", token="bench", timeout=300)) as started:
        started.planner.plans.start()
        base = f"http://127.0.0.1:{started.gate.port}"
        with httpx.Client(base_url=base, timeout=300, cookies={"channelmix_token": "bench"}) as client:
            for path in SCENARIOS:
                kind = cm.load(path).scenario.kind
                times, solves = [], []
                for i, edit in enumerate(edits(path, repeat + 1)):
                    began = time.perf_counter()
                    answer = client.post("/api/solve", json={"file": path.name, "sets": [edit]}).json()
                    took = time.perf_counter() - began
                    assert answer["status"] == "ok" and answer["verified"], (path.name, answer.get("message"))
                    if i:  # the first edit of a file reads it and warms its curves
                        times.append(took)
                        solves.append(answer["solve_seconds"])
                cli = cli_seconds(path, edits(path, 1)[0])
                rows.append((path.stem, kind, statistics.median(times), statistics.median(solves), cli))
    return rows


def cli_seconds(path: Path, edit: str) -> float:
    began = time.perf_counter()
    subprocess.run([str(CHANNELMIX), "solve", str(path), "--set", edit, "--format", "json"], check=True,
                   capture_output=True)
    return time.perf_counter() - began


def start_to_first_plan(command: Path = CHANNELMIX) -> tuple[float, float]:
    """``channelmix serve`` as a user starts it: seconds to the page and to the first verified plan
    of the bakery (the page's own request, no edits)."""
    began = time.perf_counter()
    process = subprocess.Popen([str(command), "serve", str(ROOT / "scenarios" / "township-bakery.yaml"),
                                "--no-browser"], stderr=subprocess.PIPE, text=True)
    try:
        url = process.stderr.readline().split("channelmix planner: ", 1)[1].strip()
        port, token = url.split(":")[2].split("/")[0], url.split("token=")[1]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as client:
            while True:
                try:
                    page = client.get(f"/plan?file=township-bakery.yaml&token={token}")
                    break
                except httpx.ConnectError:
                    time.sleep(0.02)
            assert page.status_code == 200
            on_screen = time.perf_counter() - began
            answer = client.post("/api/solve", json={"file": "township-bakery.yaml", "sets": []}).json()
            assert answer["status"] == "ok" and answer["verified"]
        return on_screen, time.perf_counter() - began
    finally:
        process.terminate()
        process.wait(timeout=30)


def starts(count: int, against: Path | None) -> None:
    """Start to first plan, ``count`` times each, this installation and ``against`` in turn."""
    commands = [("this checkout", CHANNELMIX)] + ([("--against", against)] if against else [])
    found: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in commands}
    for _ in range(count):
        for name, command in commands:
            found[name].append(start_to_first_plan(command))
    print("| channelmix serve | start → page (median s) | start → first verified plan (median s) | "
          "min–max (s) | target |")
    print("|---|---|---|---|---|")
    for name, command in commands:
        pages, plans = [p for p, _ in found[name]], [f for _, f in found[name]]
        median = statistics.median(plans)
        print(f"| {name} ({command}) | {statistics.median(pages):.2f} | {median:.2f} | {min(plans):.2f}–"
              f"{max(plans):.2f} | ≤ 2 {'✓' if median <= 2 else '✗'} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--start-only", action="store_true", help="only the server's start to its first plan")
    parser.add_argument("--starts", type=int, default=1, help="start-up runs per installation")
    parser.add_argument("--against", type=Path, help="another installation's channelmix command, timed in turn")
    args = parser.parse_args()
    if args.start_only:
        starts(args.starts, args.against)
        return
    rows = through_api(args.repeat)
    print("| scenario | kind | edit → verified plan, HTTP (median s) | of which in the worker | target | "
          "`solve --set` process (s) | CLI / HTTP |")
    print("|---|---|---|---|---|---|---|")
    for name, kind, http, worker, cli in rows:
        target = 3.0 if kind == "periods" else 0.5
        print(f"| {name} | {kind} | {http:.3f} | {worker:.3f} | ≤ {target:g} {'✓' if http <= target else '✗'} | "
              f"{cli:.2f} | {cli / http:.1f}× |")
    print()
    starts(args.starts, args.against)


if __name__ == "__main__":
    main()
