"""Run the MILP through HiGHS (in-process, default) or CBC, and read the decisions back.

Statuses: ``optimal`` (within the requested gap), ``feasible`` (stopped early with a
plan and a stated gap), ``infeasible``, ``unbounded``, ``no_solution`` (stopped
before any plan was found).  With ``objective.tie_break`` a second pass keeps the
first objective within a hair and picks, among equal optima, the plan that spends
least (max senses) or reaches most (min senses): fewer arbitrary choices, same value.
"""

from __future__ import annotations

import functools
import math
import os
import re
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pulp

from .formulate import Formulation
from .plan import SOLVED
from .schema.models import SolverSettings
from .tolerances import FEASIBILITY, tie_slack

IDLE_WEIGHT = 1e-7  # per channel on, relative to the plan's money or reach, in the tie-break pass
TIE_NODE_SHARE = 0.2  # the tie-break pass may search this share of the first pass's branch-and-bound nodes ...
TIE_NODE_FLOOR = 500  # ... or this many nodes, whichever is more. A budget of work, not of seconds, so the same
# input gives the same plan on a quiet or a busy machine; the deadline still bounds it from outside


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
    solver_seconds: float = 0.0  # inside the solver's run(), both passes
    tie_break: str = ""  # "", "done", or why it stopped short ("node limit 500")


def solve(formulation: Formulation, settings: SolverSettings | None = None, start: dict[str, float] | None = None,
          deadline: float | None = None) -> Solution:
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
    ``tie_break``."""
    settings = settings or formulation.scenario.solver
    began = time.perf_counter()
    deadline = began + settings.time_limit if deadline is None else deadline
    status, gap, bound = _run(formulation.problem, settings, max(deadline - began, 0.01), start)
    first_seconds = time.perf_counter() - began
    solver_seconds = _run_seconds(formulation.problem, first_seconds)
    objective = pulp.value(formulation.problem.objective) if status in SOLVED else None
    passes, tie = 1, ""
    if status == "optimal" and formulation.scenario.objective.tie_break and objective is not None:
        box = deadline - time.perf_counter()
        if box > 0.05:
            t, clock = time.perf_counter(), _run_seconds(formulation.problem, 0.0)
            tie = _tie_break(formulation, settings, objective, box)
            # HiGHS's run clock keeps counting across runs on the same object: take the difference
            solver_seconds += max(_run_seconds(formulation.problem, time.perf_counter() - t + clock) - clock, 0.0)
            passes = 2 if tie else 1
        else:
            tie = "skipped: no time left"
    on, spend = _decisions(formulation) if objective is not None else ({}, {})
    binding = binding_rules(formulation, on) if objective is not None else []
    values = {v.name: v.varValue for v in formulation.problem.variables() if v.varValue is not None} if objective is not None else {}
    return Solution(status, on, spend, objective, bound, gap, time.perf_counter() - began, settings.name, passes, binding, values,
                    solver_seconds, tie)


def _run_seconds(problem: pulp.LpProblem, fallback: float) -> float:
    """Seconds on HiGHS's run clock (the wall time around the call for CBC)."""
    highs = getattr(problem, "solverModel", None)
    try:
        return float(highs.getRunTime())
    except AttributeError:
        return fallback


def _secondary(formulation: Formulation) -> tuple[bool, dict[pulp.LpVariable, float]]:
    """(minimise?, terms) of the tie-break objective: least money plus a hair per channel
    on (max senses), or most reach less that hair (min senses)."""
    cost, reach = formulation.parts["cost"], formulation.parts["weighted_reach"]
    # a channel that costs nothing and adds nothing should be off: a weight per channel on,
    # far below anything the first objective or the money could notice
    scale = max(1.0, abs(pulp.value(cost) or 0.0), abs(pulp.value(reach) or 0.0))
    idle = {x: IDLE_WEIGHT * scale for x in formulation.on.values()}
    if formulation.problem.sense == pulp.LpMaximize:
        terms = dict(cost.items())
        for x, w in idle.items():
            terms[x] = terms.get(x, 0.0) + w
        return True, terms
    terms = dict(reach.items())
    for x, w in idle.items():
        terms[x] = terms.get(x, 0.0) - w
    return False, terms


def _tie_break(formulation: Formulation, settings: SolverSettings, first: float, box: float) -> str:
    """Among plans within tie_slack of the optimum, least cost (or most reach): "done",
    "node limit …" or "time limit …" when stopped short with a better plan or the first
    one, "" if it failed.  ``box``: the seconds left before the deadline."""
    problem = formulation.problem
    highs = getattr(problem, "solverModel", None)
    if settings.name == "highs" and hasattr(highs, "addRow"):
        return _tie_break_in_highs(formulation, highs, box)
    saved = {v.name: v.varValue for v in problem.variables()}
    second = problem.copy()
    minimise, terms = _secondary(formulation)
    if problem.sense == pulp.LpMaximize:
        keep = pulp.LpConstraint(problem.objective, pulp.LpConstraintGE, name="tie_break", rhs=first - tie_slack(first))
    else:
        keep = pulp.LpConstraint(problem.objective, pulp.LpConstraintLE, name="tie_break", rhs=first + tie_slack(first))
    second.sense = pulp.LpMinimize if minimise else pulp.LpMaximize
    second.addConstraint(keep)
    second.setObjective(pulp.LpAffineExpression(terms))
    status, _, _ = _run(second, settings, box, saved)
    if status not in SOLVED:
        for v in problem.variables():
            v.varValue = saved[v.name]
        return ""
    return "done" if status == "optimal" else f"time limit {box:.3g} s"


def _tie_break_in_highs(formulation: Formulation, highs, box: float) -> str:
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
    slack = tie_slack(first)
    nz = np.flatnonzero(first_costs).astype(np.int32)
    inf = highspy.kHighsInf
    lower, upper = (-inf, first + slack) if minimised else (first - slack, inf)
    highs.addRow(lower, upper, len(nz), nz, first_costs[nz])
    minimise, terms = _secondary(formulation)
    second = np.zeros(n)
    for v, w in terms.items():
        j = getattr(v, "index", None)  # None: a variable in no row of the model (a cell nothing serves), fixed at 0
        if j is not None:
            second[j] += w
    highs.changeObjectiveSense(highspy.ObjSense.kMinimize if minimise else highspy.ObjSense.kMaximize)
    highs.changeColsCost(n, np.arange(n, dtype=np.int32), second)
    highs.changeObjectiveOffset(0.0)
    highs.setOptionValue("time_limit", float(box))
    highs.setOptionValue("mip_max_nodes", nodes)
    highs.setSolution(n, np.arange(n, dtype=np.int32), x1)
    highs.run()
    solution = highs.getSolution()
    if highs.getInfo().primal_solution_status != 2 or not solution.value_valid:
        return ""  # the first plan stays in the variables
    values = list(solution.col_value)
    for v in problem.variables():
        v.varValue = values[v.index]
    status = highs.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return "done"
    return f"time limit {box:.3g} s" if status == highspy.HighsModelStatus.kTimeLimit else f"node limit {nodes}"


def _run(problem: pulp.LpProblem, settings: SolverSettings, time_limit: float,
         start: dict[str, float] | None = None) -> tuple[str, float | None, float | None]:
    if settings.name == "cbc":
        return _run_cbc(problem, settings, time_limit, start)
    return _run_highs(problem, settings, time_limit, start)


SOLVER_LOG = "CHANNELMIX_SOLVER_LOG"  # "1": solver logs on stderr (set by --verbose; inherited by workers)


def solver_log() -> bool:
    """Whether the solvers' own logs are wanted (on stderr; stdout never carries them)."""
    return os.environ.get(SOLVER_LOG) == "1"


@functools.cache
def _quiet_class() -> type:
    import highspy

    class QuietHighs(highspy.Highs):  # type: ignore[misc, valid-type]
        """highspy.Highs with output_flag off before its first call that can log.

        highspy 1.16 prints its banner to C-level stdout when ``Highs.__init__`` registers
        its callbacks, before any option can be set on the object: turn output off first."""

        def enableCallbacks(self) -> None:
            self.setOptionValue("output_flag", False)
            super().enableCallbacks()

    return QuietHighs


def quiet_highs() -> "highspy.Highs":  # noqa: F821
    """A new ``highspy.Highs`` that prints nothing; with :func:`solver_log`, its log goes to stderr."""
    highs = _quiet_class()()
    highs.setOptionValue("output_flag", False)
    if solver_log() and hasattr(highs, "cbLogging"):
        highs.setOptionValue("output_flag", True)
        highs.setOptionValue("log_to_console", False)  # the console is stdout: logs come through the callback
        highs.cbLogging += lambda event: sys.stderr.write(event.message)
    return highs


class _StartedHiGHS(pulp.HiGHS):
    """pulp.HiGHS that creates a silent Highs (see :func:`quiet_highs`) and gives it a
    starting solution just before it runs."""

    def __init__(self, start: dict[str, float] | None = None, **options) -> None:
        super().__init__(**options)
        self.start = start

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:
        # pulp creates highspy.Highs() itself and only then turns output off: too late
        lp.solverModel = quiet_highs()
        given = {"mip_rel_gap": self.gapRel, "mip_abs_gap": self.gapAbs, "threads": self.threads,
                 "time_limit": None if self.timeLimit is None else float(self.timeLimit), **self.optionsDict}
        for key, value in given.items():
            if value is not None:
                lp.solverModel.setOptionValue(key, value)

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
    with tempfile.TemporaryDirectory(prefix="channelmix-cbc-") as folder:
        log = Path(folder) / "cbc.log"
        with warnings.catch_warnings():
            # PuLP 3.3 deprecates its bundled CBC for 4.0; we pin <4 and use it on purpose.
            warnings.filterwarnings("ignore", message="PULP_CBC_CMD is deprecated", category=DeprecationWarning)
            # msg=False with a log file: CBC's output goes to the file, never to stdout
            solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=settings.gap, threads=settings.threads,
                                       warmStart=bool(start), logPath=str(log),
                                       options=["randomSeed 1", f"integerTolerance {FEASIBILITY}", f"primalTolerance {FEASIBILITY}"])
        problem.solve(solver)
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    if solver_log():
        sys.stderr.write(text)
    if problem.sol_status == pulp.LpSolutionOptimal:
        return ("optimal", *cbc_gap(text, problem.sense == pulp.LpMaximize))
    if problem.sol_status == pulp.LpSolutionIntegerFeasible:
        return ("feasible", *cbc_gap(text, problem.sense == pulp.LpMaximize))
    if problem.sol_status == pulp.LpSolutionInfeasible or problem.status == pulp.LpStatusInfeasible:
        return "infeasible", None, None
    if problem.sol_status == pulp.LpSolutionUnbounded:
        return "unbounded", None, None
    return "no_solution", None, None


_CBC_OBJECTIVE = re.compile(r"^Objective value:\s+(\S+)", re.M)
_CBC_BOUND = re.compile(r"^(?:Upper|Lower) bound:\s+(\S+)", re.M)
_CBC_OPTIMAL = re.compile(r"^Result - Optimal solution found\s*$", re.M)


def cbc_gap(log: str, maximise: bool) -> tuple[float | None, float | None]:
    """(relative gap, best bound) from CBC's closing summary, as CBC proved them.

    CBC prints the bound only when it stopped short of proving optimality (a time limit,
    a gap tolerance); a plain "Optimal solution found" proves a gap of 0.  The bound is on
    the model's objective without its constant term, like HiGHS's dual bound."""
    found = _CBC_OBJECTIVE.findall(log)
    if not found:
        return None, None
    objective = float(found[-1])
    bounds = _CBC_BOUND.findall(log)
    if bounds:
        bound = float(bounds[-1])
    elif _CBC_OPTIMAL.search(log):
        bound = objective
    else:
        return None, None
    if not (math.isfinite(bound) and math.isfinite(objective)):
        return None, None
    if maximise:
        bound = max(bound, objective)
    else:
        bound = min(bound, objective)
    # HiGHS's definition: |primal - dual| / |primal|, 0 when they agree
    distance = abs(bound - objective)
    gap = 0.0 if distance == 0 else (distance / abs(objective) if objective else None)
    return gap, bound


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
             "cardinality_", "excludes_", "reach_level", "switches_", "pace_", "ramp_")  # the last three: over periods
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
