"""Cross-checks of ``worlds:`` and ``objective.risk``, and the draws table they may name.

A draws table (``channel, draw, spend, outcome``, as ``channelmix import curves`` writes
it beside a scenario) is read here, once: every problem is reported at once, and a
scenario that loads carries the table's absolute path, so that building its worlds
(:mod:`channelmix.worlds_draws`) never meets a bad file.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from .problems import Problem
from .saturations import Saturation

DRAW_COLUMNS = ("channel", "draw", "spend", "outcome")


def worlds_problems(scenario: Any, base: Path | None) -> tuple[Any, list[Problem]]:
    """(the scenario with its draws path made absolute, problems)."""
    if scenario.objective.risk is not None and scenario.worlds is None:
        return scenario, [Problem("objective.risk", f"{scenario.objective.risk} needs worlds to judge a plan in",
                                  "add worlds: {uncertainty: {affinity: 0.2, response: 0.15, count: 50, seed: 1}}, or remove risk")]
    if scenario.worlds is not None and scenario.worlds.samples is not None:
        return scenario, sample_problems(scenario)
    if scenario.worlds is None or scenario.worlds.draws is None:
        return scenario, []
    path = Path(scenario.worlds.draws)
    if not path.is_absolute():
        path = (base or Path.cwd()) / path
    table, problems = read_draws(path, scenario)
    if problems:
        return scenario, problems
    worlds = scenario.worlds.model_copy(update={"draws": str(path.resolve())})
    return scenario.model_copy(update={"worlds": worlds}), []


def sampled_curves(scenario: Any) -> dict[str, int]:
    """channel id -> how many posterior samples its curve holds, for the curves holding more than one."""
    return {c.id: c.response.samples for c in scenario.channels if isinstance(c.response, Saturation) and c.response.samples > 1}


def sample_problems(scenario: Any) -> list[Problem]:
    """worlds.samples needs curves with posterior samples, all of the same number, at least ``count``."""
    sampled = sampled_curves(scenario)
    if not sampled:
        return [Problem("worlds.samples", "no channel's curve holds posterior samples (a PyMC-Marketing curve with one value per sample)",
                        "import the model with 'channelmix import pymc-marketing', or use worlds: {uncertainty: …}")]
    sizes = sorted(set(sampled.values()))
    if len(sizes) > 1:
        listed = ", ".join(f"{c} {n}" for c, n in sampled.items())
        return [Problem("worlds.samples", f"the curves hold different numbers of posterior samples ({listed}), so a world cannot take "
                        "one joint sample of them all", "import every channel from the same fitted model")]
    count = scenario.worlds.samples.count
    if count != "all" and count > sizes[0]:
        return [Problem("worlds.samples.count", f"is {count}, but the curves hold {sizes[0]} posterior samples",
                        f"use a count of at most {sizes[0]}, or all")]
    return []


def read_draws(path: Path, scenario: Any) -> tuple[dict[str, dict[str, list[tuple[float, float]]]], list[Problem]]:
    """draw -> channel id -> [(spend, outcome)] by rising spend, and the problems found."""
    import pandas as pd

    where = f"worlds.draws ({path.name})"
    if not path.is_file():
        return {}, [Problem("worlds.draws", f"no such file: {path}", "give the path of a .draws.csv relative to the scenario file")]
    try:
        frame = pd.read_csv(path, dtype={"channel": str, "draw": str})
    except (ValueError, OSError, UnicodeDecodeError) as err:
        return {}, [Problem(where, f"cannot be read as CSV ({err})", "write it as 'channelmix import curves' does: channel,draw,spend,outcome")]
    missing = [c for c in DRAW_COLUMNS if c not in frame.columns]
    if missing:
        return {}, [Problem(where, f"lacks column(s) {', '.join(missing)}", f"the columns are {', '.join(DRAW_COLUMNS)}")]
    problems: list[Problem] = []
    ids = {c.id for c in scenario.channels}
    labels = {c.name: c.id for c in scenario.channels}
    out: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for row, (name, draw, spend, outcome) in enumerate(frame[list(DRAW_COLUMNS)].itertuples(index=False), start=2):
        cid = _channel(str(name), ids, labels)
        if cid is None:
            problems.append(Problem(f"{where}: row {row}, column channel", f"unknown channel '{name}'",
                                    f"use one of the scenario's channel ids: {', '.join(sorted(ids)[:12])}"))
            continue
        try:
            s, o = float(spend), float(outcome)
        except (TypeError, ValueError):
            s = o = math.nan
        if not (math.isfinite(s) and math.isfinite(o)) or s < 0 or o < 0:
            problems.append(Problem(f"{where}: row {row}", f"spend {spend!r} and outcome {outcome!r} must be numbers ≥ 0", "fix the row"))
            continue
        out.setdefault(str(draw), {}).setdefault(cid, []).append((s, o))
    for draw, curves in out.items():
        for cid, points in curves.items():
            points.sort()
            if any(b[0] <= a[0] for a, b in zip(points, points[1:])):
                problems.append(Problem(f"{where}: draw {draw}, channel {cid}", "gives the same spend twice", "keep one outcome per spend in each draw"))
    problems += _equal_lengths(out, where)
    if not out and not problems:
        problems.append(Problem(where, "has no rows", "export the draws with 'channelmix import curves'"))
    return out, problems


def _channel(name: str, ids: set[str], labels: dict[str, str]) -> str | None:
    if name in ids:
        return name
    if name in labels:
        return labels[name]
    cid = re.sub(r"[\s.]+", "_", name.strip()).strip("_")
    return cid if cid in ids else None


def _equal_lengths(out: dict[str, dict[str, list]], where: str) -> list[Problem]:
    """Every draw must give every channel, with as many points as every other draw."""
    problems = []
    channels = sorted({cid for curves in out.values() for cid in curves})
    for cid in channels:
        sizes = {d: len(curves.get(cid, [])) for d, curves in out.items()}
        if len(set(sizes.values())) > 1:
            short = min(sizes, key=sizes.get)
            long = max(sizes, key=sizes.get)
            problems.append(Problem(f"{where}: channel {cid}", f"has draws of unequal length (draw {short}: {sizes[short]} points, "
                                    f"draw {long}: {sizes[long]})", "give every draw the same spends"))
    return problems
