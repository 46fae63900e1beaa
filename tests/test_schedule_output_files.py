"""A plan over periods in files, from hand-built schedules (exact figures): the schedule and
cash CSVs beside the plan's own (formula-safe), the Markdown section (a golden file), and
the Excel Schedule, every-row and Cash sheets with live totals and a stacked chart.

The golden file tests/data/golden/reports/bakery-3-months.md holds the whole Markdown
report of the hand-built three-month plan: do not update it unless the report's content
changed on purpose; then regenerate with UPDATE_GOLDEN=1 and read the diff."""

from __future__ import annotations

import csv
import os
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

sys.path.insert(0, str(Path(__file__).parent))
from channelmix.analysis.batch import period_count  # noqa: E402
from channelmix.core.textcells import own_formula, safe_workbook  # noqa: E402
from channelmix.reports import plan_markdown, plan_workbook  # noqa: E402
from channelmix.reports.output import write_outputs  # noqa: E402
from schedule_plans import as_dict, bakery_plan, long_plan  # noqa: E402

GOLDEN = Path(__file__).parent / "data" / "golden" / "reports" / "bakery-3-months.md"
NOTE = ("golden file of the channelmix reports: do not update unless the report's content changed on purpose; "
        "regenerate with UPDATE_GOLDEN=1 python -m pytest tests/test_schedule_output_files.py and read the diff")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- CSV


def test_out_writes_the_schedule_and_cash_tables(tmp_path):
    written = {p.name for p in write_outputs(bakery_plan(), tmp_path)}
    assert written == {f"bakery-3-months.{n}"
                       for n in ("json", "channels.csv", "coverage.csv", "schedule.csv", "cash.csv")}
    rows = read_csv(tmp_path / "bakery-3-months.schedule.csv")
    assert list(rows[0]) == ["channel", "period", "on", "started", "spend", "effective_spend", "reach", "fixed_cost",
                             "setup_cost", "cost", "period_label"]
    assert [(r["channel"], r["period"]) for r in rows] == [(c, p) for c in ("radio", "flyers", "stall")
                                                           for p in ("m1", "m2", "m3")]
    assert rows[0] == {"channel": "radio", "period": "m1", "on": "True", "started": "True", "spend": "400.0",
                       "effective_spend": "400.0", "reach": "0.3", "fixed_cost": "100.0", "setup_cost": "250.0",
                       "cost": "750.0", "period_label": "Month 1"}
    assert rows[2]["on"] == "False" and rows[2]["effective_spend"] == "216.0"  # off, yet carry-over still works
    cash = read_csv(tmp_path / "bakery-3-months.cash.csv")
    assert [(c["period"], c["budget"], c["cost"], c["cumulative"], c["hours_used"], c["period_label"])
            for c in cash] == [("m1", "1000.0", "750.0", "750.0", "2.0", "Month 1"),
                               ("m2", "1000.0", "900.0", "1650.0", "7.0", "Month 2"),
                               ("m3", "1500.0", "1200.5", "2850.5", "6.5", "Month 3")]


def test_a_single_period_plan_writes_no_schedule(tmp_path):
    written = {p.name for p in write_outputs(replace(bakery_plan(), schedule=None), tmp_path)}
    assert not any(n.endswith(("schedule.csv", "cash.csv")) for n in written)
    assert period_count(as_dict(replace(bakery_plan(), schedule=None))) == 1
    assert period_count(as_dict(bakery_plan())) == 3


def test_schedule_csv_text_never_becomes_a_formula(tmp_path):
    plan = bakery_plan()
    risky = "=HYPERLINK(\"http://x\")"
    rows = [replace(r, channel=risky) if r.channel == "radio" else r for r in plan.schedule.rows]
    plan = replace(plan, schedule=replace(plan.schedule, rows=rows))
    write_outputs(plan, tmp_path)
    channels = [r["channel"] for r in read_csv(tmp_path / "bakery-3-months.schedule.csv")]
    assert channels[:3] == ["'" + risky] * 3 and channels[3] == "flyers"  # a leading apostrophe: text, not a formula


# ---------------------------------------------------------------- Markdown


def test_markdown_matches_golden():
    text = f"<!-- {NOTE} -->\n\n{plan_markdown(as_dict(bakery_plan()))}"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_markdown_grid_and_cash_figures():
    text = plan_markdown(as_dict(bakery_plan()))
    assert "| Community radio | ▸400 | 600 | – | 1,000 |" in text
    assert "| Flyers at the taxi rank | – | ▸150 | 1,200 | 1,350 |" in text
    assert "| Month 2 | 1,000 | 750 | 100 | 50 | 900 | 1,650 | 7 of 15 |" in text
    assert text.index("## Coverage") < text.index("## Plan over time") < text.index("## What limits the plan")
    assert "## Plan over time" not in plan_markdown(as_dict(replace(bakery_plan(), schedule=None)))


@pytest.mark.parametrize("language, heading", [("fr", "## Le plan dans le temps"), ("es", "## El plan en el tiempo"),
                                               ("sv", "## Planen över tid"), ("fa", "## برنامه در طول زمان")])
def test_markdown_in_every_language(language, heading):
    text = plan_markdown(as_dict(bakery_plan()), language=language)
    assert heading in text
    if language == "fa":
        assert "▸۴۰۰" in text and "۲٬۸۵۰" in text


# ---------------------------------------------------------------- Excel


def test_workbook_schedule_sheet_has_live_totals_fills_and_a_stacked_chart(tmp_path):
    path = plan_workbook(as_dict(bakery_plan()), tmp_path / "b.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "Plan", "Coverage", "Schedule", "Every channel in every period", "Cash",
                               "Rules"]
    ws = book["Schedule"]
    grid = [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=4)]
    assert grid == [["id", "Channel", "Month 1", "Month 2", "Month 3", "Total (ZAR)"],
                    ["radio", "Community radio", 400, 600, None, "=SUM(C2:E2)"],
                    ["flyers", "Flyers at the taxi rank", None, 150, 1200.5, "=SUM(C3:E3)"],
                    [None, "Total", "=SUM(C2:C3)", "=SUM(D2:D3)", "=SUM(E2:E3)", "=SUM(F2:F3)"]]
    assert all(ws[c].data_type == "f" for c in ("F2", "F3", "C4", "F4"))  # live sums, not text
    fills = [ws[c].fill.fgColor.rgb[-6:] for c in ("C2", "D2", "E2")]
    assert fills == ["5EEAD4", "CCFBF1", "F1F5F9"]  # starts, runs, off
    assert ws.freeze_panes == "C2"
    (chart,) = ws._charts
    assert chart.grouping == "stacked" and chart.type == "col" and len(chart.series) == 2
    assert book["Plan"]["D5"].data_type == "f"  # the plan's own totals are live too


def test_workbook_every_row_and_cash_sheets(tmp_path):
    book = load_workbook(plan_workbook(as_dict(bakery_plan()), tmp_path / "b.xlsx"))
    rows = list(book["Every channel in every period"].iter_rows(values_only=True))
    assert rows[0] == ("channel", "label", "period", "on", "started", "spend", "effective_spend", "reach", "fixed_cost",
                       "setup_cost", "cost", "period_label")
    assert rows[2] == ("radio", "Community radio", "m2", True, False, 600, 720, 0.4, 100, 0, 700, "Month 2")
    assert len(rows) == 1 + 9
    cash = list(book["Cash"].iter_rows(values_only=True))
    assert cash[0][:9] == ("id", "Period", "Budget (ZAR)", "Available", "Spend", "Fixed cost", "Set-up", "Cost",
                           "Cumulative")
    # the running total (750, 1650, 2850.5) is a formula Excel computes from the costs
    assert [r[:9] for r in cash[1:4]] == [("m1", "Month 1", 1000, 1000, 400, 100, 250, 750, "=H2"),
                                           ("m2", "Month 2", 1000, 1000, 750, 100, 50, 900, "=I2+H3"),
                                           ("m3", "Month 3", 1500, 1500, 1200.5, 0, 0, 1200.5, "=I3+H4")]
    assert cash[4][:8] == (None, "Total", "=SUM(C2:C4)", None, "=SUM(E2:E4)", "=SUM(F2:F4)", "=SUM(G2:G4)",
                           "=SUM(H2:H4)")


def test_workbook_of_52_weeks_and_in_persian(tmp_path):
    book = load_workbook(plan_workbook(as_dict(long_plan(52)), tmp_path / "q.xlsx", language="fa"))
    ws = book["زمان‌بندی"]
    assert ws.sheet_view.rightToLeft and ws.max_column == 2 + 52 + 1
    assert ws.cell(row=1, column=54).value == "Week 52"


def test_only_channelmix_own_sums_stay_formulas():
    book = Workbook()
    ws = book.active
    ws["A1"] = "=SUM(B1:B2)"  # text that looks like a formula (a label): neutralised
    own_formula(ws["A2"], "=SUM(B1:B2)")
    with pytest.raises(ValueError):
        own_formula(ws["A3"], '=HYPERLINK("http://x")')
    safe_workbook(book)
    assert (ws["A1"].data_type, ws["A1"].quotePrefix) == ("s", True)
    assert ws["A2"].data_type == "f"


def test_plan_rows_for_format_csv_are_formula_safe():
    from channelmix.reports.output import PLAN_ROW_COLUMNS, csv_rows, plan_rows

    plan = bakery_plan()
    rows = [replace(r, channel="@SUM(A1)") if r.channel == "flyers" else r for r in plan.schedule.rows]
    text = csv_rows(plan_rows(replace(plan, schedule=replace(plan.schedule, rows=rows))), PLAN_ROW_COLUMNS, header=True)
    lines = text.splitlines()
    assert lines[0] == ",".join(PLAN_ROW_COLUMNS) and len(lines) == 1 + 9
    assert lines[4] == "bakery-3-months,'@SUM(A1),m1,False,False,0.0,0.0,0.0,0.0,0.0,0.0,Month 1"
    assert plan_rows(replace(plan, status="infeasible")) == []
