"""A plan over periods in Excel: a Schedule sheet (channels × periods spend grid with live
row and column totals, on/off and starts shown by fills, a native stacked-bar chart of
spend per period by channel), every channel in every period as one flat table, and a Cash
sheet (each period's budget, cost and running total). Numbers stay numbers."""

from __future__ import annotations

from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from ..core.textcells import own_formula
from .common import resource_name
from .excel_cells import KEY_FONT, PERCENT, QTY, cell_value, finish, header, money_format, write_table
from .i18n import t
from .schedule import LONG_COLUMNS, schedule_view

ON_FILL = PatternFill("solid", fgColor="CCFBF1")  # the channel runs this period
START_FILL = PatternFill("solid", fgColor="5EEAD4")  # … and starts: the set-up cost is paid
OFF_FILL = PatternFill("solid", fgColor="F1F5F9")  # it does not run


def schedule_sheets(wb: Workbook, plan: dict[str, Any], rtl: bool) -> None:
    """The Schedule, every-row and Cash sheets of a plan over periods (nothing without one)."""
    s = schedule_view(plan)
    if s is None:
        return
    money = money_format(0)
    schedule_sheet(wb, s, money, rtl)
    rows_sheet(wb, s, money, rtl)
    cash_sheet(wb, s, money, rtl)


def schedule_sheet(wb: Workbook, s: dict[str, Any], money: str, rtl: bool) -> None:
    """Channel rows × period columns of spend; a Total column and row of live sums."""
    ws = wb.create_sheet(t("sched.sheet"))
    periods, rows = s["periods"], s["running"]
    n, k = len(periods), len(rows)
    cur = f" ({s['currency']})" if s["currency"] else ""
    header(ws, 1, ["id", t("channel"), *(p["label"] for p in periods), t("total") + cur])
    last = get_column_letter(2 + n)
    for r, channel in enumerate(rows, start=2):
        ws.cell(row=r, column=1, value=channel["id"])
        ws.cell(row=r, column=2, value=channel["label"])
        for j, cell in enumerate(channel["cells"], start=3):
            out = ws.cell(row=r, column=j, value=cell_value(cell["spend"]) if cell["on"] else None)
            out.number_format = money
            out.fill = START_FILL if cell["started"] else ON_FILL if cell["on"] else OFF_FILL
            if cell["started"]:
                out.font = Font(bold=True)
        total = own_formula(ws.cell(row=r, column=3 + n), f"=SUM(C{r}:{last}{r})")
        total.number_format, total.font = money, Font(bold=True)
    end = k + 2
    ws.cell(row=end, column=2, value=t("total")).font = Font(bold=True)
    if k:
        for j in range(3, 4 + n):
            letter = get_column_letter(j)
            total = own_formula(ws.cell(row=end, column=j), f"=SUM({letter}2:{letter}{end - 1})")
            total.number_format, total.font = money, Font(bold=True)
    legend = [(START_FILL, t("sched.start_key")), (ON_FILL, t("on_word")), (OFF_FILL, t("off_word"))]
    for i, (fill, words) in enumerate(legend, start=end + 2):
        ws.cell(row=i, column=2).fill = fill
        ws.cell(row=i, column=3, value=words).font = KEY_FONT
    row = end + 2 + len(legend)
    if s["idle"]:
        ws.cell(row=row, column=3, value=t("sched.never_on", channels=", ".join(c["label"] for c in s["idle"])))
        row += 1
    if k:
        spend_chart(ws, k, n, row + 1)
    finish(ws, rtl, freeze="C2")


def spend_chart(ws: Any, k: int, n: int, top: int) -> None:
    """A native stacked column chart: one column per period, one stacked series per channel."""
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title = t("sched.chart_title")
    chart.add_data(Reference(ws, min_col=2, max_col=2 + n, min_row=2, max_row=1 + k), titles_from_data=True,
                   from_rows=True)
    chart.set_categories(Reference(ws, min_col=3, max_col=2 + n, min_row=1, max_row=1))
    chart.height, chart.width = 9.0, max(16.0, min(40.0, 1.2 * n + 6))
    ws.add_chart(chart, f"B{top}")


def rows_sheet(wb: Workbook, s: dict[str, Any], money: str, rtl: bool) -> None:
    """Every channel in every period, one row each (as the schedule CSV), to filter and pivot."""
    ws = wb.create_sheet(t("sched.every_row"))
    names = [LONG_COLUMNS[0], "label", *LONG_COLUMNS[1:]]
    rows = []
    for c in s["channels"]:
        for p, cell in zip(s["periods"], c["cells"]):
            rows.append(
                [c["id"], c["label"], period_id(p["id"]), cell["on"], cell["started"], cell["spend"],
                 cell["effective_spend"],
                 cell["reach"], cell["fixed_cost"], cell["setup_cost"], cell["cost"], p["label"]])
    write_table(ws, 1, names, rows, {6: money, 7: money, 8: PERCENT, 9: money, 10: money, 11: money})
    finish(ws, rtl, freeze="C2")


def cash_sheet(wb: Workbook, s: dict[str, Any], money: str, rtl: bool) -> None:
    """Per period: budget, money available, spend, fixed, set-up, cost, running total, the
    objective (and weighted reach when the objective is money), channels on, the weakest
    cell and each resource's use; live sums of the money below."""
    ws = wb.create_sheet(t("sched.cash_sheet"))
    cur = f" ({s['currency']})" if s["currency"] else ""
    weak = {c["period"]: c for c in s["coverage"]}

    def use(r: str, key: str) -> Any:
        return lambda c: (c.get("resources") or {}).get(r, {}).get(key)

    columns: list[tuple[str, Any, str | None, bool]] = [  # title, value of a period's cash row, format, summed
        ("id", lambda c: period_id(c["period"]), None, False), (t("sched.period"), lambda c: c["label"], None, False),
        (t("xlsx.budget") + cur, lambda c: c.get("budget"), money, s["any_budget"]),
        (t("sched.available"), lambda c: c.get("available"), money, False),
        (t("spend"), lambda c: c["spend"], money, True), (t("fixed_cost"), lambda c: c["fixed"], money, True),
        (t("sched.setup"), lambda c: c["setup"], money, True), (t("cost"), lambda c: c["cost"], money, True),
        (t("sched.cumulative"), lambda c: c["cumulative"], money, False),
        (s["objective_title"], lambda c: c["objective"], "#,##0.00" if s["sense"] == "max_reach" else money, False)]
    if s["sense"] != "max_reach":
        columns.append((t("sense.max_reach.title"), lambda c: c["weighted_reach"], "#,##0.00", False))
    columns += [(t("channels_on"), lambda c: c["channels_on"], None, False),
                (t("sched.below"), lambda c: weak[c["period"]]["below"], None, False),
                (t("sched.weakest"), lambda c: (weak[c["period"]]["weakest"] or {}).get("name"), None, False),
                (t("coverage"), lambda c: (weak[c["period"]]["weakest"] or {}).get("level"), PERCENT, False)]
    for r in s["resource_names"]:
        columns += [(t("resource_used", name=resource_name(r)), use(r, "used"), QTY, False),
                    (f"{resource_name(r)}: {t('xlsx.available')}", use(r, "capacity"), QTY, False)]
    rows = [[value(c) for _, value, _, _ in columns] for c in s["cash"]]
    end = write_table(ws, 1, [name for name, _, _, _ in columns], rows,
                      {j: fmt for j, (_, _, fmt, _) in enumerate(columns, start=1) if fmt})
    titles = [name for name, _, _, _ in columns]
    cumulative_formulas(ws, titles.index(t("sched.cumulative")) + 1, titles.index(t("cost")) + 1, end)
    ws.cell(row=end, column=2, value=t("total")).font = Font(bold=True)
    for j, (_, _, fmt, summed) in enumerate(columns, start=1):
        if summed and rows:
            letter = get_column_letter(j)
            total = own_formula(ws.cell(row=end, column=j), f"=SUM({letter}2:{letter}{end - 1})")
            total.number_format, total.font = fmt or money, Font(bold=True)
    finish(ws, rtl, freeze="C2")


def period_id(pid: Any) -> Any:
    """A counted period's id (1, 2, …) as a number, not text Excel flags; a named one as written."""
    return int(pid) if str(pid).isdigit() else pid


def cumulative_formulas(ws: Any, column: int, cost: int, end: int) -> None:
    """The running total as Excel keeps it: each period's cost added to the total before it, so a
    lead who edits a cost sees the running total follow."""
    total, each = get_column_letter(column), get_column_letter(cost)
    for row in range(2, end):
        cell = ws.cell(row=row, column=column)
        fmt = cell.number_format
        own_formula(cell, f"={each}{row}" if row == 2 else f"={total}{row - 1}+{each}{row}")
        cell.number_format = fmt


__all__ = ["schedule_sheets"]
