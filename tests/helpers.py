"""Shared builders for the solver tests: scenario dicts, solving, plan facts, and a
random generator of small scenarios.

Scenarios are plain dicts in the file format (docs/architecture.md, "The scenario file"), so a failing test can be
pasted into a YAML file as it is (``yaml.safe_dump(d)``).
"""

from __future__ import annotations

import copy
import random
from fractions import Fraction
from typing import Any

import numpy as np

from channelmix.schema import validate
from channelmix.schema.models import Scenario
from channelmix.solve.pipeline import solve_scenario
from channelmix.verify.plan import Plan

PHASES = ["aware", "buy"]
SEGMENTS = ["young", "old"]


# ---------------------------------------------------------------- building scenarios


def channel(cid: str, response: dict | None = None, affinity: Any = None, **fields: Any) -> dict:
    """A channel dict; default: linear, slope 0.001 (reach 1 at 1000), serves every cell fully."""
    out = {
        "id": cid,
        "response": response if response is not None else {"type": "linear", "slope": 0.001},
        "affinity": affinity if affinity is not None else {"*": 1.0},
    }
    out.update(fields)
    return out


def scenario(**overrides: Any) -> dict:
    """A small valid scenario dict (2 phases × 2 segments of size 100), with keys replaced.

    ``rules``, ``objective`` and ``solver`` overrides are merged into the defaults
    (``solver`` defaults to ``gap: 0`` so that optima are exact)."""
    base: dict[str, Any] = {
        "scenario": "test",
        "phases": list(PHASES),
        "segments": [{"id": g, "size": 100} for g in SEGMENTS],
        "budget": 1000,
        "channels": [channel("a")],
        "rules": {},
        "objective": {"sense": "max_reach"},
        "solver": {"gap": 0},
    }
    for key, value in overrides.items():
        if key in ("rules", "objective", "solver") and isinstance(value, dict):
            base[key] = {**base[key], **value}
        elif value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def load(d: dict) -> Scenario:
    """The validated scenario of a dict (raises ScenarioError on bad input)."""
    return validate(copy.deepcopy(d), source="test").scenario


def solve(d: dict | Scenario) -> Plan:
    """Validate (if a dict) and solve one scenario."""
    return solve_scenario(load(d) if isinstance(d, dict) else d)


def on_ids(plan: Plan) -> set[str]:
    return {c.id for c in plan.channels if c.on}


def spend(plan: Plan, cid: str) -> float:
    return next(c.spend for c in plan.channels if c.id == cid)


def cell(plan: Plan, phase: str, segment: str):
    return next(c for c in plan.coverage if c.phase == phase and c.segment == segment)


def with_rules(d: dict, **rules: Any) -> dict:
    """A copy of ``d`` with some rules added or replaced."""
    out = copy.deepcopy(d)
    out["rules"] = {**out.get("rules", {}), **rules}
    return out


# ---------------------------------------------------------------- random small scenarios

EXACT_CURVES = ("constant", "linear", "pwl")
ALL_SENSES = ("max_reach", "min_cost", "max_value", "target")


def _concave_pwl(rng: random.Random) -> list[list[float]]:
    """Points [0,0], ... with strictly falling slopes (checked in exact arithmetic)."""
    while True:
        k = rng.randint(1, 3)
        xs = [0]
        for _ in range(k):
            xs.append(xs[-1] + rng.choice([100, 200, 300, 500, 800]))
        ys = [0.0]
        rise = [rng.choice([0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5]) for _ in range(k)]
        for j in range(k):
            ys.append(round(min(1.0, ys[-1] + rise[j]), 4))
        fx = [Fraction(x) for x in xs]
        fy = [Fraction(y) for y in ys]
        slopes = [(fy[j + 1] - fy[j]) / (fx[j + 1] - fx[j]) for j in range(k)]
        if all(s > 0 for s in slopes) and all(slopes[j + 1] < slopes[j] for j in range(k - 1)):
            return [[x, y] for x, y in zip(xs, ys)]


def _s_shaped_pwl(rng: random.Random) -> list[list[float]]:
    """An S-shaped (non-concave) pwl: a slow start, a steep middle, a flat-ish end."""
    a = rng.choice([100, 200, 300])
    b = a + rng.choice([100, 200, 400])
    c = b + rng.choice([200, 500])
    y1 = rng.choice([0.02, 0.05])
    y2 = round(y1 + rng.choice([0.3, 0.5, 0.6]), 4)
    y3 = round(min(1.0, y2 + rng.choice([0.05, 0.1])), 4)
    return [[0, 0], [a, y1], [b, y2], [c, y3]]


def random_response(rng: random.Random, curves=EXACT_CURVES) -> tuple[dict, float]:
    """A response dict and a sensible max_spend for it."""
    kind = rng.choice(curves)
    if kind == "constant":
        return {"type": "constant", "value": round(rng.uniform(0.1, 0.9), 2)}, (
            0 if rng.random() < 0.7 else rng.choice([100, 300]))
    if kind == "linear":
        knee = rng.choice([200, 400, 500, 800, 1000, 1600, 2000])
        return {"type": "linear", "slope": 1.0 / knee}, rng.choice([100, 250, 500, 1000, 1500, 2500])
    if kind == "pwl":
        points = _concave_pwl(rng)
        return {"type": "pwl", "points": points}, int(points[-1][0] * rng.choice([0.5, 0.8, 1.0, 1.5]))
    if kind == "pwl_s":
        points = _s_shaped_pwl(rng)
        return {"type": "pwl", "points": points}, int(points[-1][0] * rng.choice([0.6, 1.0, 1.3]))
    if kind == "saturating":
        return {"type": "saturating", "scale": rng.choice([150, 300, 600, 1000])}, rng.choice([300, 800, 1500, 3000])
    if kind == "hill":
        return {"type": "hill", "half": rng.choice([200, 500, 1000]),
                "shape": rng.choice([0.8, 1.5, 2, 3, 4])}, rng.choice([500, 1500, 3000])
    raise ValueError(kind)


def random_scenario(rng: random.Random, *, min_channels: int = 2, max_channels: int = 6, curves=EXACT_CURVES,
                    senses=ALL_SENSES, rule_p: float = 0.3, omit_max_spend: float = 0.0,
                    omit_for: tuple[str, ...] = ("linear", "pwl", "saturating", "hill")) -> dict:
    """A random small scenario: 2 phases × 2 segments, a few channels, a random mix of rules.

    ``omit_max_spend``: chance that a channel whose response type is in ``omit_for`` has
    no max_spend (then channelmix caps its spend itself).  Every other spend channel has one."""
    n = rng.randint(min_channels, max_channels)
    ids = [f"c{i}" for i in range(n)]
    sense = rng.choice(senses)
    has_hours = rng.random() < 0.5
    channels = []
    for cid in ids:
        response, cap = random_response(rng, curves)
        ch: dict[str, Any] = {"id": cid, "response": response, "max_spend": cap}
        if response["type"] in omit_for and rng.random() < omit_max_spend:
            del ch["max_spend"]
        if rng.random() < 0.5:
            ch["fixed_cost"] = rng.choice([10, 50, 100, 200, 400])
        if cap > 0 and rng.random() < 0.25:
            ch["min_spend"] = int(cap * rng.choice([0.1, 0.3, 0.6]))
        if has_hours and rng.random() < 0.6:
            ch["uses"] = {"hours": {"fixed": rng.choice([0, 1, 2, 5]), "per_unit": rng.choice([0, 0.002, 0.005])}}
        ch["medium"] = rng.choice(["digital", "physical"])
        ch["function"] = rng.sample(["communication", "sales", "distribution"], rng.randint(1, 2))
        if rng.random() < 0.5:
            ch["tags"] = ["paid"]
        affinity: dict[str, Any] = {}
        for p in PHASES:
            if rng.random() < 0.15:
                affinity[p] = round(rng.uniform(0.05, 1.0), 2)  # one number: every segment
                continue
            row = {g: round(rng.uniform(0.05, 1.0), 2) for g in SEGMENTS if rng.random() < 0.7}
            if row:
                affinity[p] = row
        ch["affinity"] = affinity
        channels.append(ch)

    segments = [{"id": g, "size": rng.randint(10, 100), "weight": rng.choice([1, 1, 2])} for g in SEGMENTS]
    if sense == "max_value":
        for s in segments:
            s["value"] = rng.choice([1, 2, 5, 10, 20])
    phases = [{"id": p, "weight": rng.choice([1, 1, 2])} for p in PHASES]
    d: dict[str, Any] = {
        "scenario": "random",
        "phases": phases,
        "segments": segments,
        "budget": rng.choice([100, 300, 600, 1000, 1500, 2500, 4000]),
        "channels": channels,
        "objective": {"sense": sense, "tie_break": rng.random() < 0.5},
        "solver": {"gap": 0},
    }
    if has_hours:
        d["resources"] = {"hours": rng.choice([3, 5, 8, 12, 20])}

    rules: dict[str, Any] = {}
    coverage = []
    if rng.random() < rule_p:
        coverage.append(
            {"target": round(rng.uniform(0.1, 0.7), 2), "hard": False,
             "penalty": rng.choice([10, 50, 200, 1000, 20000])})
    if rng.random() < rule_p or sense == "min_cost":
        rule: dict[str, Any] = {"target": round(rng.uniform(0.05, 0.35), 2), "hard": True}
        if rng.random() < 0.3:
            rule["phase"] = rng.choice(PHASES)
        elif rng.random() < 0.4:
            rule["segment"] = rng.choice(SEGMENTS)
        coverage.append(rule)
    if coverage:
        rules["coverage"] = coverage
    if rng.random() < rule_p:
        hard = rng.random() < 0.5
        b: dict[str, Any] = {"min_channels": rng.choice([1, 1, 2]), "threshold": rng.choice([0.05, 0.2, 0.5]),
                             "hard": hard}
        if not hard:
            b["penalty"] = rng.choice([5, 50, 300])
        if rng.random() < 0.5:
            b["phase"] = rng.choice(PHASES)
        rules["breadth"] = b
    if rng.random() < rule_p:
        rules["redundancy"] = {"min_channels": rng.choice([2, 3]), "threshold": rng.choice([0.05, 0.3]),
                               "penalty": rng.choice([5, 40, 200])}
    if rng.random() < rule_p:
        rules["concentration"] = {"max_share": rng.choice([0.4, 0.5, 0.7, 0.9])}
    if rng.random() < rule_p:
        lo = rng.choice([0, 0, 1, 2])
        card: dict[str, Any] = {"min": lo}
        if rng.random() < 0.6:
            card["max"] = rng.randint(max(lo, 1), n)
        if rng.random() < 0.5:
            card["penalty_per_channel"] = rng.choice([1, 10, 50])
        rules["cardinality"] = card
    if rng.random() < rule_p:
        groups = []
        for _ in range(rng.randint(1, 2)):
            kind = rng.choice(["medium", "function", "channels", "tag"])
            g: dict[str, Any]
            if kind == "medium":
                g = {"medium": rng.choice(["digital", "physical"])}
            elif kind == "function":
                g = {"function": rng.choice(["communication", "sales", "distribution"])}
            elif kind == "tag" and any("paid" in c.get("tags", []) for c in channels):
                g = {"tag": "paid"}
            else:
                g = {"channels": rng.sample(ids, rng.randint(1, min(3, n)))}
            bound = rng.choice(["min_share", "max_share", "min_count", "max_count"])
            g[bound] = rng.choice([0.2, 0.3, 0.5, 0.7]) if "share" in bound else rng.choice([0, 1, 1, 2])
            groups.append(g)
        rules["groups"] = groups
    if rng.random() < rule_p and n >= 2:
        rules["requires"] = [rng.sample(ids, 2)]
    if rng.random() < rule_p and n >= 2:
        rules["excludes"] = [rng.sample(ids, 2)]
    forced = rng.sample(ids, min(2, n))
    if rng.random() < rule_p / 2:
        rules["force_on"] = [forced[0]]
    if rng.random() < rule_p / 2 and n >= 2:
        rules["force_off"] = [forced[1]]
    d["rules"] = rules

    if sense == "min_cost" and rng.random() < 0.5:
        del d["budget"]
    if sense == "target":
        total = sum(p["weight"] * s["weight"] * s["size"] for p in phases for s in segments)
        d["objective"]["level"] = round(total * rng.choice([0.05, 0.1, 0.2, 0.4, 0.6]), 2)
    return d


def hill_instance(n: int, seed: int) -> dict:
    """Budget-only allocation: channel i alone serves segment i (weight w_i) on an S-shaped Hill curve."""
    rng = np.random.default_rng([seed, n])
    channels = [{"id": f"c{i}", "response": {"type": "hill", "half": round(float(rng.uniform(500, 5000)), 2),
                                             "shape": round(float(rng.uniform(1.2, 3.5)), 2)},
                 "affinity": {"p": {f"g{i}": 1.0}}} for i in range(n)]
    weights = rng.uniform(0.5, 3.0, n).round(3)
    return {"scenario": "hill", "phases": ["p"], "budget": float(round(rng.uniform(0.3, 1.5) * n * 2000, 2)),
            "segments": [{"id": f"g{i}", "size": 1000.0, "weight": float(weights[i])} for i in range(n)],
            "channels": channels, "objective": {"sense": "max_reach"}}


def timed_nap(item: tuple[int, float]) -> tuple[int, float, float]:
    """(pid, start, end) of sleeping ``item[1]`` seconds: a piece of work for the process-pool tests (a
    worker imports it by name, so it lives here and not in a test module)."""
    import os
    import time

    began = time.time()
    time.sleep(item[1])
    return os.getpid(), began, time.time()
