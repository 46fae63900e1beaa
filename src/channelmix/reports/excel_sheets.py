"""Workbook sheets a lead forwards: today's plan beside the optimised one (a change column
that Excel computes, a native chart), and a comparison's cost per channel beside its spend
(a native chart).  Numbers are numbers, every one formatted."""

from __future__ import annotations

from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from ..core.textcells import own_formula
from .common import is_number
from .excel_cells import PERCENT, finish, money_format, write_table
from .i18n import t

CHANGE = "+#,##0;-#,##0;0"  # a change in money, its sign shown

__all__ = ["baseline_sheet", "cost_sheet"]


def baseline_sheet(wb: Workbook, plan: dict[str, Any], decimals: int, rtl: bool) -> None:
    """Today's plan beside the optimised one, a row per channel either runs: on or off, spend,
    the change (a live formula), reach; a clustered bar chart of the two spends."""
    base = plan.get("baseline")
    if not base or not base.get("channels"):
        return
    money = money_format(decimals)
    cur = plan.get("currency") or ""
    ws = wb.create_sheet(t("baseline.sheet"))
    names = [t("channel"), t("baseline.current_on"), t("baseline.current_spend") + (f" ({cur})" if cur else ""),
             t("baseline.optimised_on"), t("baseline.optimised_spend") + (f" ({cur})" if cur else ""),
             t("variant.change"), t("baseline.current_reach"), t("baseline.optimised_reach")]
    shown = [c for c in base["channels"] if c.get("current_on") or c.get("optimised_on")]
    rows = [[c["label"], bool(c["current_on"]), c["current_spend"], bool(c["optimised_on"]), c["optimised_spend"],
             None, c.get("current_reach"), c.get("optimised_reach")] for c in shown]
    end = write_table(ws, 1, names, rows, {3: money, 5: money, 7: PERCENT, 8: PERCENT})
    for row in range(2, end):
        cell = own_formula(ws.cell(row=row, column=6), f"=E{row}-C{row}")
        cell.number_format = CHANGE
    if rows:
        for col in (3, 5, 6):
            letter = get_column_letter(col)
            total = own_formula(ws.cell(row=end, column=col), f"=SUM({letter}2:{letter}{end - 1})")
            total.number_format = CHANGE if col == 6 else money
        ws.cell(row=end, column=1, value=t("total"))
        chart = BarChart()
        chart.type, chart.grouping, chart.title = "bar", "clustered", t("baseline.chart")
        chart.y_axis.title = cur or None
        for col in (3, 5):
            chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=end - 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=end - 1))
        chart.height, chart.width = max(7.0, 1.2 * len(rows) + 2), 18.0
        ws.add_chart(chart, f"{get_column_letter(len(names) + 2)}2")
    finish(ws, rtl)


def cost_sheet(wb: Workbook, plans: list[dict[str, Any]], keys: list[str], key_rows: list[list[Any]],
               labels: dict[str, str], decimals: int, rtl: bool) -> None:
    """Each plan's cost per channel (spend plus fixed cost; empty when off), as the HTML's table,
    with a clustered bar chart: the comparison's money on one base with the Spends sheet beside it."""
    ids = list(dict.fromkeys(c["id"] for p in plans for c in p.get("channels") or [] if c.get("on")))
    if not ids or len(key_rows) != len(plans):
        return
    money = money_format(decimals)
    ws = wb.create_sheet(t("collection.spend_title"))
    names = [*keys, *(labels.get(i, i) for i in ids)]
    rows = []
    for key, plan in zip(key_rows, plans):
        cost = {c["id"]: c.get("cost") for c in plan.get("channels") or [] if c.get("on")}
        rows.append([*key, *(cost.get(i) if is_number(cost.get(i)) else None for i in ids)])
    end = write_table(ws, 1, names, rows, {len(keys) + i: money for i in range(1, len(ids) + 1)})
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title = t("collection.cost_chart")
    chart.y_axis.title = next((p.get("currency") for p in plans if p.get("currency")), None)
    chart.add_data(Reference(ws, min_col=len(keys) + 1, max_col=len(keys) + len(ids), min_row=1, max_row=end - 1),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=end - 1))
    chart.height, chart.width = 9.0, 18.0
    ws.add_chart(chart, f"A{end + 2}")
    finish(ws, rtl, freeze=f"{get_column_letter(len(keys) + 1)}2")
