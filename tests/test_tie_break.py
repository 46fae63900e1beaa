"""The tie-break pass is bounded by a budget of work (branch-and-bound nodes), never by
seconds measured on the machine: the same file gives the same plan quiet or busy."""

from __future__ import annotations

from pathlib import Path

import pytest

from channelmix.formulate import formulate
from channelmix.reports.wording import plan_warnings
from channelmix.schema import load
from channelmix.solve.passes import TIE_NODE_FLOOR, solve

BAKERY = Path(__file__).parents[1] / "scenarios" / "township-bakery.yaml"


def test_tie_break_searches_a_node_budget_not_a_share_of_seconds():
    formulation = formulate(load(BAKERY).scenario)
    solution = solve(formulation)
    assert solution.tie_break == "done" and solution.passes == 2
    option = formulation.problem.solverModel.getOptionValue("mip_max_nodes")
    budget = option[1] if isinstance(option, tuple) else option  # (status, value) in some highspy versions
    assert TIE_NODE_FLOOR <= budget < 10**9  # a budget was set (HiGHS's default is "no limit")


def _waste_and_idle() -> dict:
    """Reach 1 everywhere is bought by 100 on 'a' (slope 0.01); 'b' reaches 1 only at 1,000;
    'idle' costs nothing and reaches nothing: optima that waste money or run idle abound."""
    from helpers import channel, scenario

    return scenario(channels=[channel("a", {"type": "linear", "slope": 0.01}), channel("b"),
                              channel("idle", {"type": "constant", "value": 0.0})])


def test_on_a_large_model_the_tie_break_chooses_among_the_first_plans_channels(monkeypatch):
    """Above TIE_FULL_INTEGERS the pass keeps off what the first plan left off: same objective,
    a subset of its channels, least spend among those, idle channels off; and it says so."""
    import channelmix.solve.passes as solve_module
    from helpers import load
    from helpers import solve as solve_plan

    d = _waste_and_idle()
    first = solve(formulate(load({**d, "objective": {"sense": "max_reach", "tie_break": False}})))
    monkeypatch.setattr(solve_module, "TIE_FULL_INTEGERS", -1)
    formulation = formulate(load(d))
    second = solve(formulation)
    assert second.tie_break == solve_module.FIXED_ON_OFF and second.passes == 2
    assert abs(second.model_objective - first.model_objective) <= 1e-6 * abs(first.model_objective)
    on = {c for c, v in second.on.items() if v}
    assert on <= {c for c, v in first.on.items() if v} and "idle" not in on
    assert all(second.spend[c] > 0 for c in on)  # the first pass leaves 'b' on with nothing spent: now off
    least = 100.0 if first.on["a"] else 1000.0  # the cheapest full reach among the first plan's channels
    assert sum(second.spend.values()) == pytest.approx(least, abs=1e-6)
    plan = solve_plan(d)
    assert any("among the first plan's channels" in w for w in plan_warnings(plan))
