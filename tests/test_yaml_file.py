"""channelmix.schema.yaml_file: edits that keep a person's file as written, new files in one style
(issue 18, item 7; the API the web planner's "save" of issue 21 reuses)."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
import yaml

from channelmix.schema import ScenarioError, load
from channelmix.schema.syntax import parse_text
from channelmix.schema.yaml_file import dump, edit, edit_file, scalar

ROOT = Path(__file__).parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


def changed(before: str, after: str) -> list[tuple[str, str]]:
    """(removed, added) line pairs of a diff; every change must be a line replaced by one line."""
    removed, added = [], []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith("-") and not line.startswith("---"):
            removed.append(line[1:])
        elif line.startswith("+") and not line.startswith("+++"):
            added.append(line[1:])
    assert len(removed) == len(added), (removed, added)
    return list(zip(removed, added))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_an_edit_changes_the_lines_of_its_values_and_nothing_else(path: Path):
    text = path.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    k, channel = next((k, c) for k, c in enumerate(raw["channels"]) if {"scale", "half", "slope"} & set(c["response"]))
    param = next(p for p in ("scale", "half", "slope") if p in channel["response"])
    edits = {"scenario": "renamed", f"channels.{channel['id']}.response.{param}": 77.25}
    new = edit(text, edits, str(path))
    pairs = changed(text, new)
    assert len(pairs) == 2  # a line per value
    assert pairs[0][0].startswith("scenario:") and pairs[0][1].startswith("scenario: renamed")
    assert "77.25" in pairs[1][1] and pairs[1][0].replace(str(channel["response"][param]), "77.25", 1) == pairs[1][1]
    after = parse_text(new, "yaml", str(path))
    raw["scenario"], raw["channels"][k]["response"][param] = "renamed", 77.25
    assert after == raw  # everything else read back the same


def test_edits_keep_comments_flow_style_quotes_and_odd_spacing():
    text = ("# my shop\nscenario: 'Café Øst'   # name\nbudget:    100\nchannels:\n    -   id: a   \n"
            "        response: {type: saturating,   scale: 80}   # guessed\n        label: \"Flygblad\"\n#end\n")
    new = edit(text, {"channels.a.response.scale": 90.5})
    assert changed(text, new) == [("        response: {type: saturating,   scale: 80}   # guessed",
                                   "        response: {type: saturating, scale: 90.5}   # guessed")]


def test_an_edit_may_add_a_mapping_where_the_file_had_none():
    text = "scenario: x\nchannels:\n  - id: a   # first\n    response: {type: linear, slope: 0.01}\n"
    new = edit(text, {"channels.a.outcome.value": 250.0})
    assert new.startswith(text)  # the file as it was, then the new mapping
    assert parse_text(new, "yaml", "x")["channels"][0]["outcome"] == {"value": 250.0}


def test_a_path_that_leads_nowhere_names_the_path_and_the_file():
    with pytest.raises(ScenarioError) as caught:
        edit("scenario: x\nchannels:\n  - id: flyers\n    response: {type: linear, slope: 0.01}\n",
             {"channels.flyer.response.slope": 1}, "s.yaml")
    assert caught.value.source == "s.yaml"
    assert "channels.flyer: no item with id 'flyer'" in str(caught.value.problems[0])
    assert "Did you mean 'flyers'?" in str(caught.value.problems[0])


def test_a_value_shared_through_an_anchor_is_not_changed_in_every_place():
    text = ("scenario: x\nchannels:\n  - id: a\n    response: &r {type: saturating, scale: 80}\n"
            "  - id: b\n    response: *r\n")
    with pytest.raises(ScenarioError) as caught:
        edit(text, {"channels.b.response.scale": 90})
    assert "shares through a YAML anchor" in str(caught.value.problems[0])
    assert "channels.b.response.scale" in str(caught.value.problems[0])


def test_text_that_is_not_yaml_is_a_problem_not_a_traceback():
    with pytest.raises(ScenarioError) as caught:
        edit("a: [1, 2\nb: {", {"a": 1}, "bad.yaml")
    assert "is not YAML" in str(caught.value.problems[0])


def test_edit_file_writes_atomically_only_what_the_check_accepts(tmp_path: Path):
    path = tmp_path / "s.yaml"
    text = (ROOT / "scenarios" / "township-bakery.yaml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o640)

    def refuse(new: str) -> None:
        raise ScenarioError(str(path), [])

    with pytest.raises(ScenarioError):
        edit_file(path, {"budget": 1}, check=refuse)
    assert path.read_text(encoding="utf-8") == text  # untouched
    out = tmp_path / "out" / "t.yaml"
    written = edit_file(path, {"budget": 4700}, out=out, check=lambda new: None)
    assert out.read_text(encoding="utf-8") == written and load(out).scenario.budget == 4700
    assert edit_file(path, {"budget": 4800}) == path.read_text(encoding="utf-8")
    assert oct(path.stat().st_mode & 0o777) == "0o640"  # an existing file keeps its permissions
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_a_new_file_keeps_unicode_order_notes_and_writes_points_a_line_each():
    text = dump({"scenario": "خدمات", "channels": [{"id": "a", "label": "وب‌سایت",
                                                    "response": {"type": "pwl",
                                                                 "points": [[0.0, 0.0], [100.0, 0.5]]}}]},
                ["first note", ""])
    assert text.startswith("# first note\n#\nscenario: خدمات\n")
    assert "label: وب‌سایت\n" in text and "    - [0.0, 0.0]\n    - [100.0, 0.5]\n" in text
    assert yaml.safe_load(text)["channels"][0]["response"]["points"] == [[0.0, 0.0], [100.0, 0.5]]


@pytest.mark.parametrize("text, plain", [("radio", True), ("Månad 1", False), ("yes", False), ("1e3", False),
                                         ("a.b/c", True), ("#x", False)])
def test_scalar_is_plain_only_when_it_reads_back_as_itself(text: str, plain: bool):
    assert (scalar(text) == text) is plain
    assert yaml.safe_load(f"k: {scalar(text)}")["k"] == text
