"""The channel-mix MILP of one scenario (docs/architecture.md, "The model"), built step by
step in PuLP, every constraint named after its rule (a :class:`channelmix.model.facts.Rule`).

:class:`Builder` writes the single-period model; a plan over periods (:mod:`channelmix.formulate.periods`)
builds one per period into a shared problem, and the robust model (:mod:`channelmix.formulate.worlds`)
replaces the steps that differ by world. They change the model only through the public steps below, each a hook:

* :meth:`Builder.channels` — on/off, spend and curve variables of every channel, and
  :meth:`Builder.channels_built` right after them (periods: availability and starts);
* :meth:`Builder.response` — a spend-driven channel's reach (periods: read at the adstock;
  worlds: one reach per world, added later);
* :meth:`Builder.money_terms` — money spent as terms (periods: plus set-up costs) and
  :meth:`Builder.budget_row` (periods with carry-over: the horizon chains the budgets);
* :meth:`Builder.coverage_rows`, :meth:`Builder.breadth`, :meth:`Builder.objective` — the cells,
  breadth and redundancy, and the objective (worlds: per world, and the risk measure);
* :meth:`Builder.formulation` — what the build returns.

A step writes rows with :meth:`Builder.add` and variables with :meth:`Builder.variable`, which add the builder's
``suffix`` to every name (``x_3_t2`` in period 2).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pulp

from ..model.arrays import ScenarioArrays, arrays, at_least
from ..model.curves import Pieces, pieces, prepare
from ..model.facts import EVERYWHERE, Rule, Scope
from ..schema.models import Channel, Constant, Scenario
from ..schema.responses import depends_on_spend
from .formulation import Formulation, Problem, Terms, add_row, approximation_bound, combine, expression, fill_in_order


def formulate_single(scenario: Scenario) -> Formulation:
    """The MILP of one single-period scenario (see :func:`channelmix.formulate.formulate`)."""
    return Builder(scenario).build()


class Builder:
    """Builds the single-period MILP of ``scenario`` (see the module docstring for its steps).

    ``problem`` and ``rules``: write into these instead of a new problem (one period of a plan
    over periods); ``suffix`` ends every variable and row name, and ``scope`` is where every rule
    written holds (a period)."""

    def __init__(self, scenario: Scenario, problem: pulp.LpProblem | None = None, rules: dict[str, Rule] | None = None,
                 suffix: str = "", scope: Scope = EVERYWHERE) -> None:
        self.sc = scenario
        maximise = scenario.objective.maximises
        self.problem = (
            problem if problem is not None else Problem("channelmix", pulp.LpMaximize if maximise else pulp.LpMinimize))
        self.rules: dict[str, Rule] = rules if rules is not None else {}
        self.suffix, self.scope = suffix, scope
        self.on: dict[str, pulp.LpVariable] = {}
        self.spend: dict[str, pulp.LpVariable] = {}
        self.reach: dict[str, pulp.LpVariable | pulp.LpAffineExpression] = {}
        self.coverage: dict[tuple[str, str], pulp.LpVariable] = {}
        self.reach_terms: dict[str, dict[pulp.LpVariable, float]] = {}  # reach of a channel as terms (y, or value · x)
        self.A = arrays(scenario)
        self.caps: dict[str, float] = {}
        self.curve_pieces: dict[str, Pieces] = {}
        self.penalties: dict[str, dict[pulp.LpVariable, float]] = {}
        self.total_spend: pulp.LpVariable | None = None
        self.approximation_bound: float | None = 0.0
        self.understated = 0.0
        self.cost: Terms = {}
        self.weighted: Terms = {}
        self.parts: dict[str, pulp.LpAffineExpression] = {}

    def add(self, terms: Terms, sense: int, rhs: float, rule: Rule) -> None:
        """A row named ``rule.row`` (and the suffix) stating ``rule``, in the builder's scope unless it has its own."""
        scope = self.scope if rule.scope == EVERYWHERE else rule.scope
        add_row(self.problem, self.rules, terms, sense, rhs, replace(rule, row=rule.row + self.suffix, scope=scope))

    def variable(self, name: str, low: float | None = None, up: float | None = None,
                 cat: str = pulp.LpContinuous) -> pulp.LpVariable:
        """A variable named ``name`` (and the suffix)."""
        return self.problem.add_variable(name + self.suffix, low, up, cat=cat)

    def build(self) -> Formulation:
        """Every row, the objective, and the formulation."""
        self.problem.setObjective(expression(self.rows()))
        return self.formulation()

    def rows(self) -> Terms:
        """Every row, in the model's order; returns the objective as terms (a period's, over periods)."""
        self.channels()
        self.channels_built()
        self.budget_and_resources()
        self.weighted = self.coverage_rows()
        self.breadth()
        self.concentration_and_groups()
        self.cardinality_and_logic()
        return self.objective(self.weighted)

    def channels_built(self) -> None:
        """Hook: after the channels' variables and rows (nothing here)."""

    # -- 1 & 3: on/off, spend, response ------------------------------------------

    def channels(self) -> None:
        """On/off x, spend s (with its bounds and payable units) and the reach of every channel."""
        rules = self.sc.rules
        accuracy = self.sc.solver.accuracy
        caps = self.sc.spend_caps()
        prepare([(ch.response, caps[ch.id]) for ch in self.sc.channels], accuracy)  # every curve's pieces at once
        forced_on, forced_off = set(rules.force_on), set(rules.force_off)
        for i, ch in enumerate(self.sc.channels):
            forced = 1 if ch.id in forced_on else 0 if ch.id in forced_off else None
            # LpInteger in [0, 1], not LpBinary: PuLP resets a binary's bounds, which would undo force_on/off
            x = self.variable(f"x_{i}", 0 if forced is None else forced, 1 if forced is None else forced,
                              cat=pulp.LpInteger)
            cap = caps[ch.id] if depends_on_spend(ch.response) or (ch.max_spend or 0) > 0 else 0.0
            self.on[ch.id], self.caps[ch.id] = x, cap
            if isinstance(ch.response, Constant):
                if ch.response.value > 0:  # reach value · x, no variable needed
                    self.reach_terms[ch.id] = {x: ch.response.value}
                    self.reach[ch.id] = expression({x: ch.response.value})
            if cap <= 0:
                continue  # no spend lever: no spend variable, and a spend-driven curve gives no reach
            s = self.variable(f"s_{i}", 0, cap)
            self.spend[ch.id] = s
            self.add({s: 1, x: -cap}, pulp.LpConstraintLE, 0, Rule(f"onoff_max_{i}", "cap", cap, channel=ch.id))
            least = self.sc.spend_floor(ch)  # min_spend, rounded up to the spend_step
            if least > 0:
                self.add({s: 1, x: -least}, pulp.LpConstraintGE, 0,
                         Rule(f"onoff_min_{i}", "min_spend", least, channel=ch.id))
            step = self.sc.step_of(ch)
            if step:  # s = step · n, n a whole number of payable units (cap is already a multiple)
                n = self.variable(f"n_{i}", 0, round(cap / step), cat=pulp.LpInteger)
                self.add({s: 1, n: -step}, pulp.LpConstraintEQ, 0,
                         Rule(f"spend_step_{i}", "spend_step", step, channel=ch.id))
            if not isinstance(ch.response, Constant):
                self.response(i, ch, x, s, cap, accuracy)

    def response(self, i: int, ch: Channel, x: pulp.LpVariable, s: pulp.LpVariable, cap: float,
                 accuracy: float) -> None:
        """Hook: reach y ≤ the pieces of a spend-driven channel's curve on [0, cap]."""
        curve = pieces(ch.response, cap, accuracy)
        self.curve_pieces[ch.id] = curve
        if len(curve.xs) < 2:
            return
        y = self.variable(f"y_{i}", 0, 1)
        self.reach[ch.id], self.reach_terms[ch.id] = y, {y: 1.0}
        if curve.concave:
            self.concave_response(i, ch.id, x, s, y, curve)
        else:
            self.incremental_response(i, ch.id, x, s, y, curve)

    def concave_response(self, i: int | str, cid: str, x: pulp.LpVariable, s: pulp.LpVariable, y: pulp.LpVariable,
                         curve: Pieces) -> None:
        """y ≤ m_j s + q_j x for every piece j: exact for a concave g with g(0) = 0."""
        for j, slope in enumerate(curve.slopes):
            intercept = curve.ys[j] - slope * curve.xs[j]
            self.add({y: 1, s: -slope, x: -intercept}, pulp.LpConstraintLE, 0,
                     Rule(f"response_{i}_{j}", "response_piece", channel=cid, piece=j))

    def incremental_response(self, i: int | str, cid: str, x: pulp.LpVariable, s: pulp.LpVariable, y: pulp.LpVariable,
                             curve: Pieces) -> None:
        """Incremental (delta) form for a non-concave g: binaries fill pieces in order."""
        n = len(curve.xs) - 1
        deltas = [self.variable(f"d_{i}_{j}", 0, 1) for j in range(n)]
        fills = [self.variable(f"w_{i}_{j}", 0, 1, cat=pulp.LpBinary) for j in range(n - 1)]
        dx = [curve.xs[j + 1] - curve.xs[j] for j in range(n)]
        dy = [curve.ys[j + 1] - curve.ys[j] for j in range(n)]
        self.add({s: 1, **{d: -w for d, w in zip(deltas, dx)}}, pulp.LpConstraintEQ, 0,
                 Rule(f"curve_spend_{i}", "curve_spend", channel=cid))
        self.add({y: 1, **{d: -h for d, h in zip(deltas, dy)}}, pulp.LpConstraintLE, 0,
                 Rule(f"curve_reach_{i}", "curve_reach", channel=cid))
        fill_in_order(self.add, i, cid, x, deltas, fills)

    # -- 2: budget and other resources ----------------------------------------------

    def money_terms(self) -> Terms:
        """Hook: money spent, as terms: spends and fixed costs."""
        cost: dict[pulp.LpVariable, float] = {}
        for ch in self.sc.channels:
            if ch.id in self.spend:
                cost[self.spend[ch.id]] = 1.0
            if ch.fixed_cost:
                cost[self.on[ch.id]] = ch.fixed_cost
        return cost

    def budget_row(self) -> None:
        """Hook: money spent ≤ budget."""
        if self.sc.budget is not None:
            self.add(self.cost, pulp.LpConstraintLE, self.sc.budget, Rule("budget", "budget", self.sc.budget))

    def budget_and_resources(self) -> None:
        """The money (:meth:`money_terms`, :meth:`budget_row`) and every resource's capacity."""
        self.cost = self.money_terms()
        self.budget_row()
        for r, (resource, capacity) in enumerate(self.sc.resources.items()):
            terms: dict[pulp.LpVariable, float] = {}
            for ch in self.sc.channels:
                use = ch.uses.get(resource)
                if use is None:
                    continue
                if use.per_unit and ch.id in self.spend:
                    terms[self.spend[ch.id]] = use.per_unit
                if use.fixed:
                    terms[self.on[ch.id]] = use.fixed
            self.add(terms, pulp.LpConstraintLE, capacity,
                     Rule(f"resource_{r}", "resource", capacity, resource=resource))

    # -- 4: coverage -------------------------------------------------------------

    def coverage_rows(self) -> Terms:
        """Hook: z_k ≤ Σ a · reach and targets, for the cells something reads; returns the weighted-reach terms."""
        sc, A = self.sc, self.A
        weighted: dict[pulp.LpVariable, float] = {}
        shortfall_terms: dict[pulp.LpVariable, float] = {}
        cov = A.coverage
        target = np.where(cov.rule >= 0, cov.level, 0.0)
        # min_cost reads reach only to break ties
        reads_weight = sc.objective.sense != "min_cost" or sc.objective.tie_break
        needed = (target > 0) | ((A.weight != 0) & reads_weight)
        error = np.array([self.curve_pieces[cid].max_error if cid in self.curve_pieces else 0.0 for cid in A.ids])
        lost = np.minimum(1.0, A.affinity @ error)  # how much the pieces can understate each cell's coverage
        terms_of = [self.reach_terms.get(cid) for cid in A.ids]
        M = A.affinity
        understated = 0.0  # how much the pieces can understate the objective (see approximation_bound)
        understated_penalty = 0.0  # the part of it that comes from soft coverage penalties
        for k in np.flatnonzero(needed):
            p, g = A.cells[k]
            serving: dict[pulp.LpVariable, float] = {}
            for c, a in zip(M.indices[M.indptr[k]:M.indptr[k + 1]], M.data[M.indptr[k]:M.indptr[k + 1]]):
                for v, w in (terms_of[c] or {}).items():
                    serving[v] = serving.get(v, 0.0) - a * w
            z = self.variable(f"z_{k}", 0, 1 if serving else 0)
            self.coverage[(p, g)] = z
            if serving:
                serving[z] = 1.0
                self.add(serving, pulp.LpConstraintLE, 0, Rule(f"cover_{k}", "cover", cell=(p, g)))
            weight = float(A.weight[k])
            if weight:
                weighted[z] = weight
                understated += weight * lost[k] if sc.objective.maximises else 0.0
            if target[k] > 0:
                t = float(target[k])
                if cov.hard[k]:
                    self.add({z: 1}, pulp.LpConstraintGE, t, Rule(f"target_{k}", "target", t, cell=(p, g)))
                else:
                    u = self.variable(f"short_{k}", 0, t)
                    shortfall_terms[u] = float(cov.penalty[k])
                    understated += float(cov.penalty[k]) * min(lost[k], t)
                    understated_penalty += float(cov.penalty[k]) * min(lost[k], t)
                    self.add({z: 1, u: 1}, pulp.LpConstraintGE, t,
                             Rule(f"target_{k}", "target", t, cell=(p, g), soft=True,
                                  penalty=float(cov.penalty[k])))
        self.penalties["coverage_shortfall"] = shortfall_terms
        if sc.objective.sense == "max_outcome":  # cell weights are not in this objective; each channel's value is
            understated = understated_penalty + sum(
                (c.outcome.value if c.outcome else 0.0) * self.curve_pieces[c.id].max_error for c in sc.channels
                if c.id in self.curve_pieces)
        self.approximation_bound = approximation_bound(sc, self.curve_pieces, understated)
        self.understated = understated
        return weighted

    # -- 5: breadth and redundancy ---------------------------------------------------

    def breadth(self) -> None:
        """Hook: breadth and redundancy of every cell (worlds: once per pattern of affinities)."""
        self.breadth_rows(self.A)

    def breadth_rows(self, A: ScenarioArrays, suffix: str = "", scope: Scope = EVERYWHERE) -> None:
        """Breadth and redundancy on the affinities of ``A``, row names ending in ``suffix``, rules in ``scope``."""
        x_of = [self.on[cid] for cid in A.ids]
        every = {x: 1.0 for x in x_of}
        for family, cr in (("breadth", A.breadth), ("redundancy", A.redundancy)):
            penalty_terms: dict[pulp.LpVariable, float] = {}
            ruled = (cr.rule >= 0) & (cr.level > 0)
            M = at_least(A.affinity, cr.threshold) if ruled.any() else None
            for k in np.flatnonzero(ruled):
                assert M is not None  # some cell is ruled
                p, g = A.cells[k]
                need, threshold = int(cr.level[k]), float(cr.threshold[k])
                terms = (
                    dict(every) if threshold <= 0 else {x_of[c]: 1.0 for c in M.indices[M.indptr[k] : M.indptr[k + 1]]})
                hard = family == "breadth" and bool(cr.hard[k])
                if not hard:
                    v = self.variable(f"{family}_short_{k}{suffix}", 0, need)
                    terms[v] = 1.0
                    penalty_terms[v] = float(cr.penalty[k])
                self.add(terms, pulp.LpConstraintGE, need, Rule(f"{family}_{k}{suffix}", family, need, cell=(p, g),
                                                                threshold=threshold, soft=not hard, scope=scope,
                                                                penalty=None if hard else float(cr.penalty[k])))
            self.penalties[f"{family}_shortfall{suffix}"] = penalty_terms

    # -- 6 & 8: concentration and groups ------------------------------------------------

    def _total_spend(self) -> pulp.LpVariable:
        if self.total_spend is None:
            self.total_spend = self.variable("total_spend", 0)
            self.add({self.total_spend: 1, **{s: -1 for s in self.spend.values()}}, pulp.LpConstraintEQ, 0,
                     Rule("total_spend", "total_spend"))
        return self.total_spend

    def concentration_and_groups(self) -> None:
        """No channel above its share of the spend; each group's shares and counts."""
        sc = self.sc
        if sc.rules.concentration is not None and sc.rules.concentration.max_share < 1:
            share = sc.rules.concentration.max_share
            total = self._total_spend()
            for i, ch in enumerate(sc.channels):
                if ch.id in self.spend:
                    self.add({self.spend[ch.id]: 1, total: -share}, pulp.LpConstraintLE, 0,
                             Rule(f"concentration_{i}", "concentration", share, channel=ch.id))
        for j, group in enumerate(sc.rules.groups):
            members = [sc.channels[c] for c in np.flatnonzero(self.A.groups[j])]
            what = group.describe()
            for bound, sense in ((group.min_share, pulp.LpConstraintGE), (group.max_share, pulp.LpConstraintLE)):
                if bound is not None:
                    total = self._total_spend()
                    terms = {self.spend[c.id]: 1.0 for c in members if c.id in self.spend}
                    terms[total] = terms.get(total, 0.0) - bound
                    tag = "min" if sense == pulp.LpConstraintGE else "max"
                    self.add(terms, sense, 0,
                             Rule(f"group_{j}_{tag}_share", "group_share", bound, group=what, side=tag))
            for bound, sense in ((group.min_count, pulp.LpConstraintGE), (group.max_count, pulp.LpConstraintLE)):
                if bound is not None:
                    tag = "min" if sense == pulp.LpConstraintGE else "max"
                    self.add({self.on[c.id]: 1.0 for c in members}, sense, bound,
                             Rule(f"group_{j}_{tag}_count", "group_count", bound, group=what, side=tag))

    # -- 7 & 9: cardinality and logic -----------------------------------------------------

    def cardinality_and_logic(self) -> None:
        """How many channels run (and their attention penalty); requires and excludes."""
        sc = self.sc
        card = sc.rules.cardinality
        every = {x: 1.0 for x in self.on.values()}
        if card is not None:
            if card.min:
                self.add(every, pulp.LpConstraintGE, card.min,
                         Rule("cardinality_min", "cardinality", card.min, side="min"))
            if card.max is not None:
                self.add(every, pulp.LpConstraintLE, card.max,
                         Rule("cardinality_max", "cardinality", card.max, side="max"))
            if card.penalty_per_channel:
                self.penalties["channel_count"] = {x: card.penalty_per_channel for x in self.on.values()}
        for j, (a, b) in enumerate(sc.rules.requires):
            self.add({self.on[a]: 1, self.on[b]: -1}, pulp.LpConstraintLE, 0,
                     Rule(f"requires_{j}", "requires", channel=a, other=b))
        for j, (a, b) in enumerate(sc.rules.excludes):
            self.add({self.on[a]: 1, self.on[b]: 1}, pulp.LpConstraintLE, 1,
                     Rule(f"excludes_{j}", "excludes", channel=a, other=b))

    # -- objective -------------------------------------------------------------------

    def objective(self, weighted: Terms) -> Terms:
        """Hook: the objective as terms (and the rows of the min senses' targets); keeps ``parts``."""
        sc = self.sc
        # Σ value_c · reach_c, reach as terms (y, or value · x when constant)
        outcome: dict[pulp.LpVariable, float] = {}
        for c in sc.channels:
            if c.outcome is not None and c.outcome.value:
                for v, w in self.reach_terms.get(c.id, {}).items():
                    outcome[v] = outcome.get(v, 0.0) + c.outcome.value * w
        parts = {"weighted_reach": expression(weighted), "cost": expression(self.cost), "outcome": expression(outcome)}
        penalty_total: dict[pulp.LpVariable, float] = {}
        for name, terms in self.penalties.items():
            if terms:
                parts[f"penalty_{name}"] = expression(terms)
                for v, w in terms.items():
                    penalty_total[v] = penalty_total.get(v, 0.0) + w
        sense = sc.objective.sense
        if sense == "max_reach":
            objective = combine(weighted, penalty_total, -1.0)
        elif sense == "max_value":
            objective = combine(combine(weighted, self.cost, -1.0), penalty_total, -1.0)
        elif sense == "max_outcome":  # Σ value_c · y_c, less the money spent when net
            objective = combine(combine(outcome, self.cost, -1.0 if sc.objective.net else 0.0), penalty_total, -1.0)
        else:
            objective = combine(self.cost, penalty_total, 1.0)
            if sc.objective.outcome_target is not None:
                self.add(outcome, pulp.LpConstraintGE, sc.objective.outcome_target,
                         Rule("outcome_target", "outcome_target", sc.objective.outcome_target))
            if sense == "target":
                self.add(weighted, pulp.LpConstraintGE, sc.objective.level or 0.0,
                         Rule("reach_level", "reach_level", sc.objective.level))
        self.parts = parts
        return objective

    def formulation(self) -> Formulation:
        """Hook: what :meth:`build` returns."""
        return Formulation(scenario=self.sc, problem=self.problem, on=self.on, spend=self.spend, reach=self.reach,
                           coverage=self.coverage, caps=self.caps, curve_pieces=self.curve_pieces, parts=self.parts,
                           rules=self.rules, approximation_bound=self.approximation_bound,
                           understated=self.understated)


