"""What a report needs from the scenario beside the plan: the report language, the
most a plan could reach, so the headline reads "72 % of the most reachable", and where
the curves came from (``source``, and ``units`` when the budget looks out of their range).

How coverage combines is defined once, in :func:`channelmix.verify.evaluate.cell_levels`
(what the verifier applies): a cell's coverage is ``min(1, Σ affinity × reach)`` over
the channels that are on, so three channels on the same commuters add up until the
cell is fully covered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..model.arrays import arrays
from ..schema.advice import advice_facts
from ..schema.responses import reach
from ..schema.source import unit_check
from .evaluate import cell_levels

if TYPE_CHECKING:
    from ..schema.models import Channel, Scenario

FAR = 1e300  # a spend past every curve's saturation


def ceiling(channel: "Channel") -> float:
    """The most of a segment the channel's curve ever touches (at saturation)."""
    response = channel.response
    points = getattr(response, "points", None)
    if points:
        return max(float(y) for _, y in points)
    return reach(response, FAR)


def most_reachable(scenario: "Scenario") -> float:
    """Σ over cells of weight × coverage with every channel on at saturation (budgets,
    caps and rules ignored): the weighted reach no plan can exceed — over periods, in
    every period, each counted by its weight as the objective counts it."""
    A = arrays(scenario)
    ceilings = np.array([ceiling(c) for c in scenario.channels])
    once = float(A.weight @ cell_levels(A, ceilings))
    if scenario.periods is None:
        return once
    from ..model.periods import Horizon  # over periods the objective sums the periods, each by its weight

    H = Horizon(scenario)
    return once * sum(H.weight(t) for t in range(H.T))


def report_facts(scenario: "Scenario", variant: str = "", changes: dict[str, Any] | None = None,
                 base: dict[str, Any] | None = None, base_scenario: "Scenario | None" = None) -> dict[str, Any]:
    """The keys a report reads from the scenario: ``language`` (when set), for a reach
    objective ``reachable`` (see :func:`most_reachable`), and for a variant its name,
    description and changes, with the base plan's headline figures to compare with (and,
    for a variant with a risk objective, ``risk_reference``: the base plan judged in the
    variant's worlds)."""
    facts: dict[str, Any] = {}
    if variant:
        described = next((v.description for v in (base_scenario or scenario).variants if v.name == variant), "")
        facts["variant"] = {"name": variant, "description": described, "changes": dict(changes or {})}
        if base is not None:
            facts["base"] = {k: base.get(k) for k in ("scenario", "status", "objective", "cost")}
            facts["base"]["channels"] = [{k: c.get(k) for k in ("id", "label", "on", "cost")}
                                         for c in base.get("channels") or []]
            if scenario.worlds is not None and scenario.objective.risk is not None and base.get("channels"):
                from .risk import risk_of  # a robust variant: the base plan judged in the same worlds, to compare

                on = {c["id"]: bool(c.get("on")) for c in base["channels"]}
                facts["risk_reference"] = risk_of(scenario, on,
                                                  {c["id"]: float(c.get("spend") or 0.0) for c in base["channels"]})
    language = getattr(scenario, "language", None)
    if language:
        facts["language"] = language
    if scenario.source is not None:  # where the curves came from, and the budget judged against their units
        facts["source"] = scenario.source.model_dump(mode="json")
        units = unit_check(scenario)
        if units is not None:
            facts["units"] = units
    if scenario.objective.sense == "max_reach":
        facts["reachable"] = most_reachable(scenario)
    advice = advice_facts(scenario)
    if advice:  # the input's warnings as facts, so a report says them in its language
        facts["advice"] = advice
    return facts
