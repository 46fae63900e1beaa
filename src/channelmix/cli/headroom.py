"""What loosening would buy, as a written plan carries it (``more_budget``, ``limits_worth``): made
here once for ``solve --out``/``--explain`` and the planner's export, so both write the same JSON.
No click: the planner imports it."""

from __future__ import annotations

from typing import Any

from ..schema.models import Scenario
from ..verify.plan import Plan


def headroom_json(scenario: Scenario, plan: Plan, values: dict[str, float] | None,
                  limits: bool = True) -> dict[str, Any]:
    """What loosening would buy, for the decision header of the reports a saved result makes: 10 %
    more budget, and with ``limits`` each binding limit 10 % looser (one verified re-solve each,
    started from the plan's ``values`` when given; the budget's figure is the 10 % budget's, not
    solved twice). The limits cost a re-solve per binding limit, so a caller asks for them only
    when a report or an explanation will say them; without them the header names the binding
    limits without ranking them."""
    from ..analysis.headroom import limits_worth, more_budget
    from ..reports.documents import worth_rows

    found = more_budget(scenario, plan)
    worth = limits_worth(scenario, plan, budget=found, values=values) if limits and plan.solved else None
    return {**({"more_budget": found.to_dict()} if found is not None else {}),
            **({"limits_worth": worth_rows(worth)} if worth is not None else {})}


__all__ = ["headroom_json"]
