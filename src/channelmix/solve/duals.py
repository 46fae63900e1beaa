"""LP duals of a solved plan: what the model alone can tell about its limits, with the on/off
decisions held fixed.  An explanation shows each only beside the figure of a verified
re-solve (:mod:`channelmix.analysis.explanation`)."""

from __future__ import annotations

from dataclasses import dataclass

import pulp

from ..formulate import formulate
from ..formulate.rows import drop_budget_copies, fix_decisions
from ..model.facts import Rule
from ..schema.models import Scenario
from .passes import row_size, run

# constraint families that are limits a person set (the rest define the model)
LIMIT_FAMILIES = ("budget", "resource_", "target_", "breadth_", "concentration_", "group_", "cardinality_",
                  "reach_level", "onoff_min_", "onoff_max_")
BINDING = 1e-6  # relative slack under which a constraint binds


@dataclass(frozen=True)
class Dual:
    """A limit constraint at the plan, with the on/off decisions held fixed."""

    name: str
    rule: Rule
    binding: bool
    shadow_price: float  # d(objective) / d(right-hand side), the true sign for either sense


def fixed_lp_duals(scenario: Scenario, values: dict[str, float]) -> dict[str, Dual]:
    """Duals of every limit constraint in the LP left when every integer variable is fixed
    at its value in ``values`` (the solver's values of a solved plan).

    PuLP 3.3.2 returns ``pi`` with the sign flipped on maximisation; the price returned
    here is always d(objective)/d(rhs): positive when raising the right-hand side raises
    the objective."""
    f = formulate(scenario, worlds=False)
    fix_decisions(f, values)
    drop_budget_copies(f)
    # always HiGHS: the sign convention below is PuLP's for HiGHS
    highs = scenario.solver.model_copy(update={"name": "highs"})
    problem = f.problem
    if run(problem, highs, highs.time_limit)[0] != "optimal":
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
