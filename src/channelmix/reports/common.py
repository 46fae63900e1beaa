"""What every report says about a plan, worked out once: numbers formatted for people,
labels looked up, the headline in plain words, the coverage matrix, the text direction.

Everything here reads the *plan dict* (the JSON of ``channelmix solve --format json``)
and tolerates what a batch result may lack (an error row has no channels, no coverage).
Figures are rounded for reading, so the reports carry no solver noise.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from ..model.solution import SOLVED
from .i18n import current, t

SENSES = ("max_reach", "max_value", "max_outcome", "min_cost", "target")
MAXIMISE = ("max_reach", "max_value", "max_outcome")
PENALTIES = ("coverage_shortfall", "breadth_shortfall", "redundancy_shortfall", "channel_count")
STATUSES = ("optimal", "feasible", "infeasible", "unbounded", "no_solution", "invalid", "error")


def sense_title(sense: str) -> str:
    """The objective's name (``Weighted reach``): the one table of objective words is the locale files."""
    return t(f"sense.{sense}.title") if sense in SENSES else t("objective")


def sense_meaning(sense: str) -> str:
    return t(f"sense.{sense}.meaning") if sense in SENSES else ""


def penalty_words(name: str) -> str:
    return t(f"penalty.{name}") if name in PENALTIES else name.replace("_", " ")


def status_text(status: str) -> str:
    return t(f"status.{status}") if status in STATUSES else status


# ---------------------------------------------------------------- numbers


def is_number(value: Any) -> bool:
    """A finite real number (numpy's included), not a bool."""
    if isinstance(value, bool) or type(value).__name__ == "bool_" or not isinstance(value, numbers.Real):
        return False
    return math.isfinite(value)


def num(value: Any, decimals: int = 0) -> str:
    """``12,345`` with thousands separators; ``—`` for nothing; never ``-0``."""
    if not is_number(value):
        return "—"
    text = f"{value:,.{decimals}f}"
    text = text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text
    return current().number(text)


def auto(value: Any) -> str:
    """A quantity of any size: whole above 100, else at most two decimals, trailing zeros dropped."""
    if not is_number(value):
        return "—"
    if abs(value) >= 100:
        return num(value, 0)
    text = f"{value:,.2f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    text = text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text
    return current().number(text)


def qty(value: Any) -> str:
    """A resource quantity (hours): one decimal, none when whole."""
    if not is_number(value):
        return "—"
    rounded = round(value, 1)
    return num(rounded, 0 if rounded == int(rounded) else 1)


def pct(value: Any, decimals: int = 0) -> str:
    """A share as ``34%``."""
    if not is_number(value):
        return "—"
    return num(value * 100, decimals) + current().percent


def money_decimals(plan: dict[str, Any]) -> int:
    """Amounts are shown in whole currency units (nobody pays 134.82 rand); display only:
    the plan's own figures are never changed."""
    return 0


def gap_text(plan: dict[str, Any]) -> str:
    gap = plan.get("gap")
    status = plan.get("status")
    if status == "optimal":
        return t("gap.proven") if not is_number(gap) or gap < 5e-5 else t("gap.within", gap=pct(gap, 2))
    if status == "feasible":
        return t("gap.feasible", gap=pct(gap, 2)) if is_number(gap) else t("gap.no_bound")
    return "—"


# ---------------------------------------------------------------- binding rules in plain words

_EXPONENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?e[+-]?\d+)(?![\w.])")
_LONG = re.compile(r"(?<![\w.,])(\d{4,})(\.\d+)?(?![\w,])")
_CELL = re.compile(r"\(([^(),]+), ([^(),]+)\)")


def readable_numbers(text: str) -> str:
    """``9e+07`` and ``90000000`` as ``90,000,000``."""
    def expand(match: re.Match) -> str:
        value = float(match.group(1))
        return auto(value) if value >= 1 or value == 0 else match.group(1)

    text = _EXPONENT.sub(expand, text)
    return _LONG.sub(lambda m: current().number(f"{int(m.group(1)):,}" + (m.group(2) or "")), text)


def binding_lines(binding: list[str]) -> list[str]:
    """The binding rules, numbers made readable, and a rule that binds in three or more
    cells said once with its cells listed."""
    groups: dict[str, list[str]] = {}
    for sentence in binding:
        sentence = readable_numbers(sentence)
        match = _CELL.search(sentence)
        key = _CELL.sub("{cell}", sentence, count=1) if match else sentence
        groups.setdefault(key, []).append(f"{match.group(1)} × {match.group(2)}" if match else sentence)
    lines = []
    for key, cells in groups.items():
        if "{cell}" in key and len(cells) >= 3:
            lines.append(key.replace("{cell}", t("cells_count", n=len(cells)), 1).strip() + ": " + ", ".join(cells))
        elif "{cell}" in key:
            lines += [key.replace("{cell}", "(" + cell.replace(" × ", ", ") + ")", 1) for cell in cells]
        else:
            lines += cells
    return lines


# ---------------------------------------------------------------- text direction


def first_strong(text: str) -> str | None:
    """``rtl`` or ``ltr`` by the first strongly directional character (as ``dir="auto"`` does)."""
    for ch in text or "":
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return None


def language(labels: Iterable[str]) -> tuple[str, str]:
    """``(lang, dir)`` for a document whose user labels are these: right to left when most
    labels are in a right-to-left script."""
    labels = [t for t in labels if t]
    directions = [first_strong(t) for t in labels]
    rtl, ltr = directions.count("rtl"), directions.count("ltr")
    if rtl <= ltr:
        return "en", "ltr"
    text = "".join(labels)
    if any("\u0590" <= ch <= "\u05ff" for ch in text):
        return "he", "rtl"
    if any(ch in text for ch in "پچژگکی"):
        return "fa", "rtl"
    return "ar", "rtl"


# ---------------------------------------------------------------- the view of one plan


def labels_of(items: list[dict[str, Any]] | None) -> dict[str, str]:
    return {item["id"]: item.get("label") or item["id"] for item in items or [] if "id" in item}


def plan_view(plan: dict[str, Any]) -> dict[str, Any]:
    """Everything a report shows about one plan, formatted; raw numbers kept beside for Excel."""
    from .rules import plain_rules  # rules reads this module's helpers
    d = money_decimals(plan)
    currency = plan.get("currency") or ""
    solved = plan.get("status") in SOLVED
    sense = plan.get("sense") or "max_reach"
    channels = plan.get("channels") or []
    coverage = plan.get("coverage") or []
    channel_label = labels_of(channels)
    phases = plan.get("phases") or [{"id": p, "label": p} for p in dict.fromkeys(c["phase"] for c in coverage)]
    segments = plan.get("segments") or [{"id": g, "label": g} for g in dict.fromkeys(c["segment"] for c in coverage)]
    phase_label, segment_label = labels_of(phases), labels_of(segments)
    resources = plan.get("resources") or {}

    def money(value: Any) -> str:
        return f"{num(value, d)} {currency}".strip() if is_number(value) else "—"

    money_objective = sense != "max_reach"
    objective = plan.get("objective")
    on = [c for c in channels if c.get("on")]
    total_cost = sum(c.get("cost") or 0.0 for c in on)
    total_spend = sum(c.get("spend") or 0.0 for c in on)

    rows = []
    for c in sorted(channels, key=lambda c: not c.get("on")):
        cost = c.get("cost") or 0.0
        rows.append({
            "id": c["id"], "label": c.get("label") or c["id"], "on": bool(c.get("on")),
            "spend": c.get("spend") or 0.0, "fixed_cost": c.get("fixed_cost") or 0.0, "cost": cost,
            "reach": c.get("reach") or 0.0, "outcome": c.get("outcome") or 0.0, "share": cost / total_cost if total_cost > 0 and c.get("on") else 0.0,
            "uses": {r: (c.get("uses") or {}).get(r, 0.0) for r in resources},
            "spend_text": num(c.get("spend"), d), "fixed_text": num(c.get("fixed_cost"), d), "cost_text": num(cost, d),
            "reach_text": pct(c.get("reach")), "share_text": pct(cost / total_cost) if total_cost > 0 and c.get("on") else "—",
            "uses_text": {r: qty((c.get("uses") or {}).get(r, 0.0)) for r in resources},
        })

    cells = []
    for cell in coverage:
        target = cell.get("target")
        level = cell.get("level") or 0.0
        short = is_number(target) and level < target - 1e-6
        cells.append({
            **cell, "phase_label": phase_label.get(cell["phase"], cell["phase"]),
            "segment_label": segment_label.get(cell["segment"], cell["segment"]),
            "channel_labels": [channel_label.get(c, c) for c in cell.get("channels") or []],
            "level_text": pct(level), "target_text": pct(target) if is_number(target) else "",
            "weight_text": auto(cell.get("weight")), "short": bool(short),
        })
    matrix = {(c["phase"], c["segment"]): c for c in cells}
    below = [c for c in cells if c["short"]]
    weakest = min(cells, key=lambda c: c.get("level") or 0.0, default=None)

    resource_rows = []
    for name, use in resources.items():
        used, capacity = use.get("used"), use.get("capacity")
        share = used / capacity if is_number(used) and is_number(capacity) and capacity > 0 else None
        resource_rows.append({"name": name, "used": used, "capacity": capacity, "share": share,
                              "used_text": qty(used), "capacity_text": qty(capacity), "share_text": pct(share)})

    budget = plan.get("budget")
    cost = plan.get("cost")
    budget_share = cost / budget if is_number(cost) and is_number(budget) and budget > 0 else None

    summary = []
    if solved:
        summary.append(t("summary.run", on=len(on), n=len(channels), cost=money(cost))
                       + (t("summary.of_budget", budget=money(budget)) if is_number(budget) else "")
                       + "".join(t("summary.using", used=r["used_text"], capacity=r["capacity_text"], name=r["name"])
                                 for r in resource_rows) + t("summary.end"))
        if weakest is not None:
            cell_name = f"{weakest['phase_label']} × {weakest['segment_label']}"
            summary.append(t("summary.weakest", level=weakest["level_text"], cell=cell_name)
                           if weakest["level"] > 0 else t("summary.unreached", cell=cell_name))
        if below:
            summary.append(t("summary.below", below=len(below), n=len(cells)))
        elif any(is_number(c.get("target")) for c in cells):
            summary.append(t("summary.all_met"))

    reachable = plan.get("reachable")
    share = objective / reachable if solved and sense == "max_reach" and is_number(objective) and \
        is_number(reachable) and reachable > 0 else None
    from .variant import variant_view

    return {
        "variant": variant_view(plan, money),
        "reachable": reachable, "reachable_share": share,
        "reachable_text": t("share_of_reachable", share=pct(share), reachable=auto(reachable)) if share is not None else "",
        "scenario": plan.get("scenario") or "",
        "description": plan.get("description") or "",
        "status": plan.get("status") or "",
        "status_text": status_text(plan.get("status") or ""),
        "solved": solved,
        "verified": bool(plan.get("verified")),
        "message": plan.get("message") or "",
        "sense": sense,
        "objective": objective,
        "objective_title": sense_title(sense),
        "objective_meaning": sense_meaning(sense),
        "objective_text": (money(objective) if money_objective else auto(objective)) if solved else "—",
        "currency": currency,
        "money_decimals": d,
        "money": money,
        "cost": cost, "budget": budget, "budget_share": budget_share,
        "cost_text": money(cost) if solved else "—",
        "budget_text": money(budget),
        "budget_share_text": pct(budget_share),
        "resources": resource_rows,
        "gap": plan.get("gap"),
        "gap_text": gap_text(plan),
        "gap_pct_text": pct(plan.get("gap"), 2),
        "penalties": [{"name": k, "words": penalty_words(k), "amount": v,
                       "text": money(v) if money_objective else t("penalty.in_reach", amount=auto(v))}
                      for k, v in (plan.get("penalties") or {}).items()],
        "weighted_reach": plan.get("weighted_reach"),
        "weighted_reach_text": auto(plan.get("weighted_reach")),
        "channels": rows,
        "on": [r for r in rows if r["on"]],
        "off": [r for r in rows if not r["on"]],
        "total_cost": total_cost, "total_spend": total_spend,
        "total_fixed": sum(c.get("fixed_cost") or 0.0 for c in on),
        "total_uses": {r: sum((c.get("uses") or {}).get(r, 0.0) for c in on) for r in resources},
        "resource_names": list(resources),
        "phases": [{"id": p["id"], "label": p.get("label") or p["id"]} for p in phases],
        "segments": [{"id": g["id"], "label": g.get("label") or g["id"]} for g in segments],
        "cells": cells,
        "matrix": matrix,
        "below": below,
        "weakest": weakest,
        "summary": summary,
        "binding": list(plan.get("binding") or []),
        "binding_lines": plain_rules(plan),
        "binding_intro": t("binding.intro") if plan.get("binding") else t("binding.none"),
        "warnings": list(plan.get("warnings") or []),
        "curve_error": plan.get("curve_error"),
        "curve_error_text": pct(plan.get("curve_error"), 1),
        "approximation_bound": plan.get("approximation_bound"),
        "approximation_bound_text": auto(plan.get("approximation_bound")),
        "model_objective": plan.get("model_objective"),
        "bound": plan.get("bound"),
        "solver": plan.get("solver") or "",
        "seconds": (plan.get("build_seconds") or 0.0) + (plan.get("solve_seconds") or 0.0),
        "labels": [plan.get("scenario") or "", plan.get("description") or "",
                   *(c.get("label") or "" for c in channels), *(p.get("label") or "" for p in phases),
                   *(g.get("label") or "" for g in segments)],
    }


# ---------------------------------------------------------------- many plans


def spend_columns(columns: Iterable[str]) -> list[str]:
    return [c for c in columns if str(c).startswith("spend_")]


def channel_labels(plans: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for plan in plans:
        for c in plan.get("channels") or []:
            out.setdefault(c["id"], c.get("label") or c["id"])
    return out


def shown_columns(columns: Iterable[str]) -> list[str]:
    """The summary columns worth showing in a table: not the spends (drawn apart), not the long lists."""
    hidden = {"on", "overrides", "traceback", "input_hash", "resumed", "source",
              "weighted_reach"}  # before penalties: a second objective-like figure confuses (the CSV keeps it)
    return [c for c in columns if not str(c).startswith("spend_") and c not in hidden]


def without_single_periods(columns: list[str], table: Any) -> list[str]:
    """``columns`` less ``periods`` when no plan in ``table`` runs over more than one period."""
    if "periods" not in columns or "periods" not in getattr(table, "columns", ()):
        return columns
    many = (table["periods"].fillna(1).astype(float) > 1).any()
    return columns if many else [c for c in columns if c != "periods"]


def cell_text(column: str, value: Any, decimals: int = 0) -> str:
    """A summary-table value for reading."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—" if column not in ("entering", "leaving", "message", "variant") else ""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "✓" if value else ""
    if column == "sense":
        return sense_title(str(value))
    if column in ("gap",):
        return pct(float(value), 2)
    if column in ("weakest_cell",):
        return pct(float(value))
    if column in ("cost",) or column.startswith("spend_"):
        return num(float(value), decimals)
    if column == "marginal":
        return num(float(value), 2)
    if is_number(value):
        return auto(float(value)) if isinstance(value, float) else num(value, 0)
    return str(value)


def column_title(column: str) -> str:
    known = ("scenario", "variant", "status", "verified", "objective", "cost", "currency", "sense", "weighted_reach",
             "channels_on", "weakest_cell", "marginal", "knee", "entering", "leaving", "gap", "budget", "message",
             "seconds", "periods")
    return t(f"column.{column}") if column in known else column.replace("_", " ")
