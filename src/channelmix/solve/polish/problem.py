"""The spends of one period's on channels as a smooth problem on the real curves (no pulp):
what the continuous polish optimises (:mod:`.single`), what the neighbouring on/off sets are
ranked by (:mod:`.sets`) and what the search on the payable grid walks (:mod:`.steps`)."""

from __future__ import annotations

import functools
import warnings

import numpy as np

from ...core.tolerances import TOLERANCE
from ...model.arrays import KINK, ScenarioArrays, arrays
from ...schema.models import Scenario
from ...verify.evaluate import evaluate
from ..scaling import objective_scale, unit_rows
from .horizon import ROUND_GAIN, ROUNDS
from .memo import last_answer
from .steps import feasible

RISING = (0, 1, 2, 3)  # curve kinds (model.arrays.CurveTable) whose reach never falls as spend grows


def objective_coefficients(A: ScenarioArrays) -> np.ndarray:
    """The coefficients the polished objective weighs reach with: cell weights and outcome values."""
    return np.concatenate([A.weight, A.outcome_value])


class SpendProblem:
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

    @property
    def start_spends(self) -> np.ndarray:
        """The free channels' spends the polish starts from (the MILP's)."""
        return self.s0[self.free]

    def misses_target(self, s_free: np.ndarray) -> bool:
        """Whether these spends leave some hard coverage target short."""
        if not self.hard.size:
            return False
        raw, _, _ = self.levels(s_free)
        return bool(np.any(raw[self.hard] < self.A.coverage.level[self.hard] - 1e-9))

    def short_at_caps(self) -> bool:
        """Whether some hard coverage target stays short (beyond the evaluator's slack) even with every
        free channel at its cap: then no spends meet it.  Only where every free curve rises with spend
        (constant, linear, saturating, Hill), so that the caps give each cell its most."""
        if not self.hard.size or not np.all(np.isin(self.A.curves.kind[self.free], RISING)):
            return False
        raw, _, _ = self.levels(self.hi * (1.0 + 1e-6))  # past the polish's own reach of a cap (1e-9)
        target = self.A.coverage.level[self.hard]
        return bool(np.any(raw[self.hard] < target - TOLERANCE * np.maximum(1.0, target) - 1e-9))

    def over_at_floors(self) -> bool:
        """Whether the budget or a resource is exceeded (beyond the evaluator's slack) whatever the free
        spends: with each at the end of its bounds that uses least, the on/off set's fixed costs and
        uses already take more than there is."""
        A, sc = self.A, self.sc
        lo, hi = self.lo * (1.0 - 1e-6), self.hi * (1.0 + 1e-6)  # past the polish's own reach of a bound (1e-9)

        def over(least: float, limit: float) -> bool:
            return least > limit + (TOLERANCE + 1e-9) * max(1.0, abs(limit))

        money = float(np.sum(np.where(self.is_on, A.fixed, 0.0)) + self.fixed_spend.sum() + lo.sum())
        if sc.budget is not None and over(money, sc.budget):
            return True
        for r, name in enumerate(A.resources):
            per = A.use_per_unit[r, self.free]
            used = np.where(self.is_on, A.use_fixed[r] + A.use_per_unit[r] * self.fixed_spend, 0.0)
            if over(float(used.sum() + np.minimum(per * lo, per * hi).sum()), sc.resources[name]):
                return True
        return False

    @last_answer
    def levels(self, s_free: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each cell's raw coverage, and each free channel's reach and slope at these spends."""
        full = np.zeros(len(self.A.ids))
        full[self.free] = s_free
        f = self.A.curves.reach(full)[self.free]
        df = self.A.curves.slope(full)[self.free]
        return self.base + self.M @ f, f, df

    def objective(self, u: np.ndarray) -> tuple[float, np.ndarray]:
        s = u * self.hi
        raw, f, df = self.levels(s)
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
                raw, _, _ = self.levels(u * self.hi)
                return raw[self.hard] - targets

            def coverage_jac(u):
                _, _, df = self.levels(u * self.hi)
                return M_hard * (df * self.hi)

            constraints.append({"type": "ineq", "fun": coverage, "jac": coverage_jac})
        low = self.lo / self.hi
        u = np.clip(self.s0[self.free] / self.hi, low, 1.0)
        bounds = list(zip(low, np.ones(len(self.free))))
        iterations = 200 if time_left > 1.0 else 50
        best = None
        for _ in range(ROUNDS):  # SLSQP restarted where it stopped: at the kinks of min(1, ·) and of soft targets it
            # can stop short, at a point that depends on round-off (0.5 % short of the optimum in one currency, not
            # another)
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
