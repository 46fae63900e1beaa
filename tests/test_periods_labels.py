"""Labels of counted periods (``periods: {count: 3, unit: month}``) follow the output's
language: "Månad 1" for a Swedish scenario in every output, "Month 1" under
``--language en``, "ماه ۱" right to left in Persian; an unknown unit is kept as written
("Sprint 1"); labels the user listed are never changed; a plan saved without period
numbers still reports with the labels it has."""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from channelmix.core.period_words import SPELLINGS, period_label, unit_key
from channelmix.model.periods import Horizon
from channelmix.reports import plan_markdown
from channelmix.reports.documents import plan_document
from channelmix.reports.i18n import LANGUAGES, catalogue, using
from channelmix.reports.schedule import schedule_view
from channelmix.schema import validate
from test_periods_rules import ch, horizon

SWEDISH = {
    "scenario": "bageriet-tre-månader", "language": "sv", "currency": "SEK", "budget": 3000,
    "periods": {"count": 3, "unit": "month", "budget": 1000},
    "phases": [{"id": "känna", "label": "Känna till"}], "segments": [{"id": "alla", "label": "Alla"}],
    "channels": [
        {"id": "flygblad", "label": "Flygblad", "max_spend": 800, "setup_cost": 100,
         "response": {"type": "saturating", "scale": 400}, "affinity": {"känna": 0.6}},
        {"id": "radio", "label": "Lokalradio", "max_spend": 900, "available_from": 2,
         "response": {"type": "saturating", "scale": 500}, "affinity": {"känna": 0.5}},
    ],
    "solver": {"gap": 0},
}


def channelmix(*args: str) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("channelmix")
    command = [str(script) if script.exists() else shutil.which("channelmix") or "channelmix", *args]
    env = {**os.environ, "COLUMNS": "100", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", env=env, timeout=600)


def write(tmp_path: Path, data: dict, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# ---------------------------------------------------------------- the words


@pytest.mark.parametrize(("word", "unit"),
                         [("month", "month"), ("Months", "month"), ("månad", "month"), ("Månader", "month"),
                          ("mes", "month"), ("mois", "month"), ("ماه", "month"), ("vecka", "week"), ("veckor", "week"),
                          ("semaine", "week"), ("semana", "week"), ("هفته", "week"), ("dag", "day"), ("jour", "day"),
                          ("día", "day"), ("quarter", "quarter"), ("kvartal", "quarter"), ("trimestre", "quarter"),
                          ("year", "year"), ("år", "year"), ("año", "year"), ("année", "year"), ("سال", "year"),
                          ("period", "period"), ("période", "period"), (None, "period"), ("sprint", None),
                          ("  Vecka ", "week")])
def test_the_unit_a_word_stands_for(word, unit):
    assert unit_key(word) == unit


def test_every_known_unit_has_a_word_in_every_language():
    for code in LANGUAGES:
        words = catalogue(code).words
        assert all("{n}" in words[f"period.{unit}"] for unit in SPELLINGS), code


@pytest.mark.parametrize(("unit", "code", "label"),
                         [("month", "en", "Month 3"), ("month", "sv", "Månad 3"), ("mes", "en", "Month 3"),
                          ("veckor", "sv", "Vecka 3"), ("week", "es", "Semana 3"), ("vecka", "fr", "Semaine 3"),
                          ("day", "sv", "Dag 3"), ("quarter", "fr", "Trimestre 3"), ("year", "es", "Año 3"),
                          (None, "sv", "Period 3"), ("month", "fa", "ماه ۳"), ("هفته", "en", "Week 3"),
                          ("sprint", "en", "Sprint 3"), ("sprint", "sv", "Sprint 3"),
                          ("iTeration", "en", "ITeration 3"), ("دور", "fa", "دور ۳")])
def test_a_label_in_each_language(unit, code, label):
    assert period_label(unit, 3, catalogue(code)) == label


def test_persian_numbers_use_persian_digits_as_the_reports_do():
    assert period_label("month", 12, catalogue("fa")) == "ماه ۱۲" == f"ماه {catalogue('fa').number('12')}"


# ---------------------------------------------------------------- the horizon keeps the number


def test_counted_periods_are_labelled_in_the_scenario_language_and_keep_their_number():
    H = Horizon(validate(SWEDISH).scenario)
    assert [p.name for p in H.items] == ["Månad 1", "Månad 2", "Månad 3"]
    assert [(p.id, p.label, p.number) for p in H.infos()] == [("1", "Månad 1", 1), ("2", "Månad 2", 2),
                                                              ("3", "Månad 3", 3)]
    english = Horizon(validate({**SWEDISH, "language": None}).scenario)
    assert [p.name for p in english.items] == ["Month 1", "Month 2", "Month 3"]


def test_listed_labels_are_kept_and_have_no_number():
    scenario = validate(horizon({"items": [{"id": "v1", "label": "Vecka 1 (påsk)"}, "v2"]}, [ch("a")], budget=10,
                                language="fa")).scenario
    infos = Horizon(scenario).infos()
    assert [(p.label, p.number) for p in infos] == [("Vecka 1 (påsk)", None), ("v2", None)]


def test_an_unknown_unit_is_kept_as_written():
    H = Horizon(validate(horizon({"count": 2, "unit": "sprint"}, [ch("a")], budget=10, language="sv")).scenario)
    assert [p.name for p in H.items] == ["Sprint 1", "Sprint 2"]


# ---------------------------------------------------------------- reports re-label


def _plan_dict(language: str | None = "sv") -> dict:
    from channelmix.solve.pipeline import solve_scenario

    plan = solve_scenario(validate({**SWEDISH, "language": language}).scenario)
    return {**plan_document(plan), "language": language}


@pytest.fixture(scope="module")
def swedish_plan() -> dict:
    return _plan_dict()


def test_a_report_labels_in_its_own_language(swedish_plan):
    with using("sv"):
        assert [p["label"] for p in schedule_view(swedish_plan)["periods"]] == ["Månad 1", "Månad 2", "Månad 3"]
    with using("en"):
        view = schedule_view(swedish_plan)
        assert [p["label"] for p in view["periods"]] == ["Month 1", "Month 2", "Month 3"]
        assert [c["label"] for c in view["cash"]] == ["Month 1", "Month 2", "Month 3"]
        assert [c["label"] for c in view["coverage"]] == ["Month 1", "Month 2", "Month 3"]
    with using("fa"):
        assert schedule_view(swedish_plan)["periods"][0]["label"] == "ماه ۱"


def test_a_plan_saved_without_numbers_still_reports_its_labels(swedish_plan):
    old = copy.deepcopy(swedish_plan)
    for p in old["schedule"]["periods"]:
        del p["number"]
    text = plan_markdown(old, language="en")
    assert "Månad 1" in text and "Month 1" not in text  # the saved label, as it was


def test_listed_labels_survive_every_report_language(swedish_plan):
    listed = copy.deepcopy(swedish_plan)
    for p in listed["schedule"]["periods"]:
        p.update(number=None, label=f"Kampanj {p['id']}")
    for code in LANGUAGES:
        with using(code):
            assert [p["label"] for p in schedule_view(listed)["periods"]] == ["Kampanj 1", "Kampanj 2", "Kampanj 3"]


# ---------------------------------------------------------------- end to end (the installed console script)


@pytest.fixture(scope="module")
def swedish_run(tmp_path_factory) -> tuple[str, Path]:
    tmp = tmp_path_factory.mktemp("svenska")
    out = tmp / "out"
    done = channelmix("solve", str(write(tmp, SWEDISH)), "--out", str(out), "--report", "html", "--report", "md",
                      "--report", "xlsx")
    assert done.returncode == 0, done.stderr
    return done.stdout, out


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_swedish_terminal_grid(swedish_run):
    text, _ = swedish_run
    grid = text.split("Utgift per period (SEK)")[1]  # the Swedish word for spend
    assert "Månad 1" in grid and "Månad 3" in grid and "Month" not in text


def test_swedish_files_and_reports(swedish_run):
    _, out = swedish_run
    stem = "bageriet-tre-månader"
    plan = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
    assert [(p["label"], p["number"]) for p in plan["schedule"]["periods"]] == [("Månad 1", 1), ("Månad 2", 2),
                                                                                ("Månad 3", 3)]
    assert {r["period_label"] for r in _read_csv(out / f"{stem}.schedule.csv")} == {"Månad 1", "Månad 2", "Månad 3"}
    assert [r["period_label"] for r in _read_csv(out / f"{stem}.cash.csv")] == ["Månad 1", "Månad 2", "Månad 3"]
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert ">Månad 1</th>" in html and "Month 1" not in html
    markdown = next(out.glob("*.md")).read_text(encoding="utf-8")
    assert "| Månad 1 | Månad 2 | Månad 3 |" in markdown.replace("  ", " ") and "Month" not in markdown
    book = load_workbook(next(out.glob("*.xlsx")))
    schedule = book[catalogue("sv")("sched.sheet")]
    assert [schedule.cell(row=1, column=c).value for c in (3, 4, 5)] == ["Månad 1", "Månad 2", "Månad 3"]


def test_language_en_relabels_the_swedish_plan(tmp_path):
    done = channelmix("solve", str(write(tmp_path, SWEDISH)), "--language", "en", "--out", str(tmp_path / "out"),
                      "--report", "md")
    assert done.returncode == 0, done.stderr
    shown = done.stdout.split("Spend per period (SEK)")[1].split("Binding rules:")[0]  # the grid, cash and reach tables
    # (the model's rule sentences stay Swedish)
    assert "Month 1" in shown and "Month 3" in shown and "Månad" not in shown
    markdown = next((tmp_path / "out").glob("*.md")).read_text(encoding="utf-8")
    section = markdown.split("\n## Plan over time\n")[1].split("\n## ")[0]  # (the binding rules keep Swedish labels)
    assert "| Month 1 |" in section and "Month 3" in section and "Månad" not in section
    report = channelmix("report", str(tmp_path / "out" / "bageriet-tre-månader.json"), "--report", "md",
                        "--out", str(tmp_path / "again"))
    assert report.returncode == 0, report.stderr
    assert "Månad 1" in next((tmp_path / "again").glob("*.md")).read_text(encoding="utf-8")  # the plan's own language


def test_persian_reads_right_to_left_with_the_persian_word(tmp_path):
    persian = {**SWEDISH, "scenario": "نانوایی", "language": "fa"}
    done = channelmix("solve", str(write(tmp_path, persian)), "--out", str(tmp_path / "out"), "--report", "html")
    assert done.returncode == 0, done.stderr
    html = next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
    assert 'dir="rtl"' in html and ">ماه ۱</th>" in html and ">ماه ۳</th>" in html and "Månad" not in html
