"""Polish a MILP plan on the exact curves: with on/off fixed, move the continuous spends.

The MILP optimises piecewise-linear under-estimates of the curves, so its spends are a
hair off the real optimum (0.05–0.3 % on S-shaped Hill curves).  From the MILP's point,
SLSQP maximises the true objective over the spends of the channels that are on, with
every linear rule as a constraint (budget, resources, min/max spend, concentration,
group shares) and hard coverage targets as smooth inequalities.  The result is kept
only if :func:`channelmix.evaluate.evaluate` finds it better on the real curves and
free of violations, so polishing never makes a plan worse or wrong.

Only maximising senses are polished (max_reach, max_value, max_outcome): their objective
rises with reach (or outcome), which is what moving spend along the curves buys.  No PuLP here.
"""

from __future__ import annotations

import functools
import time
import warnings
from dataclasses import dataclass

import numpy as np

from .arrays import KINK, arrays
from .evaluate import Evaluation, evaluate, off_steps
from .schema.models import Scenario
from .polish_sets import neighbours
from .polish_horizon import ROUND_GAIN, ROUNDS
from .polish_steps import feasible, grid_search, on_grid
from .scaling import objective_scale, unit_rows

MIN_GAIN = 1e-8  # relative: smaller gains are round-off (or the hair the tie-break pass gave up for less money)


@dataclass(frozen=True)
class Polished:
    spend: dict[str, float]
    gain: float  # true objective after − before (0: kept the MILP's spends)
    seconds: float
    truth: Evaluation | None = None  # the evaluation at the polished spends (None: kept the MILP's)
    on: dict[str, bool] | None = None  # a neighbouring on/off set that polished better (None: the MILP's)


def polish(scenario: Scenario, on: dict[str, bool], spend: dict[str, float], time_left: float = 5.0,
           sets: bool = False) -> Polished:
    """Better spends for the same on/off set, or with ``sets`` for a neighbouring one (see
    :mod:`channelmix.polish_sets`), or the given ones if none is found.  ``sets`` only where
    the on/off set was the MILP's free choice: not for a model with cuts on it (alternatives)
    nor for one period of a plan over periods (its on/off is tied to the other periods)."""
    began = time.perf_counter()
    kept = Polished(dict(spend), 0.0, 0.0)
    if not scenario.objective.maximises or time_left <= 0.01:
        return kept
    before = evaluate(scenario, on, spend)
    if before.violations:
        return kept
    least = before.objective + MIN_GAIN * objective_scale(before.objective, objective_coefficients(arrays(scenario)))
    best: tuple[dict[str, bool], dict[str, float], Evaluation] | None = None
    found = _polish_set(scenario, on, spend, time_left)
    if found is not None and found[1].objective > least:
        best = (on, *found)
    at_on, at_spend = best[:2] if best else (on, spend)
    problem = _Problem(scenario, at_on, at_spend)
    for neighbour in neighbours(problem, problem.A.vector(at_spend) * problem.is_on) if sets else []:
        to_beat = max(least, best[2].objective if best else -np.inf)
        found = _polish_set(scenario, neighbour.on, neighbour.spend, time_left - (time.perf_counter() - began), to_beat)
        if found is not None:
            switched, found = _idle_off(scenario, neighbour.on, *found)
            if found[1].objective > to_beat:
                best = (switched, *found)
    if best is None:
        return _unchanged(kept, began)
    chosen_on, candidate, after = best
    return Polished(candidate, after.objective - before.objective, time.perf_counter() - began, after,
                    None if chosen_on is on else dict(chosen_on))


def _polish_set(scenario: Scenario, on: dict[str, bool], spend: dict[str, float],
                time_left: float, beat: float = -np.inf) -> tuple[dict[str, float], Evaluation] | None:
    """The polished spends of one on/off set and their evaluation, when free of violations
    (None also when even the spends between payable units do not get above ``beat``)."""
    problem = _Problem(scenario, on, spend)
    if problem.free.size == 0 or time_left <= 0.01:
        return None
    x = problem.solve(time_left)
    step_of = {ch.id: scenario.step_of(ch) or 0.0 for ch in scenario.channels}
    steps = np.array([step_of[problem.A.ids[c]] for c in problem.free])
    if steps.any() and x is not None:  # payable units: search the grid around the rounded polish
        if -problem.objective(x / problem.hi)[0] * problem.scale <= beat:
            return None  # the grid's best is no better than the continuous optimum: not worth the search
        x = grid_search(problem, steps, on_grid(x, steps))
    if x is None:
        return None
    candidate = {**spend, **{problem.A.ids[c]: float(value) for c, value in zip(problem.free, x)}}
    after = evaluate(scenario, on, candidate)
    return None if after.violations or off_steps(scenario, candidate) else (candidate, after)


def _idle_off(scenario: Scenario, on: dict[str, bool], spend: dict[str, float],
              truth: Evaluation) -> tuple[dict[str, bool], tuple[dict[str, float], Evaluation]]:
    """A neighbouring set with the channels its polish left at no spend switched off, when that
    breaks no rule and loses nothing (idle channels off, as the tie-break promises)."""
    A, caps = arrays(scenario), scenario.spend_caps()
    idle = [cid for c, cid in enumerate(A.ids) if on.get(cid) and A.spend_dependent[c] and spend.get(cid, 0.0) <= 1e-9 * caps[cid]]
    if not idle:
        return on, (spend, truth)
    fewer, unspent = {**on, **dict.fromkeys(idle, False)}, {**spend, **dict.fromkeys(idle, 0.0)}
    tidy = evaluate(scenario, fewer, unspent)
    if tidy.violations or tidy.objective < truth.objective:
        return on, (spend, truth)
    return fewer, (unspent, tidy)


def _unchanged(kept: Polished, began: float) -> Polished:
    return Polished(kept.spend, 0.0, time.perf_counter() - began)


def objective_coefficients(A) -> np.ndarray:
    """The coefficients the polished objective weighs reach with: cell weights and outcome values."""
    return np.concatenate([A.weight, A.outcome_value])


class _Problem:
    """The spends of the on channels whose reach depends on spend, scaled to [lo/hi, 1]."""

    def __init__(self, scenario: Scenario, on: dict[str, bool], spend: dict[str, float]) -> None:
        self.sc, A = scenario, arrays(scenario)
        self.A = A
        is_on = np.array([bool(on.get(cid, False)) for cid in A.ids])
        s0 = A.vector(spend) * is_on
        caps = scenario.spend_caps()
        hi = np.array([caps[cid] for cid in A.ids])
        self.free = np.flatnonzero(is_on & A.spend_dependent & (hi > 0))
        self.fixed_spend = s0.copy()
        self.fixed_spend[self.free] = 0.0
        self.is_on, self.s0 = is_on, s0
        least = np.array([scenario.spend_floor(ch) for ch in scenario.channels])  # min_spend on the spend_step
        self.caps, self.floors = hi, np.minimum(least, hi)  # every channel's (for the neighbouring sets)
        self.lo = self.floors[self.free]
        self.hi = hi[self.free]
        self.M = A.affinity.columns(self.free)  # cells × free channels
        self.base = A.affinity @ np.where(is_on & ~np.isin(np.arange(len(A.ids)), self.free), A.curves.reach(s0), 0.0)
        cov = A.coverage
        has = (cov.rule >= 0) & (cov.level > 0)
        self.hard = np.flatnonzero(has & cov.hard)
        self.soft = has & ~cov.hard
        self.scale = objective_scale(evaluate(scenario, on, spend).objective, objective_coefficients(A))

    # -- the true objective and its gradient in the free spends -------------------------

    def _levels(self, s_free: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each cell's raw coverage, and each free channel's reach and slope at these spends."""
        full = np.zeros(len(self.A.ids))
        full[self.free] = s_free
        f = self.A.curves.reach(full)[self.free]
        df = self.A.curves.slope(full)[self.free]
        return self.base + self.M @ f, f, df

    def objective(self, u: np.ndarray) -> tuple[float, np.ndarray]:
        s = u * self.hi
        raw, f, df = self._levels(s)
        A, cov = self.A, self.A.coverage
        level = np.minimum(raw, 1.0)
        outcome = self.sc.objective.sense == "max_outcome"  # Σ value · f(s), not the cells' weights
        weight = np.zeros_like(A.weight) if outcome else A.weight
        value = float(weight @ level)
        d_level = weight * (raw < 1.0 - KINK)
        short = self.soft & (level < cov.level)
        value -= float(np.sum(cov.penalty[short] * (cov.level[short] - level[short])))
        d_level = d_level + np.where(short & (raw < 1.0 - KINK), cov.penalty, 0.0)
        grad = self.M.rmatvec(d_level) * df * self.hi
        if outcome:
            v = A.outcome_value[self.free]
            value += float(v @ f)
            grad = grad + v * df * self.hi
        if self.sc.objective.sense == "max_value" or (outcome and self.sc.objective.net):
            value -= float(s.sum())
            grad = grad - self.hi
        return -value / self.scale, -grad / self.scale

    # -- constraints ------------------------------------------------------------------

    def linear(self) -> tuple[np.ndarray, np.ndarray]:
        """G u ≤ h for every linear rule over the free spends."""
        A, sc, n = self.A, self.sc, len(self.free)
        rows, rhs = [], []
        fixed_money = float(np.sum(np.where(self.is_on, A.fixed, 0.0)) + self.fixed_spend.sum())
        if sc.budget is not None:
            rows.append(self.hi.copy())
            rhs.append(sc.budget - fixed_money)
        for r in range(len(A.resources)):
            used = float(np.sum(np.where(self.is_on, A.use_fixed[r] + A.use_per_unit[r] * self.fixed_spend, 0.0)))
            rows.append(A.use_per_unit[r, self.free] * self.hi)
            rhs.append(sc.resources[A.resources[r]] - used)
        total_fixed = float(self.fixed_spend.sum())
        conc = sc.rules.concentration
        if conc is not None and conc.max_share < 1:
            for j in range(n):  # s_j ≤ α (Σ free + fixed spend)
                row = -conc.max_share * self.hi
                row[j] += self.hi[j]
                rows.append(row)
                rhs.append(conc.max_share * total_fixed)
            for c in np.flatnonzero(self.fixed_spend > 0):  # the fixed spends stay within the share too
                rows.append(-conc.max_share * self.hi)
                rhs.append(conc.max_share * total_fixed - self.fixed_spend[c])
        for j, group in enumerate(sc.rules.groups):
            member = A.groups[j][self.free].astype(float)
            member_fixed = float(self.fixed_spend[A.groups[j]].sum())
            if group.min_share is not None:  # lo·total − members ≤ 0
                rows.append((group.min_share - member) * self.hi)
                rhs.append(member_fixed - group.min_share * total_fixed)
            if group.max_share is not None:  # members − hi·total ≤ 0
                rows.append((member - group.max_share) * self.hi)
                rhs.append(group.max_share * total_fixed - member_fixed)
        if not rows:
            return np.zeros((0, n)), np.zeros(0)
        return unit_rows(np.array(rows), np.array(rhs))

    @functools.cached_property
    def constraints(self) -> tuple[np.ndarray, np.ndarray]:
        return self.linear()

    def solve(self, time_left: float) -> np.ndarray | None:
        from scipy.optimize import minimize

        G, h = self.constraints
        constraints = [{"type": "ineq", "fun": lambda u: h - G @ u, "jac": lambda u: -G}] if len(h) else []
        if self.hard.size:
            targets = self.A.coverage.level[self.hard]
            M_hard = self.M.toarray()[self.hard]

            def coverage(u):
                raw, _, _ = self._levels(u * self.hi)
                return raw[self.hard] - targets

            def coverage_jac(u):
                _, _, df = self._levels(u * self.hi)
                return M_hard * (df * self.hi)

            constraints.append({"type": "ineq", "fun": coverage, "jac": coverage_jac})
        low = self.lo / self.hi
        u = np.clip(self.s0[self.free] / self.hi, low, 1.0)
        bounds = list(zip(low, np.ones(len(self.free))))
        iterations = 200 if time_left > 1.0 else 50
        best = None
        for _ in range(ROUNDS):  # SLSQP restarted where it stopped: at the kinks of min(1, ·) and of soft targets it
            # can stop short, at a point that depends on round-off (0.5 % short of the optimum in one currency, not another)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = minimize(self.objective, u, jac=True, method="SLSQP", bounds=bounds, constraints=constraints,
                                  options={"maxiter": iterations, "ftol": 1e-12})
            if not np.all(np.isfinite(result.x)):
                break
            found = np.clip(result.x, low, 1.0)
            if best is None:
                best = found  # the first round's point, as it always was: the caller judges it on the real curves
            elif self.objective(found)[0] < self.objective(best)[0] - ROUND_GAIN and feasible(self, found * self.hi):
                best = found
            else:
                break
            u = found
        return None if best is None else best * self.hi
