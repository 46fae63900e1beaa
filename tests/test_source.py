"""The ``source:`` block: where a scenario's curves came from and what its spends and outcomes
are per — validated like every key, kept through --set and variants, said by every report in
its language, and the budget judged against it (a likely unit mismatch is a warning on
stderr, in the plan and in the reports)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from channelmix.reports import plan_html, plan_markdown, report_facts
from channelmix.reports.documents import plan_document
from channelmix.schema import ScenarioError, load, validate
from channelmix.schema.expand import variants
from channelmix.schema.source import unit_check
from channelmix.solve.pipeline import solve_scenario

WEEKS = 156
WINDOW = {"start": "2021-01-25", "end": "2024-01-15", "periods": WEEKS}


def _scenario(per: dict | str, top: float, budget: float, **more) -> dict:
    """Two channels whose curves were measured up to ``top`` each (a window's or a week's spend)."""
    return {
        "scenario": "from-a-model", "phases": ["p"], "segments": ["s"], "budget": budget,
        "channels": [{"id": c, "max_spend": top,
                      "response": {"type": "pwl", "points": [[0, 0], [top / 2, 0.7], [top, 1]]},
                      "outcome": {"value": v}} for c, v in (("tv", 3 * top), ("search", 2 * top))],
        "objective": {"sense": "max_outcome"},
        "source": {"tool": "Meridian", "version": "2.1.0", "model": "model.binpb", "file": "model.binpb",
                   "window": WINDOW,
                   "per": per, "measured": {"tv": [top / 10, top], "search": [top / 10, top]},
                   "check": [{"channel": "tv", "spend": top / 2, "tool": 2.1 * top, "channelmix": 2.1 * top}], **more},
    }


def _cli() -> str:
    exe = Path(sys.executable).with_name("channelmix")
    return str(exe) if exe.exists() else shutil.which("channelmix")


def test_the_block_validates_and_survives_overrides_and_variants():
    data = _scenario({"count": WEEKS, "unit": "week", "flighting": "historical"}, 1e8, 2e8)
    data["variants"] = [{"name": "cut", "set": {"budget": 1.5e8}}]
    loaded = validate(data)
    source = loaded.scenario.source
    assert source.file == ["model.binpb"] and source.per.count == WEEKS and source.window.start == "2021-01-25"
    cases = variants(loaded, {"source.per.flighting": "steady"})
    assert [c.scenario.source.per.flighting for c in cases] == ["steady", "steady"]
    assert all(c.scenario.source.measured == source.measured for c in cases)


def test_dates_as_yaml_reads_them_stay_dates_as_written(tmp_path):
    text = yaml.safe_dump(_scenario("week", 1e6, 2e6)).replace("'2021-01-25'", "2021-01-25")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    assert load(tmp_path / "s.yaml").scenario.source.window.start == "2021-01-25"
    assert load(tmp_path / "s.yaml").scenario.source.per.unit == "week"  # "per: week" is {count: 1, unit: week}


@pytest.mark.parametrize("change, expect", [
    ({"measured": {"radio": [1, 2]}},
     "source.measured.radio: names the channel 'radio', which the scenario does not have"),
    ({"measured": {"tv": [5, 2]}}, "the lowest spend 5 is above the highest 2"),
    ({"check": [{"channel": "tv", "spend": -1, "channelmix": 3}]}, "source.check[0].spend"),
    ({"per": {"count": 0, "unit": "week"}}, "source.per.count"),
    ({"tool": ""}, "source.tool"),
    ({"colour": "red"}, "source.colour: unknown key"),
])
def test_bad_blocks_name_the_field(change, expect):
    data = _scenario("week", 1e6, 2e6)
    data["source"].update(change)
    with pytest.raises(ScenarioError) as err:
        validate(data)
    assert expect in str(err.value)


def test_window_curves_with_a_weekly_budget_are_a_likely_mismatch():
    historical = 1.7e8
    fact = unit_check(validate(_scenario({"count": WEEKS, "unit": "week"}, historical,
                                         2 * historical / WEEKS)).scenario)
    assert fact["direction"] == "below" and fact["ratio"] == pytest.approx(1 / WEEKS)
    assert fact["likely"] == {"budget_per": "one", "suggested": pytest.approx(2 * historical), "factor": WEEKS}
    assert "for the whole window it would be 340,000,000 (×156)" in fact["text"]


def test_weekly_curves_with_a_window_budget_are_a_likely_mismatch():
    week = 1.1e6
    fact = unit_check(validate(_scenario("week", week, week * WEEKS)).scenario)
    assert fact["direction"] == "above" and fact["ratio"] == pytest.approx(WEEKS / 2)
    assert fact["likely"]["budget_per"] == "window" and fact["likely"]["suggested"] == pytest.approx(week)


@pytest.mark.parametrize("budget_share", [0.011, 1.0, 9.9])
def test_budgets_within_the_measured_range_are_not_warned_about(budget_share):
    top = 1e6
    assert unit_check(validate(_scenario("week", top, budget_share * 2 * top)).scenario) is None


def test_every_report_says_where_the_curves_came_from_in_its_language():
    loaded = validate({**_scenario({"count": WEEKS, "unit": "week", "flighting": "historical"}, 1e8, 1.5e6),
                       "language": "fr"})
    plan = solve_scenario(loaded.scenario, loaded.warnings)
    data = {**plan_document(plan), **report_facts(loaded.scenario)}
    assert data["source"]["tool"] == "Meridian" and data["units"]["direction"] == "below"
    assert data["units"]["text"] in plan.warnings  # the plan's warnings carry it (JSON, stderr)
    md = plan_markdown(data)
    assert "Courbes issues de Meridian 2.1.0, modèle model.binpb, période d'ajustement 2021-01-25 – 2024-01-15." in md
    assert "totaux sur 156 semaines (répartition historique de la source, mise à l'échelle)" in md
    assert "Unités probablement incohérentes" in md and data["units"]["text"] not in md  # said once, in French
    html = plan_html({**data, "language": "fa"})
    assert 'id="source"' in html and "منحنی‌ها از Meridian" in html and "جمع ۱۵۶ هفته" in html
    english = plan_markdown({**data, "language": "en"})
    assert "Spends and outcomes: totals over 156 weeks" in english
    assert "for the whole window it would be 234,000,000 (×156)" in english


def test_solve_warns_on_stderr_in_every_format(tmp_path):
    path = tmp_path / "weekly.yaml"
    path.write_text(yaml.safe_dump(_scenario("week", 1.1e6, 1.1e6 * WEEKS), allow_unicode=True), encoding="utf-8")
    for fmt in ("json", "table"):
        done = subprocess.run([_cli(), "solve", str(path), "--format", fmt], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert ("warning: likely unit mismatch: the budget 171,600,000 is 78× the most the curves were measured at"
                in done.stderr)
        assert "per week it would be 1,100,000 (÷156)" in done.stderr
    plan = json.loads(subprocess.run([_cli(), "solve", str(path), "--format", "json"], capture_output=True,
                                     text=True).stdout)
    assert plan["units"]["direction"] == "above"
    assert plan["source"]["per"] == {"count": 1, "unit": "week", "flighting": None}
    done = subprocess.run([_cli(), "solve", str(path), "--set", "budget=2000000"], capture_output=True, text=True)
    assert done.returncode == 0 and "unit mismatch" not in done.stderr + done.stdout


def test_a_sweep_report_says_where_the_curves_came_from(tmp_path):
    path = tmp_path / "weekly.yaml"
    path.write_text(yaml.safe_dump(_scenario("week", 1e6, 1e6), allow_unicode=True), encoding="utf-8")
    done = subprocess.run([_cli(), "sweep", str(path), "--vary", "budget=1000000:2000000:1000000", "--out",
                           str(tmp_path / "out"),
                           "--report", "md", "--report", "html"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    line = ("Curves from Meridian 2.1.0, model model.binpb, fit window 2021-01-25 – 2024-01-15. Spends and outcomes: "
            "per week.")
    assert line in next((tmp_path / "out").glob("*.md")).read_text(encoding="utf-8")
    assert line in next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
