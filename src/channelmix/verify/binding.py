"""Which rules bind at a plan's spends, recomputed on the real curves (no solver here).

The solver reports the rules that hold with equality at the MILP's point.  The polish
then moves the continuous spends (on/off stays), so the rules that depend on spends
(budget, resources, coverage targets, concentration, spend shares, a channel's spend
bounds) are judged again here from :func:`channelmix.verify.evaluate.evaluate`'s figures;
the rest (breadth, redundancy, counts, requires/excludes) depend on on/off only and
keep the solver's verdict.
"""

from __future__ import annotations

from ..model.arrays import arrays
from ..model.facts import Rule
from ..schema.models import Scenario
from .evaluate import Evaluation

BINDING = 1e-5  # relative slack within which a rule counts as binding (as the solver's reading of its rows)
_BY_SPEND = ("budget", "resource_", "target_", "concentration_", "onoff_max_", "onoff_min_")


def depends_on_spend(name: str) -> bool:
    """Whether the rule behind this constraint name can change when only the spends move."""
    return name.startswith(_BY_SPEND) or (name.startswith("group_") and name.endswith("_share"))


def rebind(scenario: Scenario, rules: dict[str, Rule], solver_binding: list[str], caps: dict[str, float],
           truth: Evaluation) -> list[Rule]:
    """The binding rules, in the model's order: the solver's verdict for rules that
    depend on on/off only (``solver_binding``: constraint names), and for the rest whether
    they hold with equality in ``truth`` (the evaluation at the polished spends)."""
    kept = set(solver_binding)
    spend = {c.id: c.spend if c.on else 0.0 for c in truth.channels}
    on = {c.id: c.on for c in truth.channels}
    ids = [c.id for c in scenario.channels]
    total = sum(spend.values())
    out = []
    for name, rule in rules.items():
        if not depends_on_spend(name):
            if name in kept:
                out.append(rule)
            continue
        slack = _slack(scenario, name, ids, spend, on, total, caps, truth)
        if slack is not None and abs(slack[0]) <= BINDING * abs(slack[1]):
            out.append(rule)
    return out


def _slack(scenario: Scenario, name: str, ids: list[str], spend: dict[str, float], on: dict[str, bool], total: float,
           caps: dict[str, float], truth: Evaluation) -> tuple[float, float] | None:
    """(left side − right side, the row's size) at these figures: the row binds when the first
    is a small share of the second, in any currency (shares against 1, money against the
    amount it is measured on); None when it cannot bind (a channel's spend bound while off)."""
    if name == "budget":
        assert scenario.budget is not None  # the row exists only with a budget
        return truth.money - scenario.budget, scenario.budget
    family, _, rest = name.partition("_")
    if family == "resource":
        resource = list(scenario.resources)[int(rest)]
        return truth.resources[resource] - scenario.resources[resource], scenario.resources[resource]
    if family == "target":
        k = int(rest)
        cov = arrays(scenario).coverage
        target, level = float(cov.level[k]), truth.cells[k].level
        # a soft target's row (coverage + shortfall ≥ target) holds with equality
        if not cov.hard[k] and level < target:
            return 0.0, 1.0
        return level - target, 1.0
    if family == "concentration":
        cid = ids[int(rest)]
        assert scenario.rules.concentration is not None  # the row exists only with the rule
        return spend[cid] - scenario.rules.concentration.max_share * total, total
    if family == "group":
        j, tag = int(rest.split("_")[0]), rest.split("_")[1]
        group = scenario.rules.groups[j]
        share = group.min_share if tag == "min" else group.max_share
        assert share is not None  # the row exists only with the share
        members = sum(spend[c.id] for c, selected in zip(scenario.channels, group.selects(scenario.channels))
                      if selected)
        return members - share * total, total
    c = int(name.rsplit("_", 1)[1])
    cid = ids[c]
    if not on[cid]:
        return None
    bound = caps[cid] if name.startswith("onoff_max_") else scenario.channels[c].min_spend
    return spend[cid] - bound, bound

