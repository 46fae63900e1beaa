"""The periods: format — its forms, ids, labels and what each period inherits."""

from __future__ import annotations

from channelmix.model.periods import Horizon
from channelmix.schema import validate
from test_periods_rules import ch, horizon


def _horizon(periods, **top) -> Horizon:
    return Horizon(validate(horizon(periods, [ch("a")], **top)).scenario)


def test_a_count_with_a_unit_numbers_and_labels_the_periods():
    H = _horizon({"count": 3, "unit": "vecka", "budget": 50}, resources={"hours": 5}, language="sv")
    assert H.ids == ["1", "2", "3"] and [p.name for p in H.items] == ["Vecka 1", "Vecka 2", "Vecka 3"]
    assert [p.budget for p in H.items] == [50, 50, 50] and [p.resources for p in H.items] == [{"hours": 5}] * 3
    assert _horizon({"count": 2}, budget=10).items[1].name == "Period 2"


def test_a_plain_list_of_ids():
    H = _horizon(["jan", "feb", "mar"], budget=90)
    assert H.ids == ["jan", "feb", "mar"] and [p.name for p in H.items] == ["jan", "feb", "mar"]
    assert [p.budget for p in H.items] == [None] * 3 and [H.money_cap(t) for t in range(3)] == [90] * 3
    assert [p.weight for p in H.items] == [1, 1, 1]


def test_items_override_the_periods_defaults_which_override_the_top_level():
    periods = {"items": [{"id": "q1", "label": "Launch", "budget": 500, "resources": {"hours": 40}, "weight": 2}, "q2"],
               "budget": 300, "resources": {"hours": 20}, "carry_over": True}
    H = _horizon(periods, resources={"hours": 10, "desk": 3})
    assert [p.budget for p in H.items] == [500, 300]
    assert [p.resources for p in H.items] == [{"hours": 40, "desk": 3}, {"hours": 20, "desk": 3}]
    assert H.items[0].name == "Launch" and H.items[0].weight == 2 and H.carry_money
    assert [H.money_cap(t) for t in range(2)] == [500, 800]  # what may have carried in


def test_numbers_name_periods_by_id():
    scenario = validate(horizon({"count": 4}, [ch("a", available_from=2, available_until="3")], budget=10)).scenario
    assert Horizon(scenario).window("a") == (1, 2)
    assert [Horizon(scenario).available("a", t) for t in range(4)] == [False, True, True, False]


def test_a_scenario_without_periods_is_unchanged():
    data = horizon(None, [ch("a")], budget=10)
    del data["periods"]
    scenario = validate(data).scenario
    assert scenario.periods is None and scenario.channels[0].setup_cost == 0 and scenario.rules.pacing is None


def test_carry_in_starts_the_adstock_where_history_leaves_it():
    """carry_in is a_0 of the carry-over recursion (default: today's spend kept up, current / (1 − θ))."""
    import pytest

    from channelmix.schema import ScenarioError

    kept_up = validate(horizon({"count": 3}, [ch("a", carry_over=0.5)], budget=30, current={"a": 10})).scenario
    given = validate(horizon({"count": 3}, [ch("a", carry_over=0.5, carry_in=4.0)], budget=30,
                             current={"a": 10})).scenario
    assert Horizon(kept_up).adstock_start("a") == 20.0 and Horizon(given).adstock_start("a") == 4.0
    spend = {("a", p): 1.0 for p in ("1", "2", "3")}
    effective = Horizon(given).effective({k: True for k in spend}, spend)
    assert [effective[("a", p)] for p in ("1", "2", "3")] == [3.0, 2.5, 2.25]  # 1 + 0.5·4, 1 + 0.5·3, 1 + 0.5·2.5
    with pytest.raises(ScenarioError) as caught:
        validate(horizon({"count": 3}, [ch("a", carry_in=4.0)], budget=30))
    assert "channels[0].carry_in: is the adstock a plan starts from, but the channel has no carry_over" \
        in str(caught.value)
    without = horizon(None, [ch("a", carry_over=0.5, carry_in=4.0)], budget=30)
    del without["periods"]
    with pytest.raises(ScenarioError) as caught:
        validate(without)
    assert "channels[0].carry_in: applies only to a plan over periods" in str(caught.value)
