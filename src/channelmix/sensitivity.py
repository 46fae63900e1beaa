"""What only the model can tell: LP duals with the on/off decisions fixed, which rules
bind, and the next-best distinct mixes by no-good cuts (DESIGN §5 Explain, Alternatives).

The one solver-facing module of the explanation (with :mod:`diagnose` for infeasible
scenarios); every plan it returns has passed the verifier, and every dual it returns
is only shown beside the figure of a verified re-solve.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulp

from .api import solve_formulated
from .formulate import Formulation, formulate
from .formulate_periods import PeriodsFormulation, formulate_periods
from .plan import Plan
from .schema.models import Scenario
from .solve import _run as run_solver
from .solve import row_size

# constraint families that are limits a person set (the rest define the model)
LIMIT_FAMILIES = ("budget", "resource_", "target_", "breadth_", "concentration_", "group_", "cardinality_",
                  "reach_level", "onoff_min_", "onoff_max_")
BINDING = 1e-6  # relative slack under which a constraint binds


@dataclass(frozen=True)
class Dual:
    """A limit constraint at the plan, with the on/off decisions held fixed."""

    name: str
    rule: str  # in words
    binding: bool
    shadow_price: float  # d(objective) / d(right-hand side), the true sign for either sense


def fixed_lp_duals(scenario: Scenario, values: dict[str, float]) -> dict[str, Dual]:
    """Duals of every limit constraint in the LP left when every integer variable is fixed
    at its value in ``values`` (the solver's values of a solved plan).

    PuLP 3.3.2 returns ``pi`` with the sign flipped on maximisation; the price returned
    here is always d(objective)/d(rhs): positive when raising the right-hand side raises
    the objective."""
    f = _formulate(scenario)
    problem = f.problem
    for v in problem.variables():
        if v.cat == pulp.LpInteger and v.name.startswith("n_"):
            v.cat = pulp.LpContinuous  # a spend_step count: a dual is a rate per unit of money, so spends move freely
        elif v.cat == pulp.LpInteger:
            fixed = float(round(values.get(v.name, 0.0)))
            v.lowBound = v.upBound = fixed
            v.cat = pulp.LpContinuous
    _drop_budget_copies(scenario, f)
    # through solve.py's runner (its solver settings and output handling), always HiGHS: the
    # sign convention below is PuLP's for HiGHS
    highs = scenario.solver.model_copy(update={"name": "highs"})
    if run_solver(problem, highs, highs.time_limit)[0] != "optimal":
        return {}
    flip = -1.0 if problem.sense == pulp.LpMaximize else 1.0
    out = {}
    for c in problem.constraints():
        name = c.name
        if not name.startswith(LIMIT_FAMILIES) or c.pi is None:
            continue
        value = c.value()
        binding = value is not None and abs(value) <= BINDING * row_size(c)
        out[name] = Dual(name, f.rules[name], binding, flip * c.pi)
    return out


def _drop_budget_copies(scenario: Scenario, f: Formulation) -> None:
    """A channel without max_spend is capped at the budget (less its fixed cost), by a
    constraint and by its variable's bound, and with the channel on both are implied by
    the budget constraint: binding copies of one limit would split (or steal) its dual.
    Drop the copies; an off channel keeps spend 0 by its bound."""
    if scenario.budget is None:
        return
    index = {ch.id: i for i, ch in enumerate(scenario.channels)}
    periods = {p: t for t, p in enumerate(f.horizon.ids)} if scenario.periods is not None else None
    for key, spend in f.spend.items():
        cid = key[0] if periods is not None else key
        name = f"onoff_max_{index[cid]}" + (f"_t{periods[key[1]]}" if periods is not None else "")
        if scenario.channel(cid).max_spend is None and f.problem.get_constraint_by_name(name) is not None:
            spend.upBound = None if (f.on[key].upBound or 0) > 0.5 else 0.0
            del f.problem._constraints[name]  # PuLP 3.3 has no public way to remove a constraint


def _formulate(scenario: Scenario) -> Formulation:
    return formulate_periods(scenario) if scenario.periods is not None else formulate(scenario)


def used(f: Formulation) -> dict[str, pulp.LpVariable]:
    """Channel -> a binary that is 1 exactly when the channel is on (over periods: on in some
    period, :meth:`PeriodsFormulation.used_binaries`)."""
    return f.used_binaries() if isinstance(f, PeriodsFormulation) else dict(f.on)


def on_sets_cut(indicators: dict[str, pulp.LpVariable], on: dict[str, bool]) -> pulp.LpConstraint:
    """The no-good cut that excludes exactly this on/off set: Σ_off x − Σ_on x ≥ 1 − |on|
    (``indicators``: channel -> its on binary, or :func:`used` over periods)."""
    terms = {x: (-1.0 if on.get(cid, False) else 1.0) for cid, x in indicators.items()}
    count = sum(1 for cid in indicators if on.get(cid, False))
    return pulp.LpConstraint(pulp.LpAffineExpression(terms), pulp.LpConstraintGE, rhs=1 - count)


def solve_used(scenario: Scenario, cid: str, anywhere: bool, start: dict[str, float] | None = None) -> Plan:
    """A plan over periods re-solved with one channel used in at least one period
    (``anywhere``) or in none; verified like any plan."""
    f = formulate_periods(scenario)
    runs = {x: 1.0 for (c, _), x in f.on.items() if c == cid}
    sense = pulp.LpConstraintGE if anywhere else pulp.LpConstraintLE
    f.problem.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(runs), sense, rhs=1 if anywhere else 0), name="explain_forced")
    return solve_formulated(scenario, f, start=start, diagnose=False)[0]


def within(scenario: Scenario, best: float, value: float, tolerance: float | None) -> bool:
    """Is ``value`` within ``tolerance`` (relative to |best|; None: any) of the optimum?"""
    if tolerance is None:
        return True
    room = tolerance * abs(best) + 1e-9 * max(1.0, abs(best))
    return value >= best - room if scenario.objective.maximises else value <= best + room


def alternatives(scenario: Scenario, best: Plan, k: int, tolerance: float | None) -> list[Plan]:
    """The k next-best distinct on/off sets, each solved to its best spends and verified,
    sorted best first, each within ``tolerance`` of ``best`` (relative; None: no limit).

    Over periods an on/off set is the set of channels used in some period.
    Each found set is excluded by a no-good cut and the MILP re-solved, so the i-th
    solve finds the best mix not yet listed: with k above the number of feasible mixes,
    the list ends when the cut model becomes infeasible."""
    if k <= 0 or not best.solved:
        return []
    # no tie-break pass: it would more than double each re-solve, and the objective it keeps
    # is the first pass's; each alternative's spends are its verified plan's
    scenario = scenario.model_copy(update={"current": None, "objective": scenario.objective.model_copy(update={"tie_break": False})})
    f = _formulate(scenario)
    indicators = used(f)
    found: list[Plan] = []
    cut = {c.id: c.on for c in best.channels}
    for i in range(k):
        f.problem.addConstraint(on_sets_cut(indicators, cut), name=f"no_good_{i}")
        plan, _ = solve_formulated(scenario, f, diagnose=False)
        if not plan.solved or not within(scenario, best.objective, plan.objective, tolerance):
            break
        found.append(plan)
        cut = {c.id: c.on for c in plan.channels}
    return sorted(found, key=lambda p: -p.objective if scenario.objective.maximises else p.objective)


def tie_tolerance(scenario: Scenario, a: float, b: float) -> float:
    """Differences below this are ties: the solver's relative gap, or a hair for gap 0."""
    scale = max(abs(a), abs(b), 1.0)
    return max(scenario.solver.gap * scale, 1e-6 * scale)
