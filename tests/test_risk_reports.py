"""Risk in the reports: the figures over the worlds, the histogram, targets met per cell,
the robust plan beside the base plan (judged in the same worlds), in HTML, Markdown, Excel,
a comparison and the terminal — numbers checked against the plans' own world-by-world
evaluations."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml
from openpyxl import load_workbook

from channelmix.analysis.whatif import compare
from channelmix.model.worlds import worlds_of
from channelmix.reports import collection_html, plan_html, report_facts
from channelmix.reports.common import auto
from channelmix.reports.documents import plan_document
from channelmix.reports.excel import collection_workbook, plan_workbook
from channelmix.reports.markdown import collection_markdown, plan_markdown
from channelmix.reports.risk import collection_risk, risk_lines, risk_view
from channelmix.reports.svg import frontier_svg
from channelmix.solve.pipeline import solve_scenario
from channelmix.verify.evaluate import evaluate
from channelmix.verify.risk import cvar
from helpers import load
from test_worlds import CHANNELMIX, uncertain

TARGETS = {"coverage": [{"segment": "young", "target": 0.5, "hard": True}, {"phase": "buy", "target": 0.4}]}


@pytest.fixture(scope="module")
def robust() -> tuple[dict, dict, object]:
    """A CVaR variant's plan dict (as the CLI writes it), its base plan dict, its scenario."""
    base_sc = load(uncertain(None, count=8, rules=TARGETS))
    base = plan_document(
        solve_scenario(load({k: v for k, v in uncertain(None, count=8, rules=TARGETS).items() if k != "worlds"})))
    sc = load(uncertain("cvar", count=8, rules=TARGETS))
    plan = plan_document(solve_scenario(sc))
    plan.update(report_facts(sc, "robust", {"objective.risk": "cvar"}, base, base_sc))
    return plan, base, sc


def test_the_base_plan_is_judged_in_the_variants_worlds(robust):
    plan, base, sc = robust
    on = {c["id"]: c["on"] for c in base["channels"]}
    spend = {c["id"]: c["spend"] for c in base["channels"]}
    truths = [evaluate(w, on, spend) for w in worlds_of(sc)]
    reference = plan["risk_reference"]
    assert reference["objectives"] == pytest.approx([t.objective for t in truths], rel=1e-12)
    assert reference["mean"] == pytest.approx(np.mean([t.objective for t in truths]), rel=1e-12)
    assert reference["rules_hold"] == sum(1 for t in truths if not t.violations)
    assert plan["risk"]["rules_hold"] == 8  # the robust plan keeps its hard target in every world


def test_risk_view_figures_and_trade_off_are_exact(robust):
    plan, base, _ = robust
    view = risk_view(plan)
    risk, reference = plan["risk"], plan["risk_reference"]
    assert [f["text"] for f in view["figures"]] == [auto(risk[k]) for k in ("mean", "p5", "p95", "worst", "cvar")]
    assert view["figures"][4]["title"] == "Worst 25% average (CVaR)"
    trade = view["trade"]
    assert trade["loss"] == pytest.approx(reference["mean"] - risk["mean"], abs=1e-12)
    assert trade["tail"] == pytest.approx(risk["cvar"] - reference["cvar"], abs=1e-12)
    assert trade["worst_gain"] == pytest.approx(risk["worst"] - reference["worst"], abs=1e-12)
    assert trade["rows"][0] == ["Mean", auto(reference["mean"]), auto(risk["mean"]),
                                ("+" if risk["mean"] > reference["mean"] else "")
                                + auto(risk["mean"] - reference["mean"])]
    assert trade["rows"][-1][1:3] == [f"{reference['rules_hold']} of 8", "8 of 8"]
    # the CVaR plan's tail is never below the base plan's when the base keeps the rules everywhere, and the
    # sentence says what is given up on average
    if trade["loss"] > 0:
        assert auto(abs(trade["loss"])) in trade["sentence"] and "on average" in trade["sentence"]
    changed = {row[0] for row in trade["channels"]}
    moved = {c["id"] for c in base["channels"]
             if abs(c["cost"] - next(d["cost"] for d in plan["channels"] if d["id"] == c["id"])) > 0.5}
    assert changed == moved


def test_html_has_the_histogram_the_cells_and_the_trade_off(robust):
    plan, _, _ = robust
    page = plan_html(plan)
    assert 'id="risk-histogram"' in page and 'id="risk-trade-table"' in page and 'id="risk-cells"' in page
    assert page.count('class="world"') == 8 * 2  # a tick per world, in the laptop's drawing and the phone's
    for key in ("mean", "p5", "p95", "worst"):
        assert f'class="mark mark-{key}"' in page
    for drawing in page.split('class="risk-svg ')[1:]:  # the laptop's and the phone's
        bins = [int(n) for n in re.findall(r": (\d+)</title></rect>", drawing.split("</svg>")[0])]
        assert sum(bins) == 8  # every world in one bin
    probabilities = {(c["phase"], c["segment"]): c["probability"] for c in plan["risk"]["cell_target_probability"]}
    shown = [float(p) for p in re.findall(r'data-probability="([\d.]+)"', page)]
    assert sorted(shown) == pytest.approx(sorted(probabilities.values()), abs=1e-4)


def test_markdown_and_terminal_carry_the_same_figures(robust):
    plan, _, _ = robust
    text = plan_markdown(plan)
    risk = plan["risk"]
    assert "## Risk over the worlds" in text
    assert f"| Mean | {auto(risk['mean'])} |" in text
    for w, value in enumerate(risk["objectives"]):
        assert f"| {w} | {auto(value)} |" in text
    assert "### Robust plan beside the base plan, in the same worlds" in text
    lines = risk_lines(plan)
    assert lines[0].startswith("risk cvar over 8 worlds: Mean " + auto(risk["mean"]))
    assert lines[-1] == risk_view(plan)["trade"]["sentence"]


def test_excel_risk_sheet_has_every_world_and_a_chart(robust, tmp_path: Path):
    plan, _, _ = robust
    path = plan_workbook(plan, tmp_path / "r.xlsx")
    ws = load_workbook(path)["Risk"]
    values: dict = {}
    for r in range(1, ws.max_row + 1):  # the figures come first; the trade-off table below repeats their names
        values.setdefault(ws.cell(row=r, column=1).value, ws.cell(row=r, column=2).value)
    assert values["Mean"] == pytest.approx(round(plan["risk"]["mean"], 2))
    assert values["Worst 25% average (CVaR)"] == pytest.approx(round(plan["risk"]["cvar"], 2))
    top = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "World")
    per_world = [ws.cell(row=top + 1 + w, column=2).value for w in range(8)]
    assert per_world == pytest.approx([round(v, 2) for v in plan["risk"]["objectives"]])
    assert len(ws._charts) == 1


def test_comparison_sets_the_robust_plan_beside_the_mean_plan(tmp_path: Path):
    plans = []
    for risk in ("mean", "cvar", "worst"):
        d = uncertain(risk, count=8, rules=TARGETS)
        d["scenario"] = f"plan-{risk}"
        plans.append(solve_scenario(load(d)))
    dicts = [plan_document(p) for p in plans]
    ctx = collection_risk(dicts)
    assert [row[0] for row in ctx["rows"]] == ["plan-mean", "plan-cvar", "plan-worst"]
    assert [t["title"] for t in ctx["trades"]] == ["plan-cvar beside plan-mean", "plan-worst beside plan-mean"]
    mean, tail = plans[0].risk, plans[1].risk
    trade = ctx["trades"][0]
    assert trade["loss"] == pytest.approx(mean["mean"] - tail["mean"], abs=1e-12)
    assert trade["loss"] >= -1e-6 * abs(mean["mean"])  # the mean plan is best on average
    assert trade["tail"] >= -1e-6 * abs(tail["cvar"])  # the CVaR plan is best in the tail
    assert cvar(np.array(tail["objectives"]), 0.25) == pytest.approx(tail["cvar"])
    table = compare(plans)
    page = collection_html("Risk", table, dicts)
    assert 'id="risk-table"' in page and 'id="risk-trade-1-table"' in page
    text = collection_markdown("Risk", table, dicts)
    assert ("### plan-cvar beside plan-mean" in text
            and "| plan-cvar | the average of the worst worlds (CVaR) | 8 |" in text)
    assert "Risk" in load_workbook(collection_workbook("Risk", table, dicts, tmp_path / "c.xlsx")).sheetnames


def test_frontier_draws_the_band_between_p5_and_p95():
    points = [{"x": x, "objective": 10.0 * x, "p5": 8.0 * x, "p95": 12.0 * x, "marginal": None, "series": ""}
              for x in (1, 2, 3)]
    svg = frontier_svg(points, "budget")
    band = re.search(r'<path class="risk-band" d="M([^"]+) Z"', svg)
    assert band and len(band.group(1).split(" L")) == 6  # three points up the p95 side, three back along p5
    assert "risk-band" not in frontier_svg([{**p, "p5": None, "p95": None} for p in points], "budget")


def test_a_robust_variant_in_the_terminal_and_every_language(tmp_path: Path):
    d = uncertain(None, count=6, rules=TARGETS)
    d["variants"] = [{"name": "robust", "set": {"objective.risk": "cvar"}}]
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(d), encoding="utf-8")
    # --all: the table shows a file's variants in full only when asked (issue 20: a light first look)
    done = subprocess.run([str(CHANNELMIX), "solve", str(path), "--all"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "risk over 6 worlds: Mean" in done.stdout  # the plain plan, judged in the worlds
    assert "risk cvar over 6 worlds: Mean" in done.stdout
    assert "on average" in done.stdout or "gives up nothing" in done.stdout
    heads = {"fr": "risque cvar sur 6 mondes", "es": "riesgo cvar en 6 mundos", "sv": "risk cvar över 6 världar",
             "fa": "ریسک cvar در ۶ جهان"}
    for language, head in heads.items():
        shown = subprocess.run([str(CHANNELMIX), "solve", str(path), "--all", "--language", language],
                               capture_output=True, text=True, timeout=300)
        assert shown.returncode == 0 and head in shown.stdout and "Worst world" not in shown.stdout


def test_a_sweep_of_plans_judged_in_worlds_has_the_band(tmp_path: Path):
    import channelmix as cm

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(uncertain(None, count=6)), encoding="utf-8")
    result = cm.sweep(cm.load(path), {"budget": [300, 600, 900]})
    plans = [plan_document(p) for p in result.plans]
    page = collection_html("sweep", result.frontier, plans, result.paths)
    assert '<path class="risk-band"' in page and "5th to 95th percentile over the worlds" in page
    assert all(p["risk"]["worlds"] == 6 for p in plans)
