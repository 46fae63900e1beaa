"""A plan over periods in the HTML report, from hand-built schedules (exact figures): the
Gantt-like grid, the cash chart (bars, budget marks, the running total on its own scale),
coverage period by period, labels in elements with dir="auto", and time running in the
reading direction (mirrored plot and start mark in a right-to-left page)."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from channelmix.reports import plan_html  # noqa: E402
from channelmix.reports.schedule_html import cash_chart, schedule_context  # noqa: E402
from schedule_plans import as_dict, bakery_plan, long_plan  # noqa: E402


def section(html: str) -> str:
    return html.split('<h2 id="schedule">')[1].split("<h2>")[0]


def test_the_gantt_grid_shows_what_runs_when_and_how_much():
    html = section(plan_html(as_dict(bakery_plan())))
    gantt = html.split('id="schedule-gantt"')[1].split("</figure>")[0]
    assert gantt.count('<th scope="row"') == 2  # the two channels that run; the third is named as never on
    assert "Never on: Own stall." in gantt
    assert [m for m in re.findall(r'<th scope="col" dir="auto" title="(\w+)">([^<]+)<', gantt)] == [
        ("m1", "Month 1"), ("m2", "Month 2"), ("m3", "Month 3")]
    cells = re.findall(r'<td class="g-cell ([a-z ]+)"', gantt)
    assert cells == ["on start", "on", "off", "off", "on start", "on"]
    assert re.findall(r'<span class="g-val">([^<]+)</span>', gantt) == ["▸400", "600", "▸150", "1,200"]
    # bar heights in px: 26 × spend / the largest spend (1,200.5), at least 3
    assert re.findall(r'class="g-bar" style="height: (\d+)px"', gantt) == ["9", "13", "3", "26"]
    assert re.findall(r'class="num g-total">([^<]+)<', gantt) == ["1,000", "1,350"]


def test_the_cash_chart_has_budget_marks_and_the_running_total_on_its_own_scale():
    plan = as_dict(bakery_plan())
    chart = schedule_context(plan)["chart"]
    # per period: 0..1,500 (the largest of cost and budget); running total: 0..4,000 (total budget 3,500)
    assert [t["text"] for t in chart["left"]] == ["0", "500", "1,000", "1,500"]
    assert [t["text"] for t in chart["right"]] == ["0", "1,000", "2,000", "3,000", "4,000"]
    svg = chart["svg"]
    assert re.findall(r'class="budget-mark" d="M\d+ ([\d.]+)H', svg) == ["333.3", "333.3", "0.0"]
    assert re.search(r'points="([^"]+)"', svg).group(1) == "50,812.5 150,587.5 250,287.4"  # 750, 1,650, 2,850.5
    assert re.search(r'class="total-budget" d="M0 ([\d.]+)H', svg).group(1) == "125.0"  # 3,500 of 4,000
    assert len(re.findall(r'class="cash-setup"', svg)) == 2  # set-up paid in months 1 and 2
    assert "<text" not in svg  # labels stay in HTML
    html = plan_html(plan)
    assert "the dashed line is the total budget of 3,500 ZAR" in html


def test_no_budget_no_marks():
    cash = [{"period": "a", "budget": None, "available": None, "spend": 10.0, "fixed": 0.0, "setup": 0.0, "cost": 10.0,
             "cumulative": 10.0}]
    chart = cash_chart(cash, None)
    assert "budget-mark" not in chart["svg"] and "total-budget" not in chart["svg"] and not chart["total_line"]


def test_cash_table_and_coverage_by_period():
    html = section(plan_html(as_dict(bakery_plan())))
    table = html.split('id="schedule-cash-table"')[1].split("</table>")[0]
    rows = [re.findall(r'<td[^>]*>([^<]*)</td>', r) for r in table.split("<tr>")[2:]]
    assert rows[0] == ["Month 1", "1,000 ZAR", "750", "250", "750", "1", "30", "3 of 4", "2 of 15"]
    assert rows[2] == ["Month 3", "1,500 ZAR", "1,200", "0", "2,850", "1", "50", "0 of 4", "6.5 of 15"]
    heat = html.split('id="schedule-coverage"')[1].split("</table>")[0]
    assert heat.count('<th scope="row"') == 4 and heat.count("heat-cell short") == 4  # below 20% in months 1–2
    assert re.findall(r'<th scope="row" class="phase" dir="auto">([^<]+)<', heat)[0] == "Awareness × Commuters"


def test_many_cells_show_only_the_weakest():
    plan = as_dict(long_plan(13))
    heat = schedule_context(plan)["heat"]
    assert len(heat["rows"]) == 2 and heat["intro"].endswith("the 2 weakest of 2 cells.")


def test_right_to_left_time_runs_right_to_left():
    html = plan_html(as_dict(bakery_plan()), language="fa")
    assert '<html lang="fa" dir="rtl">' in html
    assert 'html[dir="rtl"] .cash-svg { transform: scaleX(-1); }' in html  # the plot (no text) is mirrored
    gantt = section(html).split('id="schedule-gantt"')[1]
    assert "◂۴۰۰" in gantt and "▸" not in gantt  # the start mark points the way time runs
    for label in ("Month 1", "Community radio", "Flyers at the taxi rank"):
        for match in re.finditer(">" + re.escape(label) + "<", html):
            opening = html[:match.start() + 1].rsplit("<", 1)[1]
            assert 'dir="auto"' in opening, (label, opening)


def test_a_single_period_plan_has_no_time_section():
    html = plan_html(as_dict(replace(bakery_plan(), schedule=None)))
    assert 'id="schedule"' not in html and ".gantt" not in html
    assert schedule_context(as_dict(replace(bakery_plan(), schedule=None))) is None


def test_an_explanations_grid_over_many_periods_is_read_in_parts_not_sideways():
    """13 weekly columns do not fit a laptop's page beside the channel column (1105 px in 1064 px on
    the 13-week explanation): the page shows the grid in parts of at most seven periods, each with the
    channel column, every period once and in order; the sheet keeps the whole grid."""
    from channelmix.reports.explain_sections import period_grid

    weeks = [f"w{i}" for i in range(1, 14)]
    x = {"objective": {"kind": "reach"}, "channels": [{"id": "a", "label": "Ads"}, {"id": "b", "label": "Bus"}],
         "periods": [{"channel": c, "period": w, "label": f"Week {w[1:]}", "objective_per_unit": 0.5}
                     for c in "ab" for w in weeks if (c, w) != ("b", "w13")]}
    grid = period_grid(x)
    assert grid is not None and len(grid["head"]) == 14 and len(grid["values"][0]) == 14
    parts = grid["parts"]
    assert [len(p["head"]) - 1 for p in parts] == [7, 6]
    assert all(p["head"][0] == grid["head"][0] and [r[0] for r in p["rows"]] == ["Ads", "Bus"] for p in parts)
    assert [h for p in parts for h in p["head"][1:]] == [f"Week {i}" for i in range(1, 14)]
    assert parts[1]["rows"][1][-1] == "–"  # Bus is off in week 13, in the second part
    assert [len(p["head"]) - 1 for p in period_grid({**x, "periods": x["periods"][:6]})["parts"]] == [6]
