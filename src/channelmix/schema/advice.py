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
    """Things that are allowed but probably not what the user meant, in English (stderr, the plan's
    ``warnings``; the reports word :func:`advice_facts` in their language)."""
    out = [fact["text"] for fact in advice_facts(scenario)]
    units = unit_check(scenario)
    if units is not None:
        out.append(units["text"])
    return out


def advice_facts(scenario: Any) -> list[dict[str, Any]]:
    """The warnings as facts: ``kind`` and its figures (channel, index, amounts), with ``text``, the
    English sentence.  The unit check is its own fact (:func:`.source.unit_check`)."""
    out: list[dict[str, Any]] = []
    rules = scenario.rules
    budget = scenario.budget
    serves = scenario_affinity(scenario, scenario.channels).column_counts() > 0
    off = set(rules.force_off)  # sets, not the lists: a lookup per channel stays O(1)
    for i, ch in enumerate(scenario.channels):
        entry = ch.fixed_cost + ch.min_spend
        where = f"channels[{i}] ({ch.id}): "
        if budget is not None and entry > budget and ch.id not in off:
            out.append({"kind": "never_on", "channel": ch.id, "entry": entry, "budget": budget,
                        "text": f"{where}fixed_cost + min_spend = {entry:g} is above the budget {budget:g}, so it "
                                "can never be on"})
        if ch.outcome is None and not serves[i]:
            out.append({"kind": "serves_nothing", "channel": ch.id,
                        "text": f"{where}serves no (phase, segment) cell; its affinity is empty or zero"})
        if ch.response.type == "constant" and (ch.max_spend or 0) > 0:
            out.append({"kind": "constant", "channel": ch.id, "max_spend": ch.max_spend,
                        "text": f"{where}has a constant response, so its spend (max_spend {ch.max_spend:g}) buys no "
                                "reach"})
    usable = [c for c in scenario.channels if c.id not in off]
    for j, group in enumerate(rules.groups):
        if group.min_share and not any(group.selects(usable)):
            out.append({"kind": "group_empty", "group": group.describe(), "share": group.min_share,
                        "text": f"rules.groups[{j}]: no channel of {group.describe()} can be on, so min_share "
                                f"{group.min_share:g} allows no spend at all"})
    lower = _cheapest_hard_plan(scenario)
    if budget is not None and lower["money"][0] > budget + 1e-9:
        amount, why = lower["money"]
        out.append({"kind": "needs_money", "amount": amount, "budget": budget, "why": why,
                    "text": f"the hard rules need at least {amount:g} of money ({why_text(why)}) but the budget is "
                            f"{budget:g}: the scenario is probably infeasible"})
    for resource, capacity in scenario.resources.items():
        if resource in lower and lower[resource][0] > capacity + 1e-9:
            amount, why = lower[resource]
            out.append({"kind": "needs_resource", "resource": resource, "amount": amount, "capacity": capacity,
                        "why": why, "text": f"the hard rules need at least {amount:g} {resource} ({why_text(why)}) "
                                            f"but only {capacity:g} are available: the scenario is probably "
                                            "infeasible"})
    return out


def _cheapest_hard_plan(scenario: Any) -> dict[str, tuple[float, dict[str, Any]]]:
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
        found: list[tuple[float, dict[str, Any]]] = [(float(sum(u[forced].tolist())), {"reason": "forced"})]
        if rules.cardinality is not None and rules.cardinality.min:
            found.append((cheapest(u, rules.cardinality.min), {"reason": "cardinality", "n": rules.cardinality.min}))
        for group, members in groups:
            found.append((cheapest(u[members], group.min_count),
                          {"reason": "group", "n": group.min_count, "group": group.describe()}))
        for (p, g), rule, pool in breadth:
            found.append((cheapest(u[pool], rule.min_channels),
                          {"reason": "breadth", "n": rule.min_channels, "cell": [p, g]}))
        out[resource] = max(found, key=lambda x: x[0])  # the first of the largest, as max over tuples took it
    return out


def why_text(why: dict[str, Any]) -> str:
    """What forces the least a plan must use, in English ("3 channels serving (buy, owners)")."""
    reason = why["reason"]
    if reason == "forced":
        return "the channels forced on"
    if reason == "cardinality":
        return f"{why['n']} channels at the least"
    if reason == "group":
        return f"{why['n']} of {why['group']}"
    return f"{why['n']} channels serving ({why['cell'][0]}, {why['cell'][1]})"
