"""The strengthened horizon model (issue 20) keeps every optimum and tightens the LP bound.

Today's rows are rebuilt from the model for the comparison: the minimum run as x_t ≥ u_τ for each
τ in t−k+1..t−1 plus u_t ≤ x_t (now one turn-on row Σ_{τ=t−k+1..t} u_τ ≤ x_t), and the adstock read
as e_t ≤ a_t, e_t ≤ B_t x_t (now through the carry-in k_t ≤ θ a_t−1, k_t ≤ K_t x_t).  On seeded small
horizons (set-up costs, adstock, today's plan, windows, minimum runs of 1–4, switch limits,
cardinality, S-shaped curves, uneven periods) the MILP optimum is the same, the LP relaxation
never looser and tighter on some; the per-period value cuts, forced on at the root, keep the
optimum and say so in the plan's proof; and a 52-week plan equals brute force over every schedule.
"""

from __future__ import annotations

import random

import numpy as np
import pulp
import pytest

import channelmix.solve.horizon_start as horizon_start
import channelmix.solve.solvers as solvers
from channelmix.formulate.periods import PeriodsFormulation, formulate_periods
from channelmix.reports.documents import plan_document
from channelmix.schema import validate
from channelmix.solve.passes import solve
from channelmix.solve.pipeline import solve_scenario
from test_periods_brute_force import CELLS, best_for


def horizon(seed: int, uneven: bool = False) -> dict:
    """A seeded small horizon; ``uneven``: periods with budgets of 20 or 200, weights of 1 or 3 and
    minimum runs of 3 or 4, where runs start and stop (and the LP starts them by halves)."""
    rng = random.Random(seed)
    C, T = rng.randint(3, 5), rng.randint(4, 8)
    channels = []
    for c in range(C):
        kind = rng.choice(["saturating", "hill", "linear"])
        response = ({"type": "saturating", "scale": round(rng.uniform(30, 120), 1)} if kind == "saturating" else
                    {"type": "hill", "half": round(rng.uniform(40, 120), 1), "shape": round(rng.uniform(1.5, 3.0), 2)}
                    if kind == "hill" else {"type": "linear", "slope": round(rng.uniform(0.005, 0.02), 4)})
        ch = {"id": f"c{c}", "response": response, "max_spend": rng.choice([60, 100, 150]),
              "fixed_cost": rng.choice([0, 5, 15]), "setup_cost": rng.choice([0, 0, 10, 30]),
              "carry_over": rng.choice([0, 0, 0.3, 0.6]), "min_spend": rng.choice([0, 0, 20]),
              "uses": {"hours": {"per_unit": 0.05, "fixed": 1}},
              "affinity": {"aware": round(rng.uniform(0.1, 1), 2), "buy": round(rng.uniform(0, 1), 2)}}
        if rng.random() < 0.3:
            ch["available_from"] = rng.randint(1, 2)
        if rng.random() < 0.3:
            ch["available_until"] = rng.randint(T - 2, T)
        channels.append(ch)
    rules: dict = {"min_periods_on": rng.choice([1, 2, 3, 4, {"c0": 3, "c1": 2}])}
    if rng.random() < 0.3:
        rules["max_switches"] = 2
    if rng.random() < 0.4:
        rules["cardinality"] = {"max": C - 1, "penalty_per_channel": 5}
    d = {"scenario": f"strength-{seed}", "phases": [{"id": "aware"}, {"id": "buy"}],
         "segments": [{"id": "all", "size": 1, "value": 400}], "resources": {"hours": 8},
         "periods": {"count": T, "budget": rng.choice([80, 120, 200]), "carry_over": rng.random() < 0.3},
         "channels": channels, "rules": rules, "objective": {"sense": rng.choice(["max_value", "max_reach"])},
         "solver": {"gap": 0, "time_limit": 60}}
    if rng.random() < 0.3:
        d["current"] = {"c0": 40}
    if uneven:
        more = random.Random(1000 + seed)
        d["periods"] = {"items": [{"id": str(t + 1), "budget": more.choice([20, 200]), "weight": more.choice([1, 3])}
                                  for t in range(T)]}
        d["rules"]["min_periods_on"] = more.choice([3, 4])
    return d


def _named(terms, prefix: str):
    return [v for v in terms if v.name.startswith(prefix)]


def todays_rows(f: PeriodsFormulation, turn_on: bool = True, carry_in: bool = True) -> PeriodsFormulation:
    """Put back the rows the house had before issue 20 (in place): ``turn_on`` the pairwise minimum
    runs, ``carry_in`` the adstock read as e ≤ a, e ≤ B·x."""
    problem = f.problem
    rows = problem._constraints  # by name, as the solvers' hand-over reads them
    for name in [n for n in rows if turn_on and n.startswith("minrun_")]:
        row = rows.pop(name)
        (x,), starts = _named(row, "x_"), _named(row, "u_")
        for u in starts:
            is_now = u.name.rsplit("_t", 1)[1] == x.name.rsplit("_t", 1)[1]
            problem += (pulp.LpAffineExpression({u: 1, x: -1}) <= 0 if is_now
                        else pulp.LpAffineExpression({x: 1, u: -1}) >= 0), f"{name}_{u.name}"
    for name in [n for n in rows if carry_in and n.startswith("effective_all_")]:
        tail = name[len("effective_all_"):]
        (e,), (a,), (x,) = (_named(rows[name], prefix) for prefix in ("e_", "a_", "x_"))
        for old in (f"effective_{tail}", f"carry_in_{tail}", f"carry_on_{tail}"):
            rows.pop(old, None)
        problem += pulp.LpAffineExpression({e: 1, a: -1}) <= 0, f"effective_{tail}"
        problem += pulp.LpAffineExpression({e: 1, x: -e.upBound}) <= 0, f"effective_on_{tail}"
    return f


def model(d: dict, turn_on: bool = False, carry_in: bool = False) -> PeriodsFormulation:
    """The model of ``d``: today's rows where asked, else the strengthened ones."""
    return todays_rows(formulate_periods(validate(d).scenario), turn_on, carry_in)


def lp_bound(f: PeriodsFormulation) -> float:
    """The LP relaxation's optimum in the model's sense (a maximum: lower is tighter)."""
    integers = [v for v in f.problem.variables() if v.cat == pulp.LpInteger]
    for v in integers:
        v.cat = pulp.LpContinuous
    try:
        assert solvers.run_highs(f.problem, f.scenario.solver, 60)[0] == "optimal"
        return float(pulp.value(f.problem.objective))
    finally:
        for v in integers:
            v.cat = pulp.LpInteger


CASES = [(seed, False) for seed in range(10)] + [(seed, True) for seed in range(12)]
QUICK = [(2, False), (3, False), (4, False), (6, False), (7, False), (2, True), (3, True), (4, True), (6, True),
         (7, True), (8, True), (10, True), (11, True)]  # the MILPs solved in well under a second each


def test_the_lp_bound_is_never_looser_and_tighter_on_uneven_horizons():
    tighter = {"turn-on": 0, "carry-in": 0}
    for seed, uneven in CASES:
        d = horizon(seed, uneven)
        before = lp_bound(model(d, turn_on=True, carry_in=True))
        turn_on, carry_in = lp_bound(model(d, carry_in=True)), lp_bound(model(d, turn_on=True))
        now = lp_bound(model(d))
        assert validate(d).scenario.objective.maximises  # max_value and max_reach: a lower LP bound is tighter
        slack = 1e-7 * max(1.0, abs(before))
        assert max(turn_on, carry_in) <= before + slack, (seed, uneven)
        assert now <= min(turn_on, carry_in) + slack, (seed, uneven)
        tighter["turn-on"] += turn_on < before - 1e-4 * max(1.0, abs(before))
        tighter["carry-in"] += carry_in < before - 1e-4 * max(1.0, abs(before))
    assert tighter["turn-on"] >= 2 and tighter["carry-in"] >= 2, tighter


@pytest.mark.parametrize("seed, uneven", QUICK)
def test_the_strengthened_rows_keep_the_optimum(seed: int, uneven: bool):
    d = horizon(seed, uneven)
    before = solve(model(d, turn_on=True, carry_in=True))
    after = solve(model(d))
    assert before.status == after.status == "optimal"
    assert after.model_objective == pytest.approx(before.model_objective, rel=1e-6, abs=1e-6)


def horizons_from(monkeypatch, periods: int, stall: int = 50) -> None:
    """The majority start and the value cuts from this many periods on; the cuts tried after ``stall`` nodes."""
    monkeypatch.setattr(solvers, "MIN_PERIODS", periods)
    monkeypatch.setattr(solvers, "STALL_NODES", stall)
    monkeypatch.setattr(horizon_start, "MIN_PERIODS", periods)


def cut_at_the_root(monkeypatch) -> None:
    """Value cuts on these small horizons too, tried at the root; the majority start as well."""
    horizons_from(monkeypatch, 2, stall=0)


@pytest.mark.parametrize("seed, uneven", QUICK[::2])
def test_value_cuts_and_the_majority_start_keep_the_optimum(seed: int, uneven: bool, monkeypatch):
    d = horizon(seed, uneven)
    horizons_from(monkeypatch, 1000)
    plain = solve(model(d))
    cut_at_the_root(monkeypatch)
    cut = solve(model(d))
    assert plain.proof is None and cut.proof is not None and cut.proof.stalled
    assert cut.status == "optimal"
    assert cut.model_objective == pytest.approx(plain.model_objective, rel=1e-6, abs=1e-6)


def test_a_plan_that_needed_the_cuts_says_how_its_gap_was_proven(monkeypatch):
    cut_at_the_root(monkeypatch)
    plans = (solve_scenario(validate(horizon(seed, uneven)).scenario) for seed, uneven in QUICK)
    plan = next((p for p in plans if p.proof is not None and p.proof.cuts > 0), None)
    assert plan is not None, "no seeded case needed a cut"
    assert plan.verified
    words = plan_document(plan)["proof"]
    assert f"with {plan.proof.cuts} per-period value cuts" in words and "added after 0 nodes" in words


def test_short_horizons_say_nothing_of_a_proof():
    assert "proof" not in plan_document(solve_scenario(validate(horizon(2)).scenario))


# ---------------------------------------------------------------- a year by week, by brute force

WEEKS, LATE, RUN = 52, 26, 8  # c0 may run only in the second half year, for ≥ 8 weeks, in one run


def year() -> dict:
    """Two channels over 52 weeks with uneven budgets: c1 forced on all year, c0 (adstock, a set-up
    cost) in one run of ≥ 8 weeks from week 27 on — 198 schedules, each an LP for brute force."""
    channels = [
        {"id": "c0", "response": {"type": "linear", "slope": 0.012}, "affinity": {"aware": 0.9, "buy": 0.3},
         "max_spend": 100, "fixed_cost": 5, "setup_cost": 40, "carry_over": 0.5, "available_from": str(LATE + 1),
         "uses": {"hours": {"per_unit": 0.05, "fixed": 1}}},
        {"id": "c1", "response": {"type": "linear", "slope": 0.008}, "affinity": {"aware": 0.2, "buy": 0.8},
         "max_spend": 150, "fixed_cost": 0, "setup_cost": 10, "carry_over": 0.0,
         "uses": {"hours": {"per_unit": 0.05, "fixed": 1}}}]
    items = [{"id": str(t + 1), "weight": 1, "budget": 100 if t % 13 < 6 else 170} for t in range(WEEKS)]
    return {"scenario": "year", "phases": [{"id": p, "weight": w} for p, w in CELLS],
            "segments": [{"id": "all", "size": 1, "value": 600}], "budget": 52 * 120, "resources": {"hours": 8},
            "periods": {"items": items, "carry_over": False}, "channels": channels,
            "rules": {"min_periods_on": {"c0": RUN}, "max_switches": {"c0": 2}, "force_on": ["c1"]},
            "objective": {"sense": "max_value"}, "solver": {"gap": 0, "time_limit": 120}}


def schedules():
    """Every on/off schedule the rules allow: c1 always on, c0 never or one run in its window."""
    x = np.zeros((2, WEEKS), dtype=bool)
    x[1] = True
    yield x.copy()
    for first in range(LATE, WEEKS):
        for last in range(first, WEEKS):
            if last - first + 1 >= RUN or last == WEEKS - 1:
                x[0] = False
                x[0, first:last + 1] = True
                yield x.copy()


def test_a_year_by_week_reaches_the_brute_force_optimum():
    d = year()
    assert sum(1 for _ in schedules()) == 198
    best = max(v for v in (best_for(d, x) for x in schedules()) if v is not None)
    plan = solve_scenario(validate(d).scenario)
    assert plan.verified and plan.proof is not None  # 52 periods: watched for a stall
    assert plan.objective == pytest.approx(best, rel=1e-6, abs=1e-6)


def test_the_terminal_says_how_a_long_plans_gap_was_proven():
    """As the user sees it: the 13-week quarter (Swedish) in the installed console script."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from channelmix.core.catalogue import catalogue

    path = str(Path(__file__).parent.parent / "scenarios" / "butik-kundresan-kvartal.yaml")
    script = Path(sys.executable).with_name("channelmix")
    shown = subprocess.run([str(script), "solve", path], capture_output=True, text=True, check=True).stdout
    data = json.loads(subprocess.run([str(script), "solve", "--format", "json", path], capture_output=True,
                                     text=True, check=True).stdout)
    assert data["proof"].startswith(f"gap {data['gap']:.3%} proven by HiGHS's branch and bound")
    alone = catalogue("sv").words["term.proof_search"].split("{")[0].strip()  # "gapet bevisat … (noder: "
    assert alone and alone in shown
