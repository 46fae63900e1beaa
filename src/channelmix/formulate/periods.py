"""The MILP of a plan over periods (docs/architecture.md, "The model"): one model for the
whole horizon.

Each period is the single-period model of its view (:meth:`channelmix.model.periods.Horizon.view`),
built by :class:`PeriodBuilder` — a :class:`channelmix.formulate.builder.Builder` writing into the
shared problem with the period's suffix on every name (``x_3_t2``, ``budget_t2``,
``cover_12_t2``) and overriding four of its hooks: the channels' availability and starts, the
response read at the adstock, set-up costs in the money, and the budget row when unspent money
carries over.  The horizon ties the periods together:

* availability: x_ct = 0 outside the channel's window (a bound);
* starts u_ct = x_ct·(1 − x_c,t−1) (exact: u ≥ x_t − x_t−1, u ≤ x_t, u ≤ 1 − x_t−1) pay the
  set-up cost in the period's money (``setup_{c}_t{t}``);
* minimum run k: Σ_{τ=t−k+1..t} u_cτ ≤ x_ct (the turn-on form: one row a period, the convex hull of
  the runs, never looser than x_ct ≥ u_cτ for each τ and k − 1 times fewer rows), up to the window's end;
* switches: starts + stops (v_ct = x_c,t−1·(1 − x_ct)) ≤ the limit;
* adstock θ: a_ct = s_ct + θ a_c,t−1 and the curve read at e_ct = a_ct while on, 0 off, through the
  carry-in k_ct: e ≤ s + k, k ≤ θ a_c,t−1, k ≤ K_t x_ct (K_t: the most earlier periods can leave) — the
  same plans as e ≤ min(a, B_t x), but a channel a little on cannot read the whole carry-in in the LP;
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

from ..model.curves import Pieces
from ..model.facts import Rule, Scope
from ..model.periods import Horizon
from ..schema.models import Channel, Scenario
from .builder import Builder
from .formulation import Formulation, Terms, add_row, combine, expression


@dataclass
class PeriodsFormulation(Formulation):
    """A :class:`Formulation` over periods: ``on`` and ``spend`` are keyed by (channel, period id)."""

    horizon: Horizon | None = None
    period_objectives: list[pulp.LpAffineExpression] = field(default_factory=list)
    # channel -> 1 when on in some period (see used_binaries)
    used: dict[str, pulp.LpVariable] = field(default_factory=dict)

    def used_binaries(self) -> dict[str, pulp.LpVariable]:
        """Channel -> w_c = max_t x_ct; the model's own when cardinality built them, else added now."""
        if not self.used:
            assert self.horizon is not None
            self.used = used_rows(self.problem, self.rules, self.horizon, self.on)
        return self.used


def used_rows(problem: pulp.LpProblem, rules: dict[str, Rule], H: Horizon, on: dict) -> dict[str, pulp.LpVariable]:
    """w_c = max_t x_ct for every channel, exactly: w ≥ x_ct for every t, w ≤ Σ_t x_ct."""
    out = {}
    for i, ch in enumerate(H.scenario.channels):
        w = out[ch.id] = problem.add_variable(f"used_{i}", 0, 1, cat=pulp.LpInteger)
        xs = [on[(ch.id, p)] for p in H.ids]
        for t, x in enumerate(xs):
            add_row(problem, rules, {w: 1, x: -1}, pulp.LpConstraintGE, 0,
                    Rule(f"used_{i}_t{t}", "used_period", channel=ch.id, scope=_period(H, t)))
        add_row(problem, rules, {w: 1, **{x: -1.0 for x in xs}}, pulp.LpConstraintLE, 0,
                Rule(f"used_{i}", "used", channel=ch.id))
    return out


def _period(H: Horizon, t: int) -> Scope:
    """Period t as the scope of its rows."""
    return Scope(period=H.ids[t], period_label=H.items[t].name)


def formulate_periods(scenario: Scenario) -> PeriodsFormulation:
    """The one MILP for a scenario with ``periods`` (see :func:`channelmix.formulate.formulate`)."""
    return PeriodsBuilder(scenario).build()


class PeriodBuilder(Builder):
    """One period's single-period model inside the horizon's problem."""

    def __init__(self, horizon: PeriodsBuilder, t: int) -> None:
        label = horizon.H.items[t].name
        super().__init__(horizon.H.views[t], horizon.problem, horizon.rules, suffix=f"_t{t}",
                         scope=_period(horizon.H, t))
        self.horizon, self.t, self.label = horizon, t, label
        self.effective: dict[str, pulp.LpVariable] = {}  # adstock a_ct of channels with carry_over

    def channels_built(self) -> None:
        """Off outside the channel's window; the starts of this period (see :meth:`PeriodsBuilder.starts`)."""
        for cid, x in self.on.items():
            if not self.horizon.H.available(cid, self.t):
                x.upBound = 0
        self.horizon.starts(self)

    def money_terms(self) -> Terms:
        """Spends and fixed costs, and the set-up cost of every channel that starts now."""
        cost = super().money_terms()
        for cid, u in self.horizon.start_of.get(self.t, {}).items():
            setup = self.sc.channel(cid).setup_cost
            if setup:
                cost[u] = cost.get(u, 0.0) + setup
        return cost

    def budget_row(self) -> None:
        """The period's own budget row, unless unspent money carries over (the horizon chains them)."""
        if not self.horizon.H.carry_money:
            super().budget_row()

    def response(self, i: int, ch: Channel, x: pulp.LpVariable, s: pulp.LpVariable, cap: float,
                 accuracy: float) -> None:
        """The curve read at the adstock a_t = s_t + θ a_t−1 (while on) for a channel with carry_over."""
        theta = ch.carry_over
        if theta <= 0:
            return super().response(i, ch, x, s, cap, accuracy)
        H, t = self.horizon.H, self.t
        a = self.variable(f"a_{i}", 0)
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
        self.add(terms, pulp.LpConstraintEQ, rhs, Rule(f"adstock_{i}", "adstock", theta, channel=ch.id))
        self.horizon.adstock[(ch.id, t)] = (a, bound)
        e = self.variable(f"e_{i}", 0, bound)
        carried = {v: w for v, w in terms.items() if v is not a and v is not s}  # −θ^Δ a of the period before
        self._carry_in(i, ch.id, x, s, e, carried, rhs, bound - cap)
        self.add({e: 1, a: -1, x: -bound}, pulp.LpConstraintGE, -bound,
                 Rule(f"effective_all_{i}", "effective_all", channel=ch.id))
        self.effective[ch.id] = a
        super().response(i, ch, x, e, bound, accuracy)

    def _carry_in(self, i: int, cid: str, x: pulp.LpVariable, s: pulp.LpVariable, e: pulp.LpVariable,
                  carried: Terms, rhs: float, most: float) -> None:
        """e_t ≤ s_t + k_t with the carry-in k_t ≤ θ·a_t−1 (+ the decayed a_0: ``rhs``) and k_t ≤ K_t·x_t
        (K_t = ``most``, what earlier periods can leave at most).  Together with ``effective_all`` these
        allow exactly the plans e_t ≤ min(a_t, B_t x_t) allowed (off: e = 0; on: e = a), while the LP
        can no longer read the whole carry-in of a channel that is only a little on (issue 20).  Nothing
        to carry in (no earlier period and no adstock from today's plan): e_t ≤ s_t alone."""
        if most <= 0:
            self.add({e: 1, s: -1}, pulp.LpConstraintLE, 0, Rule(f"effective_{i}", "effective", channel=cid))
            return
        k = self.variable(f"k_{i}", 0, most)
        self.add({e: 1, s: -1, k: -1}, pulp.LpConstraintLE, 0, Rule(f"effective_{i}", "effective", channel=cid))
        self.add({k: 1, **carried}, pulp.LpConstraintLE, rhs, Rule(f"carry_in_{i}", "carry_in", channel=cid))
        self.add({k: 1, x: -most}, pulp.LpConstraintLE, 0, Rule(f"carry_on_{i}", "carry_on", channel=cid))


class PeriodsBuilder:
    """The horizon: a :class:`PeriodBuilder` per period, and the rows that tie the periods together."""

    def __init__(self, scenario: Scenario) -> None:
        self.sc = scenario
        self.H = Horizon(scenario)
        self.problem = pulp.LpProblem("channelmix",
                                      pulp.LpMaximize if scenario.objective.maximises else pulp.LpMinimize)
        self.rules: dict[str, Rule] = {}
        self.index = {ch.id: i for i, ch in enumerate(scenario.channels)}
        self.periods: list[PeriodBuilder] = []
        self.start_of: dict[int, dict[str, pulp.LpVariable]] = {}  # t -> channel -> u_ct
        # (channel, t) -> (a_ct, its upper bound)
        self.adstock: dict[tuple[str, int], tuple[pulp.LpVariable, float]] = {}
        self.needs_start = {ch.id for ch in scenario.channels
                            if ch.setup_cost > 0 or self.H.min_run(ch.id) > 1 or self.H.max_switches(ch.id) is not None}

    def add(self, terms: Terms, sense: int, rhs: float, rule: Rule) -> None:
        add_row(self.problem, self.rules, terms, sense, rhs, rule)

    def build(self) -> PeriodsFormulation:
        objectives = []
        for t in range(self.H.T):
            builder = PeriodBuilder(self, t)
            self.periods.append(builder)
            objectives.append(expression(builder.rows()))
        self._money()
        self._runs()
        self._pacing_and_ramp()
        return self._objective(objectives)

    # -- starts, set-up, minimum runs, switches --------------------------------------

    def starts(self, builder: PeriodBuilder) -> None:
        """u_ct for the channels that need it, exact: u = x_t · (1 − x_t−1)."""
        t = builder.t
        for cid in sorted(self.needs_start, key=lambda cid: self.index[cid]):
            i, x = self.index[cid], builder.on[cid]
            u = self.problem.add_variable(f"u_{i}_t{t}", 0, 1, cat=pulp.LpInteger)
            self.start_of.setdefault(t, {})[cid] = u
            if t == 0:
                was = 1.0 if self.H.running_before(cid) else 0.0
            at = builder.scope
            if t == 0:
                was = 1.0 if self.H.running_before(cid) else 0.0
                self.add({u: 1, x: -1}, pulp.LpConstraintGE, -was,
                         Rule(f"start_{i}_t0", "start", channel=cid, scope=at))
                self.add({u: 1}, pulp.LpConstraintLE, 1 - was,
                         Rule(f"start_off_{i}_t0", "no_start_running", channel=cid, scope=at))
            else:
                before = self.periods[t - 1].on[cid]
                self.add({u: 1, x: -1, before: 1}, pulp.LpConstraintGE, 0,
                         Rule(f"start_{i}_t{t}", "start", channel=cid, scope=at))
                self.add({u: 1, before: 1}, pulp.LpConstraintLE, 1,
                         Rule(f"start_off_{i}_t{t}", "no_start_after_on", channel=cid, scope=at))
            if not (self.H.min_run(cid) > 1 and t <= self.H.window(cid)[1]):  # else in the turn-on row of t
                self.add({u: 1, x: -1}, pulp.LpConstraintLE, 0,
                         Rule(f"start_on_{i}_t{t}", "start_on", channel=cid, scope=at))

    def _runs(self) -> None:
        for cid in sorted(self.needs_start, key=lambda cid: self.index[cid]):
            i = self.index[cid]
            last = self.H.window(cid)[1]
            k = self.H.min_run(cid)
            for t in range(min(last + 1, self.H.T) if k > 1 else 0):
                # a run started in t−k+1..t is still on in t (unless the window has closed); at most one of them did
                started = {self.start_of[tau][cid]: -1.0 for tau in range(max(0, t - k + 1), t + 1)}
                self.add({self.periods[t].on[cid]: 1, **started}, pulp.LpConstraintGE, 0,
                         Rule(f"minrun_{i}_t{t}", "min_run", k, channel=cid, scope=_period(self.H, t)))
            limit = self.H.max_switches(cid)
            if limit is None:
                continue
            switches = {u: 1.0 for u in (self.start_of[t][cid] for t in range(self.H.T))}
            for t in range(1, self.H.T):
                x, before = self.periods[t].on[cid], self.periods[t - 1].on[cid]
                v = self.problem.add_variable(f"v_{i}_t{t}", 0, 1, cat=pulp.LpInteger)
                at = _period(self.H, t)
                self.add({v: 1, before: -1, x: 1}, pulp.LpConstraintGE, 0,
                         Rule(f"stop_{i}_t{t}", "stop", channel=cid, scope=at))
                self.add({v: 1, before: -1}, pulp.LpConstraintLE, 0,
                         Rule(f"stop_on_{i}_t{t}", "stop_on", channel=cid, scope=at))
                self.add({v: 1, x: 1}, pulp.LpConstraintLE, 1,
                         Rule(f"stop_off_{i}_t{t}", "stop_off", channel=cid, scope=at))
                switches[v] = 1.0
            self.add(switches, pulp.LpConstraintLE, limit, Rule(f"switches_{i}", "switches", limit, channel=cid))

    # -- money over the horizon --------------------------------------------------------

    def _money(self) -> None:
        H = self.H
        if H.carry_money:  # cumulative: what is spent up to t ≤ the budgets up to t (unspent money rolls on)
            running: dict = {}
            allowed = 0.0
            for t, builder in enumerate(self.periods):
                running = combine(running, builder.cost, 1.0)
                allowed += H.items[t].budget or 0.0
                self.add(running, pulp.LpConstraintLE, allowed,
                         Rule(f"budget_t{t}", "budget_so_far", allowed, scope=builder.scope))
        if self.sc.budget is not None:
            total: dict = {}
            for builder in self.periods:
                total = combine(total, builder.cost, 1.0)
            self.add(total, pulp.LpConstraintLE, self.sc.budget, Rule("budget_total", "budget_total", self.sc.budget))

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
                    at = self.periods[t].scope
                    self.add(combine({spends[t]: 1.0}, total, 1 + band), pulp.LpConstraintLE, 0,
                             Rule(f"pace_hi_{i}_t{t}", "pace_hi", 1 + band, channel=ch.id, scope=at))
                    if band < 1:
                        self.add(combine({spends[t]: 1.0}, total, 1 - band), pulp.LpConstraintGE, 0,
                                 Rule(f"pace_lo_{i}_t{t}", "pace_lo", 1 - band, channel=ch.id, scope=at))
            if rules.ramp is not None:
                growth = rules.ramp.max_growth
                current = (self.sc.current or {}).get(ch.id)
                for t, (s, b) in enumerate(zip(spends, self.periods)):
                    if t == 0:
                        if current:  # a run that goes on from the current plan's spend
                            self.add({s: 1}, pulp.LpConstraintLE, (1 + growth) * current,
                                     Rule(f"ramp_{i}_t0", "ramp_from_current", 1 + growth, channel=ch.id,
                                          scope=b.scope))
                        continue
                    self.add({s: 1, spends[t - 1]: -(1 + growth), self.periods[t - 1].on[ch.id]: caps[t]},
                             pulp.LpConstraintLE, caps[t],
                             Rule(f"ramp_{i}_t{t}", "ramp", 1 + growth, channel=ch.id, scope=b.scope))

    # -- objective ---------------------------------------------------------------------

    def _objective(self, objectives: list[pulp.LpAffineExpression]) -> PeriodsFormulation:
        H, sc = self.H, self.sc
        total: dict = {}
        for t, objective in enumerate(objectives):
            total = combine(total, dict(objective.items()), H.weight(t))
        penalties: dict = {}
        card = sc.rules.cardinality
        on: dict[tuple[str, str], pulp.LpVariable] = {}
        spend: dict[tuple[str, str], pulp.LpVariable] = {}
        reach: dict[tuple[str, str], pulp.LpVariable | pulp.LpAffineExpression] = {}
        coverage: dict[tuple[str, str, str], pulp.LpVariable] = {}
        pieces: dict[str, Pieces] = {}
        weighted: Terms = {}
        cost: Terms = {}
        for t, b in enumerate(self.periods):
            pid = H.ids[t]
            on.update({(cid, pid): x for cid, x in b.on.items()})
            spend.update({(cid, pid): s for cid, s in b.spend.items()})
            reach.update({(cid, pid): y for cid, y in b.reach.items()})
            coverage.update({(pid, *cell): z for cell, z in b.coverage.items()})
            pieces.update({f"{cid}@{pid}": p for cid, p in b.curve_pieces.items()})
            cost = combine(cost, b.cost, 1.0)
        for t, b in enumerate(self.periods):
            weighted = combine(weighted, b.weighted, H.weight(t))
        binaries: dict[str, pulp.LpVariable] = {}
        if card is not None:
            binaries = used_rows(self.problem, self.rules, H, on)
            used = {w: 1.0 for w in binaries.values()}
            if card.min:
                self.add(used, pulp.LpConstraintGE, card.min,
                         Rule("cardinality_min", "cardinality_plan", card.min, side="min"))
            if card.max is not None:
                self.add(used, pulp.LpConstraintLE, card.max,
                         Rule("cardinality_max", "cardinality_plan", card.max, side="max"))
            if card.penalty_per_channel:
                penalties = {w: card.penalty_per_channel for w in used}
        sign = -1.0 if sc.objective.maximises else 1.0
        self.problem.setObjective(expression(combine(total, penalties, sign)))
        bounds = [b.approximation_bound for b in self.periods]
        bound: float | None = 0  # None (unknown) when any period's is
        for t, v in enumerate(bounds):
            bound = None if bound is None or v is None else bound + H.weight(t) * v
        parts = {"weighted_reach": expression(weighted), "cost": expression(cost)}
        if penalties:
            parts["penalty_channel_count"] = expression(penalties)
        return PeriodsFormulation(
            scenario=sc, problem=self.problem, on=on, spend=spend, reach=reach, coverage=coverage, caps={},
            curve_pieces=pieces, parts=parts, rules=self.rules, approximation_bound=bound,
            understated=sum(H.weight(t) * b.understated for t, b in enumerate(self.periods)), horizon=H,
            period_objectives=objectives, used=binaries)

