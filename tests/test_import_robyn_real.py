"""channelmix import robyn on three robyn_write() exports of Robyn 3.11 models
(tests/data/robyn_real: geometric, Weibull CDF, Weibull PDF adstock), against the figures
Robyn 3.11.0's own R functions computed for them (expected.json, from robyn_allocator(),
robyn_response(), get_hill_params(), fx_objective(), transform_adstock()) and the allocator's
own CSVs.

What must hold: the JSON alone imports (the input data are inside, Extras.raw_data); at
today's spend and at 11 spends off any grid the imported curve gives Robyn's allocator
response to 1e-6 (initResponseUnit, fx_objective); with the allocator's CSV, the scenario has
Robyn's date range, bounds and budget, and channelmix's plan scored on Robyn's own curves is
at least the best of 20 SLSQP starts (targets.json, equal to Robyn's own nloptr optimum).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from channelmix.evidence import robyn_math as rm
from channelmix.evidence.robyn import import_robyn, load
from channelmix.schema import load as load_scenario
from channelmix.schema.responses import reach
from channelmix.solve.pipeline import solve_scenario

DATA = Path(__file__).parent / "data" / "robyn_real"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))["exports"]
TARGETS = json.loads((DATA / "targets.json").read_text(encoding="utf-8"))["exports"]
# each export's allocator run: its date range as robyn_allocator(date_range = …) was given it
RUNS = {"2_118_6": "2024-01-01:2024-06-24", "4_302_1": "all", "1_77_3": "last_13"}
EXPORTS = list(RUNS)


def _cli() -> str:
    exe = Path(sys.executable).with_name("channelmix")
    return str(exe) if exe.exists() else shutil.which("channelmix")


def _run(tmp_path: Path, *args: object) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path / "robyn.yaml"
    done = subprocess.run([_cli(), "import", "robyn", *map(str, args), "-o", str(out)], capture_output=True, text=True)
    return done, out


def _expected(solid: str) -> dict:
    return EXPECTED[f"RobynModel-{solid}.json"]


def _figure(channel, spend: float) -> float:
    """What the scenario says the channel's response is at this spend: Robyn's coef·h(s + c)."""
    return channel.outcome.value * reach(channel.response, spend) + channel.outcome.baseline


@pytest.mark.parametrize("solid", EXPORTS)
def test_json_alone_reproduces_robyns_allocator(tmp_path, solid):
    done, out = _run(tmp_path, DATA / f"RobynModel-{solid}.json", "--window", RUNS[solid])
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    scenario = load_scenario(out).scenario
    expected = _expected(solid)["channels"]
    assert [c.id for c in scenario.channels] == sorted(expected)
    for channel in scenario.channels:
        e = expected[channel.id]
        assert scenario.current[channel.id] == pytest.approx(e["init_spend"], rel=1e-9)
        assert channel.response.half == pytest.approx(e["inflexion"], rel=1e-9)
        assert channel.response.offset == pytest.approx(e["carryover_mean"], rel=1e-9)
        assert _figure(channel, e["init_spend"]) == pytest.approx(e["init_response"], rel=1e-6)
        assert channel.outcome.baseline == pytest.approx(e["carryover_response"], rel=1e-6)
        for point in e["offgrid"]:
            assert _figure(channel, point["spend"]) == pytest.approx(point["response"], rel=1e-6)
    assert scenario.budget == pytest.approx(_expected(solid)["allocator"]["total_budget_unit"], rel=1e-9)


def test_raw_data_csv_stays_an_option():
    alone = import_robyn([str(DATA / "RobynModel-4_302_1.json")])
    beside = import_robyn([str(DATA / "RobynModel-4_302_1.json"), str(DATA / "raw_data.csv")])
    assert [(c.id, c.response, c.outcome, c.current) for c in alone.channels] == \
           [(c.id, c.response, c.outcome, c.current) for c in beside.channels]


@pytest.mark.parametrize("solid", ["4_302_1", "1_77_3"])
def test_weibull_lag_weights_and_adstock_are_robyns(solid):
    model, _ = load([str(DATA / f"RobynModel-{solid}.json")])
    ws, we = model.window
    for ch, e in _expected(solid)["channels"].items():
        adstock = rm.Adstock(model.adstock, shape=model.hyper[f"{ch}_shapes"], scale=model.hyper[f"{ch}_scales"])
        weights = rm.lag_weights(adstock, len(model.dates))  # n = every row of the input data, not the window
        assert round(1 + adstock.scale * (len(model.dates) - 1)) == e["weibull_scale_trans"]
        assert weights[:len(e["lag_weights_head"])] == pytest.approx(e["lag_weights_head"], rel=1e-12)
        total, _ = rm.adstocked(model.data[ch].to_numpy(dtype=float), adstock)
        assert total[ws:we + 1].min() == pytest.approx(e["adstocked_window_min"], rel=1e-12)
        assert total[ws:we + 1].max() == pytest.approx(e["adstocked_window_max"], rel=1e-12)


def test_the_export_summary_is_the_check_figure_when_the_range_is_the_window():
    # date range "all": today's spend is the window's mean
    imported = import_robyn([str(DATA / "RobynModel-4_302_1.json")])
    for c in imported.channels:
        assert c.tool == pytest.approx(_expected("4_302_1")["channels"][c.id]["mean_response"], rel=1e-12)
    other = import_robyn([str(DATA / "RobynModel-1_77_3.json")], window="last_13")
    assert all(c.tool is None for c in other.channels)  # Robyn's summary holds no figure at the last 13 weeks' spend


@pytest.mark.parametrize("solid", EXPORTS)
def test_allocator_csv_gives_robyns_range_bounds_budget_and_its_plan(tmp_path, solid):
    done, out = _run(tmp_path, DATA / f"RobynModel-{solid}.json", DATA / f"{solid}_max_response_reallocated.csv")
    assert done.returncode == 0, done.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    scenario = load_scenario(out).scenario
    expected, target = _expected(solid), TARGETS[f"RobynModel-{solid}.json"]
    # Robyn keeps every channel within its bounds
    assert sorted(data["rules"]["force_on"]) == sorted(expected["channels"])
    assert scenario.budget == pytest.approx(target["budget"], rel=1e-9)
    for channel in scenario.channels:
        e = expected["channels"][channel.id]
        assert (channel.min_spend, channel.max_spend) == pytest.approx(tuple(e["bounds"]), rel=1e-9)
        assert scenario.current[channel.id] == pytest.approx(e["init_spend"], rel=1e-9)
    plan = solve_scenario(scenario)
    assert plan.verified
    spend = {c.id: c.spend for c in plan.channels}
    on_robyns_curves = sum(c["coef"] / (1 + (c["inflexion"] / (spend[ch] + c["carryover_mean"])) ** c["alpha"])
                           for ch, c in expected["channels"].items())
    # the budget is written to 10 significant digits: a plan may spend up to 5e-10 of it more or less than Robyn's
    assert on_robyns_curves >= target["best_response_total"] * (1 - 1e-9)


def test_csv_and_json_of_other_models_do_not_mix(tmp_path):
    done, out = _run(tmp_path, DATA / "RobynModel-2_118_6.json", DATA / "1_77_3_max_response_reallocated.csv")
    assert done.returncode == 2 and "Traceback" not in done.stderr and not out.exists()
    assert "1_77_3_max_response_reallocated.csv" in done.stderr and "'1_77_3'" in done.stderr
    assert "2_118_6" in done.stderr


@pytest.mark.parametrize("option", [("--window", "all"), ("--bounds", "0.5:2")])
def test_the_csv_fixes_range_and_bounds_so_the_options_exit_2(tmp_path, option):
    done, out = _run(tmp_path, DATA / "RobynModel-2_118_6.json", DATA / "2_118_6_max_response_reallocated.csv", *option)
    assert done.returncode == 2 and "Traceback" not in done.stderr and not out.exists()
    assert option[0] in done.stderr and "allocator CSV" in done.stderr


@pytest.mark.parametrize("window, problem", [("last_x", "last_N"), ("2024-06-24:2024-01-01", "ends before it starts"),
                                             ("someday", "not a date")])
def test_bad_date_ranges_exit_2(tmp_path, window, problem):
    done, out = _run(tmp_path, DATA / "RobynModel-2_118_6.json", "--window", window)
    assert done.returncode == 2 and "Traceback" not in done.stderr and not out.exists()
    assert problem in done.stderr and "--window" in done.stderr


def test_dates_snap_to_the_nearest_window_dates_as_robyn():
    """Robyn reads a date range on the modelling window's dates: mid-week dates snap to the
    nearest weeks, and dates beyond the window to its ends."""
    snapped = import_robyn([str(DATA / "RobynModel-2_118_6.json")], window="2023-12-29:2024-09-30")
    exact = import_robyn([str(DATA / "RobynModel-2_118_6.json")], window="2024-01-01:2024-06-24")
    assert [c.current for c in snapped.channels] == [c.current for c in exact.channels]
    model, _ = load([str(DATA / "RobynModel-2_118_6.json")])
    last = import_robyn([str(DATA / "RobynModel-2_118_6.json")], window="last_1")
    ws, we = model.window
    assert [c.current for c in last.channels] == [float(model.data[c.id].iloc[we]) for c in last.channels]


def test_json_without_its_data_and_no_table_names_extras(tmp_path):
    doc = json.loads((DATA / "RobynModel-2_118_6.json").read_text(encoding="utf-8"))
    del doc["Extras"]
    (tmp_path / "nodata.json").write_text(json.dumps(doc), encoding="utf-8")
    done, out = _run(tmp_path, tmp_path / "nodata.json")
    assert done.returncode == 2 and "Traceback" not in done.stderr and not out.exists()
    assert "Extras.raw_data" in done.stderr and "raw_data.csv" in done.stderr


def test_bad_cell_in_the_embedded_data_is_named_where_it_is(tmp_path):
    doc = json.loads((DATA / "RobynModel-2_118_6.json").read_text(encoding="utf-8"))
    doc["Extras"]["raw_data"][7]["ooh_S"] = -1
    (tmp_path / "bad.json").write_text(json.dumps(doc), encoding="utf-8")
    done, _ = _run(tmp_path, tmp_path / "bad.json")
    assert done.returncode == 2 and "Extras.raw_data[7].ooh_S" in done.stderr


def test_robyn_sorts_the_input_data_by_date(tmp_path):
    """robyn_inputs() sorts dt_input by date, and the window rows count in that order."""
    doc = json.loads((DATA / "RobynModel-1_77_3.json").read_text(encoding="utf-8"))
    doc["Extras"]["raw_data"] = doc["Extras"]["raw_data"][::-1]
    (tmp_path / "reversed.json").write_text(json.dumps(doc), encoding="utf-8")
    shuffled = import_robyn([str(tmp_path / "reversed.json")], window="last_13")
    ordered = import_robyn([str(DATA / "RobynModel-1_77_3.json")], window="last_13")
    assert [(c.response, c.outcome, c.current) for c in shuffled.channels] == [(c.response, c.outcome, c.current)
                                                                               for c in ordered.channels]


def _robyn_over_weeks(model, spends: dict[str, list[float]]) -> float:
    """Robyn's own model response over the weeks after the data: the history extended by the
    plan's spends, adstocked (geometric), coef·h(a_t) with the modelling window's inflexion."""
    ws, we = model.window
    total = 0.0
    for ch, plan in spends.items():
        adstock = rm.Adstock("geometric", theta=model.hyper[f"{ch}_thetas"])
        history, _ = rm.adstocked(model.data[ch].to_numpy(dtype=float), adstock)
        inflexion = rm.inflexion(history, slice(ws, we + 1), model.hyper[f"{ch}_gammas"])
        extended, _ = rm.adstocked(np.concatenate([model.data[ch].to_numpy(dtype=float), plan]), adstock)
        total += sum(model.coef[ch] * rm.hill(a, model.hyper[f"{ch}_alphas"], inflexion) for a in extended[-len(plan):])
    return total


def test_periods_plan_from_the_adstock_history_leaves_is_robyns_model(tmp_path):
    """--periods N: a plan over the N weeks after the data whose outcome, week by week, is Robyn's
    own model response to the history followed by the plan (geometric adstock, exactly)."""
    from channelmix.verify.evaluate_periods import evaluate_periods

    done, out = _run(tmp_path, DATA / "RobynModel-2_118_6.json", DATA / "2_118_6_max_response_reallocated.csv",
                     "--periods", "4")
    assert done.returncode == 0, done.stderr
    scenario = load_scenario(out).scenario
    model, _ = load([str(DATA / "RobynModel-2_118_6.json")])
    assert scenario.periods.count == 4 and sorted(scenario.rules.force_on) == sorted(model.channels)
    weeks = [str(t) for t in range(1, 5)]
    rng = np.random.default_rng(5)
    for _ in range(3):  # any schedule within the bounds, not only the optimum
        spends = {c.id: list(rng.uniform(c.min_spend, c.max_spend, 4)) for c in scenario.channels}
        truth = evaluate_periods(scenario, {(c, p): True for c in spends for p in weeks},
                                  {(c, p): s for c, v in spends.items() for p, s in zip(weeks, v)})
        assert truth.outcome == pytest.approx(_robyn_over_weeks(model, spends), rel=1e-9)


@pytest.mark.parametrize("solid", ["4_302_1", "1_77_3"])
def test_periods_need_geometric_adstock(tmp_path, solid):
    done, out = _run(tmp_path, DATA / f"RobynModel-{solid}.json", "--periods", "4")
    assert done.returncode == 2 and not out.exists() and "Traceback" not in done.stderr
    assert "--periods" in done.stderr and "geometric" in done.stderr
