"""The terminal view at 80 columns, through the installed console script in a real
subprocess (COLUMNS=80, output piped): nothing wider than the console, whole currency
units, long labels cut with an ellipsis, a wide comparison turned sideways.

The snapshot in tests/data/golden/terminal/ is a golden file: do not update it unless
the terminal view changed on purpose (UPDATE_GOLDEN=1 regenerates it; read the diff).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from scenario_files import with_variants

ROOT = Path(__file__).parents[1]
BAKERY = ROOT / "scenarios" / "township-bakery.yaml"
SNAPSHOT = Path(__file__).parent / "data" / "golden" / "terminal" / "compare-township-bakery-80.txt"


def channelmix(*args: str, columns: int = 80) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("channelmix")
    command = [str(script) if script.exists() else shutil.which("channelmix") or "channelmix", *args]
    env = {**os.environ, "COLUMNS": str(columns), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)


def test_compare_at_80_columns_matches_its_snapshot():
    done = channelmix("compare", str(BAKERY))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "budget-cut" in done.stdout and "o…" not in done.stdout  # sideways, not cut to "o…"
    assert not re.search(r"│ *[\d−-][\d,.%]*… *│", done.stdout)  # no figure cut: plans that do not fit go on below
    if os.environ.get("UPDATE_GOLDEN"):
        SNAPSHOT.write_text(done.stdout, encoding="utf-8")
    assert done.stdout == SNAPSHOT.read_text(encoding="utf-8")


def test_solve_at_80_columns_fits_in_whole_currency_units():
    done = channelmix("solve", str(BAKERY))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    assert "…" in done.stdout  # long channel labels shortened with an ellipsis
    table = done.stdout.split("Channels on")[1].split("Coverage by phase")[0]
    assert not re.search(r"\d\.\d\d\b", table)  # whole rand, no cents
    assert "74% of the 32,220 reachable" in done.stdout  # the objective with its scale


def test_solve_in_the_scenarios_language():
    done = channelmix("solve", str(ROOT / "scenarios" / "butik-kundresan.yaml"))
    assert done.returncode == 0, done.stderr
    assert "Kanaler på" in done.stdout and "92\u00a0953 SEK" in done.stdout
    english = channelmix("solve", str(ROOT / "scenarios" / "butik-kundresan.yaml"), "--language", "en")
    assert "Channels on" in english.stdout and "92,953 SEK" in english.stdout


def test_a_variant_page_has_its_own_description_and_the_comparison_with_the_base(tmp_path):
    bakery = with_variants("township-bakery", tmp_path / "in", keep=("budget-cut",))  # not the robust variants: ~20 s
    done = channelmix("solve", str(bakery), "--out", str(tmp_path), "--report", "md")
    assert done.returncode == 0, done.stderr
    (page,) = tmp_path.glob("township-bakery-budget-cut-*.md")
    text = page.read_text(encoding="utf-8")
    assert "Variant “budget-cut” of township-bakery: a slow month: 30 % less money. It changes: budget = 3,150." in text
    compared = text.split("## Compared with the base")[1].split("##")[0]
    assert "| Total cost (spend + fixed costs) | 4,500 ZAR | 3,150 ZAR | -1,350 |" in compared
    assert "| Own stall at the taxi rank (assistant-run) | 2,175 ZAR | off | -2,175 |" in compared
    assert "## Compared with the base" not in (tmp_path / "township-bakery.md").read_text(encoding="utf-8")


def test_solve_with_a_current_plan_keeps_its_figures_at_80_columns(tmp_path):
    """The 'current vs optimised' table cut every figure to '…' at 80 columns: labels
    now give way (ellipsis), figures do not; rule sentences end with one full stop.
    The base alone (``--set variants=[]`` would not drop the variants; the robust ones cost ~20 s)."""
    done = channelmix("solve", str(with_variants("township-bakery", tmp_path)))
    assert done.returncode == 0, done.stderr
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    table = done.stdout.split("Current plan vs optimised", 1)[1]
    row = next(line for line in table.splitlines() if line.startswith("│ WhatsApp community"))
    cells = [c.strip() for c in row.split("│")]
    assert cells[2:5] == ["200", "400", "+200"]  # current and optimised spend and the change, whole ZAR, legible
    assert ".;" not in done.stdout


def test_compare_diff_goes_into_the_html_and_markdown_reports(tmp_path):
    """``compare --diff A B`` printed its diff in the terminal only: the reports carry it too.
    The two plans compared and one more, not the robust variants (~20 s a run)."""
    bakery = str(with_variants("township-bakery", tmp_path / "in", keep=("budget-cut", "no-whatsapp")))
    done = channelmix("compare", bakery, "--diff", "township-bakery", "township-bakery/budget-cut",
                      "--out", str(tmp_path), "--report", "md", "--report", "html")
    assert done.returncode == 0, done.stderr
    assert "From township-bakery to township-bakery/budget-cut" in done.stdout  # the terminal's own diff, as before
    md = (tmp_path / "Comparison.md").read_text(encoding="utf-8")
    section = md.split("## From township-bakery to township-bakery/budget-cut")[1].split("##")[0]
    assert (
        "Entering: Stamp loyalty card (10th loaf free). Leaving: Own stall at the taxi rank (assistant-run)." in section
    )
    assert "| Objective | 23,916 | 20,073 | -3,843 |" in section
    assert "| Own stall at the taxi rank (assistant-run) | 2,175 ZAR | off | -2,175 |" in section
    assert "| Stamp loyalty card (10th loaf free) | off | 730 ZAR | +730 |" in section
    html = (tmp_path / "Comparison.html").read_text(encoding="utf-8")
    assert 'id="diff-table"' in html and "Entering: Stamp loyalty card (10th loaf free)." in html
    channelmix("compare", bakery, "--out", str(tmp_path / "plain"), "--report", "md")
    assert "## From" not in (tmp_path / "plain" / "Comparison.md").read_text(encoding="utf-8")
