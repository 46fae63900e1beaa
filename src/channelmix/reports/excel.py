"""Excel workbooks (openpyxl): Summary, Plan (channels), Coverage (matrix and long table),
Rules (binding rules, penalties, warnings, solver facts), and for many plans a Frontier or
Summary sheet, spends per channel and each plan's headline. Numbers are stored as numbers
(formatted, not rounded), names as written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..core.textcells import own_formula
from .common import (
    channel_labels,
    column_title,
    is_number,
    resource_name,
    shown_columns,
    spend_columns,
    without_single_periods,
)
from .excel_cells import (
    KEY_FONT,
    PERCENT,
    QTY,
    TITLE_FONT,
    cell_value,
    finish,
    formatted,
    header,
    key_values,
    money_format,
    save_atomic,
    write_table,
)
from .excel_sheets import baseline_sheet, cost_sheet
from .explain_sections import excel_sheet
from .html import pick_title, today_marks
from .i18n import current, localised, of_plan, of_plans, t
from .risk_excel import collection_risk_sheet, risk_sheet
from .schedule_excel import schedule_sheets
from .source import source_view
from .view import plan_view

# ---------------------------------------------------------------- one plan


def fill_plan(wb: Workbook, plan: dict[str, Any]) -> None:
    """Every sheet of one plan's workbook, in order."""
    v = {**plan_view(plan), **source_view(plan)}
    rtl = current().direction == "rtl"
    _summary_sheet(wb, v, rtl)
    _plan_sheet(wb, v, rtl)
    _coverage_sheet(wb, v, rtl)
    if plan.get("schedule"):  # a plan over periods: the spend grid, every channel in every period, the cash
        schedule_sheets(wb, plan, rtl)
    baseline_sheet(wb, plan, v["money_decimals"], rtl)
    _rules_sheet(wb, plan, v, rtl)
    excel_sheet(wb, plan, write_table, finish, rtl)
    risk_sheet(wb, plan, write_table, finish, rtl)


def _summary_sheet(wb: Workbook, v: dict[str, Any], rtl: bool) -> None:
    """The headline figures and the plan in a few sentences."""
    money = money_format(v["money_decimals"])
    cur = v["currency"]
    ws = wb.active
    ws.title = t("xlsx.summary")
    ws.cell(row=1, column=1, value=v["scenario"]).font = TITLE_FONT
    pairs: list[tuple[str, Any, str | None]] = [
        (t("xlsx.description"), v["description"] or None, None),
        *([(t("xlsx.source"), v["source_text"], None)] if v["source_text"] else []),
        (t("xlsx.status"), v["status_text"], None),
        (t("verified"), v["verified"], None),
        (v["objective_title"], v["objective"], money if v["sense"] != "max_reach" else "#,##0"),
        (t("xlsx.objective_means"), v["objective_meaning"], None),
    ]
    if v["reachable_text"]:
        pairs.append((t("xlsx.of_reachable"), v["reachable_share"], PERCENT))
    pairs += [(t("money_spent"), v["cost"], money), (t("xlsx.budget"), v["budget"], money),
              (t("column.currency"), cur or None, None)]
    for r in v["resources"]:
        pairs += [(t("resource_used", name=r["name"]), r["used"], QTY),
                  (f"{r['name']}: {t('xlsx.available')}", r["capacity"], QTY)]
    pairs += [(t("channels_on"), len(v["on"]) if v["solved"] else None, None)]
    pairs += [(f"{t('penalties')}: {p['words']}", p["amount"], "#,##0") for p in v["penalties"]]
    if v["message"]:
        pairs.append((t("xlsx.message"), v["message"], None))
    row = key_values(ws, 3, pairs)
    for line in v["summary"]:
        row += 1
        ws.cell(row=row, column=1, value=line)
    finish(ws, rtl, freeze=None)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 60
    for cells in ws.iter_rows(min_row=3, max_row=row, min_col=2, max_col=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _plan_sheet(wb: Workbook, v: dict[str, Any], rtl: bool) -> None:
    """A row per channel with live totals, and the allocation chart."""
    money = money_format(v["money_decimals"])
    cur = v["currency"]
    ws = wb.create_sheet(t("xlsx.plan"))
    names = ["id", t("channel"), t("on"), f"{t('spend')} ({cur})" if cur else t("spend"), t("fixed_cost"), t("cost"),
             t("share"), t("reach"), *map(resource_name, v["resource_names"])]
    rows = [[c["id"], c["label"], c["on"], c["spend"], c["fixed_cost"], c["cost"], c["share"] if c["on"] else None,
             c["reach"], *(c["uses"][r] for r in v["resource_names"])] for c in v["channels"]]
    formats = {4: money, 5: money, 6: money, 7: PERCENT, 8: PERCENT}
    formats.update({9 + i: QTY for i in range(len(v["resource_names"]))})
    end = write_table(ws, 1, names, rows, formats)
    if rows:
        total = [t("total"), None, len(v["on"]), v["total_spend"], v["total_fixed"], v["total_cost"], None, None,
                 *(v["total_uses"][r] for r in v["resource_names"])]
        summed = {4, 5, 6, *(9 + i for i in range(len(v["resource_names"])))}
        for c, value in enumerate(total, start=1):
            letter = get_column_letter(c)
            cell = ws.cell(row=end, column=c, value=None if c in summed else cell_value(value))
            if c in summed:  # a live total (it was written as text, so the sheet showed "=SUM(…)")
                own_formula(cell, f"=SUM({letter}2:{letter}{end - 1})")
            cell.font = Font(bold=True)
            if c in summed and c in formats:
                cell.number_format = formats[c]
            else:
                formatted(cell, value, formats.get(c))
        allocation_chart(ws, len(v["on"]), t("html.money_goes"), cur, f"{get_column_letter(len(names) + 2)}2")
    finish(ws, rtl)


def _coverage_sheet(wb: Workbook, v: dict[str, Any], rtl: bool) -> None:
    """Coverage as phase rows × segment columns (coloured), then every cell as a long table."""
    ws = wb.create_sheet(t("coverage"))
    header(ws, 1, [t("phase_segment"), *(g["label"] for g in v["segments"])])
    for i, p in enumerate(v["phases"], start=2):
        ws.cell(row=i, column=1, value=p["label"]).font = Font(bold=True)
        for j, g in enumerate(v["segments"], start=2):
            cell = v["matrix"].get((p["id"], g["id"]))
            out = ws.cell(row=i, column=j, value=cell_value(cell["level"]) if cell else None)
            out.number_format = PERCENT
    last_row, last_col = 1 + len(v["phases"]), 1 + len(v["segments"])
    if v["cells"]:
        ws.conditional_formatting.add(
            f"B2:{get_column_letter(last_col)}{last_row}",
            ColorScaleRule(start_type="num", start_value=0, start_color="F1F5F9",
                           mid_type="num", mid_value=0.5, mid_color="7AC7BA",
                           end_type="num", end_value=1, end_color="115E59"))
    top = last_row + 3
    ws.cell(row=top - 1, column=1, value="every cell").font = KEY_FONT
    long_rows = [
        [c["phase"], c["phase_label"], c["segment"], c["segment_label"], c["level"], c.get("target"),
         not c["short"] if is_number(c.get("target")) else None, c.get("weight"), " ".join(c.get("channels") or []),
         ", ".join(c["channel_labels"])] for c in v["cells"]]
    write_table(ws, top, ["phase", "phase label", "segment", "segment label", "coverage", "target", "meets target",
                          "weight", "channels", "channel labels"], long_rows,
                {5: PERCENT, 6: PERCENT, 8: "#,##0.##"}, filters=False)
    finish(ws, rtl, freeze="B2")


def _rules_sheet(wb: Workbook, plan: dict[str, Any], v: dict[str, Any], rtl: bool) -> None:
    """What binds, the penalties, the warnings and the solver's facts."""
    ws = wb.create_sheet(t("xlsx.rules"))
    row = 1
    header(ws, row, [t("limits_title")])
    for line in v["binding_lines"] or [f"({t('none')})"]:
        row += 1
        ws.cell(row=row, column=1, value=line)
    row += 2
    header(ws, row, ["id", t("penalties"), t("xlsx.amount")])
    for p in v["penalties"]:
        row += 1
        ws.cell(row=row, column=1, value=p["name"])
        ws.cell(row=row, column=2, value=p["words"])
        ws.cell(row=row, column=3, value=cell_value(p["amount"])).number_format = "#,##0.00"
    row += 2
    header(ws, row, [t("warnings")])
    for w in v["warnings"] or [f"({t('none')})"]:
        row += 1
        ws.cell(row=row, column=1, value=w)
    row += 2
    header(ws, row, [t("xlsx.solver_fact"), t("xlsx.value")])
    facts: list[tuple[str, Any, str | None]] = [
        ("solver", v["solver"], None), ("status", v["status"], None), ("sense", v["sense"], None),
        ("objective (real curves)", v["objective"], "#,##0.00"),
        ("objective (model pieces)", v["model_objective"], "#,##0.00"),
        ("bound", v["bound"], "#,##0.00"), ("gap", v["gap"], "0.00%"),
        ("curve error (reach share)", v["curve_error"], "0.000%"),
        ("approximation bound", v["approximation_bound"], "#,##0.00"),
        ("verified", v["verified"], None),
        ("build seconds", plan.get("build_seconds"), "0.000"), ("solve seconds", plan.get("solve_seconds"), "0.000"),
    ]
    key_values(ws, row + 1, facts)
    finish(ws, rtl, freeze=None)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 28)


def allocation_chart(ws: Worksheet, on: int, title: str, currency: str, anchor: str) -> None:
    """A native bar chart of the cost of each channel that is on (the Plan sheet lists those first)."""
    if on == 0:
        return
    chart = BarChart()
    chart.type, chart.title, chart.legend = "bar", title, None
    chart.y_axis.title = currency or None
    chart.add_data(Reference(ws, min_col=6, min_row=1, max_row=1 + on), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=1 + on))
    chart.height, chart.width = max(6.0, 1.0 * on + 2), 16.0
    ws.add_chart(chart, anchor)


def frontier_chart(ws: Worksheet, x_col: int, y_col: int, rows: int, x_title: str, y_title: str,
                   marks: str = "") -> None:
    """A native line chart of the objective against the swept value; ``marks`` (today's value)
    goes into its title."""
    if rows < 2:
        return
    chart = LineChart()
    chart.title, chart.legend = t("collection.frontier") + (f" ({marks})" if marks else ""), None
    chart.x_axis.title, chart.y_axis.title = x_title, y_title
    chart.add_data(Reference(ws, min_col=y_col, min_row=1, max_row=1 + rows), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=x_col, min_row=2, max_row=1 + rows))
    chart.height, chart.width = 8.0, 16.0
    ws.add_chart(chart, f"{get_column_letter(ws.max_column + 2)}2")


@localised(of_plan)
def plan_workbook(plan: dict[str, Any], path: Path) -> Path:
    """One plan as an Excel workbook, written atomically."""
    wb = Workbook()
    fill_plan(wb, plan)
    return save_atomic(wb, Path(path))


# ---------------------------------------------------------------- many plans


@localised(of_plans)
def collection_workbook(title: str, table: Any, plans: list[dict[str, Any]], path: Path,
                        varied: list[str] | None = None) -> Path:
    """A sweep (a Frontier sheet) or a comparison / batch (a Summary sheet), spends per
    channel, and each plan's headline, written atomically."""
    varied = [p for p in varied or [] if p in table.columns]
    views = [plan_view(p) for p in plans]
    labels = channel_labels(plans)
    rtl = current().direction == "rtl"
    decimals = min((v["money_decimals"] for v in views), default=0)
    money = money_format(decimals)

    wb = Workbook()
    ws = wb.active
    ws.title = t("collection.frontier") if varied else t("xlsx.summary")
    columns = without_single_periods(shown_columns(table.columns), table)
    if varied:
        columns = varied + [c for c in columns if c not in varied]
    formats = {}
    for i, c in enumerate(columns, start=1):
        if c == "cost":
            formats[i] = money
        elif c in ("objective", "marginal"):
            formats[i] = "#,##0.00"
        elif c in ("gap",):
            formats[i] = "0.00%"
        elif c == "weakest_cell":
            formats[i] = PERCENT
    rows = [[row.get(c) for c in columns] for _, row in table.iterrows()]
    write_table(ws, 1, [column_title(c) for c in columns], rows, formats)
    if varied and "objective" in columns:
        solved = [v for v in views if v["solved"]]
        currency = next((v["currency"] for v in solved if v["currency"]), "")
        x_title = f"{varied[0]} ({currency})" if currency and varied[0] == "budget" else varied[0]
        today = today_marks(table, varied, currency)
        if today:  # the sentence under the table, and the marks in the chart's title
            ws.cell(row=len(rows) + 3, column=1, value=today["line"])
        frontier_chart(ws, 1, columns.index("objective") + 1, len(rows), x_title,
                       pick_title(solved) if solved else t("objective"),
                       " · ".join(label for _, label in today["marks"]) if today else "")
    finish(ws, rtl)

    spend_cols = spend_columns(table.columns)
    if spend_cols:
        ws = wb.create_sheet(t("xlsx.spends"))
        keys = varied or ["scenario"]
        names = [*keys, *(labels.get(c[len("spend_"):], c[len("spend_"):]) for c in spend_cols)]
        rows = [[row.get(k) for k in keys] + [row.get(c) for c in spend_cols] for _, row in table.iterrows()]
        write_table(ws, 1, names, rows, {len(keys) + i: money for i in range(1, len(spend_cols) + 1)})
        finish(ws, rtl, freeze=f"{get_column_letter(len(keys) + 1)}2")
        cost_sheet(wb, plans, keys, [[row.get(k) for k in keys] for _, row in table.iterrows()], labels, decimals, rtl)

    ws = wb.create_sheet(t("collection.plans"))
    names = [t("column.scenario"), t("column.status"), t("verified"), t("objective"), t("money_spent"),
             t("xlsx.budget"), t("column.currency"), t("column.gap"), t("channels_on"), t("channels"),
             t("column.message")]
    rows = [
        [v["scenario"], v["status_text"], v["verified"], v["objective"], v["cost"], v["budget"], v["currency"] or None,
         v["gap"], len(v["on"]) if v["solved"] else None, ", ".join(c["label"] for c in v["on"]), v["message"] or None]
        for v in views]
    write_table(ws, 1, names, rows, {4: "#,##0.00", 5: money, 6: money, 8: "0.00%"})
    finish(ws, rtl)
    collection_risk_sheet(wb, plans, write_table, finish, rtl)
    return save_atomic(wb, Path(path))


__all__ = ["collection_workbook", "plan_workbook"]
