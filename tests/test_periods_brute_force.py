"""Brute force on tiny horizons (≤ 3 channels × 3 periods): every on/off schedule, each with its
continuous part solved as an LP by scipy's linprog, independently of channelmix's model.

Linear curves min(1, slope · a) make the pieces exact, so the MILP's plan must reach the
brute-force optimum of the real problem: max_value with fixed, set-up and per-period money,
a total budget, carry-over of unspent money, adstock, a resource per period, availability
windows, minimum runs and a cardinality limit over the plan."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from scipy.optimize import linprog

from channelmix.schema import validate
from channelmix.solve.pipeline import solve_scenario

CELLS = [("aware", 1.0), ("buy", 1.0)]  # phase, weight; one segment "all" of size 1


def instance(seed: int) -> dict:
    rng = random.Random(seed)
    C, T = rng.choice([2, 3]), rng.choice([2, 3])
    channels = []
    for c in range(C):
        first = rng.choice([1, 1, 2]) if T > 1 else 1
        channels.append(
            {"id": f"c{c}", "response": {"type": "linear", "slope": round(rng.uniform(0.005, 0.02), 4)},
             "affinity": {"aware": round(rng.uniform(0, 1), 2), "buy": round(rng.uniform(0, 1), 2)},
             "max_spend": rng.choice([60, 100, 150]), "fixed_cost": rng.choice([0, 5, 15]),
             "setup_cost": rng.choice([0, 10, 30]), "carry_over": rng.choice([0, 0, 0.5]), "available_from": first,
             "uses": {"hours": {"per_unit": 0.05, "fixed": 1}}})
    periods = {
        "items": [{"id": str(t + 1), "weight": rng.choice([1, 1, 2]), "budget": rng.choice([80, 120, 200])}
                  for t in range(T)], "carry_over": rng.random() < 0.5}
    rules = {"min_periods_on": rng.choice([1, 2])}
    if C == 3:
        rules["cardinality"] = {"max": 2}
    return {"scenario": f"brute-{seed}", "phases": [{"id": p, "weight": w} for p, w in CELLS],
            "segments": [{"id": "all", "size": 1, "value": 600}], "budget": rng.choice([150, 250, 400]),
            "resources": {"hours": 8}, "periods": periods, "channels": channels, "rules": rules,
            "objective": {"sense": "max_value"}, "solver": {"gap": 0}}


def schedule_ok(d: dict, x: np.ndarray) -> bool:
    C, T = x.shape
    k = d["rules"]["min_periods_on"]
    for c, ch in enumerate(d["channels"]):
        first = int(ch["available_from"]) - 1
        if x[c, :first].any():
            return False
        for t in range(T):
            starts = x[c, t] and (t == 0 or not x[c, t - 1])
            if starts and not x[c, t:min(t + k, T)].all():
                return False
    card = d["rules"].get("cardinality")
    return card is None or int(x.any(axis=1).sum()) <= card["max"]


def best_for(d: dict, x: np.ndarray) -> float | None:
    """max Σ_t w_t (Σ_k W_k z_kt − cost_t) over spends for schedule x, as an LP (None: infeasible)."""
    C, T = x.shape
    chans, items = d["channels"], d["periods"]["items"]
    K = len(CELLS)
    n_s, n_a, n_y = C * T, C * T, C * T
    S, Aa, Y, Z = 0, n_s, n_s + n_a, n_s + n_a + n_y  # variable blocks: s, a, y, z
    n = Z + K * T
    idx = lambda block, c, t: block + c * T + t  # noqa: E731
    zi = lambda k, t: Z + k * T + t  # noqa: E731
    W = [600 * w / sum(w for _, w in CELLS) for _, w in CELLS]  # max_value: size × value × phase share
    cost = np.zeros(n)
    const_obj = 0.0
    fixed = np.zeros(T)  # fixed and set-up money per period (constants under x)
    for c, ch in enumerate(chans):
        for t in range(T):
            if x[c, t]:
                fixed[t] += ch["fixed_cost"] + (ch["setup_cost"] if (t == 0 or not x[c, t - 1]) else 0)
    for t in range(T):
        w = items[t]["weight"]
        for c in range(C):
            cost[idx(S, c, t)] = w  # minimise −objective: + w · spend
        for k in range(K):
            cost[zi(k, t)] = -w * W[k]
        const_obj -= w * fixed[t]
    A_ub, b_ub, A_eq, b_eq = [], [], [], []

    def row() -> np.ndarray:
        return np.zeros(n)

    for c, ch in enumerate(chans):
        for t in range(T):
            r = row()
            r[idx(Aa, c, t)] = 1
            r[idx(S, c, t)] = -1
            if t > 0:
                r[idx(Aa, c, t - 1)] = -ch["carry_over"]
            A_eq.append(r)
            b_eq.append(0.0)
            r = row()
            r[idx(Y, c, t)] = 1
            r[idx(Aa, c, t)] = -ch["response"]["slope"]
            A_ub.append(r)
            b_ub.append(0.0)
    for k, (phase, _) in enumerate(CELLS):
        for t in range(T):
            r = row()
            r[zi(k, t)] = 1
            for c, ch in enumerate(chans):
                r[idx(Y, c, t)] = -ch["affinity"][phase]
            A_ub.append(r)
            b_ub.append(0.0)
    carry = d["periods"]["carry_over"]
    for t in range(T):  # money per period (or cumulative with carry-over), and hours
        r = row()
        for tau in (range(t + 1) if carry else [t]):
            for c in range(C):
                r[idx(S, c, tau)] = 1
        A_ub.append(r)
        b_ub.append(sum(items[tau]["budget"] - fixed[tau] for tau in (range(t + 1) if carry else [t])))
        r = row()
        for c, ch in enumerate(chans):
            r[idx(S, c, t)] = ch["uses"]["hours"]["per_unit"]
        A_ub.append(r)
        b_ub.append(d["resources"]["hours"] - sum(chans[c]["uses"]["hours"]["fixed"] for c in range(C) if x[c, t]))
    r = row()
    r[S:S + n_s] = 1
    A_ub.append(r)
    b_ub.append(d["budget"] - fixed.sum())
    bounds = [None] * n
    for c, ch in enumerate(chans):
        for t in range(T):
            bounds[idx(S, c, t)] = (0, ch["max_spend"] if x[c, t] else 0)
            bounds[idx(Aa, c, t)] = (0, None)
            bounds[idx(Y, c, t)] = (0, 1 if x[c, t] else 0)
    for k in range(K):
        for t in range(T):
            bounds[zi(k, t)] = (0, 1)
    result = linprog(cost, A_ub=np.array(A_ub), b_ub=b_ub, A_eq=np.array(A_eq), b_eq=b_eq, bounds=bounds,
                     method="highs")
    return None if result.status != 0 else -(result.fun) + const_obj


def brute(d: dict) -> float:
    C, T = len(d["channels"]), len(d["periods"]["items"])
    best = None
    for bits in itertools.product([0, 1], repeat=C * T):
        x = np.array(bits, dtype=bool).reshape(C, T)
        if schedule_ok(d, x):
            value = best_for(d, x)
            if value is not None and (best is None or value > best):
                best = value
    assert best is not None  # all off is always feasible
    return best


@pytest.mark.parametrize("seed", range(12))
def test_milp_finds_the_brute_force_optimum(seed: int):
    d = instance(seed)
    plan = solve_scenario(validate(d).scenario)
    assert plan.verified
    assert plan.objective == pytest.approx(brute(d), rel=1e-6, abs=1e-6)
