"""Brute force against channelmix on hundreds of tiny random scenarios.

Only exactly-modelled curves are used (constant, linear, pwl), so channelmix's optimum
must equal the true optimum.  The reference here shares no code with channelmix: it
reads the scenario *dict* itself, enumerates every on/off subset, drops those that
break a rule that depends on the subset alone (force, requires/excludes, cardinality,
hard breadth, group counts), and solves the continuous rest of each subset as an LP
built directly in ``highspy`` (no PuLP, no channelmix.formulate.builder).  A concave curve is
``y ≤ every linear piece``; a non-concave pwl is handled by enumerating which piece
its spend lies on.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import highspy
import numpy as np
import pytest

from channelmix.reports.wording import plan_message
from channelmix.schema import ScenarioError
from channelmix.solve.pipeline import solve_scenario
from helpers import EXACT_CURVES, load, random_scenario

N_RANDOM = 300


# ---------------------------------------------------------------- reading the dict (independently)


def _as_list(v: Any) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


@dataclass
class Curve:
    """f on [0, ∞): pwl through points, flat after the last (constant: value when on)."""

    kind: str
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    value: float = 0.0

    @classmethod
    def of(cls, r: dict) -> "Curve":
        if r["type"] == "constant":
            return cls("constant", value=r["value"])
        if r["type"] == "linear":
            knee = 1.0 / r["slope"]
            return cls("pwl", [0.0, knee], [0.0, 1.0])
        if r["type"] == "pwl":
            return cls("pwl", [float(p[0]) for p in r["points"]], [float(p[1]) for p in r["points"]])
        raise ValueError(f"the reference only models exact curves, not {r['type']}")

    def __call__(self, s: float) -> float:
        if self.kind == "constant":
            return self.value
        return float(np.interp(s, self.xs, self.ys))

    def lines(self) -> list[tuple[float, float, float, float]]:
        """(lo, hi, intercept, slope) of every piece, the last one flat to infinity."""
        out = []
        for j in range(len(self.xs) - 1):
            m = (self.ys[j + 1] - self.ys[j]) / (self.xs[j + 1] - self.xs[j])
            out.append((self.xs[j], self.xs[j + 1], self.ys[j] - m * self.xs[j], m))
        out.append((self.xs[-1], math.inf, self.ys[-1], 0.0))
        return out

    @property
    def concave(self) -> bool:
        if self.kind == "constant":
            return True
        xs = [Fraction(x) for x in self.xs]
        ys = [Fraction(y) for y in self.ys]
        slopes = [(ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j]) for j in range(len(xs) - 1)] + [Fraction(0)]
        return all(slopes[j + 1] <= slopes[j] for j in range(len(slopes) - 1))


class Model:
    """The scenario dict, read by this file alone."""

    def __init__(self, d: dict) -> None:
        self.d = d
        self.phases = [p if isinstance(p, dict) else {"id": p} for p in d["phases"]]
        self.segments = [g if isinstance(g, dict) else {"id": g} for g in d["segments"]]
        self.channels = d["channels"]
        self.ids = [c["id"] for c in self.channels]
        self.n = len(self.channels)
        self.sense = d.get("objective", {}).get("sense", "max_reach")
        self.level = d.get("objective", {}).get("level")
        self.budget = d.get("budget")
        self.resources = d.get("resources", {})
        self.rules = d.get("rules", {})
        self.curves = [Curve.of(c["response"]) for c in self.channels]
        self.fixed = [c.get("fixed_cost", 0.0) for c in self.channels]
        self.lo = [c.get("min_spend", 0.0) for c in self.channels]
        # no max_spend: no cap of its own (docs/architecture.md, "The model": U_c is max_spend); the budget still binds
        self.cap = [float(c["max_spend"]) if c.get("max_spend") is not None else math.inf for c in self.channels]
        self.cells = [(p["id"], g["id"]) for p in self.phases for g in self.segments]
        total_pw = sum(p.get("weight", 1.0) for p in self.phases) or 1.0
        self.weight = {}
        for p in self.phases:
            for g in self.segments:
                pw, size = p.get("weight", 1.0), g.get("size", 1.0)
                if self.sense == "max_value":
                    self.weight[(p["id"], g["id"])] = size * g.get("value", 0.0) * pw / total_pw
                else:
                    self.weight[(p["id"], g["id"])] = pw * g.get("weight", 1.0) * size
        self.aff = [[self._affinity(c, p, g) for (p, g) in self.cells] for c in self.channels]
        self.coverage = [self._rule("coverage", p, g) for (p, g) in self.cells]
        self.breadth = [self._rule("breadth", p, g) for (p, g) in self.cells]
        self.redundancy = [self._rule("redundancy", p, g) for (p, g) in self.cells]

    @staticmethod
    def _affinity(c: dict, phase: str, segment: str) -> float:
        aff = c.get("affinity", {})
        for p in (phase, "*"):
            row = aff.get(p)
            if row is None:
                continue
            if isinstance(row, (int, float)):
                return float(row)
            for g in (segment, "*"):
                if g in row:
                    return float(row[g])
        return 0.0

    def _rule(self, family: str, phase: str, segment: str) -> dict | None:
        found = None
        for rule in _as_list(self.rules.get(family)):
            ps, gs = _as_list(rule.get("phase")) or None, _as_list(rule.get("segment")) or None
            if (ps is None or phase in ps) and (gs is None or segment in gs):
                found = rule
        return found

    def members(self, group: dict) -> list[int]:
        out = []
        for i, c in enumerate(self.channels):
            if "channels" in group:
                ok = c["id"] in group["channels"]
            elif "tag" in group:
                ok = group["tag"] in _as_list(c.get("tags"))
            elif "function" in group:
                ok = group["function"] in _as_list(c.get("function"))
            elif "ownership" in group:
                ok = c.get("ownership") == group["ownership"]
            else:
                ok = c.get("medium") == group["medium"]
            if ok:
                out.append(i)
        return out

    # -- the rules that depend on the on/off subset only ---------------------------

    def subset_ok(self, on: tuple[bool, ...]) -> bool:
        r = self.rules
        idx = {cid: i for i, cid in enumerate(self.ids)}
        if any(not on[idx[c]] for c in r.get("force_on", [])):
            return False
        if any(on[idx[c]] for c in r.get("force_off", [])):
            return False
        if any(on[idx[a]] and not on[idx[b]] for a, b in r.get("requires", [])):
            return False
        if any(on[idx[a]] and on[idx[b]] for a, b in r.get("excludes", [])):
            return False
        count = sum(on)
        card = r.get("cardinality")
        if card is not None:
            if count < card.get("min", 0) or (card.get("max") is not None and count > card["max"]):
                return False
        for k, rule in enumerate(self.breadth):
            if rule is not None and rule.get("hard", True) and rule["min_channels"] > 0:
                if self.serving(on, k, rule) < rule["min_channels"]:
                    return False
        for g in r.get("groups", []):
            n_on = sum(1 for i in self.members(g) if on[i])
            if g.get("min_count") is not None and n_on < g["min_count"]:
                return False
            if g.get("max_count") is not None and n_on > g["max_count"]:
                return False
        return True

    def serving(self, on, k: int, rule: dict) -> int:
        return sum(1 for i in range(self.n) if on[i] and self.aff[i][k] >= rule.get("threshold", 0.05))

    def subset_penalty(self, on) -> float:
        """Penalties fixed by the subset: channel count, soft breadth, redundancy."""
        total = 0.0
        card = self.rules.get("cardinality")
        if card is not None:
            total += card.get("penalty_per_channel", 0.0) * sum(on)
        for family in ("breadth", "redundancy"):
            for k, rule in enumerate(getattr(self, family)):
                if rule is None or rule["min_channels"] == 0 or (family == "breadth" and rule.get("hard", True)):
                    continue
                total += rule["penalty"] * max(0, rule["min_channels"] - self.serving(on, k, rule))
        return total

    @property
    def maximises(self) -> bool:
        return self.sense in ("max_reach", "max_value")


# ---------------------------------------------------------------- the LP of one subset, in highspy


class LP:
    def __init__(self) -> None:
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.cost: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self.infeasible = False

    def var(self, lb: float, ub: float, cost: float = 0.0) -> int:
        self.lb.append(lb)
        self.ub.append(ub)
        self.cost.append(cost)
        return len(self.lb) - 1

    def row(self, terms: dict[int, float], lo: float = -math.inf, hi: float = math.inf) -> None:
        terms = {j: v for j, v in terms.items() if v != 0.0}
        if not terms:  # a constant row: decide it here
            if lo > 1e-9 or hi < -1e-9:
                self.infeasible = True
            return
        self.rows.append((terms, lo, hi))

    def solve(self, highs: highspy.Highs, maximise: bool) -> float | None:
        if self.infeasible or any(lo > hi + 1e-12 for lo, hi in zip(self.lb, self.ub)):
            return None
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.lb)
        lp.num_row_ = len(self.rows)
        lp.col_cost_ = np.array(self.cost, dtype=float)
        lp.col_lower_ = np.array(self.lb, dtype=float)
        lp.col_upper_ = np.array(self.ub, dtype=float)
        lp.row_lower_ = np.array([r[1] for r in self.rows], dtype=float)
        lp.row_upper_ = np.array([r[2] for r in self.rows], dtype=float)
        starts, index, value = [0], [], []
        for terms, _, _ in self.rows:
            for j, v in sorted(terms.items()):
                index.append(j)
                value.append(v)
            starts.append(len(index))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = lp.num_col_
        lp.a_matrix_.num_row_ = lp.num_row_
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(value, dtype=float)
        lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
        highs.clearModel()
        highs.passModel(lp)
        highs.run()
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return highs.getInfo().objective_function_value
        if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return None
        raise AssertionError(f"reference LP ended with status {status}")


def subset_value(m: Model, on: tuple[bool, ...], highs: highspy.Highs) -> float | None:
    """The best objective with exactly these channels on (None: no feasible spends)."""
    active = [i for i in range(m.n) if on[i]]
    # a non-concave pwl: which piece its spend lies on, every combination
    choices = []
    for i in active:
        curve = m.curves[i]
        if curve.kind == "pwl" and not curve.concave:
            choices.append([(i, piece) for piece in curve.lines()])
    best = None
    for pick in itertools.product(*choices):
        piece_of = dict(pick)
        value = _subset_lp(m, on, active, piece_of, highs)
        if value is not None and (best is None or (value > best if m.maximises else value < best)):
            best = value
    return best


def _subset_lp(m: Model, on, active: list[int], piece_of: dict, highs: highspy.Highs) -> float | None:
    lp = LP()
    maximise = m.maximises
    money_sign = -1.0 if maximise else 1.0  # money enters max_value negatively, min senses positively
    s, y = {}, {}
    for i in active:
        lo, hi = m.lo[i], m.cap[i]
        if i in piece_of:
            a, b, _, _ = piece_of[i]
            lo, hi = max(lo, a), min(hi, b)
        pays = m.sense != "max_reach"
        s[i] = lp.var(lo, hi, money_sign if pays else 0.0)
        y[i] = lp.var(0.0, 1.0)
        curve = m.curves[i]
        if curve.kind == "constant":
            lp.ub[y[i]] = curve.value
        elif i in piece_of:
            _, _, q, slope = piece_of[i]
            lp.row({y[i]: 1.0, s[i]: -slope}, hi=q)
        else:
            for _, _, q, slope in curve.lines():
                lp.row({y[i]: 1.0, s[i]: -slope}, hi=q)
    z, u = {}, {}
    for k, key in enumerate(m.cells):
        rule = m.coverage[k]
        target = rule["target"] if rule is not None and rule["target"] > 0 else None
        hard = target is not None and rule.get("hard", True)
        weight = m.weight[key] if maximise else 0.0
        z[k] = lp.var(target if hard else 0.0, 1.0, weight)
        lp.row({z[k]: 1.0, **{y[i]: -m.aff[i][k] for i in active}}, hi=0.0)
        if target is not None and not hard:
            u[k] = lp.var(0.0, target, -rule["penalty"] if maximise else rule["penalty"])
            lp.row({z[k]: 1.0, u[k]: 1.0}, lo=target)
    fixed = sum(m.fixed[i] for i in active)
    if m.budget is not None:
        lp.row({s[i]: 1.0 for i in active}, hi=m.budget - fixed)
    for r, capacity in m.resources.items():
        uses = {i: m.channels[i].get("uses", {}).get(r, {}) for i in active}
        lp.row({s[i]: uses[i].get("per_unit", 0.0) for i in active},
               hi=capacity - sum(uses[i].get("fixed", 0.0) for i in active))
    conc = m.rules.get("concentration")
    if conc is not None and conc["max_share"] < 1:
        for i in active:
            lp.row({**{s[j]: -conc["max_share"] for j in active}, s[i]: 1.0 - conc["max_share"]}, hi=0.0)
    for g in m.rules.get("groups", []):
        inside = set(m.members(g))
        for key, sign in (("min_share", 1.0), ("max_share", -1.0)):
            if g.get(key) is not None:  # sign · (Σ_group s − share · Σ s) ≥ 0
                lp.row({s[i]: sign * ((1.0 if i in inside else 0.0) - g[key]) for i in active}, lo=0.0)
    if m.sense == "target":
        lp.row({z[k]: m.weight[key] for k, key in enumerate(m.cells)}, lo=m.level)
    value = lp.solve(highs, maximise)
    if value is None:
        return None
    constant = (fixed if m.sense != "max_reach" else 0.0) + m.subset_penalty(on)
    return value - constant if maximise else value + constant


def brute_force(m: Model) -> tuple[float | None, tuple[bool, ...] | None]:
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    # HiGHS has one thread scheduler per process, sized by the first run: a different
    # thread count here would make channelmix's later runs (threads 1) fail to start
    highs.setOptionValue("threads", 1)
    best, best_on = None, None
    for on in itertools.product((False, True), repeat=m.n):
        if not m.subset_ok(on):
            continue
        value = subset_value(m, on, highs)
        if value is not None and (best is None or (value > best + 1e-9 if m.maximises else value < best - 1e-9)):
            best, best_on = value, on
    return best, best_on


# ---------------------------------------------------------------- an independent evaluation of a plan


def evaluate_plan(m: Model, on: dict[str, bool], spend: dict[str, float]) -> tuple[float, list[str]]:
    """The objective of these decisions on the real curves, and every hard rule they break."""
    tol = 1e-6
    bad = []
    flags = tuple(bool(on[c]) for c in m.ids)
    s = [spend[c] if on[c] else 0.0 for c in m.ids]
    if not m.subset_ok(flags):
        bad.append("on/off breaks a subset rule")
    for i, cid in enumerate(m.ids):
        if flags[i] and not (m.lo[i] - tol * max(1, m.lo[i]) <= s[i] <= m.cap[i] + tol * max(1, m.cap[i])):
            bad.append(f"{cid} spends {s[i]} outside [{m.lo[i]}, {m.cap[i]}]")
        if not flags[i] and spend[cid] > tol:
            bad.append(f"{cid} is off but spends")
    reach = [m.curves[i](s[i]) if flags[i] else 0.0 for i in range(m.n)]
    money = sum(s) + sum(m.fixed[i] for i in range(m.n) if flags[i])
    if m.budget is not None and money > m.budget + tol * max(1, m.budget):
        bad.append(f"money {money} > budget {m.budget}")
    for r, capacity in m.resources.items():
        used = sum(m.channels[i].get("uses", {}).get(r, {}).get("fixed", 0.0)
                   + m.channels[i].get("uses", {}).get(r, {}).get("per_unit", 0.0) * s[i] for i in range(m.n)
                   if flags[i])
        if used > capacity + tol * max(1, capacity):
            bad.append(f"{r} {used} > {capacity}")
    total = sum(s)
    conc = m.rules.get("concentration")
    if conc is not None and conc["max_share"] < 1:
        for i in range(m.n):
            if s[i] > conc["max_share"] * total + tol * max(1, total):
                bad.append(f"{m.ids[i]} takes more than {conc['max_share']} of spend")
    for g in m.rules.get("groups", []):
        part = sum(s[i] for i in m.members(g))
        if g.get("min_share") is not None and part < g["min_share"] * total - tol * max(1, total):
            bad.append(f"group {g} below min_share")
        if g.get("max_share") is not None and part > g["max_share"] * total + tol * max(1, total):
            bad.append(f"group {g} above max_share")
    weighted, penalty = 0.0, m.subset_penalty(flags)
    for k, key in enumerate(m.cells):
        level = min(1.0, sum(m.aff[i][k] * reach[i] for i in range(m.n)))
        weighted += m.weight[key] * level
        rule = m.coverage[k]
        if rule is not None and rule["target"] > 0:
            if rule.get("hard", True):
                if level < rule["target"] - tol:
                    bad.append(f"coverage of {key} {level} below hard target {rule['target']}")
            else:
                penalty += rule["penalty"] * max(0.0, rule["target"] - level)
    if m.sense == "max_reach":
        objective = weighted - penalty
    elif m.sense == "max_value":
        objective = weighted - money - penalty
    else:
        objective = money + penalty
        if m.sense == "target" and weighted < m.level - tol * max(1, m.level):
            bad.append(f"weighted reach {weighted} below level {m.level}")
    return objective, bad


# ---------------------------------------------------------------- the comparison


def _tolerance(value: float, tie_break: bool) -> float:
    # tie-breaking may give up 1e-6 of the first objective by design (solve.TIE_TOLERANCE)
    return (2e-6 if tie_break else 1e-6) * max(1.0, abs(value)) + 1e-7


def check_against_brute_force(d: dict) -> None:
    m = Model(d)
    best, best_on = brute_force(m)
    try:
        scenario = load(d)
    except ScenarioError as err:
        # the schema may only reject a scenario for provably impossible bounds
        assert best is None, f"schema rejected a scenario whose optimum is {best} ({best_on}):\n{err}"
        return
    plan = solve_scenario(scenario)
    if best is None:
        assert plan.status == "infeasible", (
            f"brute force: no feasible subset; channelmix: {plan.status} {plan.objective}")
        return
    assert plan.status == "optimal", (
        f"brute force found {best} with {best_on}; channelmix says {plan.status}: {plan_message(plan)}")
    assert plan.verified
    tie_break = d.get("objective", {}).get("tie_break", True)
    want = dict(zip(m.ids, best_on))
    assert abs(plan.objective - best) <= _tolerance(best, tie_break), (
        f"channelmix {plan.objective!r} vs brute force {best!r} (on: {[c for c, v in want.items() if v]}); "
        f"channelmix on: {[c.id for c in plan.channels if c.on]}, spends "
        f"{[(c.id, c.spend) for c in plan.channels if c.on]}")
    on = {c.id: c.on for c in plan.channels}
    spends = {c.id: c.spend for c in plan.channels}
    truth, bad = evaluate_plan(m, on, spends)
    assert not bad, f"the plan breaks rules by an independent count: {bad}"
    assert abs(truth - plan.objective) <= 1e-6 * max(1.0, abs(truth)), f"plan says {plan.objective}, recomputed {truth}"


@pytest.mark.parametrize("seed", range(N_RANDOM))
def test_random_tiny_scenarios_match_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    d = random_scenario(rng, max_channels=6 if seed % 3 else 7, curves=EXACT_CURVES)
    check_against_brute_force(d)


@pytest.mark.parametrize("seed", range(40))
def test_s_shaped_pwl_matches_brute_force(seed: int) -> None:
    """Non-concave pwl curves (the incremental MILP form) are exact too."""
    rng = random.Random(10_000 + seed)
    d = random_scenario(rng, max_channels=4, curves=("pwl_s", "pwl_s", "linear", "constant"))
    check_against_brute_force(d)


@pytest.mark.parametrize("seed", range(60))
def test_omitted_max_spend_matches_brute_force(seed: int) -> None:
    """Linear and pwl channels without max_spend: spend is capped only by the budget (and,
    without one, by nothing), so spend past saturation may pad totals for share rules."""
    rng = random.Random(40_000 + seed)
    d = random_scenario(rng, max_channels=5, omit_max_spend=0.7, omit_for=("linear", "pwl"), rule_p=0.4)
    check_against_brute_force(d)


@pytest.mark.parametrize("seed", range(40))
def test_min_cost_with_hard_targets_matches_brute_force(seed: int) -> None:
    rng = random.Random(20_000 + seed)
    d = random_scenario(rng, max_channels=6, senses=("min_cost",), rule_p=0.4)
    check_against_brute_force(d)


@pytest.mark.parametrize("seed", range(40))
def test_penalty_per_channel_matches_brute_force(seed: int) -> None:
    rng = random.Random(30_000 + seed)
    d = random_scenario(rng, max_channels=6, senses=("max_reach", "max_value", "min_cost"))
    d["rules"]["cardinality"] = {**d["rules"].get("cardinality", {}), "penalty_per_channel": rng.choice([1, 5, 20, 80])}
    check_against_brute_force(d)


# ---------------------------------------------------------------- the reference itself, on cases worked by hand


def test_reference_on_a_hand_worked_case() -> None:
    """Two linear channels on one cell, budget 600: the steeper one (slope 1/500)
    saturates at 500, the rest (100) goes to the other (slope 1/1000): coverage
    1 capped; weight 100 → 100.  With budget 300: all on the steep one → 0.6·100 = 60."""
    d = {
        "scenario": "hand", "phases": ["p"], "segments": [{"id": "g", "size": 100}], "budget": 300,
        "channels": [
            {"id": "steep", "response": {"type": "linear", "slope": 0.002}, "max_spend": 1000, "affinity": {"p": 1.0}},
            {"id": "flat", "response": {"type": "linear", "slope": 0.001}, "max_spend": 1000, "affinity": {"p": 1.0}},
        ],
        "solver": {"gap": 0},
    }
    best, on = brute_force(Model(d))
    assert best == pytest.approx(60.0) and on == (True, False)
    d["budget"] = 600
    best, _ = brute_force(Model(d))
    assert best == pytest.approx(100.0)
    check_against_brute_force(d)
