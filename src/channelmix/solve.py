"""Run the MILP through HiGHS (in-process, default) or CBC, and read the decisions back.

Statuses: ``optimal`` (within the requested gap), ``feasible`` (stopped early with a
plan and a stated gap), ``infeasible``, ``unbounded``, ``no_solution`` (stopped
before any plan was found).  With ``objective.tie_break`` a second pass keeps the
first objective within a hair and picks, among equal optima, the plan that spends
least (max senses) or reaches most (min senses): fewer arbitrary choices, same value.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field

import pulp

from .formulate import Formulation
from .plan import SOLVED
from .schema.models import SolverSettings
from .tolerances import FEASIBILITY, tie_slack

IDLE_WEIGHT = 1e-7  # per channel on, relative to the plan's money or reach, in the tie-break pass


@dataclass(frozen=True)
class Solution:
    """What the solver decided, before anything is recomputed from the scenario."""

    status: str
    on: dict[str, bool]
    spend: dict[str, float]
    model_objective: float | None  # the first objective, on the LP pieces
    bound: float | None  # best bound on the first objective the solver proved
    gap: float | None  # relative gap between the two, when known
    seconds: float
    solver: str
    passes: int
    binding: list[str]  # the rules that bind in the optimisation, in words
    values: dict[str, float] = field(default_factory=dict, repr=False)  # every variable, to warm-start a neighbour


def solve(formulation: Formulation, settings: SolverSettings | None = None, start: dict[str, float] | None = None) -> Solution:
    """Solve; with tie-breaking, a second pass on the same model.

    ``start`` (variable name -> value, e.g. a neighbouring sweep step's solution) is
    handed to the solver as a first incumbent; names it lacks start at 0."""
    settings = settings or formulation.scenario.solver
    began = time.perf_counter()
    status, gap, bound = _run(formulation.problem, settings, settings.time_limit, start)
    objective = pulp.value(formulation.problem.objective) if status in SOLVED else None
    passes = 1
    if status == "optimal" and formulation.scenario.objective.tie_break and objective is not None:
        left = settings.time_limit - (time.perf_counter() - began)
        if left > 0.05 and _tie_break(formulation, settings, objective, left):
            passes = 2
    on, spend = _decisions(formulation) if objective is not None else ({}, {})
    binding = binding_rules(formulation, on) if objective is not None else []
    values = {v.name: v.varValue for v in formulation.problem.variables() if v.varValue is not None} if objective is not None else {}
    return Solution(status, on, spend, objective, bound, gap, time.perf_counter() - began, settings.name, passes, binding, values)


def _tie_break(formulation: Formulation, settings: SolverSettings, first: float, time_left: float) -> bool:
    """Among plans within tie_slack of the optimum, least cost (or most reach).

    Solved on a copy of the problem, so the formulation stays the first-pass model."""
    problem = formulation.problem
    saved = {v.name: v.varValue for v in problem.variables()}
    second = problem.copy()
    # a channel that costs nothing and adds nothing should be off: a weight per channel on,
    # far below anything the first objective or the money could notice
    scale = max(1.0, abs(pulp.value(formulation.parts["cost"]) or 0.0), abs(pulp.value(formulation.parts["weighted_reach"]) or 0.0))
    idle = {x: IDLE_WEIGHT * scale for x in formulation.on.values()}
    if problem.sense == pulp.LpMaximize:
        keep = pulp.LpConstraint(problem.objective, pulp.LpConstraintGE, name="tie_break", rhs=first - tie_slack(first))
        second.sense, objective = pulp.LpMinimize, formulation.parts["cost"] + pulp.LpAffineExpression(idle)
    else:
        keep = pulp.LpConstraint(problem.objective, pulp.LpConstraintLE, name="tie_break", rhs=first + tie_slack(first))
        second.sense = pulp.LpMaximize
        objective = formulation.parts["weighted_reach"] - pulp.LpAffineExpression(idle)
    second.addConstraint(keep)
    second.setObjective(objective)
    status, _, _ = _run(second, settings, time_left)
    if status not in SOLVED:
        for v in problem.variables():
            v.varValue = saved[v.name]
        return False
    return True


def _run(problem: pulp.LpProblem, settings: SolverSettings, time_limit: float,
         start: dict[str, float] | None = None) -> tuple[str, float | None, float | None]:
    if settings.name == "cbc":
        return _run_cbc(problem, settings, time_limit, start)
    return _run_highs(problem, settings, time_limit, start)


class _StartedHiGHS(pulp.HiGHS):
    """pulp.HiGHS that gives HiGHS a starting solution just before it runs."""

    def __init__(self, start: dict[str, float] | None = None, **options) -> None:
        super().__init__(**options)
        self.start = start

    def callSolver(self, lp: pulp.LpProblem) -> None:
        if self.start:
            import numpy as np

            columns = lp.variables()
            index = np.array([v.index for v in columns], dtype=np.int32)
            value = np.array([self.start.get(v.name, 0.0) for v in columns], dtype=np.float64)
            lp.solverModel.setSolution(len(columns), index, value)
        super().callSolver(lp)


def _run_highs(problem: pulp.LpProblem, settings: SolverSettings, time_limit: float, start: dict[str, float] | None = None):
    import highspy

    solver = _StartedHiGHS(start, msg=False, timeLimit=time_limit, gapRel=settings.gap, threads=settings.threads, random_seed=0,
                           mip_feasibility_tolerance=FEASIBILITY, primal_feasibility_tolerance=FEASIBILITY)
    problem.solve(solver)
    highs = problem.solverModel
    model_status = highs.getModelStatus()
    info = highs.getInfo()
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    S = highspy.HighsModelStatus
    if model_status == S.kOptimal:
        status = "optimal"
    elif model_status in (S.kInfeasible, S.kUnboundedOrInfeasible):
        status = "infeasible"
    elif model_status == S.kUnbounded:
        status = "unbounded"
    else:
        status = "feasible" if has_plan else "no_solution"
    if status not in SOLVED:
        return status, None, None
    gap = info.mip_gap if math.isfinite(info.mip_gap) else None
    dual = info.mip_dual_bound
    bound = None if not math.isfinite(dual) else (-dual if problem.sense == pulp.LpMaximize else dual)
    return status, max(gap, 0.0) if gap is not None else None, bound


def _run_cbc(problem: pulp.LpProblem, settings: SolverSettings, time_limit: float, start: dict[str, float] | None = None):
    if start:
        for v in problem.variables():
            v.setInitialValue(start.get(v.name, 0.0))
    with warnings.catch_warnings():
        # PuLP 3.3 deprecates its bundled CBC for 4.0; we pin <4 and use it on purpose.
        warnings.filterwarnings("ignore", message="PULP_CBC_CMD is deprecated", category=DeprecationWarning)
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=settings.gap, threads=settings.threads, warmStart=bool(start),
                                   options=["randomSeed 1", f"integerTolerance {FEASIBILITY}", f"primalTolerance {FEASIBILITY}"])
    problem.solve(solver)
    if problem.sol_status == pulp.LpSolutionOptimal:
        return "optimal", None, None
    if problem.sol_status == pulp.LpSolutionIntegerFeasible:
        return "feasible", None, None
    if problem.sol_status == pulp.LpSolutionInfeasible or problem.status == pulp.LpStatusInfeasible:
        return "infeasible", None, None
    if problem.sol_status == pulp.LpSolutionUnbounded:
        return "unbounded", None, None
    return "no_solution", None, None


def _decisions(formulation: Formulation) -> tuple[dict[str, bool], dict[str, float]]:
    """On/off and spends as the solver left them, negative noise and off channels at 0.

    Spends are not rounded: rounding moves reach, which a large penalty magnifies."""
    on, spend = {}, {}
    for cid, x in formulation.on.items():
        on[cid] = (x.varValue or 0.0) > 0.5
        s = formulation.spend.get(cid)  # no variable: no spend lever
        spend[cid] = max(s.varValue or 0.0, 0.0) if on[cid] and s is not None else 0.0
    return on, spend


# Constraint families worth telling a person about when they bind, and for on/off
# bounds and 'requires', only when the channel they concern is on.
_REPORTED = ("budget", "resource_", "target_", "breadth_", "redundancy_", "concentration_", "group_",
             "cardinality_", "excludes_", "reach_level")
_WHEN_ON = ("onoff_max_", "onoff_min_", "requires_")


def binding_rules(formulation: Formulation, on: dict[str, bool]) -> list[str]:
    """Rules whose constraint holds with equality at the solution."""
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
        if value is not None and abs(value) <= 1e-5 * max(1.0, abs(constraint.constant)):
            out.append(formulation.rules[name])
    return out
