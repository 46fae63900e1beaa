"""A first incumbent for a robust model: the risk-neutral plan, solved quickly on its own.

A robust model over many worlds (cvar at 200 worlds: tens of thousands of rows) can
spend its whole time limit without finding any plan.  The scenario's own model (the
nominal world, no risk) is small and solves in a fraction of that; its on/off set and
spends, handed to HiGHS as a partial start, are completed by HiGHS into a feasible plan
of the robust model (the per-world reach, coverage and risk variables follow from the
decisions), so the search starts with an incumbent and a time limit returns a plan
with its gap instead of none.
"""

from __future__ import annotations

import time

from ..formulate import Formulation, formulate
from ..model.solution import SOLVED
from ..schema import Scenario
from .passes import solve
from .solvers import PartialStart

SHARE = 0.2  # of the time left: what the risk-neutral solve may take at most


def neutral_start(scenario: Scenario, robust: Formulation, deadline: float) -> PartialStart | None:
    """Values of the robust model's on/off and spend variables at the risk-neutral plan
    (None when that plan is not found within its share of the time)."""
    left = deadline - time.perf_counter()
    if left <= 0.5:
        return None
    neutral = scenario.model_copy(update={"objective": scenario.objective.model_copy(update={"tie_break": False})})
    solution = solve(formulate(neutral, worlds=False), deadline=time.perf_counter() + SHARE * left)
    if solution.status not in SOLVED:
        return None
    start = PartialStart({x.name: 1.0 if solution.on.get(cid) else 0.0 for cid, x in robust.on.items()})
    start.update({s.name: solution.spend.get(cid, 0.0) for cid, s in robust.spend.items()})
    return start
