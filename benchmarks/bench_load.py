"""How long reading a large scenario file takes: parse (libyaml's C loader vs PyYAML's
pure-Python SafeLoader, for reference) and parse + validate, for YAML and JSON.

    python benchmarks/bench_load.py                 # ~3,000 channels, about 1 MB of YAML
    python benchmarks/bench_load.py --channels 6000
    python benchmarks/bench_load.py --validate big.yaml huge.yaml --before /tmp/house/src

``--validate FILE…`` times the whole ``channelmix validate FILE`` command instead (start-up,
parse, validate, exit), each in its own process, wall and CPU seconds (user + system of the
child); with ``--before SRC`` (another checkout's ``src``) once on that code and once on this,
side by side (issue 20: a 29 MB, 78,000-channel file within 30 s).

The scenario is generated deterministically (channels with ids, labels in several
scripts, tags, money fields, a response curve and per-cell affinities). The target
(issue 8): a 1 MB scenario loads and validates in well under 1.5 s. Prints one table
to stdout; times are the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import yaml

from channelmix.schema import load
from channelmix.schema.syntax import parse_text
from channelmix.schema.yaml_reader import StrictLoader

PHASES = ["awareness", "evaluation", "purchase", "delivery", "after_sales"]
SEGMENTS = ["young", "parents", "gifts", "seniors", "students"]
LABELS = ["Référencement naturel", "Nyhetsbrev för kunder", "تبلیغات در اینستاگرام", "Publicidad en radio local",
          "Shop window"]


def scenario(channels: int, seed: int = 1) -> dict[str, Any]:
    """A deterministic scenario with ``channels`` channels (about 330 bytes of YAML each)."""
    rng = random.Random(seed)
    items = []
    for i in range(channels):
        kind = rng.choice(["saturating", "hill", "linear"])
        response = ({"type": "saturating", "scale": rng.randint(500, 9000)} if kind == "saturating" else
                    {"type": "hill", "half": rng.randint(500, 9000), "shape": round(rng.uniform(0.8, 2.5), 2)}
                    if kind == "hill" else {"type": "linear", "slope": round(rng.uniform(1e-4, 1e-3), 6)})
        affinity = {p: {g: round(rng.uniform(0.05, 0.9), 2) for g in rng.sample(SEGMENTS, 3)}
                    for p in rng.sample(PHASES, 2)}
        items.append(
            {"id": f"ch_{i:05d}", "label": f"{rng.choice(LABELS)} {i}",
             "tags": [rng.choice(["own", "paid", "partner"])], "fixed_cost": rng.choice([0, 100, 250, 1e3]),
             "max_spend": 4.5e3 if i % 7 else 1e4, "response": response, "affinity": affinity})
    return {"scenario": "bench-load", "currency": "EUR", "phases": "osterwalder",
            "segments": [{"id": g, "size": 10000 + 1000 * k} for k, g in enumerate(SEGMENTS)],
            "budget": 250000, "channels": items}


def best(repeat: int, run: Callable[[], Any]) -> tuple[float, float]:
    """The best wall-clock and CPU seconds of ``repeat`` runs (CPU time is steadier on a busy machine)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def validate_command(path: str, src: str | None) -> tuple[float, float, int]:
    """``channelmix validate path`` in a child process on the code of ``src`` (None: this checkout's):
    (wall s, CPU s of the child, exit code)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(Path(src).resolve()), env.get("PYTHONPATH", "")])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    code = subprocess.run([sys.executable, "-m", "channelmix", "validate", path], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), code


def validate_files(paths: list[str], before: str | None) -> None:
    print(f"{'file':<28} {'MB':>6} {'code':<7} {'wall s':>8} {'CPU s':>8} exit")
    for path in paths:
        size = Path(path).stat().st_size / 1e6
        for name, src in ([("before", before)] if before else []) + [("after", None)]:
            wall, cpu, code = validate_command(path, src)
            print(f"{Path(path).name:<28} {size:>6.1f} {name:<7} {wall:>8.1f} {cpu:>8.1f} {code}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--channels", type=int, default=3000)
    args.add_argument("--repeat", type=int, default=3)
    args.add_argument("--validate", nargs="+", default=None, metavar="FILE")
    args.add_argument("--before", default=None, help="src folder of the code to compare against")
    opts = args.parse_args(argv)
    if opts.validate:
        validate_files(opts.validate, opts.before)
        return 0
    data = scenario(opts.channels)
    with tempfile.TemporaryDirectory() as tmp:
        paths = {"yaml": Path(tmp) / "big.yaml", "json": Path(tmp) / "big.json"}
        paths["yaml"].write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths["json"].write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        text = paths["yaml"].read_text(encoding="utf-8")
        rows = [
            ("YAML parse, PyYAML SafeLoader (pure Python)", best(1, lambda: yaml.load(text, Loader=yaml.SafeLoader))),
            ("YAML parse, PyYAML CSafeLoader (libyaml)",
             best(opts.repeat, lambda: yaml.load(text, Loader=yaml.CSafeLoader))),
            (f"YAML parse, channelmix ({StrictLoader.__bases__[-1].__name__})",
             best(opts.repeat, lambda: parse_text(text, "yaml", "big.yaml"))),
            ("YAML load + validate (channelmix.schema.load)", best(opts.repeat, lambda: load(paths["yaml"]))),
            ("JSON load + validate (channelmix.schema.load)", best(opts.repeat, lambda: load(paths["json"])))]
        size = paths["yaml"].stat().st_size
    print(
        f"{opts.channels} channels, {size / 1e6:.2f} MB of YAML; best of {opts.repeat} (the pure-Python row: one run)")
    print(f"{'step':<50} {'wall s':>8} {'CPU s':>8}")
    for name, (wall, cpu) in rows:
        print(f"{name:<50} {wall:>8.3f} {cpu:>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
