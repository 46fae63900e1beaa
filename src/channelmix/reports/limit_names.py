"""An explanation's limits named in the report's language ("the budget", "the hours available",
"the coverage target for Delivery × Taxi-rank commuters"), from what each limit concerns (the
``concerns`` of its JSON row — an explanation's limits and a plan's ``limits_worth`` alike).  A row
saved before limits carried ``concerns`` keeps the name the JSON gives it.
"""

from __future__ import annotations

from typing import Any

from .common import resource_name
from .i18n import labels_of, t

__all__ = ["limit_name"]


def limit_name(row: dict[str, Any], plan: dict[str, Any]) -> str:
    """The limit of ``row`` (an explanation's limit) in words, its channels, cells and groups by their labels."""
    what = row.get("concerns")
    kind = row.get("kind")
    if what is None:
        return str(row.get("rule") or kind)
    if kind == "budget":
        if what.get("period"):
            return t("limit.budget_period", period=what["period"])
        return t("limit.budget_each") if what.get("each_period") else t("limit.budget")
    if kind == "resource":
        key = "limit.resource_each" if what.get("each_period") else "limit.resource"
        return t(key, resource=resource_name(what.get("resource") or ""))
    if kind in ("coverage_target", "breadth"):
        family = "coverage" if kind == "coverage_target" else "breadth"
        if what.get("cell"):
            return t(f"limit.{family}_cell", cell=cell_name(what["cell"], plan))
        return t(f"limit.{family}_rule", rule=int(what.get("index") or 0) + 1, cells=int(what.get("cells") or 0))
    side = what.get("side") if what.get("side") in ("min", "max") else "max"
    if kind == "cardinality":
        return t(f"limit.cardinality_{side}")
    if kind in ("group_share", "group_count"):
        return t(f"limit.{kind}_{side}", group=what.get("group") or "")
    if kind in ("concentration", "reach_level"):
        return t(f"limit.{kind}")
    if kind in ("min_spend", "max_spend"):
        channel = what.get("channel") or ""
        return t(f"limit.{kind}", channel=labels_of(plan.get("channels")).get(channel, channel))
    return str(row.get("rule") or kind)


def cell_name(cell: list[str], plan: dict[str, Any]) -> str:
    """A phase × segment cell by its labels."""
    phase, segment = cell
    return (f"{labels_of(plan.get('phases')).get(phase, phase)} \u00d7 "
            f"{labels_of(plan.get('segments')).get(segment, segment)}")
