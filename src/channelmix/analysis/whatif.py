"""What-if questions over many related plans: sweeps and their frontier, comparisons, diffs.

Everything returns pandas DataFrames, for notebooks and for the CLI's tables alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..model.solution import SOLVED
from ..schema import Loaded
from ..schema.expand import Case, grid, value_at
from ..solve.pipeline import solve_from
from ..verify.plan import Plan


@dataclass(frozen=True)
class Sweep:
    """The plans of a sweep (or grid), the paths varied, and the frontier table."""

    paths: list[str]
    cases: list[Case]
    plans: list[Plan]
    frontier: pd.DataFrame
    seconds: float


def plans_table(plans: list[Plan], extra: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """One row per plan: scenario, status, objective, cost, weakest cell, channels on, the
    number of periods (1 for a single-period plan) and a ``spend_<channel>`` column per
    channel (over all periods); ``extra`` adds columns (e.g. varied paths)."""
    rows = []
    for i, plan in enumerate(plans):
        row: dict[str, Any] = {"scenario": plan.scenario}
        row.update((extra or [{}] * len(plans))[i])
        row.update(status=plan.status, objective=plan.objective, cost=plan.cost, currency=plan.currency,
                   sense=plan.sense, weighted_reach=plan.weighted_reach, verified=plan.verified,
                   weakest_cell=min((c.level for c in plan.coverage), default=None),
                   channels_on=len(plan.on_channels()) if plan.solved else None,
                   periods=(len(plan.schedule.periods) if plan.schedule is not None else 1) if plan.solved else None)
        row.update({f"spend_{c.id}": c.spend for c in plan.channels})
        rows.append(row)
    return pd.DataFrame(rows)


def sweep(loaded: Loaded, vary: dict[str, list[float]], overrides: dict[str, Any] | None = None,
          warm_start: bool = True) -> Sweep:
    """Solve every step of a sweep (one path) or grid (several), each warm-started from
    the step before it, and build the frontier.

    Stable mixes: among equal optima each step takes the plan with the fewest on/off
    changes from the step before it (the tie-break pass, within its node budget), so
    the mix does not jump between neighbouring budgets for nothing."""
    import time

    began = time.perf_counter()
    cases = grid(loaded, vary, overrides)
    plans: list[Plan] = []
    start: dict[str, float] | None = None
    near: dict[str, bool] | None = None
    for case in cases:
        plan, values = solve_from(case.scenario, case.warnings, start if warm_start else None, near=near)
        plans.append(plan)
        start = values or start
        if plan.solved:
            near = {c.id: c.on for c in plan.channels}
    paths = list(vary)
    table = frontier(plans, cases, paths)
    table.attrs["today"] = today(loaded, paths[0], overrides)
    return Sweep(paths, cases, plans, table, time.perf_counter() - began)


def today(loaded: Loaded, path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the sweep's reports mark: the swept path's value in the file (or in ``overrides``),
    the money today's plan (``current:``) spends and its objective (today's point on the frontier),
    each None when unknown."""
    from ..verify.baseline import score

    value = (overrides or {}).get(path, value_at(loaded.raw, path))
    number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    today_plan = score(loaded.scenario) if loaded.scenario.current is not None else None
    return {"path": path, "value": number, "current": today_plan.money if today_plan is not None else None,
            "current_objective": today_plan.objective if today_plan is not None else None}


def frontier(plans: list[Plan], cases: list[Case], paths: list[str]) -> pd.DataFrame:
    """The sweep table: varied values, objective, money spent, the marginal value of
    the first varied path's next unit, channels on, which enter and leave, the knee."""
    table = plans_table(plans, [{p: c.overrides[p] for p in paths} for c in cases])
    first = paths[0]
    others = paths[1:]
    marginal, entering, leaving, on_names = [], [], [], []
    previous: dict[tuple, tuple[float, Plan]] = {}  # other paths' values -> (first path's value, plan)
    for case, plan in zip(cases, plans):
        key = tuple(case.overrides[p] for p in others)
        prior = previous.get(key)
        now_on = {c.id for c in plan.on_channels()} if plan.solved else set()
        on_names.append(" ".join(c.id for c in plan.on_channels()) if plan.solved else "")
        if prior is not None and prior[1].solved and plan.solved:
            was_at, before = prior
            step = case.overrides[first] - was_at
            rise = plan.value - before.value
            rise = 0.0 if abs(rise) <= 1e-9 * max(1.0, abs(plan.value)) else rise  # solver noise
            marginal.append(rise / step if step else math.nan)
            was_on = {c.id for c in before.on_channels()}
            entering.append(" ".join(sorted(now_on - was_on)))
            leaving.append(" ".join(sorted(was_on - now_on)))
        else:
            marginal.append(math.nan)
            entering.append("")
            leaving.append("")
        previous[key] = (case.overrides[first], plan)
    table.insert(table.columns.get_loc("cost") + 1, "marginal", marginal)
    table.insert(table.columns.get_loc("channels_on") + 1, "on", on_names)
    table.insert(table.columns.get_loc("on") + 1, "entering", entering)
    table.insert(table.columns.get_loc("entering") + 1, "leaving", leaving)
    table.insert(table.columns.get_loc("leaving") + 1, "knee", _knee(table, first) if not others else False)
    return table


def _knee(table: pd.DataFrame, path: str) -> list[bool]:
    """The step farthest from the straight line between the first and last solved steps:
    where the curve bends, past which more of the swept resource buys much less."""
    solved = table[table["status"].isin(SOLVED)]
    flags = [False] * len(table)
    if len(solved) < 3:
        return flags
    x = solved[path].astype(float).to_numpy()
    y = solved["objective"].astype(float).to_numpy()
    if x[-1] == x[0] or y.max() == y.min():
        return flags
    xn = (x - x[0]) / (x[-1] - x[0])
    yn = (y - y.min()) / (y.max() - y.min())
    chord = yn[0] + (yn[-1] - yn[0]) * xn
    distance = abs(yn - chord)
    best = int(distance.argmax())
    if distance[best] > 0.02:
        flags[solved.index[best]] = True
    return flags


def compare(plans: list[Plan]) -> pd.DataFrame:
    """One row per scenario, a spend column per channel, plus objective, cost, the
    coverage of the weakest cell and the status."""
    return plans_table(plans)


def diff(before: Plan, after: Plan) -> pd.DataFrame:
    """What moved between two plans: per channel, on/off and spend before and after."""
    rows = []
    was = {c.id: c for c in before.channels}
    now = {c.id: c for c in after.channels}
    for cid in list(dict.fromkeys([*was, *now])):
        a, b = was.get(cid), now.get(cid)
        spend_a, spend_b = (a.spend if a else 0.0), (b.spend if b else 0.0)
        on_a, on_b = bool(a and a.on), bool(b and b.on)
        change = "enters" if on_b and not on_a else "leaves" if on_a and not on_b else \
            "" if abs(spend_b - spend_a) <= 1e-6 * max(1.0, abs(spend_a)) else "moves"
        rows.append({"channel": cid, "on_before": on_a, "on_after": on_b, "spend_before": spend_a,
                     "spend_after": spend_b, "change_in_spend": spend_b - spend_a, "change": change})
    for name, x, y in (("objective", before.objective, after.objective), ("cost", before.cost, after.cost)):
        rows.append({"channel": f"({name})", "spend_before": x, "spend_after": y,
                     "change_in_spend": (y - x) if x is not None and y is not None else None, "change": "total"})
    return pd.DataFrame(rows)
