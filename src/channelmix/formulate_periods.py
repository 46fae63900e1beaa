"""The MILP of a plan over periods (DESIGN §3, "Periods"): one model for the whole horizon.

Each period is the single-period model of its view (:meth:`channelmix.periods.Horizon.view`),
built by :class:`_PeriodBuilder` — :class:`channelmix.formulate._Builder` writing into the
shared problem with the period's suffix on every name (``x_3_t2``, ``budget_t2``,
``cover_12_t2``).  The horizon ties the periods together:

* availability: x_ct = 0 outside the channel's window (a bound);
* starts u_ct = x_ct·(1 − x_c,t−1) (exact: u ≥ x_t − x_t−1, u ≤ x_t, u ≤ 1 − x_t−1) pay the
  set-up cost in the period's money (``setup_{c}_t{t}``);
* minimum run k: x_ct ≥ u_cτ for τ in t−k+1..t, truncated at the window's end;
* switches: starts + stops (v_ct = x_c,t−1·(1 − x_ct)) ≤ the limit;
* adstock θ: a_ct = s_ct + θ a_c,t−1 and the curve read at e_ct = a_ct while on, 0 off;
* pacing band b: (1 − b) S_c / L_c ≤ s_ct ≤ (1 + b) S_c / L_c in each of the L_c periods of the
  channel's window, S_c its total spend (so a paced channel with b < 1 runs its whole window or not at all);
* ramp g: s_ct ≤ (1 + g) s_c,t−1 when on in t − 1;
* money: each period within its own budget, or (carry_over) within its budget plus
  what earlier periods left; the total within the top-level budget;
* cardinality over the horizon on w_c = max_t x_ct (w ≥ x_ct, w ≤ Σ_t x_ct).

Objective: Σ_t weight_t × objective_t − channel penalty (maximising senses), or
Σ_t objective_t + channel penalty (minimising senses).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulp

from .formulate import Formulation, _Builder, _combine, _expr, _n
from .periods import Horizon
from .schema.models import Scenario


@dataclass
class PeriodsFormulation(Formulation):
    """A :class:`Formulation` over periods: ``on`` and ``spend`` are keyed by (channel, period id)."""

    horizon: Horizon | None = None
    period_objectives: list[pulp.LpAffineExpression] = field(default_factory=list)
    used: dict[str, pulp.LpVariable] = field(default_factory=dict)  # channel -> 1 when on in some period (see used_binaries)

    def used_binaries(self) -> dict[str, pulp.LpVariable]:
        """Channel -> w_c = max_t x_ct; the model's own when cardinality built them, else added now."""
        if not self.used:
            assert self.horizon is not None
            self.used = _used_rows(self.problem, self.rules, self.horizon, self.on)
        return self.used


def _add_row(problem: pulp.LpProblem, rules: dict[str, str], terms, sense, rhs, name: str, rule: str) -> None:
    """A named constraint, and the rule it states in words."""
    terms = {v: w for v, w in terms.items() if w != 0}
    problem.addConstraint(pulp.LpConstraint(_expr(terms), sense, name=name, rhs=rhs))
    rules[name] = rule


def _used_rows(problem: pulp.LpProblem, rules: dict[str, str], H: Horizon, on: dict) -> dict[str, pulp.LpVariable]:
    """w_c = max_t x_ct for every channel, exactly: w ≥ x_ct for every t, w ≤ Σ_t x_ct."""
    out = {}
    for i, ch in enumerate(H.scenario.channels):
        w = out[ch.id] = problem.add_variable(f"used_{i}", 0, 1, cat=pulp.LpInteger)
        xs = [on[(ch.id, p)] for p in H.ids]
        for t, x in enumerate(xs):
            _add_row(problem, rules, {w: 1, x: -1}, pulp.LpConstraintGE, 0, f"used_{i}_t{t}", f"{ch.id}: used if on in {H.items[t].name}")
        _add_row(problem, rules, {w: 1, **{x: -1.0 for x in xs}}, pulp.LpConstraintLE, 0, f"used_{i}",
                 f"{ch.id}: used only if on in some period")
    return out


def formulate_periods(scenario: Scenario) -> PeriodsFormulation:
    """The one MILP for a scenario with ``periods``."""
    return _HorizonBuilder(scenario).build()


class _Suffixed:
    """The shared problem as one period's builder sees it: variables get the period's
    suffix, and the period's objective is kept instead of set."""

    def __init__(self, problem: pulp.LpProblem, suffix: str) -> None:
        self.problem, self.suffix = problem, suffix
        self.objective: pulp.LpAffineExpression | None = None

    def add_variable(self, name: str, *args, **kwargs) -> pulp.LpVariable:
        return self.problem.add_variable(name + self.suffix, *args, **kwargs)

    def addConstraint(self, constraint: pulp.LpConstraint) -> None:
        self.problem.addConstraint(constraint)

    def setObjective(self, objective: pulp.LpAffineExpression) -> None:
        self.objective = objective


class _PeriodBuilder(_Builder):
    """One period's single-period model inside the horizon's problem."""

    def __init__(self, horizon: "_HorizonBuilder", t: int) -> None:
        super().__init__(horizon.H.views[t])
        self.horizon, self.t = horizon, t
        self.suffix = f"_t{t}"
        self.label = horizon.H.items[t].name
        self.problem = _Suffixed(horizon.problem, self.suffix)  # type: ignore[assignment]
        self.rules = horizon.rules
        self.effective: dict[str, pulp.LpVariable] = {}  # adstock a_ct of channels with carry_over

    def add(self, terms, sense, rhs, name, rule) -> None:
        super().add(terms, sense, rhs, name + self.suffix, f"{self.label}: {rule}")

    def build(self) -> pulp.LpAffineExpression:  # type: ignore[override]
        self._channels()
        for cid, x in self.on.items():
            if not self.horizon.H.available(cid, self.t):
                x.upBound = 0
        self.horizon.starts(self)
        self._budget_and_resources()
        cover = self._coverage()
        self.weighted = cover
        self._breadth()
        self._concentration_and_groups()
        self._cardinality_and_logic()
        self._objective(cover)
        assert self.problem.objective is not None
        return self.problem.objective

    def _money_terms(self):
        """Spends and fixed costs, and the set-up cost of every channel that starts now."""
        cost = super()._money_terms()
        for cid, u in self.horizon.start_of.get(self.t, {}).items():
            setup = self.sc.channel(cid).setup_cost
            if setup:
                cost[u] = cost.get(u, 0.0) + setup
        return cost

    def _budget_row(self) -> None:
        if not self.horizon.H.carry_money:
            super()._budget_row()

    def _response(self, i, ch, x, s, cap: float, accuracy: float) -> None:
        """The curve read at the adstock a_t = s_t + θ a_t−1 (while on) for a channel with carry_over."""
        theta = ch.carry_over
        if theta <= 0:
            return super()._response(i, ch, x, s, cap, accuracy)
        H, t = self.horizon.H, self.t
        a = self.problem.add_variable(f"a_{i}", 0)
        terms, rhs = {a: 1.0, s: -1.0}, 0.0
        earlier = next((tau for tau in range(t - 1, -1, -1) if (ch.id, tau) in self.horizon.adstock), None)
        if earlier is None:  # decayed from a_0 (periods without a spend lever spend nothing)
            rhs = theta ** (t + 1) * H.adstock_start(ch.id)
            bound = cap + rhs
        else:
            a_before, bound_before = self.horizon.adstock[(ch.id, earlier)]
            terms[a_before] = -theta ** (t - earlier)
            bound = cap + theta ** (t - earlier) * bound_before
        a.upBound = bound
        self.add(terms, pulp.LpConstraintEQ, rhs, f"adstock_{i}", f"{ch.id}: effective spend = spend + {_n(theta)} × last period's")
        self.horizon.adstock[(ch.id, t)] = (a, bound)
        e = self.problem.add_variable(f"e_{i}", 0, bound)
        self.add({e: 1, a: -1}, pulp.LpConstraintLE, 0, f"effective_{i}", f"{ch.id}: the curve reads the effective spend")
        self.add({e: 1, x: -bound}, pulp.LpConstraintLE, 0, f"effective_on_{i}", f"{ch.id}: no reach while off")
        self.add({e: 1, a: -1, x: -bound}, pulp.LpConstraintGE, -bound, f"effective_all_{i}", f"{ch.id}: all of it while on")
        self.effective[ch.id] = a
        super()._response(i, ch, x, e, bound, accuracy)


class _HorizonBuilder:
    def __init__(self, scenario: Scenario) -> None:
        self.sc = scenario
        self.H = Horizon(scenario)
        self.problem = pulp.LpProblem("channelmix", pulp.LpMaximize if scenario.objective.maximises else pulp.LpMinimize)
        self.rules: dict[str, str] = {}
        self.index = {ch.id: i for i, ch in enumerate(scenario.channels)}
        self.periods: list[_PeriodBuilder] = []
        self.start_of: dict[int, dict[str, pulp.LpVariable]] = {}  # t -> channel -> u_ct
        self.adstock: dict[tuple[str, int], tuple[pulp.LpVariable, float]] = {}  # (channel, t) -> (a_ct, its upper bound)
        self.needs_start = {ch.id for ch in scenario.channels
                            if ch.setup_cost > 0 or self.H.min_run(ch.id) > 1 or self.H.max_switches(ch.id) is not None}

    def add(self, terms, sense, rhs, name: str, rule: str) -> None:
        _add_row(self.problem, self.rules, terms, sense, rhs, name, rule)

    def build(self) -> PeriodsFormulation:
        objectives = []
        for t in range(self.H.T):
            builder = _PeriodBuilder(self, t)
            self.periods.append(builder)
            objectives.append(builder.build())
        self._money()
        self._runs()
        self._pacing_and_ramp()
        return self._objective(objectives)

    # -- starts, set-up, minimum runs, switches --------------------------------------

    def starts(self, builder: _PeriodBuilder) -> None:
        """u_ct for the channels that need it, exact: u = x_t · (1 − x_t−1)."""
        t = builder.t
        for cid in sorted(self.needs_start, key=self.index.get):
            i, x = self.index[cid], builder.on[cid]
            u = self.problem.add_variable(f"u_{i}_t{t}", 0, 1, cat=pulp.LpInteger)
            self.start_of.setdefault(t, {})[cid] = u
            if t == 0:
                was = 1.0 if self.H.running_before(cid) else 0.0
                self.add({u: 1, x: -1}, pulp.LpConstraintGE, -was, f"start_{i}_t0", f"{cid}: starts in {builder.label} if on now and not before")
                self.add({u: 1}, pulp.LpConstraintLE, 1 - was, f"start_off_{i}_t0", f"{cid}: no start in {builder.label} if it runs before")
            else:
                before = self.periods[t - 1].on[cid]
                self.add({u: 1, x: -1, before: 1}, pulp.LpConstraintGE, 0, f"start_{i}_t{t}", f"{cid}: starts in {builder.label} if on now and not before")
                self.add({u: 1, before: 1}, pulp.LpConstraintLE, 1, f"start_off_{i}_t{t}", f"{cid}: no start in {builder.label} if on before")
            self.add({u: 1, x: -1}, pulp.LpConstraintLE, 0, f"start_on_{i}_t{t}", f"{cid}: a start in {builder.label} is a period on")

    def _runs(self) -> None:
        for cid in sorted(self.needs_start, key=self.index.get):
            i = self.index[cid]
            first, last = self.H.window(cid)
            k = self.H.min_run(cid)
            for t in range(self.H.T):
                x = self.periods[t].on[cid]
                for tau in range(max(0, t - k + 1), t + 1):
                    if t <= last and tau < t:  # a run started at tau must go on to t, unless the window has closed
                        self.add({x: 1, self.start_of[tau][cid]: -1}, pulp.LpConstraintGE, 0, f"minrun_{i}_t{tau}_{t}",
                                 f"{cid}: once started in {self.H.items[tau].name}, on for ≥ {k} periods")
            limit = self.H.max_switches(cid)
            if limit is None:
                continue
            switches = {u: 1.0 for u in (self.start_of[t][cid] for t in range(self.H.T))}
            for t in range(1, self.H.T):
                x, before = self.periods[t].on[cid], self.periods[t - 1].on[cid]
                v = self.problem.add_variable(f"v_{i}_t{t}", 0, 1, cat=pulp.LpInteger)
                self.add({v: 1, before: -1, x: 1}, pulp.LpConstraintGE, 0, f"stop_{i}_t{t}", f"{cid}: stops in {self.H.items[t].name} if off after on")
                self.add({v: 1, before: -1}, pulp.LpConstraintLE, 0, f"stop_on_{i}_t{t}", f"{cid}: a stop follows a period on")
                self.add({v: 1, x: 1}, pulp.LpConstraintLE, 1, f"stop_off_{i}_t{t}", f"{cid}: a stop is a period off")
                switches[v] = 1.0
            self.add(switches, pulp.LpConstraintLE, limit, f"switches_{i}", f"{cid}: ≤ {limit} starts and stops")

    # -- money over the horizon --------------------------------------------------------

    def _money(self) -> None:
        H = self.H
        if H.carry_money:  # cumulative: what is spent up to t ≤ the budgets up to t (unspent money rolls on)
            running: dict = {}
            allowed = 0.0
            for t, builder in enumerate(self.periods):
                running = _combine(running, builder.cost, 1.0)
                allowed += H.items[t].budget or 0.0
                self.add(running, pulp.LpConstraintLE, allowed, f"budget_t{t}",
                         f"{builder.label}: money spent so far ≤ budgets so far {_n(allowed)} (unspent money carries over)")
        if self.sc.budget is not None:
            total: dict = {}
            for builder in self.periods:
                total = _combine(total, builder.cost, 1.0)
            self.add(total, pulp.LpConstraintLE, self.sc.budget, "budget_total", f"money spent over the plan ≤ budget {_n(self.sc.budget)}")

    # -- pacing and ramp -------------------------------------------------------------

    def _pacing_and_ramp(self) -> None:
        rules = self.sc.rules
        for ch in self.sc.channels:
            i = self.index[ch.id]
            spends = [b.spend.get(ch.id) for b in self.periods]
            if any(s is None for s in spends):
                continue  # no spend lever in some period: nothing to pace
            caps = [b.caps[ch.id] for b in self.periods]
            if rules.pacing is not None:  # within ±band of an even share of the channel's own total over its window
                band = rules.pacing.band
                first, last = self.H.window(ch.id)
                share = 1.0 / (last - first + 1)
                total = {s: -share for s in spends[first:last + 1]}
                for t in range(first, last + 1):
                    where = f"{ch.id}: spend in {self.periods[t].label}"
                    self.add(_combine({spends[t]: 1.0}, total, 1 + band), pulp.LpConstraintLE, 0, f"pace_hi_{i}_t{t}",
                             f"{where} ≤ {1 + band:g} × an even share of its total")
                    if band < 1:
                        self.add(_combine({spends[t]: 1.0}, total, 1 - band), pulp.LpConstraintGE, 0, f"pace_lo_{i}_t{t}",
                                 f"{where} ≥ {1 - band:g} × an even share of its total")
            if rules.ramp is not None:
                growth = rules.ramp.max_growth
                current = (self.sc.current or {}).get(ch.id)
                for t, (s, b) in enumerate(zip(spends, self.periods)):
                    where = f"{ch.id}: spend in {b.label} ≤ {1 + growth:g} × the period before's"
                    if t == 0:
                        if current:  # a run that goes on from the current plan's spend
                            self.add({s: 1}, pulp.LpConstraintLE, (1 + growth) * current, f"ramp_{i}_t0", where)
                        continue
                    self.add({s: 1, spends[t - 1]: -(1 + growth), self.periods[t - 1].on[ch.id]: caps[t]}, pulp.LpConstraintLE, caps[t],
                             f"ramp_{i}_t{t}", where + " while it ran")

    # -- objective ---------------------------------------------------------------------

    def _objective(self, objectives: list[pulp.LpAffineExpression]) -> PeriodsFormulation:
        H, sc = self.H, self.sc
        total: dict = {}
        for t, objective in enumerate(objectives):
            total = _combine(total, dict(objective.items()), H.weight(t))
        penalties: dict = {}
        card = sc.rules.cardinality
        on, spend, reach, coverage, pieces, weighted, cost = {}, {}, {}, {}, {}, {}, {}
        for t, b in enumerate(self.periods):
            pid = H.ids[t]
            on.update({(cid, pid): x for cid, x in b.on.items()})
            spend.update({(cid, pid): s for cid, s in b.spend.items()})
            reach.update({(cid, pid): y for cid, y in b.reach.items()})
            coverage.update({(pid, *cell): z for cell, z in b.coverage.items()})
            pieces.update({f"{cid}@{pid}": p for cid, p in b.curve_pieces.items()})
            cost = _combine(cost, b.cost, 1.0)
        for t, b in enumerate(self.periods):
            weighted = _combine(weighted, b.weighted, H.weight(t))
        binaries: dict[str, pulp.LpVariable] = {}
        if card is not None:
            binaries = _used_rows(self.problem, self.rules, H, on)
            used = {w: 1.0 for w in binaries.values()}
            if card.min:
                self.add(used, pulp.LpConstraintGE, card.min, "cardinality_min", f"≥ {card.min} channels used over the plan")
            if card.max is not None:
                self.add(used, pulp.LpConstraintLE, card.max, "cardinality_max", f"≤ {card.max} channels used over the plan")
            if card.penalty_per_channel:
                penalties = {w: card.penalty_per_channel for w in used}
        sign = -1.0 if sc.objective.maximises else 1.0
        self.problem.setObjective(_expr(_combine(total, penalties, sign)))
        bounds = [b.approximation_bound for b in self.periods]
        bound = None if any(v is None for v in bounds) else sum(H.weight(t) * v for t, v in enumerate(bounds))
        parts = {"weighted_reach": _expr(weighted), "cost": _expr(cost)}
        if penalties:
            parts["penalty_channel_count"] = _expr(penalties)
        return PeriodsFormulation(
            scenario=sc, problem=self.problem, on=on, spend=spend, reach=reach, coverage=coverage, caps={},
            curve_pieces=pieces, parts=parts, rules=self.rules, approximation_bound=bound,
            understated=sum(H.weight(t) * b.understated for t, b in enumerate(self.periods)), horizon=H,
            period_objectives=objectives, used=binaries)

