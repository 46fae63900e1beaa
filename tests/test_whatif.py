"""channelmix.analysis.whatif: sweeps and their frontier, grids, warm starts, compare and diff."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pandas as pd
import pytest

from channelmix import load as load_file
from channelmix.analysis.whatif import compare, diff, frontier, plans_table, sweep
from channelmix.schema import validate
from channelmix.schema.expand import variants
from helpers import channel, on_ids, scenario, solve, spend

ROOT = Path(__file__).parents[1]
BAKERY = ROOT / "scenarios" / "township-bakery.yaml"

BUDGETS = [0, 400, 800, 1200, 1600, 2000]


def mix(**overrides) -> dict:
    """Exact curves only (constant, pwl, linear), with fixed costs, a minimum spend and an
    either-or pair, so channels enter and leave as the budget grows and every optimum
    is exact (no curve approximation)."""
    d = scenario(
        channels=[
            channel("radio", response={"type": "constant", "value": 0.5}, fixed_cost=300, max_spend=0,
                    affinity={"aware": 1}),
            channel("ads", response={"type": "pwl", "points": [[0, 0], [200, 0.3], [600, 0.5], [1200, 0.6]]},
                    max_spend=1200, min_spend=100, fixed_cost=50,
                    affinity={"aware": {"young": 0.8, "old": 0.3}, "buy": 0.2}),
            channel("shop", fixed_cost=200, max_spend=800, response={"type": "linear", "slope": 1 / 800},
                    affinity={"buy": 0.9}),
            channel("mail", max_spend=500, response={"type": "linear", "slope": 1 / 500},
                    affinity={"buy": {"old": 0.7}, "aware": {"old": 0.4}}),
            channel("stall", response={"type": "constant", "value": 0.4}, fixed_cost=150, max_spend=0,
                    affinity={"buy": 1}),
            channel("store", response={"type": "constant", "value": 0.95}, fixed_cost=700, max_spend=0,
                    affinity={"buy": 1})], rules={"excludes": [["stall", "store"]]})
    d.update(overrides)
    return d


def value_mix() -> dict:
    d = mix()
    d["objective"] = {"sense": "max_value"}
    d["segments"] = [{"id": "young", "size": 100, "value": 30}, {"id": "old", "size": 100, "value": 20}]
    return d


def loaded(d: dict):
    return validate(copy.deepcopy(d), "t.yaml")


def on_set(row) -> set[str]:
    return set(row["on"].split())


# ---------------------------------------------------------------- one path: the frontier


@pytest.fixture(scope="module")
def reach_sweep():
    return sweep(loaded(mix()), {"budget": BUDGETS})


def test_sweep_solves_every_step(reach_sweep):
    s = reach_sweep
    assert s.paths == ["budget"]
    assert len(s.cases) == len(s.plans) == len(s.frontier) == len(BUDGETS)
    assert [c.scenario.budget for c in s.cases] == BUDGETS
    assert all(p.status == "optimal" and p.verified for p in s.plans)
    assert s.seconds > 0
    t = s.frontier
    assert t["budget"].tolist() == BUDGETS
    assert t["scenario"].tolist() == [f"test/budget={b}" for b in BUDGETS]
    for column in ("status", "objective", "cost", "marginal", "channels_on", "on", "entering", "leaving", "knee"):
        assert column in t.columns
    assert [c for c in t.columns if c.startswith("spend_")] == [f"spend_{c}"
                                                                for c in ("radio", "ads", "shop", "mail", "stall",
                                                                          "store")]
    for plan, (_, row) in zip(s.plans, t.iterrows()):
        assert row["objective"] == plan.objective and row["cost"] == plan.cost
        assert all(row[f"spend_{c.id}"] == c.spend for c in plan.channels)
        assert row["cost"] <= row["budget"] + 1e-6


def test_each_step_is_the_plan_of_that_budget(reach_sweep):
    for budget, plan in zip(BUDGETS[1::2], reach_sweep.plans[1::2]):
        alone = solve(mix(budget=budget))
        assert plan.objective == pytest.approx(alone.objective, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("make", [mix, value_mix], ids=["max_reach", "max_value"])
def test_objective_never_falls_as_the_budget_grows(make):
    s = sweep(loaded(make()), {"budget": BUDGETS})
    objectives = s.frontier["objective"].tolist()
    assert all(p.solved for p in s.plans)
    for before, after in zip(objectives, objectives[1:]):
        assert after >= before - 1e-8 * max(1.0, abs(before)), objectives  # tie-break may give up 1e-9
    assert objectives[-1] > objectives[0]  # the sweep is not flat
    assert (s.frontier["marginal"].iloc[1:] >= -1e-9).all()  # per unit of budget: noise is far smaller


def test_entering_and_leaving_match_the_plans(reach_sweep):
    t = reach_sweep.frontier
    assert (t["entering"].iloc[0], t["leaving"].iloc[0]) == ("", "")
    for i in range(len(t)):
        assert on_set(t.iloc[i]) == on_ids(reach_sweep.plans[i])
        assert t["channels_on"].iloc[i] == len(on_ids(reach_sweep.plans[i]))
    for i in range(1, len(t)):
        was, now = on_ids(reach_sweep.plans[i - 1]), on_ids(reach_sweep.plans[i])
        assert t["entering"].iloc[i] == " ".join(sorted(now - was))
        assert t["leaving"].iloc[i] == " ".join(sorted(was - now))
    # the scenario is built so that this is a real test: something enters and something leaves
    assert (t["entering"] != "").sum() >= 2
    assert (t["leaving"] != "").sum() >= 1


def test_marginal_is_the_rise_per_unit_of_budget(reach_sweep):
    t = reach_sweep.frontier
    assert math.isnan(t["marginal"].iloc[0])
    for i in range(1, len(t)):
        expected = (t["objective"].iloc[i] - t["objective"].iloc[i - 1]) / (
            t["budget"].iloc[i] - t["budget"].iloc[i - 1])
        assert t["marginal"].iloc[i] == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_marginal_with_uneven_steps():
    s = sweep(loaded(mix()), {"budget": [300, 500, 1100]})
    t = s.frontier
    assert t["marginal"].iloc[1] == pytest.approx((t["objective"].iloc[1] - t["objective"].iloc[0]) / 200)
    assert t["marginal"].iloc[2] == pytest.approx((t["objective"].iloc[2] - t["objective"].iloc[1]) / 600)


@pytest.mark.parametrize("make", [mix, value_mix], ids=["max_reach", "max_value"])
def test_warm_start_finds_the_same_optima_as_cold(make):
    item = loaded(make())
    warm = sweep(item, {"budget": BUDGETS}, warm_start=True)
    cold = sweep(item, {"budget": BUDGETS}, warm_start=False)
    assert [p.status for p in warm.plans] == [p.status for p in cold.plans]
    for w, c in zip(warm.plans, cold.plans):
        assert w.objective == pytest.approx(c.objective, rel=1e-6, abs=1e-6)


def test_township_sweep_warm_equals_cold_and_never_falls():
    """The real file: Hill and saturating curves (binaries in the model). The model's
    objective never falls; the reported one (on the real curves) at most by what the
    pieces understated the step before."""
    item = load_file(BAKERY)
    vary = {"budget": [1500, 3000, 4500, 6000]}
    warm = sweep(item, vary, {"solver.gap": 0})
    cold = sweep(item, vary, {"solver.gap": 0}, warm_start=False)
    assert all(p.status == "optimal" and p.verified for p in warm.plans + cold.plans)
    for w, c in zip(warm.plans, cold.plans):
        assert w.objective == pytest.approx(c.objective, rel=1e-6)
    plans = warm.plans
    for before, after in zip(plans, plans[1:]):
        assert after.model_objective >= before.model_objective * (1 - 1e-6)
        slack = before.objective - before.model_objective
        assert after.objective >= before.objective - slack - 1e-6 * before.objective


def test_knee_is_flagged_on_a_concave_frontier():
    d = scenario(channels=[channel("a", response={"type": "saturating", "scale": 300})])
    s = sweep(loaded(d), {"budget": [0, 300, 600, 900, 1200, 1500]})
    t = s.frontier
    assert t["knee"].sum() == 1
    k = int(t.index[t["knee"]][0])
    assert 0 < k < len(t) - 1
    # past the knee each extra unit buys less than before it
    assert t["marginal"].iloc[k + 1] < t["marginal"].iloc[k]
    # and it is where the curve is farthest above the straight line from first to last step
    x, y = t["budget"].astype(float), t["objective"]
    line = y.iloc[0] + (y.iloc[-1] - y.iloc[0]) * (x - x.iloc[0]) / (x.iloc[-1] - x.iloc[0])
    assert k == int((y - line).abs().idxmax())


def test_no_knee_on_a_straight_frontier():
    d = scenario(channels=[channel("a", response={"type": "linear", "slope": 1 / 5000})])
    s = sweep(loaded(d), {"budget": [0, 500, 1000, 1500, 2000]})
    assert not s.frontier["knee"].any()
    assert s.frontier["marginal"].iloc[1:].tolist() == pytest.approx([0.4 / 5 * 1] * 4)  # 400 weight × 1/5000 per unit


def test_knee_needs_three_solved_steps():
    d = scenario(channels=[channel("a", response={"type": "saturating", "scale": 300})])
    s = sweep(loaded(d), {"budget": [0, 1500]})
    assert not s.frontier["knee"].any()


def test_infeasible_steps_are_rows_not_crashes():
    d = scenario(rules={"coverage": {"target": 0.3, "hard": True}})  # channel a needs 300 to reach 0.3
    s = sweep(loaded(d), {"budget": [0, 200, 400, 600]})
    t = s.frontier
    assert t["status"].tolist() == ["infeasible", "infeasible", "optimal", "optimal"]
    assert t["marginal"].iloc[:3].isna().all()  # no marginal into or out of a step without a plan
    assert t["marginal"].iloc[3] == pytest.approx((t["objective"].iloc[3] - t["objective"].iloc[2]) / 200)
    assert t["on"].iloc[0] == "" and t["entering"].iloc[2] == ""
    assert not t["knee"].any()


def test_sweep_over_a_non_budget_path():
    d = mix(resources={"hours": 10})
    for c in d["channels"]:
        c["uses"] = {"hours": {"fixed": 3}}
    s = sweep(loaded(d), {"resources.hours": [0, 3, 6, 9]})
    t = s.frontier
    assert t["resources.hours"].tolist() == [0, 3, 6, 9]
    assert t["channels_on"].iloc[0] == 0
    assert all(on <= h // 3 for on, h in zip(t["channels_on"], t["resources.hours"]))  # 3 hours a channel
    assert (t["objective"].diff().iloc[1:] >= -1e-8 * t["objective"].abs().max()).all()
    assert t["marginal"].iloc[1] == pytest.approx(t["objective"].iloc[1] / 3)


def test_overrides_hold_at_every_step():
    s = sweep(loaded(mix()), {"budget": [800, 1600]}, {"rules.force_off": ["radio"]})
    assert all("radio" not in on_ids(p) for p in s.plans)
    assert all(c.overrides["rules.force_off"] == ["radio"] for c in s.cases)


# ---------------------------------------------------------------- grids


def hours_mix() -> dict:
    d = mix(resources={"hours": 10})
    for c, hours in zip(d["channels"], (4, 2, 3, 1, 2, 5)):
        c["uses"] = {"hours": {"fixed": hours}}
    return d


@pytest.fixture(scope="module")
def grid_sweep():
    return sweep(loaded(hours_mix()), {"budget": [400, 1200, 2000], "resources.hours": [3, 6, 12]})


def test_grid_has_a_row_per_combination(grid_sweep):
    t = grid_sweep.frontier
    assert grid_sweep.paths == ["budget", "resources.hours"]
    assert len(t) == 9
    assert list(zip(t["budget"], t["resources.hours"])) == [(b, h) for b in (400, 1200, 2000) for h in (3, 6, 12)]
    assert all(p.solved for p in grid_sweep.plans)
    for plan, case in zip(grid_sweep.plans, grid_sweep.cases):
        used = plan.resources["hours"]["used"]
        assert used <= case.scenario.resources["hours"] + 1e-6


def test_grid_marginal_runs_along_the_first_path_at_fixed_others(grid_sweep):
    t = grid_sweep.frontier.set_index(["budget", "resources.hours"])
    for h in (3, 6, 12):
        assert math.isnan(t.loc[(400, h), "marginal"])
        for lo, hi in ((400, 1200), (1200, 2000)):
            expected = (t.loc[(hi, h), "objective"] - t.loc[(lo, h), "objective"]) / (hi - lo)
            assert t.loc[(hi, h), "marginal"] == pytest.approx(expected, rel=1e-9, abs=1e-9)
            was, now = set(t.loc[(lo, h), "on"].split()), set(t.loc[(hi, h), "on"].split())
            assert t.loc[(hi, h), "entering"] == " ".join(sorted(now - was))
            assert t.loc[(hi, h), "leaving"] == " ".join(sorted(was - now))


def test_grid_objective_never_falls_along_either_path(grid_sweep):
    t = grid_sweep.frontier.set_index(["budget", "resources.hours"])["objective"]
    noise = 1e-8 * t.abs().max()  # the tie-break pass may give up 1e-9 of the optimum
    for b in (400, 1200, 2000):
        assert (t.loc[b].diff().iloc[1:] >= -noise).all()
    for h in (3, 6, 12):
        assert (t.xs(h, level=1).diff().iloc[1:] >= -noise).all()


def test_grid_has_no_knee(grid_sweep):
    assert not grid_sweep.frontier["knee"].any()


def test_grid_warm_start_equals_cold(grid_sweep):
    cold = sweep(loaded(hours_mix()), {"budget": [400, 1200, 2000], "resources.hours": [3, 6, 12]}, warm_start=False)
    for w, c in zip(grid_sweep.plans, cold.plans):
        assert w.status == c.status
        assert w.objective == pytest.approx(c.objective, rel=1e-6, abs=1e-6)


# ---------------------------------------------------------------- frontier and plans_table directly


def test_frontier_of_given_plans_and_cases(reach_sweep):
    again = frontier(reach_sweep.plans, reach_sweep.cases, ["budget"])
    pd.testing.assert_frame_equal(again, reach_sweep.frontier)


def test_plans_table_with_extra_columns():
    plans = [solve(mix(budget=b)) for b in (500, 900)]
    t = plans_table(plans, [{"note": "x"}, {"note": "y"}])
    assert t["note"].tolist() == ["x", "y"]
    assert list(t.columns[:2]) == ["scenario", "note"]
    assert t["channels_on"].tolist() == [len(on_ids(p)) for p in plans]
    assert t["weakest_cell"].tolist() == [min(c.level for c in p.coverage) for p in plans]


# ---------------------------------------------------------------- compare and diff


def with_variants() -> dict:
    d = mix()
    d["variants"] = [
        {"name": "cut", "set": {"budget": 600}},
        {"name": "no-radio", "set": {"rules.force_off": ["radio"]}},
        {"name": "dear-stall", "set": {"channels.stall.fixed_cost": 5000}},
    ]
    return d


@pytest.fixture(scope="module")
def compared():
    cases = variants(loaded(with_variants()))
    plans = [solve(c.scenario) for c in cases]
    return plans, compare(plans)


def test_compare_has_one_row_per_scenario_and_a_spend_column_per_channel(compared):
    plans, table = compared
    assert table["scenario"].tolist() == ["test", "test/cut", "test/no-radio", "test/dear-stall"]
    assert [c for c in table.columns if c.startswith("spend_")] == [f"spend_{c}"
                                                                    for c in ("radio", "ads", "shop", "mail", "stall",
                                                                              "store")]
    for column in ("status", "objective", "cost", "weakest_cell", "channels_on", "verified"):
        assert column in table.columns
    for plan, (_, row) in zip(plans, table.iterrows()):
        assert row["objective"] == plan.objective and row["cost"] == plan.cost and row["status"] == plan.status
        for c in plan.channels:
            assert row[f"spend_{c.id}"] == c.spend


def test_compare_shows_what_each_variant_changes(compared):
    plans, table = compared
    base, cut, no_radio, dear_stall = plans
    assert cut.cost <= 600 + 1e-6 and cut.objective < base.objective
    assert "radio" in on_ids(base) and "radio" not in on_ids(no_radio)
    assert "stall" in on_ids(base) and "stall" not in on_ids(dear_stall)


def test_diff_lists_entering_leaving_and_moves():
    before, after = solve(mix(budget=800)), solve(mix(budget=1200))
    moved = diff(before, after)
    per_channel = moved[moved["change"] != "total"].set_index("channel")
    assert list(per_channel.index) == ["radio", "ads", "shop", "mail", "stall", "store"]
    for c in before.channels:
        row = per_channel.loc[c.id]
        now = spend(after, c.id)
        assert (row["on_before"], row["on_after"]) == (c.on, c.id in on_ids(after))
        assert row["spend_before"] == c.spend and row["spend_after"] == now
        assert row["change_in_spend"] == pytest.approx(now - c.spend)
        expected = ("enters" if row["on_after"] and not row["on_before"] else
                    "leaves" if row["on_before"] and not row["on_after"] else
                    "moves" if abs(now - c.spend) > 1e-6 * max(1.0, c.spend) else "")
        assert row["change"] == expected
    assert {"enters", "leaves"} <= set(per_channel["change"])  # moves: next test but one; unchanged: next test
    totals = moved[moved["change"] == "total"].set_index("channel")
    assert list(totals.index) == ["(objective)", "(cost)"]
    assert totals.loc["(objective)", "spend_before"] == before.objective
    assert totals.loc["(objective)", "change_in_spend"] == pytest.approx(after.objective - before.objective)
    assert totals.loc["(cost)", "spend_after"] == after.cost


def test_diff_of_a_plan_with_itself_moves_nothing():
    plan = solve(mix())
    moved = diff(plan, plan)
    assert set(moved["change"]) == {"", "total"}
    assert (moved["change_in_spend"].fillna(0) == 0).all()


def test_diff_when_a_channel_leaves(compared):
    plans, _ = compared
    moved = diff(plans[0], plans[2]).set_index("channel")  # base → no-radio
    assert moved.loc["radio", "change"] == "leaves"
    assert moved.loc["radio", "on_before"] and not moved.loc["radio", "on_after"]


def test_diff_of_a_budget_cut_moves_spend():
    import channelmix as cm

    loaded_file = cm.load(Path(__file__).parents[1] / "scenarios" / "township-bakery.yaml")
    base, cut = (cm.solve_scenario(c.scenario) for c in cm.variants(loaded_file)[:2])
    moved = diff(base, cut)
    assert "moves" in set(moved["change"])
    assert moved.set_index("channel").loc["(cost)", "change_in_spend"] == pytest.approx(cut.cost - base.cost)
