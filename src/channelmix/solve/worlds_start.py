"""A robust model within its time limit: the risk-neutral plan first, as a start and a fallback.

A robust model over many worlds (cvar at 200 worlds: tens of thousands of rows) can
spend its whole time limit without finding any plan.  The scenario's own model (the
nominal world, no risk) is small and solves in a fraction of that; its on/off set and
spends, handed to HiGHS as a partial start, are completed by HiGHS into a feasible plan
of the robust model (the per-world reach, coverage and risk variables follow from the
decisions), so the search starts with an incumbent and a time limit returns a plan
with its gap instead of none.

Building the robust model takes time too — its rows grow with worlds × distinct curves ×
pieces: a 1,000-world CVaR of the township bakery has a million rows, 34 s to build and
about 10 s more to hand to HiGHS — so the build must end by :data:`BUILD_SHARE` of the
time limit (the hand-over then takes about a third of that again, and the search has
the rest).  When it cannot, or the search finds no plan in time, the answer is the
risk-neutral plan judged in every world, verified like any plan, if it keeps every hard
rule in every world (status ``feasible``, no gap, the warnings saying why); else
``no_solution`` with the reason.
"""

from __future__ import annotations

import dataclasses
import time

from ..formulate import Formulation, formulate
from ..model.facts import Note
from ..model.solution import SOLVED, Solution
from ..schema import Scenario
from ..verify.plan import Plan, build_plan
from ..verify.risk import check_worlds
from ..verify.verifier import check
from .passes import solve
from .solvers import PartialStart

SHARE = 0.2  # of the time left: what the risk-neutral solve may take at most
BUILD_SHARE = 0.5  # of the time limit: when building the robust model must be done
RESERVE = 2.0  # × the build's seconds: kept back from the search for what HiGHS's clock does not stop


def neutral_solution(scenario: Scenario, deadline: float) -> tuple[Solution, Formulation] | None:
    """The risk-neutral plan's solution and model, solved in at most :data:`SHARE` of the time
    left (None when not found in that time)."""
    left = deadline - time.perf_counter()
    if left <= 0.5:
        return None
    neutral = scenario.model_copy(update={"objective": scenario.objective.model_copy(update={"tie_break": False})})
    formulation = formulate(neutral, worlds=False)
    solution = solve(formulation, deadline=time.perf_counter() + SHARE * left)
    return (solution, formulation) if solution.status in SOLVED else None


def partial_start(robust: Formulation, solution: Solution) -> PartialStart:
    """Values of the robust model's on/off and spend variables at the risk-neutral plan."""
    start = PartialStart({x.name: 1.0 if solution.on.get(cid) else 0.0 for cid, x in robust.on.items()})
    start.update({s.name: solution.spend.get(cid, 0.0) for cid, s in robust.spend.items()})
    return start


def neutral_fallback(scenario: Scenario, worlds: list[Scenario], neutral: tuple[Solution, Formulation] | None,
                     why: Note, began: float, warnings: list[str] | None = None) -> Plan:
    """The best verified plan when the robust model gave none in time: the risk-neutral plan,
    judged in every world, if it keeps every hard rule in each (a robust plan must); else a
    ``no_solution`` plan that says why. ``why``: a ``neutral_fallback`` note saying why the robust
    model gave none (its words: :func:`channelmix.reports.wording.note_words`); ``began``: when the
    solve began (``time.perf_counter()``)."""
    why = dataclasses.replace(why, limit=scenario.solver.time_limit, risk=scenario.objective.risk or "",
                              worlds=len(worlds))
    seconds = time.perf_counter() - began
    if neutral is None:
        return _no_plan(scenario, dataclasses.replace(why, kind="neutral_missing"), seconds, warnings)
    solution, formulation = neutral
    curve_error = max((p.max_error for p in formulation.curve_pieces.values()), default=0.0)
    plan = build_plan(scenario, dataclasses.replace(solution, model_objective=None, bound=None, gap=None),
                      curve_error=curve_error, approximation_bound=None, build_seconds=seconds, warnings=warnings,
                      notes=[why])
    plan = check_worlds(scenario, check(scenario, plan), worlds=worlds)
    assert plan.risk is not None  # check_worlds judged the (solved) plan in every world
    broken = len(worlds) - plan.risk["rules_hold"]
    if broken:
        return _no_plan(scenario, dataclasses.replace(why, kind="neutral_broken", count=broken), seconds, warnings)
    return dataclasses.replace(plan, status="feasible", solver_seconds=solution.solver_seconds,
                               outside_solver_seconds=time.perf_counter() - began - solution.solver_seconds)


def _no_plan(scenario: Scenario, why: Note, seconds: float, warnings: list[str] | None) -> Plan:
    nothing = Solution(status="no_solution", on={}, spend={}, model_objective=None, bound=None, gap=None, seconds=0.0,
                       solver=scenario.solver.name, passes=0, binding=[])
    return build_plan(scenario, nothing, curve_error=0.0, approximation_bound=None, build_seconds=seconds,
                      warnings=list(warnings or []), notes=[why])
