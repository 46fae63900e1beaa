"""Schema: every validation rule has a bad file whose exact problems are asserted,
and good input in every format and script loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from channelmix.schema import ScenarioError, load, validate

BAD = sorted((Path(__file__).parent / "data" / "bad").glob("*.yaml"))
SCENARIOS = sorted((Path(__file__).parents[1] / "scenarios").glob("*.yaml"))


def expected(path: Path) -> list[str]:
    return [line.removeprefix("# expect: ").rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("# expect: ")]


def test_there_is_a_bad_file_per_rule():
    assert len(BAD) >= 30


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_file_reports_exactly_its_problems(path: Path):
    with pytest.raises(ScenarioError) as caught:
        load(path)
    assert [str(p) for p in caught.value.problems] == expected(path)
    assert caught.value.source == str(path)


def test_every_problem_is_named_with_the_file(tmp_path: Path):
    path = Path(__file__).parent / "data" / "bad" / "many_problems.yaml"
    with pytest.raises(ScenarioError) as caught:
        load(path)
    lines = caught.value.render().splitlines()
    assert lines[0] == f"{path}: 4 problems found:"
    assert all(line.startswith(f"  {path}: ") for line in lines[1:])


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenarios_are_valid_without_warnings(path: Path):
    loaded = load(path)
    assert loaded.warnings == []


def test_toml_and_json_read_like_yaml(tmp_path: Path):
    import yaml

    data = yaml.safe_load(SCENARIOS[0].read_text(encoding="utf-8"))
    as_json = tmp_path / "s.json"
    as_json.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load(as_json).scenario == load(SCENARIOS[0]).scenario
    as_toml = tmp_path / "s.toml"
    as_toml.write_text('scenario = "t"\nphases = ["a"]\nsegments = ["g"]\nbudget = 10\n\n[[channels]]\nid = "x"\n'
                       'response = {type = "linear", slope = 0.1}\naffinity = {a = {g = 1.0}}\n', encoding="utf-8")
    assert load(as_toml).scenario.channels[0].affinity_for("a", "g") == 1.0


def test_duplicate_json_key_is_an_error(tmp_path: Path):
    path = tmp_path / "d.json"
    path.write_text('{"scenario": "a", "scenario": "b"}', encoding="utf-8")
    with pytest.raises(ScenarioError, match="key 'scenario' appears twice"):
        load(path)


def test_unknown_suffix_and_missing_file(tmp_path: Path):
    with pytest.raises(ScenarioError, match=r"cannot read files ending in '\.txt'"):
        load(tmp_path / "s.txt")
    with pytest.raises(ScenarioError, match="no such file"):
        load(tmp_path / "absent.yaml")


def test_presets_give_the_seed_frameworks():
    base = {"scenario": "p", "segments": ["g"], "budget": 1,
            "channels": [{"id": "c", "response": {"type": "constant", "value": 0.5}}]}
    ids = {name: [p.id for p in validate({**base, "phases": name}).scenario.phases]
           for name in ("osterwalder", "six-phase", "kundresan", "persian-six")}
    assert ids["osterwalder"] == ["awareness", "evaluation", "purchase", "delivery", "after_sales"]
    assert ids["six-phase"] == ["aware", "consider", "purchase", "delivery", "support", "loyalty"]
    assert ids["kundresan"] == ["latent", "sök_och_urval", "köp", "efter_köp"]
    assert ids["persian-six"] == ["awareness", "consideration", "purchase", "retention", "support", "loyalty"]


def test_affinity_wildcards_and_bare_numbers():
    sc = validate(
        {"scenario": "w", "phases": ["a", "b"], "segments": ["x", "y"], "budget": 1,
         "channels": [
             {"id": "c", "response": {"type": "constant", "value": 1},
              "affinity": {"a": {"x": 0.9, "*": 0.2}, "b": 0.4}}]}).scenario
    c = sc.channels[0]
    assert [c.affinity_for(p, g) for p, g in sc.cells] == [0.9, 0.2, 0.4, 0.4]


def test_warns_when_hard_rules_cannot_fit_the_budget():
    loaded = validate(
        {"scenario": "w", "phases": ["a"], "segments": ["x"], "budget": 100,
         "channels": [
             {"id": "c", "fixed_cost": 80, "max_spend": 0, "response": {"type": "constant", "value": 1},
              "affinity": {"a": 1}},
             {"id": "d", "fixed_cost": 70, "max_spend": 0, "response": {"type": "constant", "value": 1},
              "affinity": {"a": 1}}], "rules": {"breadth": {"min_channels": 2}}})
    assert loaded.warnings == [
        "the hard rules need at least 150 of money (2 channels serving (a, x)) but the budget is 100: "
        "the scenario is probably infeasible"]


def test_unreachable_target_uses_each_curves_true_ceiling():
    """Without max_spend a saturating curve tends to 1 and a pwl to its highest point:
    0.5 × 1 + 0.5 × 0.4 = 0.7 is the most the cell can get, so 0.75 is impossible."""
    def scenario(target):
        return {"scenario": "c", "phases": ["p"], "segments": ["g"], "budget": 1e9,
                "rules": {"coverage": {"target": target}},
                "channels": [{"id": "s", "response": {"type": "saturating", "scale": 10}, "affinity": {"p": 0.5}},
                             {"id": "w", "response": {"type": "pwl", "points": [[0, 0], [5, 0.4], [9, 0.3]]},
                              "affinity": {"p": 0.5}}]}
    validate(scenario(0.69))
    with pytest.raises(ScenarioError) as caught:
        validate(scenario(0.75))
    assert [str(p) for p in caught.value.problems] == [
        "rules.coverage[0]: cell (p, g) can be covered at most 0.7 with every channel at full spend, below the hard "
        "target 0.75. "
        "Fix: Lower the target for that cell, make it soft (hard: false, penalty: …), or add a channel that serves it"]
