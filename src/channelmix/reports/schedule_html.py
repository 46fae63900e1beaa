"""A plan over periods in the HTML report: a Gantt-like grid (which channel runs when and
how much, starts marked), the cash of each period against its budget with the running total
as a line, and coverage period by period for the weakest cells.

Labels stay in HTML (``dir="auto"``); the cash chart's plot is an inline SVG without text
(bars, marks and the line), stretched to its box. Time runs in the reading direction:
the grid's columns follow the page, and in a right-to-left page the plot is mirrored
(it has no text to mirror)."""

from __future__ import annotations

from typing import Any

from .common import is_number, num, pct
from .i18n import current, t
from .schedule import OFF, START, schedule_view
from .svg import INK, MARGINAL, axis_labels, heat_colour, nice_ticks

SPEND, FIXED, SETUP = "#0f766e", "#5eead4", "#f59e0b"
BAR = 26  # px: the tallest bar of the Gantt grid (the largest spend in any period)
START_RTL = "◂"  # the start mark points the way time runs: leftwards in a right-to-left page
WEAKEST = 8  # the coverage grid shows this many of the weakest cells


def schedule_context(plan: dict[str, Any]) -> dict[str, Any] | None:
    """What the schedule partial shows (None for a single-period plan)."""
    s = schedule_view(plan)
    if s is None:
        return None
    money = s["money"]
    start = START_RTL if current().direction == "rtl" else START
    largest = s["largest"] or 1.0
    gantt = []
    for c in s["running"]:
        cells = []
        for p, cell in zip(s["periods"], c["cells"]):
            tip = f"{c['label']}, {p['label']}: " + (
                t("sched.cell_tip", spend=money(cell["spend"]), cost=money(cell["cost"]), reach=pct(cell["reach"]))
                if cell["on"] else t("off_word"))
            bar = max(3, round(BAR * cell["spend"] / largest)) if cell["on"] else 0
            cells.append({**cell, "bar": bar, "value": num(cell["spend"], 0), "tip": tip})
        gantt.append({"id": c["id"], "label": c["label"], "cells": cells, "total": num(c["total_spend"], 0)})
    total_budget = s["total_budget"] if is_number(s["total_budget"]) else None
    chart = cash_chart(s["cash"], total_budget)
    caption = t("sched.cash_caption",
                total=t("sched.total_budget", budget=money(total_budget)) if chart["total_line"] else "")
    return {
        "s": s, "gantt": gantt, "chart": chart, "cash_caption": caption, "heat": coverage_grid(s),
        "gantt_caption": t("sched.gantt_caption", start=start, off=OFF), "start": start, "off": OFF,
        "intro": t("sched.intro", n=len(s["periods"])), "colours": {"spend": SPEND, "fixed": FIXED, "setup": SETUP},
        "never": ", ".join(c["label"] for c in s["idle"]),
    }


def cash_chart(cash: list[dict[str, Any]], total_budget: float | None) -> dict[str, Any]:
    """The plot (an SVG of 100 units per period by 1000 high, stretched to its box) and the
    tick positions of its two scales: money per period on one side, the running total on the other."""
    n = len(cash)
    tops = [max([c["cost"] or 0.0] + [v for v in (c.get("available"), c.get("budget")) if is_number(v)]) for c in cash]
    left = nice_ticks(0.0, max(tops, default=0.0) or 1.0)
    running = max([c["cumulative"] or 0.0 for c in cash] + ([total_budget] if total_budget else []))
    right = nice_ticks(0.0, running or 1.0)

    def y(value: float, ticks: list[float]) -> float:
        return 1000 - 1000 * value / (ticks[-1] or 1.0)

    parts = [f'<svg class="cash-svg" viewBox="0 0 {100 * n} 1000" preserveAspectRatio="none" aria-hidden="true">']
    for tick in left[1:-1]:
        parts.append(
            f'<path d="M0 {y(tick, left):.1f}H{100 * n}" stroke="#e2e8f0" vector-effect="non-scaling-stroke"/>')
    for i, c in enumerate(cash):
        x, base = 100 * i + 22, 0.0
        for value, colour, kind in ((c["spend"], SPEND, "spend"), (c["fixed"], FIXED, "fixed"),
                                    (c["setup"], SETUP, "setup")):
            if value and value > 0:
                top = y(base + value, left)
                parts.append(
                    f'<rect class="cash-{kind}" x="{x}" y="{top:.1f}" width="56" height="{y(base, left) - top:.1f}" '
                    f'fill="{colour}"/>')
                base += value
        mark = c.get("available") if is_number(c.get("available")) else c.get("budget")
        if is_number(mark):
            parts.append(
                f'<path class="budget-mark" d="M{100 * i + 10} {y(mark, left):.1f}H{100 * i + 90}" stroke="{INK}" '
                f'stroke-width="2.5" vector-effect="non-scaling-stroke"/>')
    if total_budget:
        parts.append(f'<path class="total-budget" d="M0 {y(total_budget, right):.1f}H{100 * n}" stroke="{MARGINAL}" '
                     f'stroke-width="1.5" stroke-dasharray="6 4" vector-effect="non-scaling-stroke"/>')
    points = " ".join(f"{100 * i + 50},{y(c['cumulative'] or 0.0, right):.1f}" for i, c in enumerate(cash))
    parts.append(
        f'<polyline class="cumulative-line" points="{points}" fill="none" stroke="{MARGINAL}" stroke-width="2.5" '
        f'stroke-linejoin="round" vector-effect="non-scaling-stroke"/>')
    for i, c in enumerate(cash):  # a dot per period that stays round however the plot is stretched
        parts.append(
            f'<path class="cumulative-dot" d="M{100 * i + 50} {y(c["cumulative"] or 0.0, right):.1f}h0" '
            f'stroke="{MARGINAL}" stroke-width="7" stroke-linecap="round" vector-effect="non-scaling-stroke"/>'
        )
    parts.append("</svg>")
    return {"svg": "".join(parts), "total_line": bool(total_budget),
            "left": [{"at": 100 * v / (left[-1] or 1.0), "text": text} for v, text in zip(left, axis_labels(left))],
            "right": [{"at": 100 * v / (right[-1] or 1.0), "text": text} for v, text in zip(right, axis_labels(right))]}


def coverage_grid(s: dict[str, Any]) -> dict[str, Any]:
    """The weakest cells (lowest coverage in any period) as rows, periods as columns."""
    by_cell: dict[tuple[str, str], list[dict[str, Any] | None]] = {}
    for j, period in enumerate(s["coverage"]):
        for cell in period["cells"]:
            by_cell.setdefault((cell["phase"], cell["segment"]), [None] * len(s["coverage"]))[j] = cell
    order = sorted(by_cell, key=lambda key: min((c["level"] or 0.0) for c in by_cell[key] if c is not None))
    shown = order[:WEAKEST]
    rows = []
    for key in sorted(shown, key=list(by_cell).index):  # in the scenario's order
        cells = []
        for cell in by_cell[key]:
            if cell is None:
                cells.append(None)
                continue
            bg, fg = heat_colour(cell["level"])
            cells.append({**cell, "bg": bg, "fg": fg})
        name = next(c["name"] for c in by_cell[key] if c is not None)
        rows.append({"name": name, "cells": cells})
    return {"rows": rows, "intro": t("sched.coverage_intro", shown=len(shown), n=len(by_cell))}


__all__ = ["schedule_context", "cash_chart", "coverage_grid"]
