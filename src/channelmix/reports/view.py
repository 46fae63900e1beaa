"""The view of one plan: everything a report shows about it, worked out once (figures formatted
for reading, raw numbers kept beside for Excel), from the plan dict (the JSON of
``channelmix solve --format json``); a batch result may lack channels or coverage."""

from __future__ import annotations

from typing import Any, Callable

from ..model.solution import SOLVED
from .claims import summary_claims
from .common import (
    auto,
    gap_text,
    is_number,
    money_decimals,
    num,
    pct,
    penalty_words,
    qty,
    resource_name,
    sense_meaning,
    sense_title,
    status_text,
)
from .decision import decision_view
from .i18n import labels_of, shown, t
from .problem_words import message_text
from .rules import plain_rules
from .variant import variant_view


def plan_view(plan: dict[str, Any]) -> dict[str, Any]:
    """Everything a report shows about one plan, formatted; raw numbers kept beside for Excel."""
    d = money_decimals(plan)
    currency = plan.get("currency") or ""
    solved = plan.get("status") in SOLVED
    sense = plan.get("sense") or "max_reach"
    channels = plan.get("channels") or []
    coverage = plan.get("coverage") or []
    phases = [{**p, "label": shown(p)} for p in plan.get("phases") or []] or [
        {"id": p, "label": p} for p in dict.fromkeys(c["phase"] for c in coverage)]  # preset phases in its language
    segments = plan.get("segments") or [{"id": g, "label": g} for g in dict.fromkeys(c["segment"] for c in coverage)]
    resources = plan.get("resources") or {}

    def money(value: Any) -> str:
        return f"{num(value, d)} {currency}".strip() if is_number(value) else "—"

    money_objective = sense != "max_reach"
    objective = plan.get("objective")
    on = [c for c in channels if c.get("on")]
    rows = channel_rows(channels, resources, d)
    cells = cell_rows(coverage, labels_of(channels), labels_of(phases), labels_of(segments))
    resource_rows = resource_lines(resources)
    budget, cost = plan.get("budget"), plan.get("cost")
    budget_share = cost / budget if is_number(cost) and is_number(budget) and budget > 0 else None
    reachable = plan.get("reachable")
    share = objective / reachable if solved and sense == "max_reach" and is_number(objective) and \
        is_number(reachable) and reachable > 0 else None
    return {"variant": variant_view(plan, money), "reachable": reachable, "reachable_share": share,
            "reachable_text": t("share_of_reachable", share=pct(share), reachable=auto(reachable)) if share is not None
            else "", "scenario": plan.get("scenario") or "", "description": plan.get("description") or "",
            "status": plan.get("status") or "", "status_text": status_text(plan.get("status") or ""), "solved": solved,
            "verified": bool(plan.get("verified")), "message": message_text(plan), "sense": sense,
            "objective": objective, "objective_title": sense_title(sense), "objective_meaning": sense_meaning(sense),
            "objective_text": (money(objective) if money_objective else auto(objective)) if solved else "—",
            "currency": currency, "money_decimals": d, "money": money, "cost": cost, "budget": budget,
            "budget_share": budget_share, "cost_text": money(cost) if solved else "—", "budget_text": money(budget),
            "budget_share_text": pct(budget_share), "resources": resource_rows, "gap": plan.get("gap"),
            "gap_text": gap_text(plan), "gap_pct_text": pct(plan.get("gap"), 2),
            "penalties": [
                {"name": k, "words": penalty_words(k), "amount": v, "text": money(v) if money_objective
                 else t("penalty.in_reach", amount=auto(v))} for k, v in (plan.get("penalties") or {}).items()],
            "weighted_reach": plan.get("weighted_reach"), "weighted_reach_text": auto(plan.get("weighted_reach")),
            "channels": rows, "on": [r for r in rows if r["on"]], "off": [r for r in rows if not r["on"]],
            "total_cost": sum(c.get("cost") or 0.0 for c in on), "total_spend": sum(c.get("spend") or 0.0 for c in on),
            "total_fixed": sum(c.get("fixed_cost") or 0.0 for c in on),
            "total_uses": {r: sum((c.get("uses") or {}).get(r, 0.0) for c in on) for r in resources},
            "resource_names": list(resources),
            "phases": [{"id": p["id"], "label": p.get("label") or p["id"]} for p in phases],
            "segments": [{"id": g["id"], "label": g.get("label") or g["id"]} for g in segments], "cells": cells,
            "matrix": {(c["phase"], c["segment"]): c for c in cells}, "below": [c for c in cells if c["short"]],
            "weakest": min(cells, key=lambda c: c.get("level") or 0.0, default=None),
            "summary": summary_lines(plan, money) if solved else [],
            "decision": decision_view(plan, money) if solved else None,
            "binding": list(plan.get("binding") or []), "binding_lines": plain_rules(plan),
            "binding_intro": t("binding.intro") if plan.get("binding") else t("binding.none"),
            "warnings": list(plan.get("warnings") or []), "curve_error": plan.get("curve_error"),
            "curve_error_text": pct(plan.get("curve_error"), 1), "approximation_bound": plan.get("approximation_bound"),
            "approximation_bound_text": auto(plan.get("approximation_bound")),
            "model_objective": plan.get("model_objective"), "bound": plan.get("bound"), "solver": plan.get("solver")
            or "", "seconds": (plan.get("build_seconds") or 0.0) + (plan.get("solve_seconds") or 0.0),
            "labels": [plan.get("scenario") or "", plan.get("description") or "",
                       *(c.get("label") or "" for c in channels), *(p.get("label") or "" for p in phases),
                       *(g.get("label") or "" for g in segments)]}


def channel_rows(channels: list[dict[str, Any]], resources: dict[str, Any], d: int) -> list[dict[str, Any]]:
    """One row per channel, those on first: figures, each one's share of the cost, and their texts."""
    total_cost = sum(c.get("cost") or 0.0 for c in channels if c.get("on"))
    total_spend = sum(c.get("spend") or 0.0 for c in channels if c.get("on"))  # the base of a rule on spend shares
    rows = []
    for c in sorted(channels, key=lambda c: not c.get("on")):
        cost = c.get("cost") or 0.0
        share = cost / total_cost if total_cost > 0 and c.get("on") else None
        spend_share = (c.get("spend") or 0.0) / total_spend if total_spend > 0 and c.get("on") else None
        rows.append({
            "id": c["id"], "label": c.get("label") or c["id"], "on": bool(c.get("on")),
            "spend": c.get("spend") or 0.0, "fixed_cost": c.get("fixed_cost") or 0.0, "cost": cost,
            "reach": c.get("reach") or 0.0, "outcome": c.get("outcome") or 0.0, "share": share or 0.0,
            "spend_share": spend_share or 0.0,
            "uses": {r: (c.get("uses") or {}).get(r, 0.0) for r in resources},
            "spend_text": num(c.get("spend"), d), "fixed_text": num(c.get("fixed_cost"), d), "cost_text": num(cost, d),
            "reach_text": pct(c.get("reach")), "share_text": pct(share) if share is not None else "—",
            "uses_text": {r: qty((c.get("uses") or {}).get(r, 0.0)) for r in resources},
        })
    return rows


def cell_rows(coverage: list[dict[str, Any]], channel: dict[str, str], phase: dict[str, str],
              segment: dict[str, str]) -> list[dict[str, Any]]:
    """Every (phase, segment) cell with its labels, its channels' labels and whether it is short of its target."""
    cells = []
    for cell in coverage:
        target = cell.get("target")
        level = cell.get("level") or 0.0
        short = is_number(target) and level < target - 1e-6
        cells.append({
            **cell, "phase_label": phase.get(cell["phase"], cell["phase"]),
            "segment_label": segment.get(cell["segment"], cell["segment"]),
            "channel_labels": [channel.get(c, c) for c in cell.get("channels") or []],
            "level_text": pct(level), "target_text": pct(target) if is_number(target) else "",
            "weight_text": auto(cell.get("weight")), "short": bool(short),
        })
    return cells


def resource_lines(resources: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each resource: used, capacity and the share used, with their texts."""
    out = []
    for name, use in resources.items():
        used, capacity = use.get("used"), use.get("capacity")
        share = used / capacity if is_number(used) and is_number(capacity) and capacity > 0 else None
        out.append({"id": name, "name": resource_name(name), "used": used, "capacity": capacity, "share": share,
                    "used_text": qty(used), "capacity_text": qty(capacity), "share_text": pct(share)})
    return out


def summary_lines(plan: dict[str, Any], money: Callable[[Any], str]) -> list[str]:
    """The plan in a few sentences, each a claim computed from its figures (:mod:`.claims`): what runs for how
    much, the weakest cell, the targets (over periods, period by period)."""
    return [c.sentence for c in summary_claims(plan, money)]
