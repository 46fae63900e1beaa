"""The spends of a plan over periods as one smooth problem on the real curves (no pulp).

With the on/off schedule fixed, the variables are the spends s[c, t] of every on
(channel, period) whose reach depends on spend, scaled to u = s / cap.  The objective is
the horizon objective of :func:`channelmix.verify.evaluate_periods.evaluate_periods` less its
constants (fixed and set-up costs, the channel-count penalty): Σ_t weight_t × (weighted
coverage capped at 1 per cell − soft-target penalties + outcome − money for max_value /
net max_outcome), each curve read at the adstock a[c, t] = s[c, t] + θ_c·a[c, t−1] (0 spend
while off; the adstock still decays).  a is linear in s, so the gradient runs the adstock
backwards.  The constraints are linear in s — each period's money (cumulative with
``periods.carry_over``), the total budget, min/max spend, resources, concentration and
group shares per period, pacing bands and ramps — plus every hard coverage target of
every period as a smooth inequality (the verifier has the final word).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from ...model.arrays import KINK, CurveTable, arrays
from ...model.periods import Horizon, money_sign
from ...schema.models import Scenario
from ...verify.evaluate_periods import Key, PeriodsEvaluation
from ..scaling import objective_scale, unit_rows
from .memo import last_answer

ROUNDS = 4  # SLSQP restarts at most (a round that gains less than ROUND_GAIN ends the polish)
ROUND_GAIN = 1e-9  # of the scaled objective (≈ relative): round-off, like polish.MIN_GAIN
FTOL = 1e-11  # SLSQP's own stopping test on the scaled objective; tighter ones thrash in the line search at kinks


def _tiled(curves: CurveTable, T: int) -> CurveTable:
    """The curves of every channel in every period, period-major (index t·C + c), to read all at once."""
    C = len(curves.kind)
    pwl = {t * C + c: points for t in range(T) for c, points in curves.pwl.items()}
    saturation = {t * C + c: curve for t in range(T) for c, curve in curves.saturation.items()}
    return CurveTable(np.tile(curves.kind, T), np.tile(curves.p1, T), np.tile(curves.p2, T), np.tile(curves.p3, T), pwl,
                      saturation)


class HorizonProblem:
    """The free spends over the horizon, their objective, gradient and constraints."""

    def __init__(self, scenario: Scenario, on: dict[Key, bool], spend: dict[Key, float],
                 before: PeriodsEvaluation) -> None:
        self.sc, H = scenario, Horizon(scenario)
        self.H, T = H, H.T
        self.As = [arrays(view) for view in H.views]
        A = self.A0 = self.As[0]  # channels, cells, curves and coverage rules are the same in every view
        C = len(A.ids)
        self.on = np.array([[bool(on.get((cid, p), False)) for p in H.ids] for cid in A.ids]).reshape(C, T)
        self.S0 = np.array([[float(spend.get((cid, p), 0.0)) for p in H.ids] for cid in A.ids]).reshape(C, T) * self.on
        by_view = [view.spend_caps() for view in H.views]
        caps = np.array([[cap[cid] for cap in by_view] for cid in A.ids]).reshape(C, T)
        least = np.array([[view.spend_floor(ch) for view in H.views] for ch in scenario.channels]).reshape(C, T)
        free = self.on & A.spend_dependent[:, None] & (caps > 0)
        self.cells_free = np.argwhere(free)  # (channel, period) of each variable, channel-major
        ch, t = self.cells_free[:, 0], self.cells_free[:, 1]
        self.hi = caps[ch, t]
        self.lo = np.minimum(least[ch, t], self.hi)
        self.s0 = self.S0[ch, t]
        self.theta = np.array([c.carry_over for c in scenario.channels])
        self.a_start = np.array([H.adstock_start(cid) for cid in A.ids])
        self.M = A.affinity.toarray()  # cells × channels, dense: products with every period at once
        self.curves = _tiled(A.curves, T)
        self.w = np.array([H.weight(t) for t in range(T)])
        self.before = before
        cov = A.coverage
        has = (cov.rule >= 0) & (cov.level > 0)
        self.soft = has & ~cov.hard
        self.hard_cells = np.flatnonzero(has & cov.hard)
        self.targets = np.tile(cov.level[self.hard_cells], T)
        # 1: each unit spent counts against the objective (max_value, net max_outcome)
        self.money = -money_sign(scenario)
        self.outcome = scenario.objective.sense == "max_outcome"
        self.scale = objective_scale(before.objective, np.concatenate([A.weight, A.outcome_value]))
        self.constraints = self.linear()

    # -- spends, adstock and levels -----------------------------------------------

    def spends(self, s: np.ndarray) -> np.ndarray:
        """channels × periods spend with the free ones replaced."""
        S = self.S0.copy()
        S[self.cells_free[:, 0], self.cells_free[:, 1]] = s
        return S

    def effective(self, S: np.ndarray) -> np.ndarray:
        """The adstock a[c, t] each curve reads (the spend itself without carry-over)."""
        a, prev = np.empty_like(S), self.a_start
        for t in range(S.shape[1]):
            prev = S[:, t] + self.theta * prev
            a[:, t] = prev
        return a

    def back(self, G: np.ndarray) -> np.ndarray:
        """d/ds from d/da: what a unit of spend in t adds to every later adstock."""
        out, nxt = np.empty_like(G), np.zeros(G.shape[0])
        for t in range(G.shape[1] - 1, -1, -1):
            nxt = G[:, t] + self.theta * nxt
            out[:, t] = nxt
        return out

    @last_answer
    def levels(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Raw coverage (cells × periods), reach and slope (channels × periods) at these spends."""
        a = self.effective(self.spends(s))
        flat = a.T.ravel()  # period-major, as the tiled curves read it
        f = np.where(self.on, self.curves.reach(flat).reshape(a.T.shape).T, 0.0)
        df = np.where(self.on, self.curves.slope(flat).reshape(a.T.shape).T, 0.0)
        return self.M @ f, f, df

    @property
    def start_spends(self) -> np.ndarray:
        """The free spends the polish starts from (the MILP's)."""
        return self.s0

    def misses_target(self, s: np.ndarray) -> bool:
        """Whether these spends leave some hard coverage target short in some period."""
        return bool(self.targets.size) and bool(np.any(self.hard_levels(s) < self.targets - 1e-9))

    def hard_levels(self, s: np.ndarray) -> np.ndarray:
        """Raw coverage of every hard cell in every period (period-major), to compare with ``targets``."""
        return self.levels(s)[0][self.hard_cells].T.ravel()

    # -- the objective --------------------------------------------------------------

    def objective(self, u: np.ndarray) -> tuple[float, np.ndarray]:
        """−(horizon objective less its constants) / scale and its gradient in u."""
        s = u * self.hi
        raw, f, df = self.levels(s)
        A, cov = self.A0, self.A0.coverage
        level = np.minimum(raw, 1.0)
        weight = np.zeros_like(A.weight) if self.outcome else A.weight
        short = self.soft[:, None] & (level < cov.level[:, None])
        per_period = weight @ level - np.sum(np.where(short, cov.penalty[:, None] * (cov.level[:, None] - level), 0.0),
                                             axis=0)
        d_level = weight[:, None] * (raw < 1.0 - KINK) + np.where(short & (raw < 1.0 - KINK), cov.penalty[:, None], 0.0)
        d_reach = self.M.T @ d_level
        if self.outcome:
            per_period = per_period + A.outcome_value @ f
            d_reach = d_reach + A.outcome_value[:, None]
        G = self.back(d_reach * df * self.w)  # d/ds through the adstock
        S = self.spends(s)
        per_period = per_period - self.money * S.sum(axis=0)
        grad = G[self.cells_free[:, 0], self.cells_free[:, 1]] - self.money * self.w[self.cells_free[:, 1]]
        return -float(self.w @ per_period) / self.scale, -grad * self.hi / self.scale

    # -- constraints ------------------------------------------------------------------

    def linear(self) -> tuple[np.ndarray, np.ndarray]:
        """G u ≤ h for every linear rule over the free spends (constants from the MILP's plan)."""
        n, T, H = len(self.s0), self.H.T, self.H
        per = self.cells_free[:, 1]
        rows: list[np.ndarray] = []
        rhs: list[float] = []

        def add(coef: np.ndarray, bound: float) -> None:  # coef · s ≤ bound, in money
            if np.any(coef):
                rows.append(coef * self.hi)
                rhs.append(bound)

        in_t = [(per == t).astype(float) for t in range(T)]
        # fixed part of each period's money
        cost = [c.cost - float(self.s0 @ in_t[t]) for t, c in enumerate(self.before.schedule.cash)]
        allowed, so_far, row = 0.0, 0.0, np.zeros(n)
        for t, item in enumerate(H.items):
            so_far += cost[t]
            row = row + in_t[t]
            if H.carry_money:
                allowed += item.budget or 0.0
                add(row.copy(), allowed - so_far)
            elif item.budget is not None:
                add(in_t[t], item.budget - cost[t])
        if self.sc.budget is not None:
            add(np.ones(n), self.sc.budget - sum(cost))
        for t in range(T):
            self._period_rows(t, in_t[t], add)
        self._time_rows(add)
        if not rows:
            return np.zeros((0, n)), np.zeros(0)
        return unit_rows(np.array(rows), np.array(rhs))

    def _period_rows(self, t: int, mask: np.ndarray, add) -> None:
        """Resources, concentration and group shares of period t."""
        A, view, ev = self.As[t], self.H.views[t], self.before.periods[t]
        ch = self.cells_free[:, 0]
        for r, name in enumerate(A.resources):
            coef = A.use_per_unit[r, ch] * mask
            if name in view.resources:
                add(coef, view.resources[name] - (ev.resources[name] - float(coef @ self.s0)))
        S_t = self.S0[:, t].copy()
        S_t[ch[mask > 0]] = 0.0  # the spends that stay
        total = float(S_t.sum())
        conc = view.rules.concentration
        if conc is not None and conc.max_share < 1:
            for c in np.flatnonzero(self.on[:, t] & ((S_t > 0) | np.isin(np.arange(len(S_t)), ch[mask > 0]))):
                coef = (ch == c) * mask - conc.max_share * mask  # s_c ≤ α · Σ spends of period t
                add(coef, conc.max_share * total - S_t[c])
        for j, group in enumerate(view.rules.groups):
            member = A.groups[j][ch] * mask
            kept = float(S_t[A.groups[j]].sum())
            if group.min_share is not None:
                add(group.min_share * mask - member, kept - group.min_share * total)
            if group.max_share is not None:
                add(member - group.max_share * mask, group.max_share * total - kept)

    def _time_rows(self, add) -> None:
        """Pacing bands and ramps: rows that tie a channel's spends across periods."""
        rules, n = self.sc.rules, len(self.s0)
        ch, per = self.cells_free[:, 0], self.cells_free[:, 1]

        def var(c: int, t: int) -> tuple[np.ndarray, float]:  # s[c, t] as coef · s + constant
            hit = np.flatnonzero((ch == c) & (per == t))
            return (np.eye(1, n, hit[0]).ravel(), 0.0) if hit.size else (np.zeros(n), float(self.S0[c, t]))

        for c, cid in enumerate(self.A0.ids):
            if rules.pacing is not None:
                first, last = self.H.window(cid)
                terms = [var(c, t) for t in range(first, last + 1)]
                total = (sum(v for v, _ in terms), sum(k for _, k in terms))
                m, band = len(terms), rules.pacing.band
                for v, k in terms:  # (1 − b)/m · total ≤ s_t ≤ (1 + b)/m · total
                    add(v - (1 + band) / m * total[0], (1 + band) / m * total[1] - k)
                    add((1 - band) / m * total[0] - v, k - (1 - band) / m * total[1])
            if rules.ramp is not None:
                growth, current = rules.ramp.max_growth, (self.sc.current or {}).get(cid)
                for t in range(self.H.T):
                    was_on = bool(current) if t == 0 else bool(self.on[c, t - 1])
                    if was_on and self.on[c, t]:
                        v, k = var(c, t)
                        pv, pk = (np.zeros(n), float(current or 0.0)) if t == 0 else var(c, t - 1)
                        add(v - (1 + growth) * pv, (1 + growth) * pk - k)

    def hard_jacobian(self, s: np.ndarray) -> np.ndarray:
        """d(raw level of each hard cell in each period) / d(free spend), in money."""
        df = self.levels(s)[2]
        M = self.M[self.hard_cells]  # hard cells × channels
        T, K = self.H.T, len(self.hard_cells)
        out = np.zeros((T * K, len(s)))
        for j, (c, tau) in enumerate(self.cells_free):
            decay = 1.0
            for t in range(tau, T):  # spend in tau feeds the adstock of every later period
                out[t * K:(t + 1) * K, j] = M[:, c] * df[c, t] * decay
                decay *= self.theta[c]
                if decay == 0.0:
                    break
        return out

    # -- solving ---------------------------------------------------------------------

    def solve(self, iterations: int, deadline: float) -> tuple[np.ndarray | None, str]:
        """SLSQP from the MILP's point, in rounds of ``iterations`` (each restart forgets a curvature
        estimate that has gone stale at the kinks of min(1, ·)): (spends in money or None if it broke
        down, "" when it converged, else why it stopped).  The deadline (a perf_counter instant) only
        stops a round that would overrun the caller's time limit."""
        from scipy.optimize import minimize
        from threadpoolctl import threadpool_limits

        G, h = self.constraints
        constraints = [{"type": "ineq", "fun": lambda u: h - G @ u, "jac": lambda u: -G}] if len(h) else []
        if self.targets.size:
            constraints.append({"type": "ineq", "fun": lambda u: self.hard_levels(u * self.hi) - self.targets,
                                "jac": lambda u: self.hard_jacobian(u * self.hi) * self.hi})
        low = self.lo / self.hi
        bounds = list(zip(low, np.ones(len(low))))

        def in_time(_: np.ndarray) -> None:
            if time.perf_counter() > deadline:
                raise StopIteration

        u, value, why = (np.clip(self.s0 / self.hi, low, 1.0), self.objective(np.clip(self.s0 / self.hi, low, 1.0))[0],
                         "iterations")
        for _ in range(ROUNDS):
            with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
                warnings.simplefilter("ignore")
                result = minimize(self.objective, u, jac=True, method="SLSQP", bounds=bounds, constraints=constraints,
                                  callback=in_time, options={"maxiter": iterations, "ftol": FTOL})
            if not np.all(np.isfinite(result.x)):
                return None, "broke down"
            x = np.clip(result.x, low, 1.0)
            better = self.objective(x)[0]
            if better < value:  # a round that breaks a rule is judged by the verifier, not here
                u, value, progress = x, better, value - better
            else:
                progress = 0.0
            if result.status == 99:
                return u * self.hi, "time"
            if progress <= ROUND_GAIN:
                why = ""
                break
        return u * self.hi, why
