"""Run the MILP through HiGHS (in-process, default) or CBC, and read the decisions back.

Statuses: ``optimal`` (within the requested gap), ``feasible`` (stopped early with a
plan and a stated gap), ``infeasible``, ``unbounded``, ``no_solution`` (stopped
before any plan was found).  With ``objective.tie_break`` a second pass keeps the
first objective within a hair and picks, among equal optima, the plan that spends
least (max senses) or reaches most (min senses): fewer arbitrary choices, same value.
"""

from __future__ import annotations

import time

import pulp

from ..core.tolerances import FEASIBILITY, tie_slack
from ..formulate import Formulation, PeriodsFormulation
from ..model.facts import Proof, Rule
from ..model.solution import SOLVED, Solution
from ..schema.models import SolverSettings
from ..schema.steps import nearest
from ..verify.binding import BINDING
from .horizon_start import horizon_start
from .period_cuts import Cutting, blocks_of
from .solvers import run_cbc, run_highs

IDLE_WEIGHT = 1e-5  # per channel on in the tie-break pass, relative to the largest term of the money (max senses) or
# reach (min senses) it minimises: in the solver's units that is its weight, and HiGHS reads reduced costs below its
# dual
# feasibility tolerance (1e-7) as 0, so a hair of 1e-7 left idle channels on
TIE_NODE_SHARE = 0.2  # the tie-break pass may search this share of the first pass's branch-and-bound nodes ...
TIE_NODE_FLOOR = 500  # ... or this many nodes, whichever is more. A budget of work, not of seconds, so the same
# input gives the same plan on a quiet or a busy machine; the deadline still bounds it from outside
TIE_FULL_INTEGERS = 1000  # above this many integer variables the tie-break keeps off what the first pass left
# off and chooses among subsets of its channels, their spends and curve pieces: a full second branch and bound
# costs as much as the first pass on large models, this a small fraction of it
TIE_RESTARTS = False  # HiGHS starts the pass from the first plan, most often already its optimum, and spent its time
# at the root restarting (six-month bakery: 39 sub-MIPs, 6 restarts, 1 node, ~6 of 7 CPU s); off in this pass only
FIXED_ON_OFF = "done among the first plan's channels"
# The tie-break pass is skipped when less than this share of the first pass's time is left before the
# deadline: HiGHS presolves the changed model afresh and does not look at the clock while it does, so a
# large model given a few seconds overran its limit by close to a minute (mean over 200 worlds: 353 s of 300).
TIE_MIN_SHARE = 0.25


def solve(formulation: Formulation, settings: SolverSettings | None = None, start: dict[str, float] | None = None,
          deadline: float | None = None, near: dict[str, bool] | None = None, cutoff: float | None = None,
          target: float | None = None, restarts: bool = True) -> Solution:
    """Solve; with tie-breaking, a second pass on the same model with a budget of nodes.

    ``start`` (variable name -> value, e.g. a neighbouring sweep step's solution) is
    handed to the solver as a first incumbent; names it lacks start at 0.  ``deadline``
    (a ``time.perf_counter()`` instant) bounds both passes; by default the settings'
    time limit from now.

    The tie-break pass keeps the first objective within ``tie_slack`` and minimises
    money (max senses) or maximises reach (min senses), warm-started from the first
    plan so it can only improve on it.  With HiGHS it may search ``TIE_NODE_SHARE`` of the
    first pass's nodes (at least ``TIE_NODE_FLOOR``): a deterministic budget.  Stopped by
    that budget or by the deadline, it keeps the best plan found so far and says so in
    ``tie_break``.

    ``near`` (channel -> on, e.g. the previous sweep step's plan) makes the tie-break pass
    lexicographic: first the fewest on/off changes from ``near``, then the usual money (or
    reach), so neighbouring plans share their mix whenever an equally good one does.

    ``cutoff``, ``target`` and ``restarts`` (HiGHS only): see :func:`run`."""
    settings = settings or formulation.scenario.solver
    began = time.perf_counter()
    deadline = began + settings.time_limit if deadline is None else deadline
    cutting = _cutting(formulation, settings)
    if isinstance(formulation, PeriodsFormulation) and start is None:  # a long horizon: each distinct period's
        start = horizon_start(formulation, settings, deadline)  # own plan run all along, as a first incumbent
    proof: list[Proof] = []
    status, gap, bound = run(formulation.problem, settings, max(deadline - began, 0.01), start, cutoff, target,
                             cutting, proof, restarts)
    first_seconds = time.perf_counter() - began
    solver_seconds = _run_seconds(formulation.problem, first_seconds)
    objective = pulp.value(formulation.problem.objective) if status in SOLVED else None
    passes, tie, given_up = 1, "", 0.0
    if status == "optimal" and formulation.scenario.objective.tie_break and objective is not None:
        box = deadline - time.perf_counter()  # the second pass gets only what is left
        if box > max(0.05, TIE_MIN_SHARE * first_seconds):
            t, clock = time.perf_counter(), _run_seconds(formulation.problem, 0.0)
            tie = _tie_break(formulation, settings, objective, box, near)
            if tie:  # the slack, and the solver's tolerance on the row that keeps it (both in its units)
                unit = formulation.problem.scaling.objective
                given_up = tie_slack(objective / unit) * unit
            # HiGHS's run clock keeps counting across runs on the same object: take the difference
            solver_seconds += max(_run_seconds(formulation.problem, time.perf_counter() - t + clock) - clock, 0.0)
            passes = 2 if tie else 1
        else:
            tie = "skipped: too little of the time limit left"
    on, spend = _decisions(formulation) if objective is not None else ({}, {})
    names = binding_names(formulation, on) if objective is not None else []
    binding = [formulation.rules[name] for name in names]
    values = ({v.name: v.varValue for v in formulation.problem.variables() if v.varValue is not None}
              if objective is not None else {})
    return Solution(status, on, spend, objective, bound, gap, time.perf_counter() - began, settings.name, passes,
                    binding, values, solver_seconds, tie, names, tie_slack=given_up,
                    proof=proof[0] if proof and objective is not None else None)


def _cutting(formulation: Formulation, settings: SolverSettings) -> Cutting | None:
    """A plan over periods solved by HiGHS: the period of every column, for value cuts should its search stall."""
    if not isinstance(formulation, PeriodsFormulation) or formulation.horizon is None or settings.name != "highs":
        return None
    return Cutting(formulation.horizon.T, blocks_of([v.name for v in formulation.problem.variables()]))


def _run_seconds(problem: pulp.LpProblem, fallback: float) -> float:
    """Seconds on HiGHS's run clock (the wall time around the call for CBC)."""
    highs = getattr(problem, "solverModel", None)
    run_time = getattr(highs, "getRunTime", None)  # CBC leaves no such model behind
    return float(run_time()) if run_time is not None else fallback


def _secondary(formulation: Formulation,
               near: dict[str, bool] | None = None) -> tuple[bool, dict[pulp.LpVariable, float]]:
    """(minimise?, terms) of the tie-break objective: least money plus a hair per channel
    on (max senses), or most reach less that hair (min senses); with ``near``, see :func:`_nearest`."""
    minimise, terms = _money_or_reach(formulation)
    return (minimise, terms) if near is None else (True, _nearest(formulation, near, minimise, terms))


def _nearest(formulation: Formulation, near: dict[str, bool], minimise: bool,
             terms: dict[pulp.LpVariable, float]) -> dict[pulp.LpVariable, float]:
    """Minimise the on/off changes from ``near`` (Σ_off x − Σ_on x, its constant dropped), then
    the usual secondary scaled below half a change: its size is bounded by Σ |w| · upper bound."""
    bound = sum(abs(w) * max(abs(v.upBound or 0.0), abs(v.lowBound or 0.0)) for v, w in terms.items()) or 1.0
    weight = (0.5 if minimise else -0.5) / bound
    out = {v: weight * w for v, w in terms.items()}
    for cid, x in formulation.on.items():
        out[x] = out.get(x, 0.0) + (-1.0 if near.get(cid, False) else 1.0)
    return out


def _money_or_reach(formulation: Formulation) -> tuple[bool, dict[pulp.LpVariable, float]]:
    """The plain tie-break objective (see :func:`_secondary`)."""
    maximise = formulation.problem.sense == pulp.LpMaximize
    base = formulation.parts["cost" if maximise else "weighted_reach"]
    # a channel that costs nothing and adds nothing should be off: a weight per channel on, far
    # below anything the money (or reach) could notice, in its own units whatever the currency
    idle = IDLE_WEIGHT * (_largest_term(base) or 1.0)
    terms = dict(base.items())
    for x in formulation.on.values():
        terms[x] = terms.get(x, 0.0) + (idle if maximise else -idle)
    return maximise, terms


def row_size(constraint: pulp.LpConstraint) -> float:
    """The largest amount a row's bound or any of its terms can reach (1 for an empty row): a
    row binds when its slack is a small share of this, in any currency."""
    return max(abs(constraint.constant), _largest_term(constraint)) or 1.0


def _largest_term(terms: pulp.LpAffineExpression) -> float:
    """The largest |coefficient × bound| of the terms (0 when no variable has a finite bound)."""
    return max((abs(w) * max(abs(v.lowBound or 0.0), abs(v.upBound or 0.0)) for v, w in terms.items()), default=0.0)


def _tie_break(formulation: Formulation, settings: SolverSettings, first: float, box: float,
               near: dict[str, bool] | None = None) -> str:
    """Among plans within tie_slack of the optimum, least cost (or most reach): "done",
    "node limit …" or "time limit …" when stopped short with a better plan or the first
    one, "" if it failed.  ``box``: the seconds left before the deadline."""
    problem = formulation.problem
    highs = getattr(problem, "solverModel", None)
    if settings.name == "highs" and hasattr(highs, "addRow"):
        return _tie_break_in_highs(formulation, highs, box, near)
    saved = {v.name: v.varValue for v in problem.variables()}
    second = problem.copy()
    minimise, terms = _secondary(formulation, near)
    # the slack as the HiGHS pass has it: relative to the objective in the solver's units
    unit = problem.scaling.objective
    slack = _row_slack(first / unit) * unit
    if problem.sense == pulp.LpMaximize:
        keep = pulp.LpConstraint(problem.objective, pulp.LpConstraintGE, name="tie_break", rhs=first - slack)
    else:
        keep = pulp.LpConstraint(problem.objective, pulp.LpConstraintLE, name="tie_break", rhs=first + slack)
    second.sense = pulp.LpMinimize if minimise else pulp.LpMaximize
    second.addConstraint(keep)
    second.setObjective(pulp.LpAffineExpression(terms))
    status, _, _ = run(second, settings, box, saved)
    if status not in SOLVED:
        for v in problem.variables():
            v.varValue = saved[v.name]
        return ""
    return "done" if status == "optimal" else f"time limit {box:.3g} s"


def _row_slack(first: float) -> float:
    """The tie-break row's slack in the solver's units: tie_slack less the solver's feasibility
    tolerance on that row, so that together they give up at most tie_slack of the optimum."""
    return max(tie_slack(first) - FEASIBILITY, 0.0)


def _tie_break_in_highs(formulation: Formulation, highs, box: float, near: dict[str, bool] | None = None) -> str:
    """The tie-break pass on the Highs object that solved the first pass: one row and a
    new objective added in place (no second hand-over from PuLP), started from the
    first plan.  HiGHS keeps the first objective in its own terms (PuLP negates it
    for maximisation), so the row reads it as HiGHS does."""
    import highspy
    import numpy as np

    problem = formulation.problem
    nodes = max(TIE_NODE_FLOOR, int(TIE_NODE_SHARE * highs.getInfo().mip_node_count))
    lp = highs.getLp()
    n = lp.num_col_
    first_costs = np.asarray(lp.col_cost_, dtype=float)
    first = highs.getInfo().objective_function_value - lp.offset_
    x1 = np.asarray(highs.getSolution().col_value, dtype=float)
    minimised = lp.sense_ == highspy.ObjSense.kMinimize
    slack = _row_slack(first)
    nz = np.flatnonzero(first_costs).astype(np.int32)
    inf = highspy.kHighsInf
    lower, upper = (-inf, first + slack) if minimised else (first - slack, inf)
    highs.addRow(lower, upper, len(nz), nz, first_costs[nz])
    minimise, terms = _secondary(formulation, near)
    second = np.zeros(n)
    for v, w in terms.items():
        j = getattr(v, "index", None)  # None: a variable in no row of the model (a cell nothing serves), fixed at 0
        if j is not None:
            second[j] += w
    second *= problem.scaling.columns  # in the solver's units, as the first pass (see channelmix.solve.scaling)
    largest = float(np.max(np.abs(second), initial=0.0))
    second /= largest if largest > 0 else 1.0
    highs.changeObjectiveSense(highspy.ObjSense.kMinimize if minimise else highspy.ObjSense.kMaximize)
    highs.changeColsCost(n, np.arange(n, dtype=np.int32), second)
    highs.changeObjectiveOffset(0.0)
    fixed = (_fix_on_off(formulation, highs, x1)
             if int(np.count_nonzero(np.asarray(lp.integrality_) != 0)) > TIE_FULL_INTEGERS else False)
    highs.setOptionValue("time_limit", float(box))
    highs.setOptionValue("mip_max_nodes", nodes)
    highs.setSolution(n, np.arange(n, dtype=np.int32), x1)
    restarts = highs.getOptionValue("mip_allow_restart")  # highspy 1.16: (status, value); some versions the value
    restarts = bool(restarts[-1] if isinstance(restarts, tuple) else restarts)
    highs.setOptionValue("mip_allow_restart", TIE_RESTARTS)
    try:
        highs.run()
    finally:
        highs.setOptionValue("mip_allow_restart", restarts)
    solution = highs.getSolution()
    if highs.getInfo().primal_solution_status != 2 or not solution.value_valid:
        return ""  # the first plan stays in the variables
    values = list(solution.col_value)
    for v in problem.variables():
        v.varValue = values[v.index] * problem.scaling.columns[v.index]
    status = highs.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return FIXED_ON_OFF if fixed else "done"
    # the interrupt: the wall clock's deadline
    stopped = (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt)
    return f"time limit {box:.3g} s" if status in stopped else f"node limit {nodes}"


def _fix_on_off(formulation: Formulation, highs, x1) -> bool:
    """Keep every channel the first plan left off, off: the pass then chooses among subsets
    of the first plan's channels (so channels on with nothing to do may still go off) and
    their spends and curve pieces.  Returns True."""
    import numpy as np

    off = [v.index for v in formulation.on.values() if getattr(v, "index", None) is not None and x1[v.index] < 0.5]
    if off:
        highs.changeColsBounds(len(off), np.array(off, dtype=np.int32), np.zeros(len(off)), np.zeros(len(off)))
    return True


def recheck_infeasible(formulation: Formulation, time_limit: float) -> str:
    """A second look before a model is called infeasible, in the solver's units: its LP
    relaxation (every integer free within its bounds; infeasible: "relaxation"), else the
    model without its objective ("feasibility" when it finds no plan either, "found" when it
    does, "" when it runs out of time).  The problem is left as it was, values aside."""
    problem = formulation.problem
    settings = formulation.scenario.solver
    integers = [v for v in problem.variables() if v.cat == pulp.LpInteger]
    objective, sense = problem.objective, problem.sense
    began = time.perf_counter()
    try:
        problem.setObjective(pulp.LpAffineExpression())
        for v in integers:
            v.cat = pulp.LpContinuous
        relaxed = run(problem, settings, time_limit)[0]
        if relaxed == "infeasible":
            return "relaxation"
        for v in integers:
            v.cat = pulp.LpInteger
        status = run(problem, settings, max(time_limit - (time.perf_counter() - began), 0.01))[0]
    finally:
        for v in integers:
            v.cat = pulp.LpInteger
        problem.setObjective(objective)
        problem.sense = sense
    return {"infeasible": "feasibility", "optimal": "found", "feasible": "found"}.get(status, "")


def run(problem: pulp.LpProblem, settings: SolverSettings, time_limit: float,
        start: dict[str, float] | None = None, cutoff: float | None = None, target: float | None = None,
        cutting: Cutting | None = None, proof: list[Proof] | None = None,
        restarts: bool = True) -> tuple[str, float | None, float | None]:
    """One solve of ``problem`` by the settings' solver: (status, relative gap, bound).

    Two bounds known before the solve, in the objective's own terms (HiGHS; CBC solves without them):
    ``cutoff``: no plan worse than this is wanted, so the search prunes whatever cannot beat it
    ("no_solution" when none is at least this good, the model infeasible or not); ``target``: a plan at least this good
    answers the question, so the search stops at the first one ("feasible", its gap stated). ``cutting`` and
    ``proof``: a long horizon's value cuts and how its bound was proven, as :func:`channelmix.solve.solvers.run_highs`
    reads them; ``restarts``: whether HiGHS may restart its search after the root (see
    :data:`channelmix.solve.warm.RESTARTS`)."""
    if settings.name == "cbc":
        return run_cbc(problem, settings, time_limit, start)
    return run_highs(problem, settings, time_limit, start, cutoff, target, cutting, proof, restarts)


def feasible(f: Formulation, settings: SolverSettings, time_limit: float) -> bool:
    """Whether the model (a feasibility model, see :func:`channelmix.formulate.rows.feasibility`) has a plan."""
    return run(f.problem, settings, time_limit)[0] in SOLVED


def _decisions(formulation: Formulation) -> tuple[dict[str, bool], dict[str, float]]:
    """On/off and spends as the solver left them, negative noise and off channels at 0.

    Spends are not rounded (rounding moves reach, which a large penalty magnifies), except
    to the exact multiple of a ``spend_step`` that the solver's integer count stands for."""
    on, spend = {}, {}
    sc = formulation.scenario
    steps = ({c.id: sc.step_of(c) for c in sc.channels} if sc.spend_step
             or any(c.spend_step for c in sc.channels) else {})
    for cid, x in formulation.on.items():
        on[cid] = (x.varValue or 0.0) > 0.5
        s = formulation.spend.get(cid)  # no variable: no spend lever
        spend[cid] = max(s.varValue or 0.0, 0.0) if on[cid] and s is not None else 0.0
        if spend[cid] and steps.get(cid):
            spend[cid] = nearest(spend[cid], steps[cid])
    return on, spend


# Constraint families worth telling a person about when they bind, and for on/off
# bounds and 'requires', only when the channel they concern is on.
_REPORTED = ("budget", "resource_", "target_", "breadth_", "redundancy_", "concentration_", "group_",
             "cardinality_", "excludes_", "reach_level", "switches_", "pace_", "ramp_")  # the last three: over periods
_WHEN_ON = ("onoff_max_", "onoff_min_", "requires_")


def binding_rules(formulation: Formulation, on: dict[str, bool]) -> list[Rule]:
    """Rules whose constraint holds with equality at the solution."""
    return [formulation.rules[name] for name in binding_names(formulation, on)]


def binding_names(formulation: Formulation, on: dict[str, bool]) -> list[str]:
    """The names of the constraints that hold with equality at the solution."""
    channel_on = {f"{i}": on.get(ch.id, False) for i, ch in enumerate(formulation.scenario.channels)}
    out = []
    for constraint in formulation.problem.constraints():
        name = constraint.name
        if name.startswith(_WHEN_ON):
            if not channel_on.get(name.rsplit("_", 1)[1], False):
                continue
        elif not name.startswith(_REPORTED):
            continue
        value = constraint.value()
        if value is not None and abs(value) <= BINDING * row_size(constraint):
            out.append(name)
    return out
