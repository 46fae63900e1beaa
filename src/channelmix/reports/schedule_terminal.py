"""A plan over periods in the terminal: the channel × period spend grid (in parts that fit
the console, as a wide comparison goes sideways), the cash of each period with its running
total, and reach and the weakest cell period by period."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .common import num, resource_name
from .i18n import t
from .schedule import schedule_view

LABEL_WIDTH = 24  # the channel column's widest label; it gives way (down to SHORTEST) before periods split
SHORTEST = 12
HEAD_WIDTH = 9  # a period's column title is cut here


def short(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells, an ellipsis marking the cut."""
    if cell_len(text) <= width:
        return text
    while text and cell_len(text) > width - 1:
        text = text[:-1]
    return text.rstrip() + "…"


def render_schedule(plan: dict[str, Any], console: Console) -> None:
    """The plan's time view (nothing for a single-period plan)."""
    s = schedule_view(plan)
    if s is None:
        return
    for table in grid_tables(s, console.width):
        console.print(table)
    console.print(legend(s))
    console.print(cash_table(s, console.width))
    console.print(reach_table(s, console.width))


def grid_parts(label: int, widths: list[int], width: int) -> tuple[int, list[list[int]]]:
    """The label column's width and the periods of each part: one part when the periods fit
    beside labels of at least SHORTEST cells, else as many periods per part as fit.
    A column takes its text's width plus 3 (padding and rule); the table one more."""
    room = width - 1 - sum(w + 3 for w in widths) - 3
    if room >= label:
        return label, [list(range(len(widths)))]
    if room >= SHORTEST:
        return room, [list(range(len(widths)))]
    label = min(label, 16)
    parts: list[list[int]] = [[]]
    used = label + 3 + 1
    for j, w in enumerate(widths):
        if parts[-1] and used + w + 3 > width:
            parts.append([])
            used = label + 3 + 1
        parts[-1].append(j)
        used += w + 3
    return label, parts


def grid_tables(s: dict[str, Any], width: int) -> list[Table]:
    """Spend per channel and period, OFF where a channel does not run, START where it starts;
    the total spend of each period below."""
    periods, rows = s["periods"], s["running"]
    heads = [short(p["label"], HEAD_WIDTH) for p in periods]
    totals = [num(c["spend"], 0) for c in s["cash"]]
    widths = [max([cell_len(heads[j]), cell_len(totals[j])] + [cell_len(r["cells"][j]["text"]) for r in rows])
              for j in range(len(periods))]
    names = [r["label"] for r in rows] + [t("total")]
    label, parts = grid_parts(min(LABEL_WIDTH, max(cell_len(n) for n in names)), widths, width)
    cur = f" ({s['currency']})" if s["currency"] else ""
    tables = []
    for k, part in enumerate(parts):
        title = t("sched.grid_title", currency=cur) + (f" ({k + 1}/{len(parts)})" if len(parts) > 1 else "")
        table = Table(title=title, title_justify="left")
        table.add_column(t("channel"), no_wrap=True, max_width=label)
        for j in part:
            table.add_column(heads[j], justify="right", no_wrap=True)
        for r in rows:
            table.add_row(short(r["label"], label), *(r["cells"][j]["text"] for j in part))
        table.add_row(short(t("total"), label), *(totals[j] for j in part), style="bold", end_section=True)
        tables.append(table)
    return tables


def legend(s: dict[str, Any]) -> Text:
    """What the grid's marks mean, and the channels that never run."""
    never = ", ".join(c["label"] for c in s["idle"])
    return Text(s["legend"] + (" " + t("sched.never_on", channels=never) if never else ""), style="dim")


def least(head: str, values: list[str]) -> int:
    """The narrowest a column may get: its widest value (figures are never cut) or its
    title's longest word (titles wrap between words)."""
    return max([cell_len(v) for v in values] + [cell_len(w) for w in head.split()] + [1])


def figures_table(title: str, heads: list[str], lines: list[list[str]], width: int, last: str | None = None,
                  notes: list[str] | None = None) -> Table:
    """Period rows: the period's label (cut when it must), figure columns that never cut a
    figure (their titles wrap instead) and, with ``last``, a text column taking the room left."""
    table = Table(title=title, title_justify="left")
    widths = [least(h, [line[i] for line in lines]) for i, h in enumerate(heads)]
    label = min(16, max([cell_len(line[0]) for line in lines] + [cell_len(heads[0])]))
    table.add_column(heads[0], no_wrap=True, overflow="ellipsis", max_width=label)
    for i, head in enumerate(heads[1:], start=1):
        table.add_column(head, justify="right", min_width=widths[i], overflow="fold")
    if last is not None:
        used = 1 + label + 3 + sum(w + 3 for w in widths[1:])
        room = max(12, width - used - 3)
        table.add_column(last, no_wrap=True, overflow="ellipsis", max_width=room)
        notes = [short(n, room) for n in notes or []]
    for i, line in enumerate(lines):
        table.add_row(short(line[0], label), *line[1:], *([notes[i]] if last is not None and notes else []))
    return table


def cash_table(s: dict[str, Any], width: int) -> Table:
    """Per period: the budget (and the money carried in), the cost (and its set-up part), the
    running total and each resource's use."""
    cur = f" ({s['currency']})" if s["currency"] else ""
    columns = [(t("xlsx.budget"), "budget_text", s["any_budget"]),
               (t("sched.available"), "available_text", s["carried"]), (t("cost"), "cost_text", True),
               (t("sched.setup"), "setup_text", s["any_setup"]), (t("sched.cumulative"), "cumulative_text", True)]
    shown = [(name, key) for name, key, wanted in columns if wanted]
    strip = (lambda text: text.replace(f" {s['currency']}", "")) if s["currency"] else (lambda text: text)
    lines = [
        [c["label"], *(strip(c[key]) for _, key in shown),
         *(c["resources_text"].get(r, "—") for r in s["resource_names"])] for c in s["cash"]]
    heads = [t("sched.period"), *(name for name, _ in shown), *map(resource_name, s["resource_names"])]
    return figures_table(t("sched.cash_title", currency=cur), heads, lines, width)


def reach_table(s: dict[str, Any], width: int) -> Table:
    """Per period: channels on, the objective (and weighted reach when the objective is money),
    how many cells fall below their target and the weakest cell (its name gives way to the width)."""
    money = s["sense"] != "max_reach"
    strip = (lambda text: text.replace(f" {s['currency']}", "")) if s["currency"] else (lambda text: text)
    lines = [[c["label"], num(c["channels_on"], 0), strip(c["objective_text"]),
              *([c["weighted_reach_text"]] if money else []), cov["below_text"]]
             for c, cov in zip(s["cash"], s["coverage"])]
    heads = [t("sched.period"), t("channels_on"), s["objective_title"],
             *([t("sense.max_reach.title")] if money else []), t("sched.below")]
    notes = [f"{cov['weakest']['level_text']} {cov['weakest']['name']}" if cov["weakest"] else "—"
             for cov in s["coverage"]]
    return figures_table(t("sched.reach_title"), heads, lines, width, t("sched.weakest"), notes)


__all__ = ["render_schedule", "grid_tables", "cash_table", "legend", "reach_table"]
