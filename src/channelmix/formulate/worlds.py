"""The robust MILP: one plan for every world (see :mod:`channelmix.model.worlds`).

On/off and spends are shared; every world has its own reach per channel, its own
coverage and its own objective ``obj_w``.  Worlds with the same curve for a channel share
its reach variable; worlds whose curves differ share one grid of spend breakpoints
(:mod:`channelmix.model.worlds_pieces`), so a non-concave curve needs one set of piece binaries
for all worlds, not one per world, and each world's reach is a linear map of the shared
piece fills.  Coverage ``z ≤ 1`` stays per world (a mean of capped coverages is not the
cap of the mean), so every risk objective, ``mean`` included, is exact on the pieces.  The hard
rules that do not depend on the world (budget, resources, breadth, concentration, groups,
cardinality, logic) are stated once; hard coverage
targets, a reach level and an outcome target must hold **in every world**.

The objective, on scores ``g_w = obj_w`` (maximising senses) or ``−obj_w`` (minimising):

* ``mean``: max Σ g_w / W;
* ``worst``: max t  s.t. t ≤ g_w for every w;
* ``cvar``: max η − Σ u_w / (αW)  s.t. u_w ≥ η − g_w, u_w ≥ 0 (Rockafellar–Uryasev).

The model's objective value is the risk figure in the objective's own units.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pulp

from ..model.arrays import ScenarioArrays, arrays, at_least
from ..model.curves import Pieces, pieces
from ..model.facts import Rule, Scope
from ..model.worlds import worlds_of
from ..model.worlds_pieces import SharedPieces, shared_pieces
from ..schema.models import Channel, Constant, Scenario
from .builder import Builder
from .formulation import Formulation, Terms, combine, expression, fill_in_order


@dataclass
class WorldsFormulation(Formulation):
    """A :class:`Formulation` with one objective expression per world (read with ``pulp.value``)."""

    worlds: list[Scenario] = field(default_factory=list)
    world_objectives: list[pulp.LpAffineExpression] = field(default_factory=list)
    world_pieces: list[dict[str, Pieces]] = field(default_factory=list)  # each world's pieces of each channel's curve

    def world_values(self) -> list[float]:
        """Each world's objective as the model promises it at the solution (on its pieces)."""
        return [float(pulp.value(e) or 0.0) for e in self.world_objectives]


STAGES = {"breadth": "the breadth rules of {} of {} worlds",  # how far a stopped build got (for the exception)
          "coverage": "every curve and the coverage of {} of {} worlds",
          "curves": "the curves of {} of {} channels",
          "curves_next": "the curves of {} of {} channels and {} of {} curves of the next"}


class BuildStopped(Exception):
    """Building the robust model passed its deadline (it grows with worlds × distinct curves × pieces:
    a 1,000-world CVaR of the bakery has a million rows, and PuLP adds about 15,000 rows a second)."""

    def __init__(self, seconds: float, stage: str, counts: tuple[int, ...]) -> None:
        super().__init__(f"building the robust model was stopped after {seconds:.1f} s with "
                         + STAGES[stage].format(*counts))
        self.seconds, self.stage, self.counts = seconds, stage, counts  # how far it got (words in reports.wording)


def formulate_worlds(scenario: Scenario, worlds: list[Scenario] | None = None, share: bool = True,
                     deadline: float | None = None) -> WorldsFormulation:
    """The robust MILP for ``scenario.objective.risk`` over the scenario's worlds.

    ``share=False`` gives every distinct curve its own pieces (and a non-concave one its
    own binaries), as before the worlds shared a grid: for tests and benchmarks.
    ``deadline`` (a ``time.perf_counter()`` instant): raise :class:`BuildStopped` once it has
    passed, between one channel's or world's rows and the next, rather than build on past it."""
    return WorldsBuilder(scenario, worlds_of(scenario) if worlds is None else worlds, share, deadline).build()


class WorldsBuilder(Builder):
    """The robust model: the single-period builder with the steps that differ by world replaced
    (:meth:`response`, :meth:`coverage_rows`, :meth:`breadth`, :meth:`objective`, :meth:`formulation`)."""

    def __init__(self, scenario: Scenario, worlds: list[Scenario], share: bool = True,
                 deadline: float | None = None) -> None:
        super().__init__(scenario)
        self.worlds = worlds
        self.share = share
        self.sign = 1.0 if scenario.objective.maximises else -1.0
        self.breadth_group: list[int] = []
        self.world_objectives: list[pulp.LpAffineExpression] = []
        self.world_pieces: list[dict[str, Pieces]] = []  # filled by _reach
        self.began, self.deadline = time.perf_counter(), deadline

    def _on_time(self, stage: str, *counts: int) -> None:
        """Stop building (:class:`BuildStopped`) when the deadline has passed; ``stage`` and
        ``counts`` say how far it got (e.g. "breadth", 3 of 200 worlds)."""
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise BuildStopped(time.perf_counter() - self.began, stage, counts)

    def breadth(self) -> None:
        """Breadth and redundancy count the channels whose affinity reaches a threshold, which a
        world's affinities can move: one set of rules (and soft shortfalls) per distinct pattern,
        holding in the worlds that have it (one set in all when no world moves a channel across)."""
        groups: dict[tuple, int] = {}
        for w, world in enumerate(self.worlds):
            self._on_time("breadth", w, len(self.worlds))
            A = self.A if w == 0 else arrays(world)
            key = _counted(A)
            if key not in groups:
                groups[key] = len(groups)
                self.breadth_rows(A, f"_{groups[key]}", Scope(world=w, like=True) if w else Scope())
            self.breadth_group.append(groups[key])

    def response(self, i: int, ch: Channel, x: pulp.LpVariable, s: pulp.LpVariable, cap: float,
                 accuracy: float) -> None:
        """Nothing shared: each world adds its own reach on ``s`` (see :meth:`objective`)."""

    def coverage_rows(self) -> Terms:
        """Nothing shared: each world has its own coverage (see :meth:`objective`)."""
        return {}

    def objective(self, weighted: Terms) -> Terms:
        """Every world's reach, coverage and objective, and the risk measure over them."""
        shared: Terms = {}
        for name, terms in self.penalties.items():  # channel count (and breadth when no world moves it): every world
            if not name.startswith(("breadth_shortfall_", "redundancy_shortfall_")):
                shared = combine(shared, terms, 1.0)
        objectives: list[Terms] = []
        weighted_all: list[Terms] = []
        first: tuple[dict, dict, dict] | None = None  # the nominal world's reach, pieces and coverage
        reach_all, curves = self._reach()
        for w, world in enumerate(self.worlds):
            self._on_time("coverage", w, len(self.worlds))
            reach_terms = reach_all[w]
            weighted, shortfall, coverage = self._world_coverage(w, world, reach_terms)
            own: Terms = {}
            for family in ("breadth", "redundancy"):
                own = combine(own, self.penalties.get(f"{family}_shortfall_{self.breadth_group[w]}", {}), 1.0)
            objectives.append(
                self._world_objective(w, world, reach_terms, weighted,
                                      combine(combine(shared, own, 1.0), shortfall, 1.0)))
            weighted_all.append(weighted)
            if first is None:
                first = (reach_terms, curves, coverage)
        risk = self._risk(objectives)
        mean_weighted: Terms = {}
        for terms in weighted_all:
            mean_weighted = combine(mean_weighted, terms, 1.0 / len(self.worlds))
        assert first is not None  # a scenario has at least its nominal world
        reach_terms, self.curve_pieces, self.coverage = first
        self.reach = {cid: expression(t) for cid, t in reach_terms.items()}
        self.parts = {"weighted_reach": expression(mean_weighted), "cost": expression(self.cost)}
        self.world_objectives = [expression(o) for o in objectives]
        return {v: self.sign * c for v, c in risk.items()}

    def build(self) -> WorldsFormulation:
        """As :meth:`Builder.build`; the formulation carries every world's objective."""
        self.problem.setObjective(expression(self.rows()))
        return self.formulation()

    def formulation(self) -> WorldsFormulation:
        """As :meth:`Builder.formulation`, with the worlds; the bound is 0 when every world's pieces are exact."""
        exact = all(p.max_error == 0 for world in self.world_pieces for p in world.values())
        return WorldsFormulation(scenario=self.sc, problem=self.problem, on=self.on, spend=self.spend, reach=self.reach,
                                 coverage=self.coverage, caps=self.caps, curve_pieces=self.curve_pieces,
                                 parts=self.parts, rules=self.rules, approximation_bound=0.0 if exact else None,
                                 worlds=self.worlds, world_objectives=self.world_objectives,
                                 world_pieces=self.world_pieces)

    def _reach(self) -> tuple[list[dict[str, dict]], dict]:
        """Each world's reach per channel as terms, and world 0's pieces per channel.

        Worlds whose curve for a channel is the same share one reach variable; when the
        curves differ, they share one grid of spend breakpoints (:mod:`channelmix.model.worlds_pieces`):
        concave values get ``y_u ≤ m s + q x`` per piece, others one set of piece fills and
        binaries for the channel, with ``y_u ≤ Σ Δv_u · fill`` for each distinct curve u."""
        terms: list[dict[str, dict]] = [{} for _ in self.worlds]
        self.world_pieces = [{} for _ in self.worlds]
        curves = {}
        accuracy = self.sc.solver.accuracy
        for i, ch in enumerate(self.sc.channels):
            self._on_time("curves", i, len(self.sc.channels))
            x, s = self.on[ch.id], self.spend.get(ch.id)
            distinct: list = []  # the different curves of this channel, first seen first
            users: list[list[int]] = []  # the worlds that have each
            # a curve's text -> its place in distinct (pairwise == was worlds² calls)
            seen: dict[tuple[str, str], int] = {}
            for w, world in enumerate(self.worlds):
                resp = world.channels[i].response
                if isinstance(resp, Constant):
                    if resp.value > 0:
                        terms[w][ch.id] = {x: resp.value}
                    continue
                if s is None:
                    continue
                key = (type(resp).__name__, resp.model_dump_json())
                u = seen.setdefault(key, len(distinct))
                if u == len(distinct):
                    distinct.append(resp)
                    users.append([])
                users[u].append(w)
            if not distinct:
                continue
            cap = self.caps[ch.id]
            several = len(distinct) > 1
            shared = shared_pieces(distinct, cap, accuracy) if several and self.share else None
            per_curve = ([shared.of(u) for u in range(len(distinct))] if shared
                         else [pieces(c, cap, accuracy) for c in distinct])
            curves[ch.id] = per_curve[0]
            for curve, ws in zip(per_curve, users):
                for w in ws:
                    self.world_pieces[w][ch.id] = curve
            if len(per_curve[0].xs) < 2:
                continue
            tags = [f"{i}u{u}" if several else i for u in range(len(distinct))]
            ys = [self.variable(f"y_{tag}", 0, 1) for tag in tags]
            if shared is not None and not shared.concave:
                self._shared_incremental(i, ch.id, x, s, ys, shared)
            else:
                for u, (tag, y, curve) in enumerate(zip(tags, ys, per_curve)):
                    self._on_time("curves_next", i, len(self.sc.channels), u, len(per_curve))
                    if curve.concave:
                        self.concave_response(tag, ch.id, x, s, y, curve)
                    else:
                        self.incremental_response(tag, ch.id, x, s, y, curve)
            for y, ws in zip(ys, users):
                for w in ws:
                    terms[w][ch.id] = {y: 1.0}
        return terms, curves

    def _shared_incremental(self, i, cid, x, s, ys, shared: SharedPieces) -> None:
        """The incremental form with one set of fills for every world: spend = Σ Δx · d,
        and for each distinct curve u, y_u ≤ Σ Δv_u · d."""
        n = len(shared.xs) - 1
        deltas = [self.variable(f"d_{i}_{j}", 0, 1) for j in range(n)]
        fills = [self.variable(f"w_{i}_{j}", 0, 1, cat=pulp.LpBinary) for j in range(n - 1)]
        dx = np.diff(shared.xs)
        self.add({s: 1, **{d: -float(h) for d, h in zip(deltas, dx)}}, pulp.LpConstraintEQ, 0,
                 Rule(f"curve_spend_{i}", "curve_spend", channel=cid))
        for u, y in enumerate(ys):
            # ≥ 0; a rise below 1e-9 is left out (a tighter bound, and no crumbs for the solver)
            dy = np.diff(shared.ys[u])
            self.add({y: 1, **{d: -float(h) for d, h in zip(deltas, dy) if h > 1e-9}}, pulp.LpConstraintLE, 0,
                     Rule(f"curve_reach_{i}u{u}", "curve_reach", channel=cid, curve=u))
        fill_in_order(self.add, i, cid, x, deltas, fills)

    def _world_coverage(self, w: int, world: Scenario, reach_terms: dict[str, dict]):
        """z ≤ Σ a · reach in world w; hard targets in this world, soft ones with a shortfall."""
        A = arrays(world)
        sc = self.sc
        cov = A.coverage
        target = np.where(cov.rule >= 0, cov.level, 0.0)
        reads_weight = sc.objective.sense != "min_cost" or sc.objective.tie_break
        needed = (target > 0) | ((A.weight != 0) & reads_weight)
        weighted: dict = {}
        shortfall: dict = {}
        coverage = {}
        M = A.affinity
        terms_of = [reach_terms.get(cid) for cid in A.ids]
        for k in np.flatnonzero(needed):
            p, g = A.cells[k]
            serving: dict = {}
            for c, a in zip(M.indices[M.indptr[k]:M.indptr[k + 1]], M.data[M.indptr[k]:M.indptr[k + 1]]):
                for v, wt in (terms_of[c] or {}).items():
                    serving[v] = serving.get(v, 0.0) - a * wt
            z = self.variable(f"z_{k}w{w}", 0, 1 if serving else 0)
            coverage[(p, g)] = z
            if serving:
                serving[z] = 1.0
                self.add(serving, pulp.LpConstraintLE, 0,
                         Rule(f"cover_{k}w{w}", "cover", cell=(p, g), scope=Scope(world=w)))
            if A.weight[k]:
                weighted[z] = float(A.weight[k])
            if target[k] > 0:
                t = float(target[k])
                if cov.hard[k]:
                    self.add({z: 1}, pulp.LpConstraintGE, t,
                             Rule(f"target_{k}w{w}", "target", t, cell=(p, g), scope=Scope(world=w)))
                else:
                    u = self.variable(f"short_{k}w{w}", 0, t)
                    shortfall[u] = float(cov.penalty[k])
                    self.add({z: 1, u: 1}, pulp.LpConstraintGE, t,
                             Rule(f"target_{k}w{w}", "target", t, cell=(p, g), soft=True, scope=Scope(world=w),
                                  penalty=float(cov.penalty[k])))
        return weighted, shortfall, coverage

    def _world_objective(self, w: int, world: Scenario, reach_terms: dict, weighted: dict, penalty: dict) -> dict:
        """obj_w as terms, exactly as :func:`channelmix.formulate.builder` states it for one scenario."""
        sc, sense = self.sc, self.sc.objective.sense
        outcome: dict = {}
        for c in world.channels:
            if c.outcome is not None and c.outcome.value:
                outcome = combine(outcome, reach_terms.get(c.id, {}), c.outcome.value)
        if sense == "max_reach":
            return combine(weighted, penalty, -1.0)
        if sense == "max_value":
            return combine(combine(weighted, self.cost, -1.0), penalty, -1.0)
        if sense == "max_outcome":
            return combine(combine(outcome, self.cost, -1.0 if sc.objective.net else 0.0), penalty, -1.0)
        if sc.objective.outcome_target is not None:
            self.add(outcome, pulp.LpConstraintGE, sc.objective.outcome_target,
                     Rule(f"outcome_target_w{w}", "outcome_target", sc.objective.outcome_target, scope=Scope(world=w)))
        if sense == "target":
            self.add(weighted, pulp.LpConstraintGE, sc.objective.level or 0.0,
                     Rule(f"reach_level_w{w}", "reach_level", sc.objective.level, scope=Scope(world=w)))
        return combine(self.cost, penalty, 1.0)

    def _risk(self, objectives: list[dict]) -> dict:
        """The risk measure of the scores g_w = sign · obj_w, as terms to maximise."""
        W, sign = len(objectives), self.sign
        risk = self.sc.objective.risk
        if risk == "mean":
            out: dict = {}
            for o in objectives:
                out = combine(out, o, sign / W)
            return out
        if risk == "worst":
            t = self.variable("worst", None, None)
            for w, o in enumerate(objectives):  # t − g_w ≤ 0
                self.add(combine({t: 1.0}, o, -sign), pulp.LpConstraintLE, 0,
                         Rule(f"worst_w{w}", "worst", scope=Scope(world=w)))
            return {t: 1.0}
        alpha = self.sc.objective.alpha
        eta = self.variable("cvar_eta", None, None)
        out = {eta: 1.0}
        for w, o in enumerate(objectives):  # u_w ≥ η − g_w
            u = self.variable(f"cvar_u_{w}", 0, None)
            self.add(combine({u: 1.0, eta: -1.0}, o, sign), pulp.LpConstraintGE, 0,
                     Rule(f"cvar_w{w}", "cvar", scope=Scope(world=w)))
            out[u] = -1.0 / (alpha * W)
        return out


def _counted(A: ScenarioArrays) -> tuple:
    """Which channels count towards each cell's breadth and redundancy rules (affinity ≥ threshold)."""
    out: list[tuple] = []
    for cr in (A.breadth, A.redundancy):
        ruled = (cr.rule >= 0) & (cr.level > 0)
        if not ruled.any():
            out.append(())
            continue
        M = at_least(A.affinity, cr.threshold)
        out.append(tuple((int(k), float(cr.threshold[k]) <= 0 or tuple(M.indices[M.indptr[k]:M.indptr[k + 1]].tolist()))
                         for k in np.flatnonzero(ruled)))
    return tuple(out)
