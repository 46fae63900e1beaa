"""Build the channel-mix MILP (DESIGN §3) in PuLP, every constraint named after its rule.

Variables and constraints carry short index-based names (``x_3``, ``cover_12``) so
that any script survives the LP/MPS file formats; :attr:`Formulation.rules` maps
each constraint name to the rule it enforces, in words.  Expressions are built from
coefficient dicts (``LpAffineExpression``), which is several times faster than
``lpSum`` of products on large models.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulp

import numpy as np

from .arrays import arrays, at_least
from .curves import Pieces, depends_on_spend, pieces, prepare
from .schema.models import Constant, Scenario


def _n(value: float) -> str:
    """A number as a person writes it in a rule: 4,500 or 0.45, never 9e+07."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.6g}"


def _expr(terms: dict[pulp.LpVariable, float] | list[tuple[pulp.LpVariable, float]], constant: float = 0.0) -> pulp.LpAffineExpression:
    return pulp.LpAffineExpression(terms, constant=constant)


@dataclass
class Formulation:
    """The PuLP problem plus what is needed to read a solution back.

    The model is lean: ``spend`` and ``reach`` hold variables only for channels with a
    spend lever (a spend cap above 0); a channel without one has no ``spend`` entry
    (it spends nothing) and its ``reach`` is the expression ``value · x`` (a constant
    response) or absent (no reach at all).  ``coverage`` holds a variable only for the
    cells something reads: a coverage target, the objective's weighted reach, or the
    tie-break.  Read values with ``pulp.value``, which takes variables and expressions."""

    scenario: Scenario
    problem: pulp.LpProblem
    on: dict[str, pulp.LpVariable]
    spend: dict[str, pulp.LpVariable]
    reach: dict[str, pulp.LpVariable | pulp.LpAffineExpression]
    coverage: dict[tuple[str, str], pulp.LpVariable]
    caps: dict[str, float]
    curve_pieces: dict[str, Pieces]
    parts: dict[str, pulp.LpAffineExpression]  # weighted_reach, cost and each penalty
    rules: dict[str, str] = field(default_factory=dict)  # constraint name -> rule in words
    approximation_bound: float | None = 0.0  # how far the true optimum can be above the plan (None: unknown)
    understated: float = 0.0  # how much the pieces can understate the objective of any plan (the bound, were no rule judged on them)


class Problem(pulp.LpProblem):
    """An LpProblem whose ``variables()`` walks the rows again only when they changed.

    PuLP rebuilds the variable list from every term of every row on each call, and a
    HiGHS solve calls it three times (plus once for the values read back): 2 million
    term visits on a 5,000-channel model.  The list can only change when the objective
    or a row is replaced or gains terms, which the key (the objective and each row, by
    identity and size) sees."""

    def variables(self) -> list[pulp.LpVariable]:
        objective, rows = self.objective, list(self._constraints.values())
        sizes = [len(c) for c in rows]
        size = len(objective) if objective is not None else 0
        seen = getattr(self, "_seen", None)  # what the list was built from (held, so no identity is reused)
        if seen is not None and seen[0] is objective and seen[1] == size and len(seen[2]) == len(rows) \
                and seen[3] == sizes and all(a is b for a, b in zip(seen[2], rows)):
            return self._variables
        found = super().variables()
        self._seen = (objective, size, rows, sizes)
        return found


def formulate(scenario: Scenario) -> Formulation:
    """The MILP for one concrete scenario."""
    return _Builder(scenario).build()


class _Builder:
    def __init__(self, scenario: Scenario) -> None:
        self.sc = scenario
        maximise = scenario.objective.maximises
        self.problem = Problem("channelmix", pulp.LpMaximize if maximise else pulp.LpMinimize)
        self.rules: dict[str, str] = {}
        self.on: dict[str, pulp.LpVariable] = {}
        self.spend: dict[str, pulp.LpVariable] = {}
        self.reach: dict[str, pulp.LpVariable] = {}
        self.coverage: dict[tuple[str, str], pulp.LpVariable] = {}
        self.reach_terms: dict[str, dict[pulp.LpVariable, float]] = {}  # reach of a channel as terms (y, or value · x)
        self.A = arrays(scenario)
        self.caps: dict[str, float] = {}
        self.curve_pieces: dict[str, Pieces] = {}
        self.penalties: dict[str, dict[pulp.LpVariable, float]] = {}
        self.total_spend: pulp.LpVariable | None = None
        self.approximation_bound: float | None = 0.0
        self.understated = 0.0

    def add(self, terms: dict[pulp.LpVariable, float], sense: int, rhs: float, name: str, rule: str) -> None:
        terms = {v: w for v, w in terms.items() if w != 0}
        self.problem.addConstraint(pulp.LpConstraint(_expr(terms), sense, name=name, rhs=rhs))
        self.rules[name] = rule

    def build(self) -> Formulation:
        self._channels()
        self._budget_and_resources()
        cover = self._coverage()
        self._breadth()
        self._concentration_and_groups()
        self._cardinality_and_logic()
        return self._objective(cover)

    # -- 1 & 3: on/off, spend, response ------------------------------------------

    def _channels(self) -> None:
        rules = self.sc.rules
        accuracy = self.sc.solver.accuracy
        caps = self.sc.spend_caps()
        prepare([(ch.response, caps[ch.id]) for ch in self.sc.channels], accuracy)  # every curve's pieces at once
        for i, ch in enumerate(self.sc.channels):
            forced = 1 if ch.id in rules.force_on else 0 if ch.id in rules.force_off else None
            # LpInteger in [0, 1], not LpBinary: PuLP resets a binary's bounds, which would undo force_on/off
            x = self.problem.add_variable(f"x_{i}", 0 if forced is None else forced, 1 if forced is None else forced, cat=pulp.LpInteger)
            cap = caps[ch.id] if depends_on_spend(ch.response) or (ch.max_spend or 0) > 0 else 0.0
            self.on[ch.id], self.caps[ch.id] = x, cap
            if isinstance(ch.response, Constant):
                if ch.response.value > 0:  # reach value · x, no variable needed
                    self.reach_terms[ch.id] = {x: ch.response.value}
                    self.reach[ch.id] = _expr({x: ch.response.value})
            if cap <= 0:
                continue  # no spend lever: no spend variable, and a spend-driven curve gives no reach
            s = self.problem.add_variable(f"s_{i}", 0, cap)
            self.spend[ch.id] = s
            self.add({s: 1, x: -cap}, pulp.LpConstraintLE, 0, f"onoff_max_{i}", f"{ch.id}: spend ≤ {_n(cap)} when on, 0 when off")
            least = self.sc.spend_floor(ch)  # min_spend, rounded up to the spend_step
            if least > 0:
                self.add({s: 1, x: -least}, pulp.LpConstraintGE, 0, f"onoff_min_{i}", f"{ch.id}: spend ≥ min_spend {_n(least)} when on")
            step = self.sc.step_of(ch)
            if step:  # s = step · n, n a whole number of payable units (cap is already a multiple)
                n = self.problem.add_variable(f"n_{i}", 0, round(cap / step), cat=pulp.LpInteger)
                self.add({s: 1, n: -step}, pulp.LpConstraintEQ, 0, f"spend_step_{i}", f"{ch.id}: spend in multiples of {_n(step)}")
            if not isinstance(ch.response, Constant):
                self._response(i, ch, x, s, cap, accuracy)

    def _response(self, i, ch, x, s, cap: float, accuracy: float) -> None:
        """reach ≤ the channel's curve pieces (an extension point: the worlds model has one reach per world)."""
        curve = pieces(ch.response, cap, accuracy)
        self.curve_pieces[ch.id] = curve
        if len(curve.xs) < 2:
            return
        y = self.problem.add_variable(f"y_{i}", 0, 1)
        self.reach[ch.id], self.reach_terms[ch.id] = y, {y: 1.0}
        if curve.concave:
            self._concave_response(i, ch.id, x, s, y, curve)
        else:
            self._incremental_response(i, ch.id, x, s, y, curve)

    def _concave_response(self, i, cid, x, s, y, curve: Pieces) -> None:
        """y ≤ m_j s + q_j x for every piece j: exact for a concave g with g(0) = 0."""
        for j, slope in enumerate(curve.slopes):
            intercept = curve.ys[j] - slope * curve.xs[j]
            self.add({y: 1, s: -slope, x: -intercept}, pulp.LpConstraintLE, 0, f"response_{i}_{j}", f"{cid}: reach ≤ response curve, piece {j}")

    def _incremental_response(self, i, cid, x, s, y, curve: Pieces) -> None:
        """Incremental (delta) form for a non-concave g: binaries fill pieces in order."""
        n = len(curve.xs) - 1
        deltas = [self.problem.add_variable(f"d_{i}_{j}", 0, 1) for j in range(n)]
        fills = [self.problem.add_variable(f"w_{i}_{j}", 0, 1, cat=pulp.LpBinary) for j in range(n - 1)]
        dx = [curve.xs[j + 1] - curve.xs[j] for j in range(n)]
        dy = [curve.ys[j + 1] - curve.ys[j] for j in range(n)]
        self.add({s: 1, **{d: -w for d, w in zip(deltas, dx)}}, pulp.LpConstraintEQ, 0, f"curve_spend_{i}", f"{cid}: spend along the curve")
        self.add({y: 1, **{d: -h for d, h in zip(deltas, dy)}}, pulp.LpConstraintLE, 0, f"curve_reach_{i}", f"{cid}: reach ≤ response curve")
        self.add({deltas[0]: 1, x: -1}, pulp.LpConstraintLE, 0, f"curve_on_{i}", f"{cid}: curve only when on")
        for j, w in enumerate(fills):
            self.add({deltas[j + 1]: 1, w: -1}, pulp.LpConstraintLE, 0, f"curve_order_{i}_{j}a", f"{cid}: piece {j + 1} after piece {j}")
            self.add({w: 1, deltas[j]: -1}, pulp.LpConstraintLE, 0, f"curve_order_{i}_{j}b", f"{cid}: piece {j} full before piece {j + 1}")

    # -- 2: budget and other resources ----------------------------------------------

    def _money_terms(self) -> dict[pulp.LpVariable, float]:
        """Money spent, as terms: spends and fixed costs (an extension point: periods add set-up costs)."""
        cost: dict[pulp.LpVariable, float] = {}
        for ch in self.sc.channels:
            if ch.id in self.spend:
                cost[self.spend[ch.id]] = 1.0
            if ch.fixed_cost:
                cost[self.on[ch.id]] = ch.fixed_cost
        return cost

    def _budget_row(self) -> None:
        """money spent ≤ budget (an extension point: with carry-over the periods chain their budgets)."""
        if self.sc.budget is not None:
            self.add(self.cost, pulp.LpConstraintLE, self.sc.budget, "budget", f"money spent ≤ budget {_n(self.sc.budget)}")

    def _budget_and_resources(self) -> None:
        self.cost = self._money_terms()
        self._budget_row()
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
            self.add(terms, pulp.LpConstraintLE, capacity, f"resource_{r}", f"{resource} used ≤ {_n(capacity)}")

    # -- 4: coverage -------------------------------------------------------------

    def _coverage(self) -> dict[pulp.LpVariable, float]:
        """z_k ≤ Σ a · reach and targets, for the cells something reads; returns the weighted-reach terms."""
        sc, A = self.sc, self.A
        weighted: dict[pulp.LpVariable, float] = {}
        shortfall_terms: dict[pulp.LpVariable, float] = {}
        cov = A.coverage
        target = np.where(cov.rule >= 0, cov.level, 0.0)
        reads_weight = sc.objective.sense != "min_cost" or sc.objective.tie_break  # min_cost reads reach only to break ties
        needed = (target > 0) | ((A.weight != 0) & reads_weight)
        error = np.array([self.curve_pieces[cid].max_error if cid in self.curve_pieces else 0.0 for cid in A.ids])
        lost = np.minimum(1.0, A.affinity @ error)  # how much the pieces can understate each cell's coverage
        terms_of = [self.reach_terms.get(cid) for cid in A.ids]
        M = A.affinity
        understated = 0.0  # how much the pieces can understate the objective (see _bound)
        understated_penalty = 0.0  # the part of it that comes from soft coverage penalties
        for k in np.flatnonzero(needed):
            p, g = A.cells[k]
            serving: dict[pulp.LpVariable, float] = {}
            for c, a in zip(M.indices[M.indptr[k]:M.indptr[k + 1]], M.data[M.indptr[k]:M.indptr[k + 1]]):
                for v, w in (terms_of[c] or {}).items():
                    serving[v] = serving.get(v, 0.0) - a * w
            z = self.problem.add_variable(f"z_{k}", 0, 1 if serving else 0)
            self.coverage[(p, g)] = z
            if serving:
                serving[z] = 1.0
                self.add(serving, pulp.LpConstraintLE, 0, f"cover_{k}", f"coverage of ({p}, {g}) ≤ reach of its channels")
            weight = float(A.weight[k])
            if weight:
                weighted[z] = weight
                understated += weight * lost[k] if sc.objective.maximises else 0.0
            if target[k] > 0:
                where, t = f"({p}, {g})", float(target[k])
                if cov.hard[k]:
                    self.add({z: 1}, pulp.LpConstraintGE, t, f"target_{k}", f"coverage of {where} ≥ {_n(t)}")
                else:
                    u = self.problem.add_variable(f"short_{k}", 0, t)
                    shortfall_terms[u] = float(cov.penalty[k])
                    understated += float(cov.penalty[k]) * min(lost[k], t)
                    understated_penalty += float(cov.penalty[k]) * min(lost[k], t)
                    self.add({z: 1, u: 1}, pulp.LpConstraintGE, t, f"target_{k}", f"coverage of {where} ≥ {_n(t)} (soft)")
        self.penalties["coverage_shortfall"] = shortfall_terms
        if sc.objective.sense == "max_outcome":  # cell weights are not in this objective; each channel's value is
            understated = understated_penalty + sum(
                (c.outcome.value if c.outcome else 0.0) * self.curve_pieces[c.id].max_error for c in sc.channels if c.id in self.curve_pieces)
        self.approximation_bound = self._bound(understated)
        self.understated = understated
        return weighted

    def _bound(self, understated: float) -> float | None:
        """The true optimum is at most this much better than the plan found.

        The pieces change no feasible set when the only coverage rules are soft, so the
        model's value at the true optimum's spends is at most ``understated`` below its
        true value. Hard targets (or a reach level) are judged on the pieces too, which
        shrinks the feasible set, and then no such bound holds: None."""
        if all(p.max_error == 0 for p in self.curve_pieces.values()):
            return 0.0  # every curve is modelled exactly
        if any(r.hard and r.target > 0 for r in self.sc.rules.coverage) or self.sc.objective.sense == "target" \
                or self.sc.objective.outcome_target is not None:
            return None
        return understated

    # -- 5: breadth and redundancy ---------------------------------------------------

    def _breadth(self, A=None, suffix: str = "", where: str = "") -> None:
        """Breadth and redundancy on the affinities of ``A`` (default: the scenario's); the
        worlds model states them once per distinct pattern of affinities, with a name suffix."""
        A = self.A if A is None else A
        x_of = [self.on[cid] for cid in A.ids]
        every = {x: 1.0 for x in x_of}
        for family, cr in (("breadth", A.breadth), ("redundancy", A.redundancy)):
            penalty_terms: dict[pulp.LpVariable, float] = {}
            ruled = (cr.rule >= 0) & (cr.level > 0)
            M = at_least(A.affinity, cr.threshold) if ruled.any() else None
            for k in np.flatnonzero(ruled):
                p, g = A.cells[k]
                need, threshold = int(cr.level[k]), float(cr.threshold[k])
                terms = dict(every) if threshold <= 0 else {x_of[c]: 1.0 for c in M.indices[M.indptr[k]:M.indptr[k + 1]]}
                hard = family == "breadth" and bool(cr.hard[k])
                words = f"{where}({p}, {g}) served by ≥ {need} channels with affinity ≥ {_n(threshold)}"
                if not hard:
                    v = self.problem.add_variable(f"{family}_short_{k}{suffix}", 0, need)
                    terms[v] = 1.0
                    penalty_terms[v] = float(cr.penalty[k])
                    words += " (soft)"
                self.add(terms, pulp.LpConstraintGE, need, f"{family}_{k}{suffix}", words)
            self.penalties[f"{family}_shortfall{suffix}"] = penalty_terms

    # -- 6 & 8: concentration and groups ------------------------------------------------

    def _total_spend(self) -> pulp.LpVariable:
        if self.total_spend is None:
            self.total_spend = self.problem.add_variable("total_spend", 0)
            self.add({self.total_spend: 1, **{s: -1 for s in self.spend.values()}}, pulp.LpConstraintEQ, 0, "total_spend", "total spend")
        return self.total_spend

    def _concentration_and_groups(self) -> None:
        sc = self.sc
        if sc.rules.concentration is not None and sc.rules.concentration.max_share < 1:
            share = sc.rules.concentration.max_share
            total = self._total_spend()
            for i, ch in enumerate(sc.channels):
                if ch.id in self.spend:
                    self.add({self.spend[ch.id]: 1, total: -share}, pulp.LpConstraintLE, 0, f"concentration_{i}", f"{ch.id}: ≤ {share:.0%} of spend")
        for j, group in enumerate(sc.rules.groups):
            members = [sc.channels[c] for c in np.flatnonzero(self.A.groups[j])]
            what = group.describe()
            for bound, sense, word in ((group.min_share, pulp.LpConstraintGE, "≥"), (group.max_share, pulp.LpConstraintLE, "≤")):
                if bound is not None:
                    total = self._total_spend()
                    terms = {self.spend[c.id]: 1.0 for c in members if c.id in self.spend}
                    terms[total] = terms.get(total, 0.0) - bound
                    tag = "min" if sense == pulp.LpConstraintGE else "max"
                    self.add(terms, sense, 0, f"group_{j}_{tag}_share", f"{what}: {word} {bound:.0%} of spend")
            for bound, sense, word in ((group.min_count, pulp.LpConstraintGE, "≥"), (group.max_count, pulp.LpConstraintLE, "≤")):
                if bound is not None:
                    tag = "min" if sense == pulp.LpConstraintGE else "max"
                    self.add({self.on[c.id]: 1.0 for c in members}, sense, bound, f"group_{j}_{tag}_count", f"{what}: {word} {bound} channels on")

    # -- 7 & 9: cardinality and logic -----------------------------------------------------

    def _cardinality_and_logic(self) -> None:
        sc = self.sc
        card = sc.rules.cardinality
        every = {x: 1.0 for x in self.on.values()}
        if card is not None:
            if card.min:
                self.add(every, pulp.LpConstraintGE, card.min, "cardinality_min", f"≥ {card.min} channels on")
            if card.max is not None:
                self.add(every, pulp.LpConstraintLE, card.max, "cardinality_max", f"≤ {card.max} channels on")
            if card.penalty_per_channel:
                self.penalties["channel_count"] = {x: card.penalty_per_channel for x in self.on.values()}
        for j, (a, b) in enumerate(sc.rules.requires):
            self.add({self.on[a]: 1, self.on[b]: -1}, pulp.LpConstraintLE, 0, f"requires_{j}", f"{a} on ⇒ {b} on")
        for j, (a, b) in enumerate(sc.rules.excludes):
            self.add({self.on[a]: 1, self.on[b]: 1}, pulp.LpConstraintLE, 1, f"excludes_{j}", f"not both {a} and {b}")

    # -- objective -------------------------------------------------------------------

    def _objective(self, weighted: dict[pulp.LpVariable, float]) -> Formulation:
        sc = self.sc
        outcome: dict[pulp.LpVariable, float] = {}  # Σ value_c · reach_c, reach as terms (y, or value · x when constant)
        for c in sc.channels:
            if c.outcome is not None and c.outcome.value:
                for v, w in self.reach_terms.get(c.id, {}).items():
                    outcome[v] = outcome.get(v, 0.0) + c.outcome.value * w
        parts = {"weighted_reach": _expr(weighted), "cost": _expr(self.cost), "outcome": _expr(outcome)}
        penalty_total: dict[pulp.LpVariable, float] = {}
        for name, terms in self.penalties.items():
            if terms:
                parts[f"penalty_{name}"] = _expr(terms)
                for v, w in terms.items():
                    penalty_total[v] = penalty_total.get(v, 0.0) + w
        sense = sc.objective.sense
        if sense == "max_reach":
            objective = _combine(weighted, penalty_total, -1.0)
        elif sense == "max_value":
            objective = _combine(_combine(weighted, self.cost, -1.0), penalty_total, -1.0)
        elif sense == "max_outcome":  # Σ value_c · y_c, less the money spent when net
            objective = _combine(_combine(outcome, self.cost, -1.0 if sc.objective.net else 0.0), penalty_total, -1.0)
        else:
            objective = _combine(self.cost, penalty_total, 1.0)
            if sc.objective.outcome_target is not None:
                self.add(outcome, pulp.LpConstraintGE, sc.objective.outcome_target, "outcome_target",
                         f"total outcome ≥ {_n(sc.objective.outcome_target)}")
            if sense == "target":
                self.add(weighted, pulp.LpConstraintGE, sc.objective.level or 0.0, "reach_level", f"weighted reach ≥ {_n(sc.objective.level)}")
        self.problem.setObjective(_expr(objective))
        return Formulation(
            scenario=sc, problem=self.problem, on=self.on, spend=self.spend, reach=self.reach, coverage=self.coverage,
            caps=self.caps, curve_pieces=self.curve_pieces, parts=parts, rules=self.rules,
            approximation_bound=self.approximation_bound, understated=self.understated,
        )


def _combine(a: dict, b: dict, sign: float) -> dict:
    out = dict(a)
    for v, w in b.items():
        out[v] = out.get(v, 0.0) + sign * w
    return out
