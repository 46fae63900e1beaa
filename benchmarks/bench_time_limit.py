"""Does ``solver.time_limit`` hold for a robust plan over many worlds? Wall time of the CLI
against the limit, for the township bakery with N worlds and CVaR (issue 18: 1,000 worlds with
``time_limit: 20`` took 59 s and ended ``no_solution``).

    python benchmarks/bench_time_limit.py                          # 200, 500, 1000 worlds × 20 s, 60 s
    python benchmarks/bench_time_limit.py --worlds 1000 --limits 20 --channelmix /path/to/other/channelmix

Each row is one ``channelmix solve FILE --format json`` in a subprocess (Python's start and
loading the file included, which the time limit does not cover): wall seconds, the limit,
their ratio, the plan's status, its CVaR and the start of its message. Prints one table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[1]


def scenario(worlds: int, limit: float) -> dict:
    data = yaml.safe_load((ROOT / "scenarios" / "township-bakery.yaml").read_text(encoding="utf-8"))
    data.pop("variants", None)
    data.pop("sweep", None)
    data["worlds"] = {"uncertainty": {"affinity": 0.2, "response": 0.3, "count": worlds, "seed": 1}}
    data["objective"] = {**data["objective"], "risk": "cvar", "alpha": 0.2}
    data["solver"] = {"time_limit": limit}
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, nargs="+", default=[200, 500, 1000])
    parser.add_argument("--limits", type=float, nargs="+", default=[20.0, 60.0])
    here = Path(sys.executable).with_name("channelmix")
    parser.add_argument("--channelmix", default=str(here if here.exists() else shutil.which("channelmix")))
    args = parser.parse_args()
    print(f"{'worlds':>6} {'limit s':>7} {'wall s':>7} {'wall/limit':>10}  status       cvar       message")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bakery-worlds.yaml"
        for worlds in args.worlds:
            for limit in args.limits:
                path.write_text(yaml.safe_dump(scenario(worlds, limit), allow_unicode=True, sort_keys=False),
                                encoding="utf-8")
                began = time.perf_counter()
                done = subprocess.run([args.channelmix, "solve", str(path), "--format", "json"], capture_output=True,
                                      text=True)
                wall = time.perf_counter() - began
                plan = json.loads(done.stdout) if done.stdout.strip() else {}
                cvar = (plan.get("risk") or {}).get("cvar")
                print(f"{worlds:>6} {limit:>7.0f} {wall:>7.1f} {wall / limit:>10.2f}  "
                      f"{plan.get('status', 'error'):<12} {'' if cvar is None else f'{cvar:,.0f}':>9}  "
                      f"{(plan.get('message') or done.stderr.strip()[-80:])[:70]}")


if __name__ == "__main__":
    main()
