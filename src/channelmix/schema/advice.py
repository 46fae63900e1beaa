"""What a valid scenario allows but the user probably did not mean: the warnings a scenario
loads with (a channel that can never be on, a cell nothing serves, hard rules that need more
money or more of a resource than there is).  Worded here, where the input is read, like the
problems of :mod:`.problems`: they are about the file, not about a plan."""

from __future__ import annotations

from typing import Any

import numpy as np

from .cells import governing_rule, scenario_affinity
from .source import unit_check


def warnings_for(scenario: Any) -> list[str]:
    """Things that are allowed but probably not what the user meant."""
    out = []
    rules = scenario.rules
    budget = scenario.budget
    serves = scenario_affinity(scenario, scenario.channels).column_counts() > 0
    off = set(rules.force_off)  # sets, not the lists: a lookup per channel stays O(1)
    for i, ch in enumerate(scenario.channels):
        entry = ch.fixed_cost + ch.min_spend
        if budget is not None and entry > budget and ch.id not in off:
            out.append(
                f"channels[{i}] ({ch.id}): fixed_cost + min_spend = {entry:g} is above the budget {budget:g}, so it "
                "can never be on")
        if ch.outcome is None and not serves[i]:
            out.append(f"channels[{i}] ({ch.id}): serves no (phase, segment) cell; its affinity is empty or zero")
        if ch.response.type == "constant" and (ch.max_spend or 0) > 0:
            out.append(
                f"channels[{i}] ({ch.id}): has a constant response, so its spend (max_spend {ch.max_spend:g}) buys no "
                "reach")
    usable = [c for c in scenario.channels if c.id not in off]
    for j, group in enumerate(rules.groups):
        if group.min_share and not any(group.selects(usable)):
            out.append(
                f"rules.groups[{j}]: no channel of {group.describe()} can be on, so min_share {group.min_share:g} "
                "allows no spend at all")
    lower = _cheapest_hard_plan(scenario)
    if budget is not None and lower["money"][0] > budget + 1e-9:
        amount, why = lower["money"]
        out.append(
            f"the hard rules need at least {amount:g} of money ({why}) but the budget is {budget:g}: the scenario is "
            "probably infeasible")
    for resource, capacity in scenario.resources.items():
        if resource in lower and lower[resource][0] > capacity + 1e-9:
            amount, why = lower[resource]
            out.append(
                f"the hard rules need at least {amount:g} {resource} ({why}) but only {capacity:g} are available: the "
                "scenario is probably infeasible")
    units = unit_check(scenario)
    if units is not None:
        out.append(units["text"])
    return out


def _cheapest_hard_plan(scenario: Any) -> dict[str, tuple[float, str]]:
    """A lower bound on each resource that any plan meeting the hard rules uses."""
    rules = scenario.rules
    off, on = set(rules.force_off), set(rules.force_on)
    usable = [c for c in scenario.channels if c.id not in off]
    forced = np.array([c.id in on for c in usable], dtype=bool)

    def uses(resource: str) -> np.ndarray:
        if resource == "money":
            return np.array([c.fixed_cost + c.min_spend for c in usable])
        return np.array(
            [0.0 if c.uses.get(resource) is None else c.uses[resource].fixed + c.uses[resource].per_unit * c.min_spend
             for c in usable])

    def cheapest(values: np.ndarray, count: int) -> float:
        """The sum of the ``count`` smallest values (in ascending order, as a sorted list sums)."""
        return float(sum(np.sort(values)[:count].tolist()))

    out = {}
    a = scenario_affinity(scenario, usable)
    breadth = []  # (cell, rule, pool) for every cell a hard breadth rule with min_channels > 0 governs
    governs = governing_rule(rules.breadth, [p.id for p in scenario.phases], [g.id for g in scenario.segments])
    everyone = np.arange(len(usable))
    for k in np.flatnonzero(governs >= 0):
        rule = rules.breadth[governs[k]]
        if rule.hard and rule.min_channels:
            cols, vals = a.row(int(k))
            pool = cols[vals >= rule.threshold] if rule.threshold > 0 else everyone
            breadth.append((scenario.cells[k], rule, pool))
    groups = [(group, np.array(group.selects(usable), dtype=bool)) for group in rules.groups
              if group.min_count]
    for resource in ["money", *scenario.resources]:
        u = uses(resource)
        best = (float(sum(u[forced].tolist())), "the channels forced on")
        if rules.cardinality is not None and rules.cardinality.min:
            best = max(best, (cheapest(u, rules.cardinality.min), f"{rules.cardinality.min} channels at the least"))
        for group, members in groups:
            best = max(best, (cheapest(u[members], group.min_count), f"{group.min_count} of {group.describe()}"))
        for (p, g), rule, pool in breadth:
            best = max(best, (cheapest(u[pool], rule.min_channels), f"{rule.min_channels} channels serving ({p}, {g})"))
        out[resource] = best
    return out
