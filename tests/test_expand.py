"""channelmix.schema.expand: --set/--vary parsing, overrides by dotted path, variants, grids.

Overrides are applied to the parsed file data and validated like the file, so every
problem names the variant (or step) and the path that caused it.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from channelmix import load as load_file
from channelmix.schema import ScenarioError, validate
from channelmix.schema.expand import derive, grid, parse_assignment, parse_range, set_path, steps, sweep_of, variants
from channelmix.schema.presets import PHASE_PRESETS
from helpers import channel, on_ids, scenario, solve

ROOT = Path(__file__).parents[1]
BAKERY = ROOT / "scenarios" / "township-bakery.yaml"
BOUTIQUE = ROOT / "scenarios" / "boutique-en-ligne.yaml"


def base_dict(**overrides) -> dict:
    """Two channels (a: saturating, capped at 800; b: linear), hours, 2 phases × 2 segments."""
    d = scenario(
        channels=[
            channel("a", response={"type": "saturating", "scale": 300}, max_spend=800, uses={"hours": {"fixed": 2}}),
            channel("b", fixed_cost=100, uses={"hours": {"fixed": 3}}),
        ],
        resources={"hours": 10},
    )
    d.update(overrides)
    return d


def loaded(d: dict | None = None, source: str = "t.yaml"):
    return validate(copy.deepcopy(d if d is not None else base_dict()), source)


def problems(err: ScenarioError) -> list[str]:
    return [str(p) for p in err.problems]


def find(items, cid):
    return next(x for x in items if x.id == cid)


# ---------------------------------------------------------------- parse_assignment / parse_range / steps


@pytest.mark.parametrize(
    "text, expected",
    [
        ("budget=3500", ("budget", 3500)),
        ("budget=3500.5", ("budget", 3500.5)),
        (" resources.hours = 15", ("resources.hours", 15)),
        ("rules.force_off=[a, b]", ("rules.force_off", ["a", "b"])),
        ("objective.sense=min_cost", ("objective.sense", "min_cost")),
        (
            "channels.fb.response={type: linear, slope: 0.002}",
            ("channels.fb.response", {"type": "linear", "slope": 0.002}),
        ),
        ("description=", ("description", "")),
        ("label=a: b: c", ("label", "a: b: c")),  # not valid YAML: kept as text
    ],
)
def test_parse_assignment_reads_the_value_as_yaml(text, expected):
    assert parse_assignment(text) == expected


@pytest.mark.parametrize("text", ["budget", "=3500", "  =1", ""])
def test_parse_assignment_without_a_path_is_an_error(text):
    with pytest.raises(ScenarioError) as info:
        parse_assignment(text)
    assert info.value.source == "--set"
    (problem,) = info.value.problems
    assert (problem.path, problem.message, problem.fix) == (text, "is not PATH=VALUE", "write e.g. --set budget=3500")


def test_parse_range_of_start_stop_step_includes_stop():
    assert parse_range("budget=1000:3000:500") == ("budget", [1000, 1500, 2000, 2500, 3000])
    assert parse_range("budget=1000:2900:500") == ("budget", [1000, 1500, 2000, 2500])


def test_parse_range_of_a_list():
    assert parse_range("resources.hours=10,20,40") == ("resources.hours", [10.0, 20.0, 40.0])


def test_steps_are_rounded_and_inclusive_despite_binary_fractions():
    assert steps(0.1, 0.3, 0.1, "x") == [0.1, 0.2, 0.3]
    assert steps(0.0, 1.0, 0.25, "x") == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert steps(5, 5, 1, "x") == [5]


@pytest.mark.parametrize("text, message", [
    ("budget", "is not PATH=START:STOP:STEP"),
    ("=1:2:1", "is not PATH=START:STOP:STEP"),
    ("budget=1000:lots:500", "has a value that is not a number"),
    ("budget=1000:2000", "has a value that is not a number"),
    ("budget=a,b", "has a value that is not a number"),
])
def test_parse_range_rejects_malformed_text(text, message):
    with pytest.raises(ScenarioError) as info:
        parse_range(text)
    assert info.value.source == "--vary"
    assert problems(info.value) == [
        f"{text}: {message}. Fix: Write PATH=START:STOP:STEP, e.g. budget=1000:20000:500, or PATH=V1,V2,V3"]


@pytest.mark.parametrize("text",
                         ["budget=2000:1000:500", "budget=1000:2000:0", "budget=1000:2000:-5", "budget=nan:2000:5",
                          "budget=1000:inf:5"])
def test_parse_range_rejects_ranges_that_do_not_rise(text):
    with pytest.raises(ScenarioError) as info:
        parse_range(text)
    (problem,) = info.value.problems
    assert problem.path == text and "is not a rising range" in problem.message


def test_steps_refuses_a_runaway_count():
    with pytest.raises(ScenarioError) as info:
        steps(0, 1_000_000, 1, "budget=0:1000000:1")
    assert problems(info.value) == [
        "budget=0:1000000:1: has 1000001 steps. Fix: Use a larger step (at most 100000 steps)"]


# ---------------------------------------------------------------- set_path on the parsed data


def test_set_path_addresses_lists_by_id_and_creates_missing_mappings():
    data = base_dict()
    set_path(data, "budget", 3500)
    set_path(data, "resources.hours", 15)
    set_path(data, "channels.b.fixed_cost", 900)
    set_path(data, "channels.a.response.scale", 500)
    set_path(data, "segments.old.size", 7)
    set_path(data, "rules.concentration.max_share", 0.6)
    set_path(data, "objective.sense", "min_cost")
    set_path(data, "rules.force_off", ["a"])
    set_path(data, "channels.0.min_spend", 10)  # by position when no id matches
    assert data["budget"] == 3500 and data["resources"] == {"hours": 15}
    assert data["channels"][1]["fixed_cost"] == 900
    assert data["channels"][0]["response"] == {"type": "saturating", "scale": 500}
    assert data["channels"][0]["min_spend"] == 10
    assert data["segments"][1] == {"id": "old", "size": 7}
    assert data["rules"] == {"concentration": {"max_share": 0.6}, "force_off": ["a"]}
    assert data["objective"] == {"sense": "min_cost"}


def test_set_path_turns_a_plain_id_into_a_mapping():
    data = {"segments": ["young", "old"]}
    set_path(data, "segments.old.size", 40)
    assert data["segments"] == ["young", {"id": "old", "size": 40}]


def test_set_path_expands_a_phase_preset_without_touching_the_preset():
    before = copy.deepcopy(PHASE_PRESETS)
    data = {"phases": "osterwalder"}
    set_path(data, "phases.purchase.weight", 3)
    assert [p["id"] for p in data["phases"]] == [p["id"] for p in PHASE_PRESETS["osterwalder"]]
    assert data["phases"][2] == {"id": "purchase", "label": "Purchase", "term": "preset.osterwalder.purchase",
                                 "weight": 3}
    assert PHASE_PRESETS == before


def test_set_path_into_a_number_names_the_path():
    with pytest.raises(ScenarioError) as info:
        set_path(base_dict(), "budget.monthly", 5)
    assert problems(info.value) == ["budget.monthly: 'budget' is a value, not something with a 'monthly'. "
                                    "Fix: Set budget itself, or check the path"]


# ---------------------------------------------------------------- derive: each path kind, validated


def test_derive_without_overrides_is_the_base_scenario():
    item = loaded()
    case = derive(item, {})
    assert case.scenario is item.scenario and case.name == "test" and case.overrides == {}


def test_derive_budget_and_hours():
    item = loaded()
    case = derive(item, {"budget": 3500, "resources.hours": 4.5}, label="lean")
    assert case.name == "test/lean"
    assert case.scenario.budget == 3500 and case.scenario.resources == {"hours": 4.5}
    assert case.overrides == {"budget": 3500, "resources.hours": 4.5}
    # the base is untouched, and so are the data it was read from
    assert item.scenario.budget == 1000 and item.scenario.resources == {"hours": 10}
    assert item.raw["budget"] == 1000 and item.raw["resources"] == {"hours": 10}


def test_derive_channel_fields_including_nested_response():
    case = derive(loaded(),
                  {"channels.b.fixed_cost": 250, "channels.a.response.scale": 900, "channels.a.max_spend": 400})
    a, b = find(case.scenario.channels, "a"), find(case.scenario.channels, "b")
    assert b.fixed_cost == 250
    assert a.response.type == "saturating" and a.response.scale == 900
    assert a.max_spend == 400


def test_derive_segment_size_changes_the_cell_weights():
    case = derive(loaded(), {"segments.old.size": 300})
    assert find(case.scenario.segments, "old").size == 300
    assert find(case.scenario.segments, "young").size == 100
    # every cell covered alike: total weight 800, not 400
    assert solve(case.scenario).objective == pytest.approx(solve(base_dict()).objective * 2, rel=1e-9)


def test_derive_phase_weight_on_a_preset():
    d = base_dict(phases="osterwalder")
    case = derive(loaded(d), {"phases.purchase.weight": 3})
    phases = case.scenario.phases
    assert [p.id for p in phases] == ["awareness", "evaluation", "purchase", "delivery", "after_sales"]
    assert [p.weight for p in phases] == [1, 1, 3, 1, 1]
    assert [p.label for p in phases] == ["Awareness", "Evaluation", "Purchase", "Delivery", "After-sales"]


@pytest.mark.parametrize("with_rules_key", [True, False])
def test_derive_creates_rules_concentration_when_absent(with_rules_key):
    d = base_dict()
    if not with_rules_key:
        del d["rules"]
    item = loaded(d)
    assert item.scenario.rules.concentration is None
    case = derive(item, {"rules.concentration.max_share": 0.6})
    assert case.scenario.rules.concentration.max_share == 0.6
    assert item.scenario.rules.concentration is None


def test_derive_objective_sense_and_level():
    item = loaded()
    case = derive(item, {"objective.sense": "target", "objective.level": 100})
    assert case.scenario.objective.sense == "target" and case.scenario.objective.level == 100
    case = derive(item, {"objective.sense": "max_value", "segments.young.value": 2, "segments.old.value": 1})
    assert case.scenario.objective.sense == "max_value"


def test_derive_force_off_list_is_obeyed_by_the_solver():
    item = loaded()
    assert "a" in on_ids(solve(item.scenario))
    case = derive(item, {"rules.force_off": ["a"]})
    assert case.scenario.rules.force_off == ["a"]
    assert "a" not in on_ids(solve(case.scenario))


def test_derive_rule_in_a_list_by_position():
    d = base_dict(rules={"groups": [{"channels": ["a"], "max_share": 0.9}]})
    case = derive(loaded(d), {"rules.groups.0.max_share": 0.4})
    assert case.scenario.rules.groups[0].max_share == 0.4


# ---------------------------------------------------------------- derive: bad paths and values


def test_unknown_channel_id_says_did_you_mean():
    with pytest.raises(ScenarioError) as info:
        derive(loaded(), {"channels.aa.fixed_cost": 5}, label="dearer")
    assert info.value.source == "t.yaml (dearer)"
    assert problems(info.value) == ["set channels.aa: no item with id 'aa'. Fix: Did you mean 'a'? Known ids: a, b"]


def test_unknown_channel_id_without_a_close_match_lists_the_ids():
    with pytest.raises(ScenarioError) as info:
        derive(loaded(), {"channels.television.fixed_cost": 5})
    assert problems(info.value) == ["set channels.television: no item with id 'television'. Fix: Known ids: a, b"]


def test_unknown_segment_and_phase_ids():
    with pytest.raises(ScenarioError) as info:
        derive(loaded(), {"segments.yuong.size": 5, "phases.bye.weight": 2})
    assert problems(info.value) == [
        "set segments.yuong: no item with id 'yuong'. Fix: Did you mean 'young'? Known ids: young, old",
        "set phases.bye: no item with id 'bye'. Fix: Did you mean 'buy'? Known ids: aware, buy",
    ]


def test_descending_into_a_number_or_text():
    with pytest.raises(ScenarioError) as info:
        derive(loaded(), {"budget.monthly": 5, "objective.sense.kind": "x"})
    assert problems(info.value) == [
        "set budget.monthly: 'budget' is a value, not something with a 'monthly'. Fix: Set budget itself, or check the "
        "path", "set objective.sense.kind: 'objective.sense' is a value, not something with a 'kind'. "
        "Fix: Set objective.sense itself, or check the path"]


def test_unknown_top_level_key_says_did_you_mean():
    with pytest.raises(ScenarioError) as info:
        derive(loaded(), {"bugdet": 5}, label="typo")
    (problem,) = info.value.problems
    assert problem.path == "bugdet"
    assert problem.message == "unknown key in the top level (after set bugdet)"
    assert problem.fix.startswith("did you mean 'budget'?")


def test_unknown_key_inside_a_channel():
    with pytest.raises(ScenarioError) as info:
        derive(loaded(), {"channels.a.fixed_cots": 5})
    (problem,) = info.value.problems
    assert problem.path == "channels[0].fixed_cots"
    assert "(after set channels.a.fixed_cots)" in problem.message
    assert "did you mean 'fixed_cost'?" in problem.fix


def test_negative_budget_names_the_path():
    with pytest.raises(ScenarioError) as info:
        derive(loaded(), {"budget": -5}, label="cut")
    assert info.value.source == "t.yaml (cut)"
    assert problems(info.value) == ["budget: got -5, must be ≥ 0 (after set budget). Fix: Use a number ≥ 0"]


def test_wrong_type_names_the_path():
    with pytest.raises(ScenarioError) as info:
        derive(loaded(), {"budget": "lots"})
    assert problems(info.value) == [
        "budget: got 'lots', expected a number (after set budget). Fix: Write a number here"]


def test_bad_nested_value_names_the_field():
    with pytest.raises(ScenarioError) as info:
        derive(loaded(), {"channels.a.response.scale": -1})
    (problem,) = info.value.problems
    assert problem.path == "channels[0].response.scale"
    assert problem.message.startswith("got -1, must be >") and problem.message.endswith(
        "(after set channels.a.response.scale)")


def test_bad_objective_sense_says_did_you_mean():
    with pytest.raises(ScenarioError) as info:
        derive(loaded(), {"objective.sense": "max_reech"})
    (problem,) = info.value.problems
    assert problem.path == "objective.sense"
    assert "(after set objective.sense)" in problem.message
    assert "max_reach" in problem.fix


def test_force_off_an_unknown_channel():
    with pytest.raises(ScenarioError) as info:
        derive(loaded(), {"rules.force_off": ["c"]})
    assert any("'c'" in p.message and "(after set rules.force_off)" in p.message for p in info.value.problems)


# ---------------------------------------------------------------- variants


def with_variants(*entries: dict, **overrides) -> dict:
    d = base_dict(**overrides)
    d["variants"] = list(entries)
    return d


def test_variants_are_the_base_then_each_variant_in_order():
    d = with_variants({"name": "cut", "set": {"budget": 500}},
                      {"name": "no-a", "description": "drop a", "set": {"rules.force_off": ["a"]}},
                      {"name": "heavy-buy", "set": {"phases": [{"id": "aware"}, {"id": "buy", "weight": 2}]}})
    cases = variants(loaded(d))
    assert [c.name for c in cases] == ["test", "test/cut", "test/no-a", "test/heavy-buy"]
    assert [c.variant for c in cases] == ["", "cut", "no-a", "heavy-buy"]
    assert [c.scenario.budget for c in cases] == [1000, 500, 1000, 1000]
    assert cases[2].scenario.rules.force_off == ["a"]
    assert [p.weight for p in cases[3].scenario.phases] == [1, 2]
    # a derived scenario does not derive further
    assert all(c.scenario.variants == [] and c.scenario.sweep == {} for c in cases[1:])


def test_overrides_apply_to_every_variant_and_win_over_its_set():
    d = with_variants({"name": "cut", "set": {"budget": 500, "resources.hours": 6}})
    cases = variants(loaded(d), {"budget": 700})
    assert [c.name for c in cases] == ["test/budget=700", "test/cut, budget=700"]
    assert [c.scenario.budget for c in cases] == [700, 700]
    assert [c.scenario.resources["hours"] for c in cases] == [10, 6]
    assert cases[1].overrides == {"budget": 700, "resources.hours": 6}


def test_every_bad_variant_is_reported_naming_it():
    d = with_variants({"name": "fine", "set": {"budget": 500}},
                      {"name": "broke", "set": {"budget": -100}},
                      {"name": "typo", "set": {"channels.bb.fixed_cost": 3}},
                      {"name": "wrong-type", "set": {"resources.hours": "many"}})
    with pytest.raises(ScenarioError) as info:
        variants(loaded(d))
    assert info.value.source == "t.yaml"
    assert problems(info.value) == [
        "variant broke: budget: got -100, must be ≥ 0 (after set budget). Fix: Use a number ≥ 0",
        "variant typo: set channels.bb: no item with id 'bb'. Fix: Did you mean 'b'? Known ids: a, b",
        "variant wrong-type: resources.hours: got 'many', expected a number (after set resources.hours). Fix: Write a "
        "number here"]


def test_a_bad_override_is_reported_once_not_once_per_variant():
    d = with_variants({"name": "cut", "set": {"budget": 500}})
    with pytest.raises(ScenarioError) as info:
        variants(loaded(d), {"channels.zz.max_spend": 5})
    assert problems(info.value) == ["set channels.zz: no item with id 'zz'. Fix: Known ids: a, b"]


def test_variants_of_the_example_files():
    cases = variants(load_file(BAKERY))
    assert [c.variant for c in cases] == ["", "budget-cut", "no-whatsapp", "busy-owner", "uncertain", "robust-mean",
                                          "robust"]
    base, cut, no_wa, busy, uncertain, robust_mean, robust = (c.scenario for c in cases)
    assert (base.budget, cut.budget) == (4500, 3150)
    assert base.worlds is None and uncertain.worlds == robust.worlds and uncertain.worlds.uncertainty.count == 12
    assert (uncertain.objective.risk, robust_mean.objective.risk, robust.objective.risk) == (None, "mean", "cvar")
    assert no_wa.rules.force_off == ["whatsapp_groups"]
    assert (base.resources["hours"], busy.resources["hours"]) == (22, 15)
    # everything not overridden is as in the base
    assert [c.id for c in busy.channels] == [c.id for c in base.channels]
    assert busy.rules == base.rules and cut.phases == base.phases

    cases = variants(load_file(BOUTIQUE))
    assert [c.name for c in cases] == ["boutique-en-ligne", "boutique-en-ligne/budget-reduit",
                                       "boutique-en-ligne/sans-amazon", "boutique-en-ligne/instagram-plus-cher"]
    assert find(cases[3].scenario.channels, "instagram_ads").fixed_cost == 900
    assert find(cases[0].scenario.channels, "instagram_ads").fixed_cost == 0


# ---------------------------------------------------------------- grid and sweep_of


def test_grid_is_the_product_first_path_slowest():
    cases = grid(loaded(), {"budget": [500.0, 1000.0], "resources.hours": [4.0, 6.0, 8.0]})
    assert len(cases) == 6
    assert [(c.scenario.budget, c.scenario.resources["hours"]) for c in cases] == [
        (500, 4), (500, 6), (500, 8), (1000, 4), (1000, 6), (1000, 8)]
    assert cases[0].overrides == {"budget": 500, "resources.hours": 4}
    assert isinstance(cases[0].overrides["budget"], int)  # 500.0 is written 500
    assert cases[0].name == "test/budget=500, resources.hours=4"
    assert len({c.name for c in cases}) == 6


def test_grid_keeps_overrides_and_the_step_wins():
    cases = grid(loaded(), {"budget": [300.0, 600.0]}, {"channels.b.fixed_cost": 0, "budget": 99})
    assert [c.scenario.budget for c in cases] == [300, 600]
    assert all(find(c.scenario.channels, "b").fixed_cost == 0 for c in cases)


def test_grid_keeps_fractional_values():
    cases = grid(loaded(), {"rules.concentration.max_share": [0.5, 0.75]})
    assert [c.scenario.rules.concentration.max_share for c in cases] == [0.5, 0.75]
    assert [c.name for c in cases] == ["test/rules.concentration.max_share=0.5",
                                       "test/rules.concentration.max_share=0.75"]


def test_grid_with_a_bad_path_names_the_step_and_the_path():
    with pytest.raises(ScenarioError) as info:
        grid(loaded(), {"channels.zz.fixed_cost": [1.0, 2.0]})
    assert problems(info.value) == [
        "step channels.zz.fixed_cost=1: set channels.zz: no item with id 'zz'. Fix: Known ids: a, b"]


def test_grid_with_a_value_bad_at_one_step_names_path_and_value():
    with pytest.raises(ScenarioError) as info:
        grid(loaded(), {"channels.a.min_spend": [0.0, 400.0, 1000.0]})  # max_spend is 800
    (problem,) = info.value.problems
    assert "1000" in str(problem) and "channels.a.min_spend" in str(problem)


def test_grid_step_names_are_distinct_for_values_with_many_digits():
    """A sweep's step names identify the step (summary rows, per-step files):
    1,000,000 and 1,000,001 must not both be called 'budget=1e+06'."""
    cases = grid(loaded(), {"budget": [1_000_000.0, 1_000_001.0, 2_500_000.0]})
    names = [c.name for c in cases]
    assert len(set(names)) == 3, names
    assert all("e+" not in n for n in names), names


def test_sweep_of_the_file():
    assert sweep_of(load_file(BAKERY)) == {"budget": [float(b) for b in range(1500, 9001, 500)]}
    assert sweep_of(load_file(BOUTIQUE)) == {}


def test_sweep_of_a_dict_with_two_paths():
    d = base_dict(
        sweep={"budget": {"start": 100, "stop": 300, "step": 100},
               "resources.hours": {"start": 2, "stop": 3, "step": 0.5}})
    assert sweep_of(loaded(d)) == {"budget": [100, 200, 300], "resources.hours": [2, 2.5, 3]}


def test_set_variants_replaces_the_file_s_variants():
    # --set variants=[] leaves the base alone (it was applied to each variant, which kept them all)
    loaded = load_file(ROOT / "scenarios" / "township-bakery.yaml")
    assert [c.name for c in variants(loaded, {"variants": []})] == ["township-bakery"]
    cases = variants(loaded, {"variants": [{"name": "lean", "set": {"budget": 3000}}], "resources.hours": 20})
    assert [c.name for c in cases] == ["township-bakery/resources.hours=20", "township-bakery/lean, resources.hours=20"]
    assert cases[1].scenario.budget == 3000 and cases[1].scenario.resources["hours"] == 20
    with pytest.raises(ScenarioError) as caught:
        variants(loaded, {"variants": [{"nam": "x"}]})
    assert (
        "variants[0].nam: unknown key in variants[0] (after set variants). Fix: Did you mean 'name'?"
        in caught.value.render()
    )


def test_a_preset_phase_relabelled_by_the_user_keeps_the_users_words():
    """A preset phase shows in the report's language, unless the user wrote its label: then the user's words."""
    from channelmix.reports.i18n import labels_of, using
    from channelmix.schema import validate

    data = {"phases": "osterwalder"}
    set_path(data, "phases.purchase.label", "Commande")
    phases = validate(scenario(phases=data["phases"]), "test").scenario.phases
    shown = [{"id": p.id, "label": p.name, **({"term": p.term} if p.term else {})} for p in phases]
    with using("fr"):
        assert labels_of(shown)["purchase"] == "Commande" and labels_of(shown)["awareness"] == "Notoriété"
