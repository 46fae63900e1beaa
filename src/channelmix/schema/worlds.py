"""Cross-checks of ``worlds:`` and ``objective.risk``, and the draws table they may name.

A draws table (``channel, draw, spend, outcome``, as ``channelmix import curves`` writes
it beside a scenario) is read here, once: every problem is reported at once, and a
scenario that loads carries the table's absolute path, so that building its worlds
(:mod:`channelmix.model.worlds_draws`) never meets a bad file.  A draw whose curve is exactly a
Hill curve (Meridian's steady weekly response, one per posterior draw) is one row
``channel, draw, half, shape, value`` instead of points.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from .limits import MAX_AMOUNT, MIN_CURVE_SPEND, RANGE_FIX
from .problems import Problem
from .responses import point_problem
from .saturations import Saturation
from .types import id_from_name

DRAW_COLUMNS = ("channel", "draw", "spend", "outcome")
HILL_COLUMNS = ("channel", "draw", "half", "shape", "value")
Hill = tuple[float, float, float]  # (half, shape, value): value · s^shape / (s^shape + half^shape)


def worlds_problems(scenario: Any, base: Path | None) -> tuple[Any, list[Problem]]:
    """(the scenario with its draws path made absolute, problems)."""
    if scenario.objective.risk is not None and scenario.worlds is None:
        return scenario, [
            Problem("objective.risk", f"{scenario.objective.risk} needs worlds to judge a plan in",
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
    return {c.id: c.response.samples for c in scenario.channels if isinstance(c.response, Saturation)
            and c.response.samples > 1}


def sample_problems(scenario: Any) -> list[Problem]:
    """worlds.samples needs curves with posterior samples, all of the same number, at least ``count``."""
    sampled = sampled_curves(scenario)
    if not sampled:
        return [Problem("worlds.samples",
                        "no channel's curve holds posterior samples (a PyMC-Marketing curve with one value per sample)",
                        "import the model with 'channelmix import pymc-marketing', or use worlds: {uncertainty: …}")]
    sizes = sorted(set(sampled.values()))
    if len(sizes) > 1:
        listed = ", ".join(f"{c} {n}" for c, n in sampled.items())
        return [Problem("worlds.samples",
                        f"the curves hold different numbers of posterior samples ({listed}), so a world cannot take "
                        "one joint sample of them all", "import every channel from the same fitted model")]
    count = scenario.worlds.samples.count
    if count != "all" and count > sizes[0]:
        return [Problem("worlds.samples.count", f"is {count}, but the curves hold {sizes[0]} posterior samples",
                        f"use a count of at most {sizes[0]}, or all")]
    return []


def read_draws(path: Path, scenario: Any) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """draw -> channel id -> [(spend, outcome)] by rising spend (or a Hill tuple), and the problems found."""
    import pandas as pd

    where = f"worlds.draws ({path.name})"
    if not path.is_file():
        return {}, [
            Problem("worlds.draws", f"no such file: {path}",
                    "give the path of a .draws.csv relative to the scenario file")]
    try:
        frame = pd.read_csv(path, dtype={"channel": str, "draw": str})
    except (ValueError, OSError, UnicodeDecodeError) as err:
        return {}, [
            Problem(where, f"cannot be read as CSV ({err})",
                    "write it as 'channelmix import curves' does: channel,draw,spend,outcome")]
    if "spend" not in frame.columns and all(c in frame.columns for c in HILL_COLUMNS):
        return _hills(frame, where, scenario)
    missing = [c for c in DRAW_COLUMNS if c not in frame.columns]
    if missing:
        return {}, [
            Problem(where, f"lacks column(s) {', '.join(missing)}", f"the columns are {', '.join(DRAW_COLUMNS)}")]
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
            problems.append(
                Problem(f"{where}: row {row}", f"spend {spend!r} and outcome {outcome!r} must be numbers ≥ 0",
                        "fix the row"))
            continue
        if max(s, o) > MAX_AMOUNT:  # the range `import curves` and every amount of a scenario keep
            problems.append(Problem(f"{where}: row {row}",
                                    f"spend {s:g} and outcome {o:g} must be at most {MAX_AMOUNT:g}", RANGE_FIX))
            continue
        out.setdefault(str(draw), {}).setdefault(cid, []).append((s, o))
    for draw, curves in out.items():
        for cid, points in curves.items():
            points.sort()
            if any(b[0] <= a[0] for a, b in zip(points, points[1:])):
                problems.append(
                    Problem(f"{where}: draw {draw}, channel {cid}", "gives the same spend twice",
                            "keep one outcome per spend in each draw"))
    if not problems:  # the table's shape, once every row is sound (a bad row left out would look like a short draw)
        problems += _equal_lengths(out, where)
    if not problems:
        problems += _same_spends(out, where) + _curve_problems(out, where)
    if not out and not problems:
        problems.append(Problem(where, "has no rows", "export the draws with 'channelmix import curves'"))
    return out, problems


def _hills(frame: Any, where: str, scenario: Any) -> tuple[dict[str, dict[str, Hill]], list[Problem]]:
    """draw -> channel id -> (half, shape, value), one row per channel and draw."""
    problems: list[Problem] = []
    ids = {c.id for c in scenario.channels}
    labels = {c.name: c.id for c in scenario.channels}
    out: dict[str, dict[str, Hill]] = {}
    for row, (name, draw, half, shape, value) in enumerate(frame[list(HILL_COLUMNS)].itertuples(index=False), start=2):
        cid = _channel(str(name), ids, labels)
        try:
            h, a, v = float(half), float(shape), float(value)
        except (TypeError, ValueError):
            h = a = v = math.nan
        if cid is None:
            problems.append(Problem(f"{where}: row {row}, column channel", f"unknown channel '{name}'",
                                    f"use one of the scenario's channel ids: {', '.join(sorted(ids)[:12])}"))
        elif not (MIN_CURVE_SPEND <= h <= MAX_AMOUNT and 0 < a <= 20 and 0 <= v <= MAX_AMOUNT):
            problems.append(Problem(f"{where}: row {row}",
                                    f"half {half!r}, shape {shape!r}, value {value!r} are not a Hill curve",
                                    f"half within [{MIN_CURVE_SPEND:g}, {MAX_AMOUNT:g}], shape within (0, 20], value "
                                    f"within [0, {MAX_AMOUNT:g}]"))
        elif cid in out.setdefault(str(draw), {}):
            problems.append(Problem(f"{where}: row {row}", f"gives channel {cid} twice in draw {draw}",
                                    "keep one row per channel and draw"))
        else:
            out[str(draw)][cid] = (h, a, v)
    channels = {cid for curves in out.values() for cid in curves}
    for draw, curves in out.items():
        if set(curves) != channels:
            problems.append(Problem(f"{where}: draw {draw}", f"lacks {', '.join(sorted(channels - set(curves)))}",
                                    "give every draw every channel"))
    if not out and not problems:
        problems.append(Problem(where, "has no rows", "write one row per channel and draw"))
    return out, problems


def draw_curve(points: list[tuple[float, float]]) -> tuple[list[list[float]], float]:
    """One draw's curve of a channel as a world has it: pwl points (reach shares: the outcome less
    the outcome at spend 0, over its largest value; from [0, 0]) and that largest value, its
    ``outcome.value``. A draw that does not start at spend 0 starts at [0, 0]; a flat one is 0."""
    base = points[0][1] if points[0][0] == 0 else 0.0
    rise = [(s, max(o - base, 0.0)) for s, o in points if s > 0]
    top = max((o for _, o in rise), default=0.0)
    if top <= 0:
        return [[0.0, 0.0], [max(s for s, _ in points) or 1.0, 0.0]], 0.0
    return [[0.0, 0.0], *[[s, o / top] for s, o in rise]], top


def _same_spends(out: dict[str, dict[str, list[tuple[float, float]]]], where: str) -> list[Problem]:
    """Every draw gives a channel the same spends (as `import curves` requires of its table): the
    worlds then share the channel's breakpoints, rather than a grid of every draw's own spends."""
    problems = []
    first_draw, first = next(iter(out.items()))
    for cid, points in first.items():
        spends = [s for s, _ in points]
        for draw, curves in out.items():
            other = [s for s, _ in curves[cid]]
            if any(abs(a - b) > 1e-9 * max(abs(a), abs(b)) for a, b in zip(spends, other)):
                problems.append(Problem(f"{where}: draw {draw}, channel {cid}",
                                        f"uses other spends than draw {first_draw}",
                                        "give every draw the same spends"))
                break
    return problems


def _curve_problems(out: dict[str, dict[str, list[tuple[float, float]]]], where: str) -> list[Problem]:
    """Each draw's curve must be one the solver can represent (the pwl rule of the schema)."""
    problems = []
    for draw, curves in out.items():
        for cid, points in curves.items():
            drawn = draw_curve(points)[0]
            found = point_problem([float(x) for x, _ in drawn], [float(y) for _, y in drawn])
            if found is not None:
                i, message, fix = found
                problems.append(Problem(f"{where}: draw {draw}, channel {cid}", f"its curve's point {i}: {message}",
                                        fix))
    return problems[:10]


def _channel(name: str, ids: set[str], labels: dict[str, str]) -> str | None:
    if name in ids:
        return name
    if name in labels:
        return labels[name]
    cid = id_from_name(name)[0]  # as `channelmix import curves` made the ids
    return cid if cid in ids else None


def _equal_lengths(out: dict[str, dict[str, list]], where: str) -> list[Problem]:
    """Every draw must give every channel, with as many points as every other draw."""
    problems = []
    channels = sorted({cid for curves in out.values() for cid in curves})
    for cid in channels:
        sizes = {d: len(curves.get(cid, [])) for d, curves in out.items()}
        if len(set(sizes.values())) > 1:
            short = min(sizes, key=lambda d: sizes[d])
            long = max(sizes, key=lambda d: sizes[d])
            problems.append(
                Problem(
                    f"{where}: channel {cid}",
                    f"has draws of unequal length (draw {short}: {sizes[short]} points, draw {long}: {sizes[long]})",
                    "give every draw the same spends",
                )
            )
    return problems
