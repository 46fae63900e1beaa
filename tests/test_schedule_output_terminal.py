"""A plan over periods in the terminal, from hand-built schedules (exact figures): the
channel × period grid with its start and off marks, cash and reach per period, and every
line within 80 columns however many periods (3 months, 13 and 52 weeks).

The snapshot tests/data/golden/terminal/schedule-bakery-3-months-80.txt is a golden file:
do not update it unless the terminal view changed on purpose (UPDATE_GOLDEN=1 regenerates
it; read the diff)."""

from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path

import pytest
from rich.console import Console

sys.path.insert(0, str(Path(__file__).parent))
from channelmix.reports.schedule_terminal import render_schedule  # noqa: E402
from channelmix.reports.terminal import render  # noqa: E402
from schedule_plans import as_dict, bakery_plan, long_plan  # noqa: E402

SNAPSHOT = Path(__file__).parent / "data" / "golden" / "terminal" / "schedule-bakery-3-months-80.txt"


def shown(plan, width: int = 80, language: str | None = None, whole: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False, legacy_windows=False)
    if whole:
        render(plan, console, language)
    else:
        from channelmix.reports.i18n import using

        with using(language):
            render_schedule(as_dict(plan), console)
    return buffer.getvalue()


def row(text: str, label: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith(f"│ {label}"))
    return [cell.strip() for cell in line.strip("│").split("│")]


def test_the_grid_shows_spend_starts_and_off_periods():
    text = shown(bakery_plan())
    assert row(text, "Community radio") == ["Community radio", "▸400", "600", "–"]
    # 1,200.5: whole rand
    assert row(text, "Flyers at the taxi rank") == ["Flyers at the taxi rank", "–", "▸150", "1,200"]
    assert row(text, "Total") == ["Total", "400", "750", "1,200"]
    assert "Never on: Own stall." in text and "▸ starts here: any set-up cost is paid" in text


def test_cash_and_reach_per_period():
    text = shown(bakery_plan())
    cash = text.split("Cash per period (ZAR)")[1].split("Reach per period")[0]
    # budget, cost (spend + fixed + set-up), set-up, cumulative, hours
    assert row(cash, "Month 1") == ["Month 1", "1,000", "750", "250", "750", "2 of 15"]
    assert row(cash, "Month 2") == ["Month 2", "1,000", "900", "50", "1,650", "7 of 15"]
    assert row(cash, "Month 3") == ["Month 3", "1,500", "1,200", "0", "2,850", "6.5 of 15"]
    reach = text.split("Reach per period")[1]
    assert row(reach, "Month 1")[:4] == ["Month 1", "1", "30", "3 of 4"]
    assert row(reach, "Month 1")[4].startswith("0% Purchase × Commu")
    assert row(reach, "Month 3")[:4] == ["Month 3", "1", "50", "0 of 4"]


@pytest.mark.parametrize("weeks", [13, 52])
def test_many_periods_go_on_in_parts_within_80_columns(weeks):
    plan = long_plan(weeks)
    text = shown(plan)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    heads = re.findall(r"Week \d+", "\n".join(line for line in lines if line.startswith("┃")))
    assert heads == [f"Week {n}" for n in range(1, weeks + 1)]  # every week once, in order, across the parts
    assert not re.search(r"│ *[▸\d][\d,]*… *│", text)  # no figure cut
    assert text.count("Spend per period (SEK) (") > 1  # sideways in numbered parts
    grid = {r.period: r for r in plan.schedule.rows if r.channel == "search"}
    spends = [c for line in lines if line.startswith("│ Search ads") for c in row(line + "\n", "Search ads")[1:]]
    assert spends == [("▸" if grid[f"w{n}"].started else "")
                      + f"{grid[f'w{n}'].spend:,.0f}" if grid[f"w{n}"].on else "–" for n in range(1, weeks + 1)]


def test_in_persian_figures_use_persian_digits():
    text = shown(bakery_plan(), language="fa")
    assert "▸۴۰۰" in text and "۱٬۲۰۰" in text and "هزینه در هر دوره" in text


def test_the_whole_solve_view_at_80_columns_matches_its_snapshot():
    text = shown(bakery_plan(), whole=True)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert text.index("Coverage by phase × segment") < text.index("Spend per period (ZAR)")
    if os.environ.get("UPDATE_GOLDEN"):
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8")


def test_a_single_period_plan_shows_no_time_view():
    from dataclasses import replace

    assert shown(replace(bakery_plan(), schedule=None)) == ""
