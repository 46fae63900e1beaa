"""Plans over periods in the tables of many plans (compare, sweep, batch): a ``periods``
column counts each plan's periods, and the reports show it only when some plan has more
than one; multi-period plans render in every collection report."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from channelmix.analysis.batch import summary  # noqa: E402
from channelmix.analysis.whatif import plans_table  # noqa: E402
from channelmix.reports import collection_html, collection_markdown, collection_workbook  # noqa: E402
from channelmix.reports.common import without_single_periods  # noqa: E402
from schedule_plans import as_dict, bakery_plan, long_plan  # noqa: E402


def test_plans_table_and_batch_summary_count_periods():
    single = replace(bakery_plan(), scenario="one-period", schedule=None)
    failed = replace(single, scenario="failed", status="infeasible")
    table = plans_table([bakery_plan(), long_plan(13), single, failed])
    assert list(table["periods"].astype(object).where(table["periods"].notna(), None)) == [3, 13, 1, None]
    rows = [as_dict(p) for p in (bakery_plan(), single)] + [
        {"scenario": "broken", "status": "invalid", "message": "bad"}]
    assert list(summary(rows)["periods"].astype(object).where(summary(rows)["periods"].notna(), None)) == [3, 1, None]


def test_the_periods_column_shows_only_when_a_plan_has_several():
    columns = ["scenario", "cost", "periods"]
    single = replace(bakery_plan(), schedule=None)
    assert without_single_periods(columns, plans_table([single, single])) == ["scenario", "cost"]
    assert without_single_periods(columns, plans_table([single, bakery_plan()])) == columns


def test_collection_reports_of_plans_over_periods(tmp_path):
    plans = [bakery_plan(), replace(long_plan(13), scenario="quarter")]
    table = plans_table(plans)
    dicts = [as_dict(p) for p in plans]
    md = collection_markdown("Comparison", table, dicts)
    head = next(line for line in md.splitlines() if line.startswith("| scenario"))
    assert head.endswith("| periods |")
    assert "| 3 |" in md and "| 13 |" in md
    assert '<th class="num">periods</th>' in collection_html("Comparison", table, dicts)
    path = collection_workbook("Comparison", table, dicts, tmp_path / "c.xlsx")
    from openpyxl import load_workbook

    first = [c.value for c in next(load_workbook(path).worksheets[0].iter_rows(max_row=1))]
    assert "periods" in first
    single = [as_dict(replace(bakery_plan(), schedule=None))]
    assert "periods" not in collection_markdown("Comparison", plans_table([replace(bakery_plan(), schedule=None)]),
                                                single)
