"""A multi-period plan as people read it, worked out once for every output format: the
channel × period grid (spend, on/off, where a set-up cost is paid), the cash of each
period with its running total, and reach and coverage period by period.

Everything reads the plan dict's ``schedule`` (``dataclasses.asdict`` of
:class:`channelmix.model.schedule.Schedule`); a single-period plan has none and gets ``None``.
Time runs in the reading direction of the report: left to right, and right to left in a
right-to-left language, in every table and chart alike (charts are mirrored, text never).
"""

from __future__ import annotations

from typing import Any

from ..core.period_words import period_label
from ..model.solution import SOLVED
from .common import auto, is_number, num, pct, qty, resource_name, sense_title
from .i18n import current, labels_of, t

START = "▸"  # the set-up cost is paid in this period (the channel starts, or starts again)
OFF = "–"  # the channel does not run in this period
LONG_COLUMNS = ("channel", "period", "on", "started", "spend", "effective_spend", "reach", "fixed_cost", "setup_cost",
                "cost", "period_label")
CASH_COLUMNS = ("period", "budget", "available", "spend", "fixed", "setup", "cost", "cumulative", "objective",
                "weighted_reach", "channels_on", "period_label")


def has_schedule(plan: dict[str, Any]) -> bool:
    """Whether the plan dict is a solved plan over periods."""
    return bool(plan.get("schedule")) and plan.get("status") in SOLVED


def cell_text(cell: dict[str, Any]) -> str:
    """A grid cell for reading: the spend in whole units, START before it when the set-up
    cost is paid there, OFF when the channel does not run."""
    if not cell["on"]:
        return OFF
    return (START if cell["started"] else "") + num(cell["spend"], 0)


def shown_label(period: dict[str, Any], unit: str | None) -> str:
    """A period's label in the report's language: a counted period (it has a number) is
    labelled again ("Month 3" in an English report of a Swedish plan); a listed one, or one
    from a plan saved without numbers, keeps the label it has."""
    number = period.get("number")
    if isinstance(number, int) and not isinstance(number, bool):
        return period_label(unit, number, current())
    return period.get("label") or period["id"]


def schedule_view(plan: dict[str, Any]) -> dict[str, Any] | None:
    """Everything the reports show of the plan over time, formatted (raw numbers kept beside)."""
    if not has_schedule(plan):
        return None
    data = plan["schedule"]
    currency = plan.get("currency") or ""
    sense = plan.get("sense") or "max_reach"
    periods = [{"id": p["id"], "label": shown_label(p, data.get("unit")), "weight": p.get("weight", 1.0),
                "budget": p.get("budget"), "n": i + 1} for i, p in enumerate(data["periods"])]
    index = {p["id"]: i for i, p in enumerate(periods)}
    labels = labels_of(plan.get("channels"))

    def money(value: Any) -> str:
        return f"{num(value, 0)} {currency}".strip() if is_number(value) else "—"

    grid: dict[str, list[dict[str, Any] | None]] = {}
    for row in data["rows"]:
        grid.setdefault(row["channel"], [None] * len(periods))[index[row["period"]]] = row
    channels = []
    for cid, rows in grid.items():
        cells = []
        for row in rows:
            on = bool(row and row.get("on"))
            cell = {key: float((row or {}).get(key) or 0.0) for key in
                    ("spend", "effective_spend", "reach", "fixed_cost", "setup_cost", "cost")}
            cell.update(on=on, started=bool(on and row.get("started")), uses=dict((row or {}).get("uses") or {}))
            cell["text"] = cell_text(cell)
            cells.append(cell)
        channels.append({"id": cid, "label": labels.get(cid, cid), "cells": cells,
                         "periods_on": sum(c["on"] for c in cells), "starts": sum(c["started"] for c in cells),
                         "total_spend": sum(c["spend"] for c in cells), "total_cost": sum(c["cost"] for c in cells),
                         "total_setup": sum(c["setup_cost"] for c in cells)})
    running = [c for c in channels if c["periods_on"]]
    largest = max((cell["spend"] for c in running for cell in c["cells"]), default=0.0)

    cash = []
    for row in data["cash"]:
        i = index[row["period"]]
        objective = row.get("objective")
        cash.append({
            **row, "label": periods[i]["label"], "n": i + 1,
            "budget_text": money(row.get("budget")), "available_text": money(row.get("available")),
            "spend_text": num(row.get("spend"), 0), "fixed_text": num(row.get("fixed"), 0),
            "setup_text": num(row.get("setup"), 0), "cost_text": num(row.get("cost"), 0),
            "cumulative_text": num(row.get("cumulative"), 0),
            "objective_text": auto(objective) if sense == "max_reach" else money(objective),
            "weighted_reach_text": auto(row.get("weighted_reach")),
            "resources_text": {name: t("sched.used_of", used=qty(use.get("used")), capacity=qty(use.get("capacity")))
                               for name, use in (row.get("resources") or {}).items()},
        })
    cash.sort(key=lambda c: c["n"])

    return {"unit": data.get("unit"), "periods": periods, "channels": channels, "running": running,
            "idle": [c for c in channels if not c["periods_on"]], "largest": largest, "cash": cash,
            "coverage": coverage_by_period(plan, periods), "currency": currency, "money": money, "sense": sense,
            "objective_title": sense_title(sense), "total_budget": plan.get("budget"),
            "total_cost": sum(c["cost"] or 0.0 for c in cash),
            "resource_names": list(dict.fromkeys(r for c in cash for r in c.get("resources") or {})),
            "any_setup": any(c["setup"] for c in cash), "any_budget": any(is_number(c.get("budget")) for c in cash),
            "carried": any(is_number(c.get("available")) and is_number(c.get("budget"))
                           and abs(c["available"] - c["budget"]) > 0.5 for c in cash),
            "legend": t("sched.legend", start=START, off=OFF)}


def coverage_by_period(plan: dict[str, Any], periods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per period: its cells (labels, level, whether below target), the weakest and how many fall short."""
    phase_label, segment_label = labels_of(plan.get("phases")), labels_of(plan.get("segments"))
    by_period: dict[str, list[dict[str, Any]]] = {p["id"]: [] for p in periods}
    for cell in plan["schedule"].get("coverage") or []:
        target = cell.get("target")
        level = cell.get("level") or 0.0
        by_period.setdefault(cell["period"], []).append(
            {**cell, "name": f"{phase_label.get(cell['phase'], cell['phase'])} × "
             f"{segment_label.get(cell['segment'], cell['segment'])}", "level_text": pct(level),
             "short": is_number(target) and level < target - 1e-6,
             "target_text": pct(target) if is_number(target) else ""})
    out = []
    for p in periods:
        cells = by_period.get(p["id"], [])
        weakest = min(cells, key=lambda c: c.get("level") or 0.0, default=None)
        below = [c for c in cells if c["short"]]
        out.append({"period": p["id"], "label": p["label"], "cells": cells, "weakest": weakest, "below": len(below),
                    "below_text": t("sched.below_of", below=len(below), n=len(cells)) if cells else "—"})
    return out


def _stored_labels(data: dict[str, Any]) -> dict[str, str]:
    """Period id -> the label the plan keeps (made in the scenario's language): data files
    say what the plan says; reports re-label in their own language (:func:`shown_label`)."""
    return {p["id"]: p.get("label") or p["id"] for p in data.get("periods") or []}


def long_rows(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The schedule as a long table, one row per channel and period (the CSV's columns)."""
    data = plan.get("schedule") or {}
    labels = _stored_labels(data)
    return [{**{key: row.get(key) for key in LONG_COLUMNS}, "period_label": labels.get(row["period"], row["period"])}
            for row in data.get("rows") or []]


def cash_rows(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The cash of every period, one row each, with each resource's use and capacity."""
    data = plan.get("schedule") or {}
    labels = _stored_labels(data)
    rows = []
    for row in data.get("cash") or []:
        out = {**{key: row.get(key) for key in CASH_COLUMNS}, "period_label": labels.get(row["period"], row["period"])}
        for name, use in (row.get("resources") or {}).items():
            out[f"{name}_used"], out[f"{name}_capacity"] = use.get("used"), use.get("capacity")
        rows.append(out)
    return rows


def markdown_lines(plan: dict[str, Any], table: Any, escape: Any) -> list[str]:
    """The Markdown section of a plan over periods (none for a single-period plan): the spend
    grid with totals, its legend, the cash of each period and reach period by period.
    ``table`` and ``escape`` are :mod:`channelmix.reports.markdown`'s."""
    s = schedule_view(plan)
    if s is None:
        return []
    cur = f" ({s['currency']})" if s["currency"] else ""
    heads = [p["label"] for p in s["periods"]]
    lines = [f"## {t('sched.heading')}", "", t("sched.intro", n=len(heads)), "",
             f"### {t('sched.grid_title', currency=cur)}", ""]
    rows = [[c["label"], *(cell["text"] for cell in c["cells"]), num(c["total_spend"], 0)] for c in s["running"]]
    rows.append([f"**{t('total')}**", *(f"**{c['spend_text']}**" for c in s["cash"]),
                 f"**{num(sum(c['spend'] for c in s['cash']), 0)}**"])
    lines += table([t("channel"), *heads, t("total")], rows, ["l"] + ["r"] * (len(heads) + 1)) + [""]
    never = ", ".join(escape(c["label"]) for c in s["idle"])
    lines += [escape(s["legend"]) + (" " + t("sched.never_on", channels=never) if never else ""), ""]
    lines += [f"### {t('sched.cash_title', currency=cur)}", ""]
    head = [t("sched.period"), t("xlsx.budget"), *([t("sched.available")] if s["carried"] else []), t("spend"),
            t("fixed_cost"), t("sched.setup"), t("cost"), t("sched.cumulative"),
            *map(resource_name, s["resource_names"])]
    strip = (lambda text: text.replace(f" {s['currency']}", "")) if s["currency"] else (lambda text: text)
    rows = [
        [c["label"], strip(c["budget_text"]), *([strip(c["available_text"])] if s["carried"] else []), c["spend_text"],
         c["fixed_text"], c["setup_text"], c["cost_text"], c["cumulative_text"],
         *(c["resources_text"].get(r, "—") for r in s["resource_names"])] for c in s["cash"]]
    lines += table(head, rows, ["l"] + ["r"] * (len(head) - 1)) + [""]
    money = s["sense"] != "max_reach"
    head = [t("sched.period"), t("channels_on"), s["objective_title"], *([t("sense.max_reach.title")] if money else []),
            t("sched.below"), t("sched.weakest")]
    rows = [[c["label"], num(c["channels_on"], 0), c["objective_text"], *([c["weighted_reach_text"]] if money else []),
             cov["below_text"], f"{cov['weakest']['name']}: {cov['weakest']['level_text']}" if cov["weakest"] else "—"]
            for c, cov in zip(s["cash"], s["coverage"])]
    lines += [f"### {t('sched.reach_title')}", ""] + table(head, rows, ["l"] + ["r"] * (len(head) - 2) + ["l"]) + [""]
    return lines


__all__ = ["LONG_COLUMNS", "markdown_lines", "OFF", "START", "cash_rows", "has_schedule", "long_rows", "schedule_view",
           "shown_label"]
