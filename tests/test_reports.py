"""Reports rendered from the plan dict: Markdown and Excel against golden files, HTML
self-contained and right-to-left aware, infeasible plans, sweeps and batches.

The golden files in tests/data/golden/reports/ hold the full Markdown text and every
sheet's cell values (numbers rounded to 5 significant digits, timings left out). Do not
update them unless the report's content changed on purpose; then regenerate with
``UPDATE_GOLDEN=1 python -m pytest tests/test_reports.py`` and read the diff.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from markupsafe import escape
from openpyxl import load_workbook

import channelmix as cm
from channelmix.analysis.whatif import plans_table
from channelmix.cli.headroom import headroom_json
from channelmix.core.filenames import file_stem
from channelmix.reports import (
    collection_html,
    collection_markdown,
    collection_workbook,
    plan_html,
    plan_markdown,
    plan_workbook,
    report_facts,
    using,
    write_report,
)
from channelmix.reports.documents import plan_document
from channelmix.reports.i18n import language
from channelmix.reports.rules import plain_rules

sys.path.insert(0, str(Path(__file__).parent))
from helpers import scenario, solve  # noqa: E402

ROOT = Path(__file__).parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
GOLDEN = Path(__file__).parent / "data" / "golden" / "reports"
GOLDEN_NAMES = ["township-bakery", "khadamat-persian"]
NOTE = ("golden file of the channelmix reports: do not update unless the report's content changed on purpose; "
        "regenerate with UPDATE_GOLDEN=1 python -m pytest tests/test_reports.py and read the diff")
TIMINGS = ("build seconds", "solve seconds")


@pytest.fixture(scope="module")
def plans() -> dict[str, dict[str, Any]]:
    """The base plan of every shipped scenario, as the JSON dict of ``solve --format json``
    (with the scenario's language and most reachable, as the CLI adds them)."""
    out = {}
    for path in SCENARIOS:
        scenario = cm.load(path).scenario
        plan = cm.solve_file(path)
        extra = {}
        if path.stem == "township-bakery":  # the golden reports carry the decision header's re-solves, as --out
            extra = headroom_json(scenario, plan, None)
        out[path.stem] = json.loads(json.dumps({**plan_document(plan), **report_facts(scenario), **extra}))
    return out


@pytest.fixture(scope="module")
def infeasible() -> dict[str, Any]:
    plan = plan_document(solve(scenario(scenario="impossible", budget=100, rules={"coverage": {"target": 1.0}})))
    assert plan["status"] == "infeasible"
    return plan


# ---------------------------------------------------------------- golden files


def check_golden(path: Path, text: str) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 to write it"
    assert path.read_text(encoding="utf-8") == text, f"{path.name} differs (UPDATE_GOLDEN=1 regenerates it)"


def rounded(value: Any) -> Any:
    """A cell value without solver noise: floats to 5 significant digits, tiny ones to 0."""
    if isinstance(value, float):
        if math.isnan(value) or abs(value) < 1e-9:
            return 0
        value = float(f"{value:.5g}")
        return int(value) if value.is_integer() else value
    return value


def sheet_rows(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's cell values, row by row (empty rows kept as [], trailing empties dropped)."""
    out = {}
    for ws in load_workbook(path).worksheets:
        rows = []
        for row in ws.iter_rows(values_only=True):
            values = [rounded(v) for v in row]
            while values and values[-1] is None:
                values.pop()
            if values and values[0] in TIMINGS:
                continue
            rows.append(values)
        while rows and not rows[-1]:
            rows.pop()
        out[ws.title] = rows
    return out


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_markdown_matches_golden(plans, name):
    text = plan_markdown(plans[name])
    check_golden(GOLDEN / f"{name}.md", f"<!-- {NOTE} -->\n\n{text}")


@pytest.mark.parametrize("language", ["fr", "es", "sv", "fa"])  # English: township-bakery.md
def test_markdown_in_every_language_matches_golden(plans, language):
    """One scenario's Markdown report in each language: the words, number style and digits."""
    text = plan_markdown(plans["township-bakery"], language=language)
    check_golden(GOLDEN / f"township-bakery.{language}.md", f"<!-- {NOTE} -->\n\n{text}")


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_workbook_matches_golden(plans, name, tmp_path):
    path = plan_workbook(plans[name], tmp_path / f"{name}.xlsx")
    check_golden(GOLDEN / f"{name}.xlsx.json", golden_json(sheet_rows(path)))


def golden_json(sheets: dict[str, list[list[Any]]]) -> str:
    """The sheets as JSON, one row a line, so that a diff shows which rows changed."""
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    parts = [f' "_note": {dump(NOTE)},', ' "sheets": {']
    for i, (name, rows) in enumerate(sheets.items()):
        lines = ",\n".join(f"   {dump(row)}" for row in rows)
        parts.append(f"  {dump(name)}: [\n{lines}\n  ]" + ("," if i < len(sheets) - 1 else ""))
    text = "{\n" + "\n".join(parts) + "\n }\n}\n"
    assert json.loads(text)["sheets"] == json.loads(json.dumps(sheets))
    return text


# ---------------------------------------------------------------- Markdown


def test_markdown_keeps_labels_and_has_every_part(plans):
    persian = plan_markdown(plans["khadamat-persian"])  # the scenario's own language: Persian words and digits
    assert "## کانال‌ها" in persian and "## چه چیزی برنامه را محدود می‌کند" in persian
    assert "۹۰٬۰۰۰٬۰۰۰ toman" in persian and "Channels" not in persian
    md = plan_markdown(plans["khadamat-persian"], language="en")
    for label in ("کانال تلگرام", "وب‌سایت و سئو", "استارتاپ‌ها و شرکت‌های فناوری"):  # the user's own words
        assert label in md
    assert "| Awareness |" in md and "آگاهی" in persian  # a preset's phase in the report's language
    for heading in ("## Channels", "## Coverage", "## What limits the plan"):
        assert heading in md
    assert "| Phase \\ segment |" in md and "90,000,000 toman" in md
    coverage = md.split("## Coverage")[1].split("##")[0]
    rows = [line for line in coverage.splitlines() if line.startswith("| ") and "%" in line]
    assert len(rows) == len(plans["khadamat-persian"]["phases"])
    swedish = plan_markdown(plans["butik-kundresan"])
    assert "Sök- och urvalsfas" in swedish and "SEK" in swedish and "## Kanaler" in swedish


def test_markdown_tables_survive_pipes_in_labels(plans):
    plan = json.loads(json.dumps(plans["township-bakery"]))
    plan["channels"][0]["label"] = "WhatsApp | groups"
    md = plan_markdown(plan)
    assert "WhatsApp \\| groups" in md
    header = next(line for line in md.splitlines() if line.startswith("| Channel | id |"))  # the channels table
    row = next(line for line in md.splitlines() if line.startswith("| WhatsApp \\| groups |"))
    assert row.replace("\\|", "").count("|") == header.count("|")


def test_markdown_warnings_section(plans):
    plan = dict(plans["township-bakery"], warnings=["x: on with no spend and no reach"])
    assert "## Warnings\n\n- ⚠ x: on with no spend and no reach" in plan_markdown(plan)


# ---------------------------------------------------------------- HTML

RESOURCE = re.compile(r"""(?:\b(?:src|href|srcset|poster|data)\s*=|url\(|@import|<script|<link|<iframe|<object)""",
                      re.I)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_html_is_self_contained_and_has_the_headline(plans, path):
    plan = plans[path.stem]
    html = plan_html(plan, language="en")  # English figures; every language is checked in the browser tests
    assert "http://" not in html and "https://" not in html
    assert not RESOURCE.search(html), RESOURCE.search(html)
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    assert str(escape(plan["scenario"])) in html
    currency = plan["currency"]
    decimals = 0  # whole currency units
    assert f"{plan['cost']:,.{decimals}f} {currency}" in html  # money spent
    assert f"{plan['budget']:,.{decimals}f} {currency}" in html  # of the budget
    assert f"{plan['objective']:,.0f}" in html or f"{plan['objective']:,.0f} {currency}" in html
    for use in plan["resources"].values():
        assert f"{round(use['capacity'], 1):,.0f}" in html
    assert "✓ verified" in html and 'id="allocation-chart"' in html and 'id="coverage-heatmap"' in html
    for c in plan["channels"]:
        assert str(escape(c["label"])) in html
    on = [c for c in plan["channels"] if c["on"]]
    allocation = html.split('id="allocation-chart"')[1].split("</figure>")[0]
    assert allocation.count('class="bar-row"') == len(on)
    heatmap = html.split('id="coverage-heatmap"')[1].split("</table>")[0]
    assert heatmap.count('class="heat-cell') == len(plan["coverage"])
    with using("en"):
        sentences = plain_rules(plan)
    assert sentences or not plan["binding"]
    for sentence in sentences:
        assert str(escape(sentence)) in html


def test_html_right_to_left_for_persian(plans):
    html = plan_html(plans["khadamat-persian"])
    assert '<html lang="fa" dir="rtl">' in html
    for label in ("کانال تلگرام", "وب‌سایت و سئو", "آگاهی"):
        assert re.search(r'dir="auto"[^>]*>' + re.escape(label) + "<", html), label
    assert '<html lang="en" dir="ltr">' in plan_html(plans["township-bakery"])
    assert '<html lang="sv" dir="ltr">' in plan_html(plans["butik-kundresan"])
    assert '<html lang="fr" dir="ltr">' in plan_html(plans["boutique-en-ligne"])
    assert '<html lang="es" dir="ltr">' in plan_html(plans["pyme-mexico"])
    assert '<html lang="en" dir="ltr">' in plan_html(plans["khadamat-persian"], language="en")
    bare = {k: v for k, v in plans["khadamat-persian"].items() if k != "language"}
    assert '<html lang="fa" dir="rtl">' in plan_html(bare)  # no language given: Persian labels make it Persian


def test_every_user_label_sits_in_an_element_with_dir_auto(plans):
    plan = plans["khadamat-persian"]
    html = plan_html(plan)
    labels = [c["label"] for c in plan["channels"]] + [p["label"] for p in plan["phases"]] + \
             [g["label"] for g in plan["segments"]]
    for label in labels:
        for match in re.finditer(">" + re.escape(label) + "<", html):
            opening = html[:match.start() + 1].rsplit("<", 1)[1]
            assert 'dir="auto"' in opening, (label, opening)


def test_html_escapes_labels(plans):
    plan = json.loads(json.dumps(plans["township-bakery"]))
    plan["channels"][0]["label"] = "<script>alert(1)</script>"
    html = plan_html(plan)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_language_by_majority_of_labels():
    assert language(["اینستاگرام", "لینکدین", "Email"]) == ("fa", "rtl")
    assert language(["Instagram", "LinkedIn", "اینستاگرام"]) == ("en", "ltr")
    assert language(["שלום", "עולם"]) == ("he", "rtl")


def test_limits_in_plain_sentences_with_labels_grouped_and_only_what_binds():
    plan = {
        "channels": [{"id": "a", "label": "Stall", "on": True}, {"id": "b", "label": "Bike", "on": True},
                     {"id": "c", "label": "App", "on": False}, {"id": "d", "label": "Shop", "on": False}],
        "phases": [{"id": "aware", "label": "Aware"}, {"id": "buy", "label": "Buy"}],
        "segments": [{"id": "x", "label": "Commuters"}],
        "binding_rules": [{"row": "requires_0", "kind": "requires", "channel": "a", "other": "b"},
                          {"row": "requires_1", "kind": "requires", "channel": "c", "other": "d"},
                          {"row": "breadth_0", "kind": "breadth", "limit": 1, "cell": ["aware", "x"],
                           "threshold": 0.05},
                          {"row": "breadth_1", "kind": "breadth", "limit": 1, "cell": ["buy", "x"], "threshold": 0.05},
                          {"row": "onoff_max_0", "kind": "cap", "limit": 400, "channel": "a"},
                          {"row": "budget", "kind": "budget", "limit": 90000000},
                          {"row": "target_1", "kind": "target", "limit": 0.5, "cell": ["buy", "x"], "soft": True},
                          {"row": "reach_level", "kind": "reach_level", "limit": 3}]}
    with using("en"):
        lines = plain_rules(plan)
    assert lines == [
        "Stall needs Bike, so Bike is on too.",
        "Stall spends its full cap of 400.",
        "The whole budget of 90,000,000 is spent.",
        "weighted reach ≥ 3",
        "2 cells rely on a single channel, the fewest allowed: Aware × Commuters, Buy × Commuters.",
        "Buy × Commuters is held at its coverage target of 50%. (A soft rule: it may be missed at its penalty.)",
    ]
    with using("fa"):
        assert plain_rules(plan)[0] == "Stall به Bike نیاز دارد، پس Bike هم فعال است."


def test_binding_rules_in_plain_words():
    """A rule a report does not word in its language is said as the model states it, numbers readable
    (the rules are records: nothing is parsed back from English)."""
    plan = {"channels": [{"id": "telegram", "label": "Telegram", "on": True}],
            "binding_rules": [{"row": "onoff_min_0", "kind": "min_spend", "limit": 2e7, "channel": "telegram"},
                              {"row": "cardinality_min", "kind": "cardinality", "limit": 4, "side": "min"},
                              {"row": "excludes_0", "kind": "excludes", "channel": "radio2024", "other": "telegram"}]}
    with using("en"):
        assert plain_rules(plan) == ["telegram: spend ≥ min_spend 20,000,000 when on", "≥ 4 channels on",
                                     "not both radio2024 and telegram"]
    assert plain_rules({"binding": ["a result saved before the rules were records"]}) == \
        ["a result saved before the rules were records"]


def test_infeasible_plan_renders_everywhere(infeasible, tmp_path):
    html = plan_html(infeasible)
    assert "No plan." in html and "Dropping any one of these would make it feasible" in html
    assert 'id="allocation-chart"' not in html and "http" not in html
    md = plan_markdown(infeasible)
    assert md.startswith("# impossible\n") and "**infeasible**" in md and "the budget (100)" in md
    sheets = sheet_rows(plan_workbook(infeasible, tmp_path / "impossible.xlsx"))
    assert ["Status", "infeasible"] in sheets["Summary"]
    assert sheets["Plan"] == [["id", "Channel", "On", "Spend", "Fixed cost", "Cost", "Share of cost", "Reach"]]


def test_a_feasible_but_stopped_plan_says_so(plans):
    plan = dict(plans["township-bakery"], status="feasible", gap=0.0123,
                message="stopped at the time limit with a gap of 1.230%")
    html = plan_html(plan)
    assert "feasible (stopped early)" in html and "within 1.23% of the best possible" in html
    assert "stopped at the time limit" in plan_markdown(plan)


# ---------------------------------------------------------------- Excel


def test_workbook_sheets_styles_and_formats(plans, tmp_path):
    path = plan_workbook(plans["khadamat-persian"], tmp_path / "k.xlsx")
    wb = load_workbook(path)
    # the scenario states today's plan (current:), so its own sheet sits beside the explanation's
    assert wb.sheetnames == ["خلاصه", "برنامه", "پوشش", "فعلی در برابر بهینه", "قاعده‌ها", "توضیح"]
    english = load_workbook(plan_workbook(plans["khadamat-persian"], tmp_path / "e.xlsx", language="en"))
    assert english.sheetnames == ["Summary", "Plan", "Coverage", "Current vs optimised", "Rules", "Explain"]
    assert not english["Plan"].sheet_view.rightToLeft
    plan = wb["برنامه"]
    total = plan.cell(row=plan.max_row, column=4).value
    assert total == f"=SUM(D2:D{plan.max_row - 1})"  # totals are formulas, not typed figures
    assert plan._charts, "a native allocation chart"
    assert plan["A1"].value == "id" and plan["A1"].font.bold and plan["A1"].fill.fgColor.rgb.endswith("0F766E")
    assert plan["D2"].number_format == "#,##0" and plan["H2"].number_format == "0.0%"
    assert plan.freeze_panes == "A2" and plan.sheet_view.rightToLeft
    assert plan.column_dimensions["B"].width >= 10
    assert plan["B2"].value == "کانال تلگرام"
    coverage = wb["پوشش"]
    assert coverage["B1"].value == "استارتاپ‌ها و شرکت‌های فناوری" and coverage["A2"].value == "آگاهی"
    assert coverage["B2"].number_format == "0.0%" and coverage.conditional_formatting
    assert not load_workbook(plan_workbook(plans["township-bakery"], tmp_path / "t.xlsx"))[
        "Plan"].sheet_view.rightToLeft


# ---------------------------------------------------------------- many plans


@pytest.fixture(scope="module")
def sweep_result():
    loaded = cm.load(ROOT / "scenarios" / "township-bakery.yaml")
    result = cm.sweep(loaded, {"budget": [1500, 3000, 4500, 6000, 9000]})
    return result.frontier, [plan_document(p) for p in result.plans], result.paths


def test_sweep_reports(sweep_result, tmp_path):
    frontier, plans_, paths = sweep_result
    html = collection_html("township-bakery budget sweep", frontier, plans_, paths)
    assert 'id="frontier-chart"' in html and "<svg" in html and "objective-line" in html
    assert "marginal-line" in html and "http" not in html and not RESOURCE.search(html)
    assert html.count('class="card plan-card"') == len(plans_)
    assert "budget (ZAR)" in html and "Stamp loyalty card (10th loaf free)" in html
    md = collection_markdown("township-bakery budget sweep", frontier, plans_, paths)
    # 23,914 before the polish on the real curves
    assert "| budget | status | objective |" in md and "| 4,500 · today | optimal | 23,916 |" in md
    assert "## Cost per channel" in md and "| Channel (ZAR) | 1,500 | 3,000 |" in md
    wb = load_workbook(collection_workbook("sweep", frontier, plans_, tmp_path / "s.xlsx", paths))
    assert wb.sheetnames == ["Frontier", "Spends", "Cost per channel", "Plans"]
    assert wb["Frontier"]["A1"].value == "budget" and wb["Frontier"]["A2"].value == 1500
    assert wb["Plans"].max_row == len(plans_) + 1


def test_sweep_reports_mark_today_and_title_their_axes(sweep_result, tmp_path):
    """Today's budget (4,500) and what today's plan spends (4,450, the file's current:) are
    marked on the chart, said in a sentence, and the step at today's value is marked."""
    frontier, plans_, paths = sweep_result
    from html import unescape

    html = unescape(collection_html("township-bakery budget sweep", frontier, plans_, paths))
    assert html.count('class="today-line"') == 2 * 2  # two marks, in the laptop's drawing and the phone's
    assert ">today: 4,500</text>" in html and ">today's plan: 4,450</text>" in html
    assert "Today's budget: 4,500 ZAR. Today's plan spends 4,450 ZAR." in html
    assert "budget (ZAR)</text>" in html and ">Weighted reach per extra ZAR of budget</text>" in html
    md = collection_markdown("township-bakery budget sweep", frontier, plans_, paths)
    assert "Today's budget: 4,500 ZAR. Today's plan spends 4,450 ZAR." in md
    assert sum("· today" in line for line in md.splitlines()) == 1
    wb = load_workbook(collection_workbook("sweep", frontier, plans_, tmp_path / "s.xlsx", paths))
    ws = wb["Frontier"]
    assert ws.cell(row=len(plans_) + 3, column=1).value == "Today's budget: 4,500 ZAR. Today's plan spends 4,450 ZAR."
    chart = ws._charts[0]
    assert "today: 4,500" in "".join(r.t for p in chart.title.tx.rich.p for r in (p.r or []))
    swedish = collection_markdown("township-bakery budget sweep", frontier, [{**p, "language": "sv"} for p in plans_],
                                  paths)
    assert "budget i dag: 4 500 ZAR." in re.sub(r"\s", " ", swedish) and "· i dag |" in swedish
    bare = frontier.copy()
    bare.attrs = {}  # a table read back from summary.csv knows no today: nothing is marked
    assert "today-line" not in collection_html("t", bare, plans_, paths)


def test_grid_report_draws_a_line_per_other_value(tmp_path):
    loaded = cm.load(ROOT / "scenarios" / "township-bakery.yaml")
    result = cm.sweep(loaded, {"budget": [3000, 4500], "resources.hours": [15, 22]})
    plans_ = [plan_document(p) for p in result.plans]
    html = collection_html("grid", result.frontier, plans_, result.paths)
    assert html.count("objective-line") == 2 * 2 and "resources.hours 15" in html and "marginal-line" not in html
    md = collection_markdown("grid", result.frontier, plans_, result.paths)
    assert "| budget | resources.hours | status |" in md and "| Channel (ZAR) | 3,000 · 15 | 3,000 · 22 |" in md


def test_compare_and_batch_reports(plans, infeasible, tmp_path):
    chosen = [plans["township-bakery"], plans["khadamat-persian"], infeasible]
    rows = chosen + [{"scenario": "broken", "status": "error", "verified": False, "message": "ValueError: boom"}]
    table = pd.DataFrame([{"scenario": r["scenario"], "status": r["status"], "objective": r.get("objective"),
                           "cost": r.get("cost"), "verified": r.get("verified"), "message": r.get("message"),
                           **{f"spend_{c['id']}": c["spend"] for c in r.get("channels") or []}} for r in rows])
    html = collection_html("mixed batch", table, rows)
    assert "ValueError: boom" in html and "http" not in html
    assert html.count('class="data spend-table"') == 2  # one per business: currencies never mixed
    assert "90,000,000" in html and "toman" in html
    md = collection_markdown("mixed batch", table, rows)
    assert "### township-bakery (ZAR)" in md and "### khadamat-persian (toman)" in md and "| broken |" in md
    wb = load_workbook(collection_workbook("mixed batch", table, rows, tmp_path / "b.xlsx"))
    assert wb.sheetnames == ["Summary", "Spends", "Cost per channel", "Plans"]
    compare = cm.compare([cm.solve_file(ROOT / "scenarios" / "township-bakery.yaml")])
    assert "Each plan" in collection_html("one", compare, [plans["township-bakery"]])


def test_write_report_names_files_and_leaves_no_temporaries(plans, sweep_result, tmp_path):
    plan = dict(plans["township-bakery"], scenario="township-bakery/budget-cut")
    written = [write_report(kind, tmp_path, plan) for kind in ("html", "md", "xlsx")]
    stem = file_stem("township-bakery/budget-cut")  # the one naming rule: "township-bakery-budget-cut-<hash>"
    assert stem.startswith("township-bakery-budget-cut-")
    assert [p.name for p in written] == [f"{stem}.html", f"{stem}.md", f"{stem}.xlsx"]
    frontier, plans_, paths = sweep_result
    sweep_file = write_report("html", tmp_path, title="bakery sweep", table=frontier, plans=plans_, varied=paths)
    assert sweep_file.name == f"{file_stem('bakery sweep')}.html"
    persian = write_report("md", tmp_path, plans["khadamat-persian"] | {"scenario": "خدمات"})
    assert persian.name == "خدمات.md" and "کانال تلگرام" in persian.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    with pytest.raises(ValueError):
        write_report("pdf", tmp_path, plan)
    with pytest.raises(ValueError):
        write_report("html", tmp_path)


def test_reports_of_a_plans_table(plans):
    """The compare table of whatif works as it is."""
    plan_objs = [cm.solve_file(ROOT / "scenarios" / "pyme-mexico.yaml")]
    table = plans_table(plan_objs)
    html = collection_html("pyme", table, [plan_document(p) for p in plan_objs])
    assert "Mercado Libre (con Mercado Envíos)" in html and "MXN" in html


def test_a_diff_of_two_files_lists_channels_of_either(plans):
    """Two businesses: every channel is in one plan only, so each reads "off" in the other."""
    chosen = [plans["township-bakery"], plans["pyme-mexico"]]
    table = pd.DataFrame(
        [{"scenario": p["scenario"], "status": p["status"], "objective": p["objective"], "cost": p["cost"]}
         for p in chosen])
    md = collection_markdown("pair", table, chosen, diff=("township-bakery", "pyme-mexico"))
    section = md.split("## From township-bakery to pyme-mexico")[1].split("\n## ")[0]
    on_either = sum(c["on"] for p in chosen for c in p["channels"])
    assert sum(" | off | " in line for line in section.splitlines()) == on_either
    assert "Entering:" in section and "Leaving:" in section
    assert "## From" not in collection_markdown("pair", table, chosen, diff=("township-bakery", "no-such-plan"))


def test_rules_binding_in_several_periods_are_said_once_with_their_periods():
    # the binding sentences of a plan over periods carry their period; the report groups
    # them: one sentence per rule, led by the periods it binds in (runs as "first – last")
    plan = {"currency": "ZAR", "channels": [{"id": "stall", "label": "Stall", "on": True}],
            "phases": [{"id": "aware", "label": "Aware"}], "segments": [{"id": "all", "label": "Everyone"}],
            "schedule": {"periods": [{"id": str(n), "label": f"Månad {n}"} for n in (1, 2, 3, 4)]},
            "binding_rules": [*({"row": f"budget_t{n - 1}", "kind": "budget", "limit": 4000,
                                 "scope": {"period": str(n), "period_label": f"Månad {n}"}} for n in (1, 2, 3, 4)),
                              *({"row": f"target_0_t{n - 1}", "kind": "target", "limit": 0.5, "cell": ["aware", "all"],
                                 "scope": {"period": str(n), "period_label": f"Månad {n}"}} for n in (1, 3, 4)),
                              {"row": "cardinality_max", "kind": "cardinality_plan", "limit": 2, "side": "max"}]}
    with using("en"):
        assert plain_rules(plan) == [
            "Every period: The whole budget of 4,000 ZAR is spent.",
            "Månad 1, Månad 3 – Månad 4: Aware × Everyone is held at its coverage target of 50%.",
            "The plan uses the most channels allowed over the whole horizon (2)."]
    with using("sv"):
        assert plain_rules(plan)[0].startswith("Varje period: ")


def test_rules_binding_world_by_world_are_said_once_with_their_count():
    plan = {"phases": [{"id": "aware", "label": "Aware"}], "segments": [{"id": "all", "label": "Everyone"}],
            "risk": {"objectives": [1.0, 2.0, 3.0]},
            "binding_rules": [{"row": "budget", "kind": "budget", "limit": 100},
                              {"row": "target_0w0", "kind": "target", "limit": 0.5, "cell": ["aware", "all"],
                               "scope": {"world": 0}},
                              {"row": "target_0w2", "kind": "target", "limit": 0.5, "cell": ["aware", "all"],
                               "scope": {"world": 2}}]}
    with using("en"):
        assert plain_rules(plan) == ["The whole budget of 100 is spent.",
                                     "In 2 of 3 worlds: Aware × Everyone is held at its coverage target of 50%."]


def test_counted_periods_of_binding_rules_are_said_in_the_report_language():
    # the model's sentences carry the scenario's labels ("Månad 2"); an English report says "Month 2"
    plan = {"currency": "SEK", "schedule": {"unit": "month", "periods": [
                {"id": "1", "label": "Månad 1", "number": 1}, {"id": "2", "label": "Månad 2", "number": 2}]},
            "binding_rules": [{"row": "budget_t1", "kind": "budget", "limit": 1000,
                               "scope": {"period": "2", "period_label": "Månad 2"}}]}
    with using("en"):
        assert plain_rules(plan) == ["Month 2: The whole budget of 1,000 SEK is spent."]
    with using("sv"):
        assert plain_rules(plan) == ["Månad 2: Hela budgeten på 1\u00a0000 SEK används."]


def test_the_sweeps_lead_card_is_the_knee_and_todays_plan_is_a_point_on_the_frontier(sweep_result):
    frontier, plans_, paths = sweep_result
    from html import unescape

    html = unescape(collection_html("township-bakery budget sweep", frontier, plans_, paths))
    knee = frontier[frontier["knee"].fillna(False).astype(bool)].iloc[0]
    tiles = html.split('id="headline"')[1].split("</section>")[0]
    assert tiles.index('id="knee-card"') < tiles.index("Plans")  # the knee leads, before the counts
    assert f"knee: budget {knee['budget']:,.0f}" in tiles
    best = frontier["objective"].max()
    assert f"{knee['objective'] / best:.1%} of the best step's objective" in tiles
    today = cm.load(ROOT / "scenarios" / "township-bakery.yaml")
    from channelmix.verify.baseline import score

    now = score(today.scenario)
    assert html.count('class="today-point"') == 2  # once in the wide drawing, once in the phone's
    assert f"today's plan: {now.money:,.0f} ZAR, objective {now.objective:,.0f}" in html
