"""``channelmix explain`` and ``channelmix evaluate`` through the installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from helpers import channel, scenario  # noqa: E402


def _script() -> str:
    here = Path(sys.executable).with_name("channelmix")
    return str(here) if here.exists() else shutil.which("channelmix")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([_script(), *args], capture_output=True, text=True, encoding="utf-8", timeout=300)


def json_lines(stdout: str) -> list[dict]:
    """Every stdout line must be JSON: nothing else (no solver banner) may reach stdout."""
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def _write(tmp_path: Path, d: dict, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    return path


def _two_channels(**extra) -> dict:
    d = scenario(budget=600, channels=[channel("a"), channel("b", {"type": "linear", "slope": 0.004}, {"aware": 1.0},
                                                                max_spend=250)], **extra)
    d["current"] = {"a": 300, "b": 300}
    return d


def test_explain_json_lines_have_every_section(tmp_path: Path):
    feasible = _write(tmp_path, {**_two_channels(), "scenario": "två-kanaler"}, "a.yaml")
    impossible = _write(tmp_path, scenario(scenario="impossible", budget=500, channels=[channel("a", fixed_cost=120)],
                                           rules={"coverage": {"target": 0.6}}), "b.yaml")
    done = run("explain", str(feasible), str(impossible), "--format", "json", "--alternatives", "2", "--within", "any")
    assert done.returncode == 1, done.stderr  # one scenario is infeasible
    first, second = json_lines(done.stdout)
    assert first["scenario"] == "två-kanaler" and first["status"] == "optimal"
    assert first["baseline"]["feasible"] is False and any("max_spend of b" in v
                                                          for v in first["baseline"]["violations"])
    assert {"objective", "cost", "feasible", "violations"} <= set(first["baseline"])
    for c in first["channels"]:
        assert {"id", "on", "spend", "marginal", "value_if_forced_off", "value_if_forced_on", "current_spend"} <= set(c)
    assert [c["current_spend"] for c in first["channels"]] == [300, 300]
    assert {x["kind"] for x in first["limits"]} >= {"budget"}
    for x in first["limits"]:
        assert {"rule", "kind", "limit", "worth_per_unit", "step"} <= set(x)
    assert [a["rank"] for a in first["alternatives"]] == [1, 2]
    for a in first["alternatives"]:
        assert {"rank", "objective", "cost", "on", "differs"} <= set(a)
    assert first["conflict"] is None
    assert second["status"] == "infeasible" and second["conflict"]["minimal"] is True
    assert {"rule", "change", "to"} <= set(second["conflict"]["repairs"][0])
    assert any(r["change"] == "budget must be at least 720" for r in second["conflict"]["repairs"])


def test_explain_table_and_curves(tmp_path: Path):
    path = _write(tmp_path, _two_channels())
    done = run("explain", str(path), "--curves", str(tmp_path / "curves"), "--chart", "svg")
    assert done.returncode == 0, done.stderr
    assert "Current plan vs optimised" in done.stdout and "What loosening each limit is worth" in done.stdout
    assert sorted(p.name for p in (tmp_path / "curves").iterdir()) == ["test.a.svg", "test.b.svg"]


def test_evaluate_exit_codes_and_json(tmp_path: Path):
    path = _write(tmp_path, _two_channels())
    ok = run("evaluate", str(path), "--spend", "a=300", "--spend", "b=200", "--format", "json")
    assert ok.returncode == 0, ok.stderr
    (result,) = json_lines(ok.stdout)
    # a: 0.3 in every cell; b: 0.8 in the aware cells; aware 100 × (1 + 1) = 200... capped at 1:
    # aware cells min(1, 0.3 + 0.8) = 1 → 200; buy cells 0.3 → 60; objective 260
    assert result["feasible"] is True and result["objective"] == 260 and result["cost"] == 500
    broken = run("evaluate", str(path), "--format", "json")  # the file's current plan: b above its max_spend
    assert broken.returncode == 1
    (result,) = json_lines(broken.stdout)
    assert result["feasible"] is False and [v["rule"] for v in result["violations"]] == ["max_spend of b"]
    bad = run("evaluate", str(path), "--spend", "c=5", "--spend", "a=-1")
    assert bad.returncode == 2 and "unknown channel 'c'" in bad.stderr and "--spend a=-1" in bad.stderr
    assert "Traceback" not in bad.stderr and not json_lines(bad.stdout)


def test_evaluate_json_reports_what_solve_reports(tmp_path: Path):
    """Issue 18, item 6: per-channel outcome, baseline_outcome and risk in evaluate's JSON, in the
    shape solve's JSON has them: evaluate the solved plan's spends and get solve's figures back."""
    d = scenario(budget=900, objective={"sense": "max_outcome"}, channels=[
        channel("tv", {"type": "hill", "half": 400, "shape": 2.0, "offset": 50},
                outcome={"value": 5000, "baseline": 120}),
        channel("radio", {"type": "saturating", "scale": 300}, outcome={"value": 2000}),
        channel("print", {"type": "linear", "slope": 0.002}, outcome={"value": 800, "baseline": 30})])
    d["worlds"] = {"uncertainty": {"affinity": 0.2, "response": 0.3, "count": 9, "seed": 4}}
    path = _write(tmp_path, d)
    solved = run("solve", str(path), "--format", "json")
    assert solved.returncode == 0, solved.stderr
    (plan,) = json_lines(solved.stdout)
    spends = [f"{c['id']}={c['spend']!r}" for c in plan["channels"] if c["on"]]
    assert len(spends) >= 2  # the comparison below covers channels that are on
    done = run("evaluate", str(path), "--format", "json", *[a for s in spends for a in ("--spend", s)])
    assert done.returncode == 0, done.stderr
    (scored,) = json_lines(done.stdout)
    assert [sorted(c) for c in scored["channels"]] == [sorted(c) for c in plan["channels"]]
    for mine, theirs in zip(scored["channels"], plan["channels"]):
        assert mine["outcome"] == pytest.approx(theirs["outcome"], rel=1e-12) and mine["on"] == theirs["on"]
    assert [sorted(c) for c in scored["coverage"]] == [sorted(c) for c in plan["coverage"]]
    assert scored["outcome"] == pytest.approx(plan["outcome"], rel=1e-12) and plan["outcome"] > 0
    assert scored["baseline_outcome"] == pytest.approx(plan["baseline_outcome"]) == 150
    assert sorted(scored["risk"]) == sorted(plan["risk"]) and scored["risk"]["worlds"] == 9
    for key in ("mean", "p5", "p95", "worst", "cvar"):
        assert scored["risk"][key] == pytest.approx(plan["risk"][key], rel=1e-12)
    no_worlds = _write(tmp_path, {k: v for k, v in d.items() if k != "worlds"}, "plain.yaml")
    (plain,) = json_lines(run("evaluate", str(no_worlds), "--format", "json", "--spend", spends[0]).stdout)
    assert plain["risk"] is None and plain["baseline_outcome"] == 150
    table = run("evaluate", str(path), *[a for s in spends for a in ("--spend", s)])
    assert "risk over 9 worlds" in table.stdout and "outcome bought" in table.stdout


def test_explain_reports_have_every_section(tmp_path: Path):
    path = _write(tmp_path, {**_two_channels(), "scenario": "två-kanaler"})
    out = tmp_path / "out"
    done = run("explain", str(path), "--within", "any", "--report", "html", "--report", "md", "--report", "xlsx",
               "--out", str(out))
    assert done.returncode == 0, done.stderr
    html = (out / "två-kanaler.html").read_text(encoding="utf-8")
    for anchor in ("baseline-table", "marginals-table", "decisions", "limits-table", "alternatives-table", "curve-svg"):
        assert anchor in html, anchor
    md = (out / "två-kanaler.md").read_text(encoding="utf-8")
    for title in ("## Current plan vs optimised", "## Why each channel is on or off",
                  "## What loosening each limit is worth", "## Next-best distinct mixes"):
        assert title in md
    from openpyxl import load_workbook

    sheet = load_workbook(out / "två-kanaler.xlsx")["Explain"]
    firsts = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert {"Current plan vs optimised", "Channels", "Limits", "Alternatives"} <= set(firsts)


def test_solve_explain_adds_the_explanation_to_the_plan_json(tmp_path: Path):
    path = _write(tmp_path, _two_channels())
    done = run("solve", str(path), "--explain", "--format", "json")
    assert done.returncode == 0, done.stderr
    (plan,) = json_lines(done.stdout)
    assert plan["status"] == "optimal" and plan["baseline"]["feasible"] is False
    assert [c["id"] for c in plan["explain"]["channels"]] == ["a", "b"]
    assert plan["explain"]["objective"] == plan["objective"]


def test_solve_table_shows_the_current_plan_beside_the_optimum(tmp_path: Path):
    done = run("solve", str(_write(tmp_path, _two_channels())))
    assert done.returncode == 0, done.stderr
    assert "Current plan vs optimised" in done.stdout  # today's broken rule in words, as evaluate says it (#19)
    assert "The current plan breaks: spend on b is 300, above its largest spend 250" in done.stdout


def test_explain_bad_input_exits_2_with_nothing_on_stdout(tmp_path: Path):
    good = _write(tmp_path, _two_channels())
    bad = _write(tmp_path, {**_two_channels(), "current": {"c": 5}}, "bad.yaml")
    done = run("explain", str(good), str(bad))
    assert done.returncode == 2 and "current.c: unknown channel 'c'" in done.stderr and done.stdout == ""
    done = run("explain", str(good), "--within", "lots")
    assert done.returncode == 2 and "--within" in done.stderr and "Traceback" not in done.stderr
    done = run("explain", str(good), "--report", "md")
    assert done.returncode == 2 and "--out" in done.stderr


ENGLISH = ("What loosening", "Next-best", "forcing it", "is forced", "against the plan", "worse (", "the rule costs",
           "Each gain", "Response curves", "same channels", "range the plan may use", "spend → reach share")


@pytest.mark.parametrize("language, words", [("fr", ("Ce que vaut l'assouplissement", "le forcer", "Pourquoi")),
                                             ("fa", ("ارزش آزادتر کردن هر محدودیت", "اجبار آن به", "منحنی‌های پاسخ"))])
def test_explain_sections_speak_the_report_language(tmp_path: Path, language, words):
    """explain's sentences, headings, words and curve labels come from the locale files:
    a French or Persian page carries none of the English ones, and its numbers are the language's."""
    path = _write(tmp_path, {**_two_channels(), "scenario": "deux", "language": language})
    out = tmp_path / "out"
    done = run("explain", str(path), "--within", "any", "--report", "html", "--report", "md", "--out", str(out))
    assert done.returncode == 0, done.stderr
    md = (out / "deux.md").read_text(encoding="utf-8")
    html = (out / "deux.html").read_text(encoding="utf-8")
    for text in (md, html):
        assert not [w for w in ENGLISH if w in text], [w for w in ENGLISH if w in text]
    assert words[0] in md and words[1] in md
    assert words[2] in html or words[2] in md
    assert words[0] in done.stdout.replace("\n", " ") or language == "fa"  # the terminal speaks it too (rich may wrap)
