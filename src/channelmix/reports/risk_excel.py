"""The Excel "Risk" sheet: the plan's figures over its worlds, the objective in every world
with a native chart, the share of worlds that meet each target, and the robust plan beside
the base plan (see :mod:`channelmix.reports.risk`)."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from .i18n import t
from .risk import collection_risk, risk_view

PERCENT = "0.0%"
FIGURE = "#,##0.00"
CHANGE = "+#,##0.00;-#,##0.00;0"  # a change, its sign always shown


def risk_sheet(wb: Workbook, plan: dict[str, Any], write_table, finish, rtl: bool) -> None:
    """Add the sheet when the plan was judged in worlds (``write_table``/``finish`` from excel.py)."""
    view = risk_view(plan)
    if view is None:
        return
    ws = wb.create_sheet(t("xlsx.risk"))
    # the worlds are a random share of the posterior samples: each figure's Monte-Carlo standard error beside it
    if view["mc"]:
        row = write_table(ws, 1, [t("risk.figure"), t("objective"), t("risk.mc_se")],
                          [[f["title"], f["value"], f["se"]] for f in view["figures"]], {2: FIGURE, 3: FIGURE},
                          filters=False)
    else:
        row = write_table(ws, 1, [t("risk.figure"), t("objective")],
                          [[f["title"], f["value"]] for f in view["figures"]],
                          {2: FIGURE}, filters=False)
    ws.cell(row=row, column=1, value=t("risk.worlds"))
    ws.cell(row=row, column=2, value=view["worlds"]).number_format = "#,##0"
    top = row + 2
    end = write_table(ws, top, [t("risk.world"), t("objective")], [[w, v] for w, v in enumerate(view["objectives"])],
                      {2: FIGURE}, filters=False)
    chart = BarChart()
    chart.title, chart.legend = t("risk.title"), None
    chart.x_axis.title, chart.y_axis.title = t("risk.world"), t("objective")
    chart.add_data(Reference(ws, min_col=2, min_row=top, max_row=end - 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=end - 1))
    chart.height, chart.width = 8.0, 16.0
    ws.add_chart(chart, "E2")
    row = max(end + 1, 20)  # below the chart
    if view["cells"]:
        row = (
            write_table(ws, row, [t("phase"), t("segment"), t("target"), t("risk.cells_intro").rstrip(":： ")],
                        [[c["phase_label"], c["segment_label"], c["target"], c["probability"]] for c in view["cells"]],
                        {3: PERCENT, 4: PERCENT}, filters=False) + 1)
    if view["trade"]:
        trade_rows(ws, row, view["trade"], write_table)
    finish(ws, rtl, freeze=None)


def trade_rows(ws, row: int, trade: dict[str, Any], write_table) -> int:
    """The robust plan beside the base one, numbers as numbers: figures, rules held in "k of n
    worlds" (a number shown with its words), the channels' costs and their change."""
    ws.cell(row=row, column=1, value=trade["sentence"])
    top = row + 1
    row = write_table(ws, top, trade["head"], trade["numbers"], {2: FIGURE, 3: FIGURE, 4: CHANGE}, filters=False) + 1
    if len(trade["numbers"]) > 4:  # the rules held: counts of worlds
        held = top + 5
        for col, fmt in ((2, worlds_format(trade["worlds"])), (3, worlds_format(trade["worlds"])), (4, "+0;-0;0")):
            ws.cell(row=held, column=col).number_format = fmt
    if trade["channel_numbers"]:
        row = write_table(ws, row, trade["channel_head"], trade["channel_numbers"], {2: FIGURE, 3: FIGURE, 4: CHANGE},
                          filters=False) + 1
    return row


def worlds_format(n: int) -> str:
    """A count of worlds shown as the report says it ("12 of 12 worlds"), the cell a number."""
    words = t("of_n_worlds", k="\x00", n=n).replace('"', "'")
    before, _, after = words.partition("\x00")
    return (f'"{before}"' if before else "") + "0" + (f'"{after}"' if after else "")


def collection_risk_sheet(wb: Workbook, plans: list[dict[str, Any]], write_table, finish, rtl: bool) -> None:
    """A "Risk" sheet for a comparison whose plans were judged in worlds."""
    ctx = collection_risk(plans)
    if ctx is None:
        return
    ws = wb.create_sheet(t("xlsx.risk"))
    figures = [
        [p.get("scenario"), p["risk"].get("risk"), p["risk"]["worlds"],
         *(p["risk"][k] for k in ("mean", "p5", "p95", "worst", "cvar"))] for p in plans
        if isinstance(p.get("risk"), dict) and p["risk"].get("objectives")]
    row = write_table(ws, 1, ctx["head"], figures, {i: FIGURE for i in range(4, 9)}) + 1
    for trade in ctx["trades"]:
        ws.cell(row=row, column=1, value=trade["title"])
        row = trade_rows(ws, row + 1, trade, write_table)
    finish(ws, rtl)
