"""The solver back-ends behind :func:`channelmix.solve.passes.solve`: HiGHS in process (silent,
with the model handed over in bulk and an optional starting solution) and CBC by its
command line (its log in a file, its proven gap read from it).  Each returns the status,
the relative gap and the dual bound."""

from __future__ import annotations

import functools
import math
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pulp

from ..core.environment import SOLVER_LOG
from ..core.tolerances import FEASIBILITY
from ..model.facts import Proof
from ..model.solution import SOLVED
from ..schema.models import SolverSettings
from .cbc_log import cbc_gap
from .period_cuts import MIN_PERIODS, STALL_NODES, CutReport, Cutting, add_value_cuts
from .scaling import Model, Scaling, choose

MAX_NODES = 2147483647  # HiGHS's default mip_max_nodes: no limit


def solver_log() -> bool:
    """Whether the solvers' own logs are wanted (on stderr; stdout never carries them)."""
    return os.environ.get(SOLVER_LOG) == "1"


@functools.cache
def _quiet_class() -> type:
    import highspy

    class QuietHighs(highspy.Highs):
        """highspy.Highs with output_flag off before its first call that can log.

        highspy 1.16 prints its banner to C-level stdout when ``Highs.__init__`` registers
        its callbacks, before any option can be set on the object: turn output off first."""

        def enableCallbacks(self) -> None:
            self.setOptionValue("output_flag", False)
            super().enableCallbacks()

    return QuietHighs


def quiet_highs() -> Any:
    """A new ``highspy.Highs`` that prints nothing; with :func:`solver_log`, its log goes to stderr."""
    highs = _quiet_class()()
    highs.setOptionValue("output_flag", False)
    if solver_log() and hasattr(highs, "cbLogging"):
        highs.setOptionValue("output_flag", True)
        highs.setOptionValue("log_to_console", False)  # the console is stdout: logs come through the callback
        highs.cbLogging += lambda event: sys.stderr.write(event.message)
    return highs


def model_arrays(lp: pulp.LpProblem) -> Model:
    """The problem as arrays in the user's units, columns in ``lp.variables()`` order (each
    variable's ``index`` set to its column, each constraint's to its row), costs with the
    sign of a minimisation, as HiGHS is handed them."""
    sign = -1.0 if lp.sense == pulp.LpMaximize else 1.0
    columns = lp.variables()
    objective = lp.objective if lp.objective is not None else {}
    for i, v in enumerate(columns):
        v.index = i
    rows = list(lp._constraints.values())
    starts: list[int] = []
    index: list[int] = []
    value: list[float] = []
    row_lower: list[float] = []
    row_upper: list[float] = []
    for i, c in enumerate(rows):
        c.index = i
        starts.append(len(index))
        for v, a in c.items():
            if a != 0:
                index.append(v.index)
                value.append(a)
        lb, ub = c.getLb(), c.getUb()
        row_lower.append(-np.inf if lb is None else lb)
        row_upper.append(np.inf if ub is None else ub)
    return Model(
        lower=np.array([-np.inf if v.lowBound is None else v.lowBound for v in columns], dtype=float),
        upper=np.array([np.inf if v.upBound is None else v.upBound for v in columns], dtype=float),
        integer=np.array([v.cat == pulp.LpInteger for v in columns], dtype=bool),
        starts=np.array(starts, dtype=np.int64), index=np.array(index, dtype=np.int64),
        value=np.array(value, dtype=float),
        row_lower=np.array(row_lower, dtype=float), row_upper=np.array(row_upper, dtype=float),
        cost=np.array([sign * objective.get(v, 0.0) for v in columns], dtype=float))


class PartialStart(dict):
    """A start that names only some variables (e.g. the on/off and spend decisions): the
    solver completes the rest (HiGHS solves for them with the named ones fixed), where a
    plain start dict sets every variable it lacks to 0."""


class _StartedHiGHS(pulp.HiGHS):
    """pulp.HiGHS that creates a silent Highs (see :func:`quiet_highs`) and gives it a
    starting solution just before it runs."""

    def __init__(self, start: dict[str, float] | None = None, cutting: Cutting | None = None, **options) -> None:
        super().__init__(**options)
        self.start = start
        self.bounds: tuple[float | None, float | None] = (None, None)  # cutoff, target: see passes.run
        self.cutting = cutting  # a long horizon: per-period value cuts if the search stalls (period_cuts)
        self.cuts: CutReport | None = None  # what they did, when the search stalled
        self.watched = False  # whether the first search was node-limited to watch for a stall
        self.proof: Proof | None = None  # how the bound was proven, when watched
        # the deadline on the wall clock, from now: PuLP's hand-over counts too
        self.wall = None if self.timeLimit is None else time.perf_counter() + float(self.timeLimit)

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:
        # pulp creates highspy.Highs() itself and only then turns output off: too late
        lp.solverModel = quiet_highs()
        given = {"mip_rel_gap": self.gapRel, "mip_abs_gap": self.gapAbs, "threads": self.threads,
                 "time_limit": None if self.timeLimit is None else float(self.timeLimit), **self.optionsDict}
        for key, value in given.items():
            if value is not None:
                lp.solverModel.setOptionValue(key, value)

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:
        """PuLP's model hand-over in bulk and in the solver's units: the same columns, rows and
        order as ``pulp.HiGHS.buildSolverModel`` (one ``addCol``/``addRow`` call per column and
        row), passed in one ``addCols`` and one ``addRows`` call, every coefficient, bound and
        cost in the units of :func:`channelmix.solve.scaling.choose` (kept as ``lp.scaling`` to read
        values and duals back in the user's)."""
        import highspy

        inf = highspy.kHighsInf
        highs = lp.solverModel
        model = model_arrays(lp)
        scaling = lp.scaling = choose(model)
        n = len(model.lower)
        highs.addCols(n, scaling.costs(model.cost), model.lower / scaling.columns, model.upper / scaling.columns,
                      0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
        if self.mip:
            integer = np.flatnonzero(model.integer).astype(np.int32)
            if len(integer):
                highs.changeColsIntegrality(len(integer), integer, np.full(len(integer), highspy.HighsVarType.kInteger))
        m = len(model.starts)
        if m:
            row_of = np.repeat(np.arange(m), np.diff(np.append(model.starts, len(model.index))))
            highs.addRows(m, np.where(np.isfinite(model.row_lower), model.row_lower * scaling.rows, -inf),
                          np.where(np.isfinite(model.row_upper), model.row_upper * scaling.rows, inf), len(model.index),
                          model.starts.astype(np.int32), model.index.astype(np.int32),
                          scaling.matrix(row_of, model.index, model.value))

    def findSolutionValues(self, lp: pulp.LpProblem):
        """PuLP's reading of the solution, put back in the user's units (see :mod:`channelmix.solve.scaling`)."""
        status = super().findSolutionValues(lp)
        scaling = lp.scaling
        solution = lp.solverModel.getSolution()
        for v in lp.variables():
            c = scaling.columns[v.index]
            v.varValue = v.varValue * c if v.varValue is not None else None
            v.dj = v.dj * scaling.objective / c if v.dj is not None else None
        rows = list(solution.row_value)
        for constraint in lp._constraints.values():
            r = scaling.rows[constraint.index]
            constraint.slack = constraint.constant + rows[constraint.index] / r
            if constraint.sense == pulp.LpConstraintLE:
                constraint.slack *= -1.0
            constraint.pi = constraint.pi * r * scaling.objective if constraint.pi is not None else None
        return status

    def callSolver(self, lp: pulp.LpProblem) -> None:
        wall = self.wall
        if wall is not None:
            # what the hand-over left
            lp.solverModel.setOptionValue("time_limit", max(wall - time.perf_counter(), 0.01))
        if wall is not None and hasattr(lp.solverModel, "cbMipInterrupt"):
            # HiGHS's own clock leaves out the MIP that completes a partial start (10 s of a 45 s limit on
            # cvar over 200 worlds): the wall clock stops the search too, this run and a tie-break on the same
            # Highs; and the LPs, whose clock HiGHS reads too seldom (a root LP of cvar over 200 worlds ran 6 s past it)
            stop = lambda event: event.interrupt() if time.perf_counter() > wall else None  # noqa: E731
            lp.solverModel.cbMipInterrupt += stop
            if hasattr(lp.solverModel, "cbSimplexInterrupt"):
                lp.solverModel.cbSimplexInterrupt += stop
                lp.solverModel.cbIpmInterrupt += stop
        for option, value in _internal_bounds(lp, *self.bounds).items():
            lp.solverModel.setOptionValue(option, value)
        if self.start:
            columns = lp.variables()
            if isinstance(self.start, PartialStart):
                columns = [v for v in columns if v.name in self.start]
            index = np.array([v.index for v in columns], dtype=np.int32)
            value = (np.array([self.start.get(v.name, 0.0) for v in columns], dtype=np.float64)
                     / lp.scaling.columns[index])
            lp.solverModel.setSolution(len(columns), index, value)
        self.watched = self.cutting is not None and self.cutting.periods >= MIN_PERIODS
        if self.watched:  # HiGHS's node limit, not an interrupt: once a callback interrupts, every later
            # run on the same Highs stops at once while a callback is registered
            lp.solverModel.setOptionValue("mip_max_nodes", STALL_NODES)
        super().callSolver(lp)
        if self.watched:
            import highspy

            highs = lp.solverModel
            highs.setOptionValue("mip_max_nodes", MAX_NODES)
            first = int(highs.getInfo().mip_node_count)
            resumed = highs.getModelStatus() == highspy.HighsModelStatus.kSolutionLimit and self._cut_and_resume(lp)
            added = self.cuts.added if self.cuts is not None else 0
            assert self.cutting is not None
            self.proof = Proof(self.cutting.periods, self.cuts is not None, added, first,
                               first + (int(highs.getInfo().mip_node_count) if resumed else 0))

    def _cut_and_resume(self, lp: pulp.LpProblem) -> bool:
        """The search stalled at ``STALL_NODES``: add the per-period value cuts if they promise more
        than it proved, and search again from its best plan in the time left (False: no time was left)."""
        import numpy as np

        assert self.cutting is not None
        highs = lp.solverModel
        info = highs.getInfo()
        best = np.asarray(highs.getSolution().col_value) if info.primal_solution_status == 2 else None
        period = self.cutting.column_periods([v.name for v in lp.variables()])
        self.cuts = add_value_cuts(highs, period, quiet_highs, threads=self.threads or 1, deadline=self.wall,
                                   feasibility=FEASIBILITY, searched=info.mip_dual_bound, nodes=info.mip_node_count)
        left = None if self.wall is None else self.wall - time.perf_counter()
        if left is not None and left <= 0.01:
            return False  # no time for another search: the first one's plan and bound stand
        if left is not None:
            highs.setOptionValue("time_limit", highs.getRunTime() + left)  # HiGHS's run clock goes on across runs
        if best is not None:
            highs.setSolution(len(best), np.arange(len(best), dtype=np.int32), best)
        highs.run()
        return True


def run_highs(problem: pulp.LpProblem, settings: SolverSettings, time_limit: float,
              start: dict[str, float] | None = None, cutoff: float | None = None, target: float | None = None,
              cutting: Cutting | None = None, proof: list[Proof] | None = None, restarts: bool = True):
    """One HiGHS solve: (status, relative gap, bound).  ``cutoff``, ``target`` and ``restarts``: see
    :func:`channelmix.solve.passes.run`; ``cutting``: a long horizon, searched with value cuts if it
    stalls; then ``proof`` (when given) receives how its bound was proven."""
    import highspy

    # mip_abs_gap: HiGHS stops at an absolute gap of 1e-6 by default, which on an objective in the solver's units
    # (largest coefficient 1) hides the tie-break's idle-channel weights; the relative gap is the one asked for
    solver = _StartedHiGHS(start, cutting, msg=False, timeLimit=time_limit, gapRel=settings.gap, gapAbs=FEASIBILITY,
                           threads=settings.threads, random_seed=0, mip_feasibility_tolerance=FEASIBILITY,
                           primal_feasibility_tolerance=FEASIBILITY, mip_allow_restart=restarts)
    solver.bounds = (cutoff, target)
    problem.solve(solver)
    if proof is not None and solver.proof is not None:
        proof.append(solver.proof)
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
    if cutoff is not None and (status == "infeasible" or (status in SOLVED and _worse(problem, cutoff))):
        status = "no_solution"  # no plan at least as good as the cutoff, which pruned the search: whether the model
        # has other plans is unknown, so not "infeasible" (whose check would find them)
    if model_status == S.kObjectiveTarget and has_plan:
        status = "feasible"
    if status not in SOLVED:
        return status, None, None
    gap = info.mip_gap if math.isfinite(info.mip_gap) else None
    dual = info.mip_dual_bound * problem.scaling.objective  # in the user's units
    bound = None if not math.isfinite(dual) else (-dual if problem.sense == pulp.LpMaximize else dual)
    return status, max(gap, 0.0) if gap is not None else None, bound


def _internal_bounds(problem: pulp.LpProblem, cutoff: float | None, target: float | None) -> dict[str, float]:
    """HiGHS's objective_bound and objective_target for a cutoff and a target in the objective's own
    terms: HiGHS minimises the objective without its constant, negated for maximisation and divided by
    the scaling's objective unit (as handed over, :meth:`_StartedHiGHS.buildSolverModel`)."""
    sign = -1.0 if problem.sense == pulp.LpMaximize else 1.0
    constant = problem.objective.constant if problem.objective is not None else 0.0
    unit = problem.scaling.objective
    out = {}
    if cutoff is not None:
        out["objective_bound"] = sign * (cutoff - constant) / unit
    if target is not None:
        out["objective_target"] = sign * (target - constant) / unit
    return out


def _worse(problem: pulp.LpProblem, cutoff: float) -> bool:
    """Is the plan the solver left worse than ``cutoff``?  HiGHS hands back its last incumbent when
    the cutoff pruned the whole search."""
    value = pulp.value(problem.objective)
    if value is None:
        return True
    slack = 1e-9 * max(1.0, abs(cutoff))
    return value < cutoff - slack if problem.sense == pulp.LpMaximize else value > cutoff + slack


def run_cbc(problem: pulp.LpProblem, settings: SolverSettings, time_limit: float,
            start: dict[str, float] | None = None):
    """CBC by its command line on a copy of the problem in the solver's units (see
    :mod:`channelmix.solve.scaling`); the values come back into ``problem`` in the user's."""
    internal, twins, scaling = _scaled_copy(problem)
    problem.scaling = scaling  # to read the solver's tolerances in the user's units (see passes.py)
    if start:
        for v, twin in zip(problem.variables(), twins):
            if v.name in start or not isinstance(start, PartialStart):
                twin.setInitialValue(start.get(v.name, 0.0) / scaling.columns[v.index])
    with tempfile.TemporaryDirectory(prefix="channelmix-cbc-") as folder:
        log = Path(folder) / "cbc.log"
        with warnings.catch_warnings():
            # PuLP 3.3 deprecates its bundled CBC for 4.0; we pin <4 and use it on purpose.
            warnings.filterwarnings("ignore", message="PULP_CBC_CMD is deprecated", category=DeprecationWarning)
            # msg=False with a log file: CBC's output goes to the file, never to stdout
            solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=settings.gap, threads=settings.threads,
                                       warmStart=bool(start), logPath=str(log),
                                       options=["randomSeed 1", f"integerTolerance {FEASIBILITY}",
                                                f"primalTolerance {FEASIBILITY}"])
        internal.solve(solver)
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    if solver_log():
        sys.stderr.write(text)
    for v, twin in zip(problem.variables(), twins):
        v.varValue = None if twin.varValue is None else twin.varValue * scaling.columns[v.index]
    problem.assignStatus(internal.status, internal.sol_status)
    maximise = problem.sense == pulp.LpMaximize
    if problem.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        gap, bound = cbc_gap(text, maximise)
        status = "optimal" if problem.sol_status == pulp.LpSolutionOptimal else "feasible"
        return status, gap, None if bound is None else bound * scaling.objective
    if problem.sol_status == pulp.LpSolutionInfeasible or problem.status == pulp.LpStatusInfeasible:
        return "infeasible", None, None
    if problem.sol_status == pulp.LpSolutionUnbounded:
        return "unbounded", None, None
    return "no_solution", None, None


def _scaled_copy(problem: pulp.LpProblem) -> tuple[pulp.LpProblem, list[pulp.LpVariable], Scaling]:
    """The problem in the solver's units: a twin per variable (same name and kind, in
    ``problem.variables()`` order) and every row and the objective rescaled."""
    model = model_arrays(problem)
    scaling = choose(model)
    columns = problem.variables()
    c = scaling.columns
    internal = pulp.LpProblem(problem.name, problem.sense)
    twins = [internal.add_variable(v.name, None if v.lowBound is None else v.lowBound / c[j],
                                   None if v.upBound is None else v.upBound / c[j], cat=v.cat)
             for j, v in enumerate(columns)]
    sign = -1.0 if problem.sense == pulp.LpMaximize else 1.0
    costs = sign * scaling.costs(model.cost)
    internal.setObjective(pulp.LpAffineExpression({twins[j]: float(costs[j]) for j in np.flatnonzero(costs)}))
    for constraint in problem._constraints.values():
        r = scaling.rows[constraint.index]
        terms = {twins[v.index]: a * c[v.index] * r for v, a in constraint.items() if a != 0}
        internal.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(terms), constraint.sense,
                                                 name=constraint.name, rhs=-constraint.constant * r))
    return internal, twins, scaling
