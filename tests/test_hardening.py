"""Regression tests for hostile or careless input (issue 7, items 5–7; issue 8, item 1):
numbers YAML 1.1 reads as text, nesting and aliases without bound, magnitudes the solver
cannot represent, non-finite JSON, invisible characters in ids, formulas in spreadsheets,
HTML in Markdown, and file permissions. The bad files in tests/data/bad cover the exact
messages; these tests cover the behaviour around them."""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from channelmix.core.jsonout import dumps
from channelmix.core.textcells import csv_read, csv_text
from channelmix.model.curves import MAX_PIECES, _chord_pieces
from channelmix.reports import plan_markdown, plan_workbook
from channelmix.reports.documents import plan_document
from channelmix.reports.output import write_outputs
from channelmix.schema import ScenarioError, load, validate
from channelmix.schema.expand import parse_assignment
from channelmix.schema.spreadsheets import write_tables
from channelmix.schema.syntax import MAX_DEPTH, parse_text

sys.path.insert(0, str(Path(__file__).parent))
from helpers import channel, scenario, solve  # noqa: E402

ROOT = Path(__file__).parents[1]
CLI = Path(sys.executable).with_name("channelmix")
HYPERLINK = '=HYPERLINK("http://example.com/x","click")'


def problems(err: ScenarioError) -> list[str]:
    return [str(p) for p in err.problems]


# ---------------------------------------------------------------- numbers YAML 1.1 reads as text


@pytest.mark.parametrize("text, value", [("4.5e3", 4500.0), ("45e2", 4500.0), ("1e5", 1e5), ("1.5E+3", 1500.0),
                                         ("-2e-3", -0.002), (".5e1", 5.0), ("1_000", 1000), ("4500", 4500)])
def test_exponent_forms_are_numbers_in_a_file_and_in_set(text: str, value: float):
    assert parse_text(f"budget: {text}\n", "yaml", "x.yaml") == {"budget": value}
    assert parse_assignment(f"budget={text}") == ("budget", value)


@pytest.mark.parametrize("text", ["1e", "e5", "4.5e3x", "'4.5e3'", "1e5e5"])
def test_text_that_only_looks_numeric_stays_text(text: str):
    assert isinstance(parse_text(f"label: {text}\n", "yaml", "x.yaml")["label"], str)


def test_a_budget_written_with_an_exponent_validates():
    data = scenario(budget=1000)
    text = yaml.safe_dump(data).replace("budget: 1000", "budget: 4.5e3")
    raw = parse_text(text, "yaml", "s.yaml")
    assert validate(raw).scenario.budget == 4500.0


# ---------------------------------------------------------------- nesting, aliases, duplicates


@pytest.mark.parametrize("kind, text", [
    ("yaml", "a: " + "[" * 1000 + "]" * 1000),
    ("yaml", "a: " + "[" * 500 + "]" * 500),
    ("yaml", "a:\n" + "".join("  " * i + "- \n" for i in range(1, 300))),
    ("json", '{"a": ' + "[" * 1000 + "]" * 1000 + "}"),
    ("json", '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    ("toml", "a = " + "[" * 1000 + "]" * 1000),
])
def test_deep_nesting_is_a_problem_not_a_recursion_error(kind: str, text: str):
    with pytest.raises(ScenarioError) as caught:
        parse_text(text, kind, f"deep.{kind}")
    (problem,) = caught.value.problems
    assert "nested more than" in problem.message and f"the limit is {MAX_DEPTH}" in problem.message
    assert caught.value.source == f"deep.{kind}"


def test_deep_set_values_are_a_problem():
    with pytest.raises(ScenarioError) as caught:
        parse_assignment("description=" + "[" * 200 + "]" * 200)
    assert caught.value.source == "--set" and "nested more than 64 levels" in problems(caught.value)[0]


def test_nesting_within_the_limit_is_fine():
    data = parse_text("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), "yaml", "ok.yaml")
    assert isinstance(data["a"], list)


def test_deep_data_given_to_validate_is_a_problem():
    value: list = []
    for _ in range(5000):
        value = [value]
    with pytest.raises(ScenarioError) as caught:
        validate({"scenario": "x", "description": value})
    assert "nested more than 64 levels" in problems(caught.value)[0]
    assert problems(caught.value)[0].startswith("description[0][0][0]…")


def test_an_alias_bomb_is_refused_before_it_is_built():
    lines = ["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for name, prev in zip("bcdefgh", "abcdefg"):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]")
    with pytest.raises(ScenarioError) as caught:
        parse_text("\n".join(lines), "yaml", "bomb.yaml")
    assert "expands through aliases" in problems(caught.value)[0]


def test_an_alias_inside_its_own_anchor_is_refused():
    with pytest.raises(ScenarioError) as caught:
        parse_text("a: &a [1, *a]\n", "yaml", "loop.yaml")
    assert problems(caught.value) == [
        "line 1: contains itself (an alias inside its own anchor). Fix: Remove the alias, or point it at another anchor"
    ]


def test_anchors_merge_keys_and_overrides_still_work():
    data = parse_text("d: &d {x: 1, y: 2}\ne:\n  <<: *d\n  x: 5\nf: *d\n", "yaml", "m.yaml")
    assert data == {"d": {"x": 1, "y": 2}, "e": {"x": 5, "y": 2}, "f": {"x": 1, "y": 2}}
    assert data["f"] is data["d"]


def test_a_key_given_twice_is_still_refused_with_its_line():
    with pytest.raises(ScenarioError) as caught:
        parse_text("a: 1\nb:\n  c: 1\n  c: 2\n", "yaml", "dup.yaml")
    assert problems(caught.value) == ["line 4: key 'c' appears twice. Fix: Keep one of them"]


def test_unsafe_tags_are_refused():
    with pytest.raises(ScenarioError):
        parse_text("a: !!python/object/apply:os.system ['true']\n", "yaml", "evil.yaml")


def test_yaml_types_beyond_plain_ones_still_load():
    data = parse_text("a: !!set {x, y}\nb: 2026-01-31\nc: [yes, ~, 0x10, 'q']\n", "yaml", "t.yaml")
    assert data["a"] == {"x": None, "y": None} or data["a"] == {"x", "y"}
    assert str(data["b"]) == "2026-01-31" and data["c"] == [True, None, 16, "q"]


# ---------------------------------------------------------------- magnitudes the solver can represent


def test_amounts_at_the_supported_limit_solve_and_write_finite_json():
    data = scenario(budget=1e12, segments=[{"id": "young", "size": 1e12}, {"id": "old", "size": 1e9}],
                    channels=[channel("a", max_spend=1e12, fixed_cost=1e11),
                              channel("b", response={"type": "saturating", "scale": 1e11})])
    plan = solve(data)
    assert plan.status == "optimal" and plan.verified
    line = json.dumps(plan_document(plan), allow_nan=False)  # raises on a non-finite number
    assert json.loads(line)["objective"] == pytest.approx(plan.objective)


@pytest.mark.parametrize("where, value",
                         [("budget", 1e13), ("resources", {"hours": 1e308}), ("phases", [{"id": "a", "weight": 1e7}]),
                          ("objective", {"sense": "target", "level": 1e16}),
                          ("rules", {"cardinality": {"min": 10**30}})])
def test_each_magnitude_beyond_the_range_is_a_problem(where: str, value: object):
    with pytest.raises(ScenarioError) as caught:
        validate(scenario(**{where: value}))
    assert any("must be ≤" in p for p in problems(caught.value))


def test_max_value_cell_weights_are_bounded_too():
    data = scenario(objective={"sense": "max_value"},
                    segments=[{"id": "young", "size": 1e12, "value": 100}, {"id": "old", "value": 1}])
    with pytest.raises(ScenarioError) as caught:
        validate(data)
    assert problems(caught.value)[0].startswith("segments[0]: its cells weigh 5e+13 in the objective (size × value)")


def test_the_piece_cap_bounds_work_and_reports_the_error():
    xs, _, error = _chord_pieces(lambda s: 1.0 - np.exp(-s), 0.0, 1e6, 1e-15)  # a tolerance no schema allows
    assert len(xs) <= 2 * MAX_PIECES + 1
    assert error > 1e-15  # the error the pieces really have is reported, not the one asked for


def test_json_output_never_holds_nan_or_infinity():
    text = dumps({"objective": math.inf, "bound": -math.inf, "rows": [1.0, math.nan], "warnings": ["w"]})
    data = json.loads(text)
    assert data["objective"] is None and data["bound"] is None and data["rows"] == [1.0, None]
    assert data["warnings"][-1] == "not a finite number, written as null: objective, bound, rows[1]"
    assert "NaN" not in dumps([math.nan]) and "Infinity" not in dumps({"a": math.inf})
    assert dumps({"name": "خدمات"}) == '{"name": "خدمات"}'


# ---------------------------------------------------------------- ids and text


@pytest.mark.parametrize("bad", ["a\u202eb", "a\u202ab", "a\u2066b", "a\u2069b", "a\u200bb", "a\u200db", "a\ufeffb",
                                 "a\u200cb", "a\x00b", "a\x1bb", "a\x7fb", "a\u0085b"])
def test_ids_reject_invisible_and_control_characters(bad: str):
    for data in (scenario(channels=[channel(bad)]), scenario(phases=[bad, "buy"]), scenario(segments=[bad]),
                 scenario(resources={bad: 5}), scenario(scenario=bad), scenario(channels=[channel("a", tags=[bad])])):
        with pytest.raises(ScenarioError) as caught:
            validate(data)
        assert any(f"(U+{ord(bad[1]):04X}" in p and "invisible or control character" in p
                   for p in problems(caught.value))


def test_messages_show_bad_characters_escaped():
    with pytest.raises(ScenarioError) as caught:
        validate(scenario(channels=[channel("a\u202eb")], rules={"force_on": ["x"]}))
    text = caught.value.render()
    assert "\u202e" not in text and "a\\u202eb" in text


@pytest.mark.parametrize("name",
                         ["تبلیغات_اینستاگرام", "sökmotorer", "señal_de_radio", "éditions_locales", "Ölbaum-Café",
                          "ـکشیده"])
def test_letters_of_every_script_stay_valid_ids(name: str):
    loaded = validate(scenario(channels=[channel(name, label=f"{name} (label)")], scenario=name))
    assert loaded.scenario.channels[0].id == name


def test_labels_keep_the_zero_width_non_joiner_but_not_control_characters():
    persian = "می\u200cخواهم"
    assert validate(scenario(channels=[channel("a", label=persian)])).scenario.channels[0].label == persian
    for bad in ("x\x1b[2Jy", "x\u202ey", "x\x00"):
        with pytest.raises(ScenarioError):
            validate(scenario(channels=[channel("a", label=bad)]))


# ---------------------------------------------------------------- safe to open


@given(st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", "'", "''", "'=", "'a"]), st.text(max_size=8))
def test_csv_escaping_round_trips_any_text(start: str, rest: str):
    text = start + rest
    assert csv_read(csv_text(text)) == text
    written = csv_text(text)
    assert not written or written[0] not in "=+-@\t\r"


def test_numbers_are_never_escaped():
    assert csv_text(-5.0) == -5.0 and csv_text(-3) == -3 and csv_text("-5") == "'-5" and csv_text("plain") == "plain"


def _formula_plan_dict():
    data = scenario(
        channels=[channel("a", label=HYPERLINK), channel("b", label="-2+3"), channel("c", label="@SUM(A1)")],
        description="<script>alert(1)</script> & more", budget=2000)
    return data, solve(data)


def test_formula_labels_are_text_in_the_excel_report(tmp_path: Path):
    _, plan = _formula_plan_dict()
    path = plan_workbook(plan_document(plan), tmp_path / "plan.xlsx")
    book = load_workbook(path)
    found = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
             if c.value in (HYPERLINK, "-2+3", "@SUM(A1)")]
    assert {c.value for c in found} == {HYPERLINK, "-2+3", "@SUM(A1)"}
    assert all(c.data_type == "s" for c in found)
    numbers = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
               if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)]
    assert numbers and all(c.data_type == "n" for c in numbers)


def test_formula_labels_are_text_in_plan_csv_files(tmp_path: Path):
    _, plan = _formula_plan_dict()
    written = write_outputs(plan, tmp_path)
    channels_csv = next(p for p in written if p.name.endswith(".channels.csv"))
    rows = list(csv.DictReader(channels_csv.open(encoding="utf-8", newline="")))
    labels = {r["id"]: r["label"] for r in rows}
    assert labels == {"a": "'" + HYPERLINK, "b": "'-2+3", "c": "'@SUM(A1)"}
    assert all(not v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_formula_labels_round_trip_through_channel_tables(tmp_path: Path, form: str):
    data, _ = _formula_plan_dict()
    loaded = validate(data)
    path = write_tables(loaded.scenario, tmp_path, form=form)
    if form == "xlsx":
        book = load_workbook(tmp_path / "test.xlsx")
        cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == HYPERLINK]
        assert cells and all(c.data_type == "s" for c in cells)
    else:
        text = (tmp_path / "test.channels.csv").read_text(encoding="utf-8-sig")
        assert "'=HYPERLINK" in text
    again = load(path)
    assert [c.label for c in again.scenario.channels] == [HYPERLINK, "-2+3", "@SUM(A1)"]


def test_markdown_escapes_html_in_labels_and_descriptions():
    data, plan = _formula_plan_dict()
    d = plan_document(plan)
    d["channels"][0]["label"] = "<img src=x onerror=alert(1)>"
    text = plan_markdown(d)
    assert "<script>" not in text and "<img" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in text and "&lt;img src=x onerror=alert(1)&gt;" in text


def test_written_files_get_the_usual_permissions(tmp_path: Path):
    _, plan = _formula_plan_dict()
    old = os.umask(0o022)
    try:
        written = write_outputs(plan, tmp_path / "out")
        written.append(plan_workbook(plan_document(plan), tmp_path / "out" / "plan.xlsx"))
    finally:
        os.umask(old)
    assert {oct(p.stat().st_mode & 0o777) for p in written} == {"0o644"}


# ---------------------------------------------------------------- the console script, as a user runs it


@pytest.mark.parametrize("name", ["nested_too_deep", "huge_segment_size", "accuracy_too_fine", "bidi_override_id"])
def test_cli_refuses_bad_files_with_exit_2_and_no_traceback(name: str):
    path = ROOT / "tests" / "data" / "bad" / f"{name}.yaml"
    for command in ("validate", "solve"):
        done = subprocess.run([str(CLI), command, str(path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and str(path) in done.stderr


def test_cli_reads_set_values_with_exponents():
    path = ROOT / "scenarios" / "township-bakery.yaml"
    done = subprocess.run([str(CLI), "validate", str(path), "--set", "budget=4.5e3"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
