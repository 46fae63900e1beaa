"""channelmix import meridian from the saved model (model.binpb, read without Meridian or
TensorFlow): Meridian's response recomputed to the last bits, exact curves, the posterior
draws as worlds, the steady weekly curve, and a plan at least as good as Meridian's own
optimiser's under the same bounds (scored as Meridian scores it, tests/meridian_oracle.py)."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
import yaml

pytest.importorskip("google.protobuf", reason="reading model.binpb needs protobuf (pip install 'channelmix[meridian]')")

from channelmix.evidence import meridian_math as mm  # noqa: E402
from channelmix.evidence.meridian_file import message_classes, read_model  # noqa: E402
from channelmix.model.worlds import worlds_of  # noqa: E402
from channelmix.schema import load  # noqa: E402
from meridian_oracle import FIXTURE, Meridian  # noqa: E402
from test_import_meridian import WEEKS, imported, outcome, run  # noqa: E402

MODEL = FIXTURE / "model.binpb"
TABLE = FIXTURE / "response_curves.csv"


@pytest.fixture(scope="module")
def model():
    return read_model(str(MODEL))


@pytest.fixture(scope="module")
def oracle() -> Meridian:
    return Meridian()


@pytest.fixture(scope="module")
def window_import(tmp_path_factory):
    done, out = imported(tmp_path_factory.mktemp("model"), MODEL, TABLE)
    assert done.returncode == 0, done.stderr
    return done, out


@pytest.fixture(scope="module")
def weekly_import(tmp_path_factory):
    done, out = imported(tmp_path_factory.mktemp("weekly"), MODEL, TABLE, "--per", "week")
    assert done.returncode == 0, done.stderr
    return done, out


def test_meridians_response_is_recomputed_from_the_file(model):
    ref = pd.read_csv(FIXTURE / "reference_points.csv")
    for name, rows in ref.groupby("channel"):
        mean = mm.window_outcome(model, model.channels.index(name), rows["spend_multiplier"].to_numpy()).mean(axis=0)
        np.testing.assert_allclose(mean, rows["incremental_outcome"], rtol=1e-13, atol=1e-6)
    draws = pd.read_csv(FIXTURE / "posterior_draws.csv")
    for (chain, draw, name), rows in draws.groupby(["chain", "draw", "channel"]):
        mine = mm.window_outcome(model, model.channels.index(name),
                                 rows["spend_multiplier"].to_numpy())[chain * 50 + draw]
        np.testing.assert_allclose(mine, rows["incremental_outcome"], rtol=1e-13, atol=1e-6)


def test_the_steady_week_is_meridians_flat_spend_week(model):
    """Meridian's own weeks of a flat spend after the ramp-up, in KPI units (in revenue the
    importer uses the window's mean revenue per KPI)."""
    reference = json.loads((FIXTURE / "reference.json").read_text(encoding="utf-8"))
    rpk = model.revenue_per_kpi[0, model.kpi_week].mean()
    for row in reference["steady_week"]:
        c = model.channels.index(row["channel"])
        week = mm.steady_outcome(model, c, np.array([row["weekly_spend"]])).mean() / rpk
        assert week == pytest.approx(row["flat_kpi_per_week_after_rampup"], rel=1e-13)
        half, shape, value = mm.steady_hills(model, c)  # one exact hill curve per draw (national, Hill)
        w = row["weekly_spend"]
        assert np.mean(value * w**shape / (w**shape + half**shape)) / rpk == pytest.approx(week, rel=1e-13)


def test_meridians_default_bounds_are_rebuilt_exactly(model):
    reference = json.loads((FIXTURE / "reference.json").read_text(encoding="utf-8"))
    for opt in reference["optimizer"]:
        budget, lower, upper = mm.meridian_bounds(model.spend_total, opt["budget_argument"])
        assert budget == opt["budget"]
        assert lower.tolist() == list(opt["lower_bound"].values())
        assert upper.tolist() == list(opt["upper_bound"].values())


def test_exact_curves_meet_meridian_at_and_between_its_points(window_import, oracle):
    done, out = window_import
    scenario = load(out).scenario
    channels = {c.id: c for c in scenario.channels}
    ref = pd.read_csv(FIXTURE / "reference_points.csv")
    for row in ref.itertuples():
        mine, theirs = outcome(channels[row.channel], row.spend), row.incremental_outcome
        if row.kind == "table":  # the table's points are points of the curve
            assert mine == pytest.approx(theirs, rel=1e-9, abs=1e-9)
        else:  # between points the chord is within the stated 1e-6 of the curve's range, below it (concave)
            top = outcome(channels[row.channel], channels[row.channel].max_spend)
            assert -1e-6 * top <= mine - theirs <= 1e-9 * top
    for name, ch in channels.items():
        assert ch.max_spend == pytest.approx(3 * oracle.spend[oracle.channels.index(name)], rel=1e-11)
    assert "At all 44 points of Meridian's table: largest relative gap" in done.stderr
    source = scenario.source
    assert (source.version, source.window.start, source.window.end, source.per.count) == (
        "2.1.0", "2021-01-25", "2024-01-15", WEEKS)
    assert all(r.channelmix == pytest.approx(r.tool, rel=1e-9) for r in source.check)


def test_posterior_draws_are_the_worlds(window_import):
    _, out = window_import
    scenario = load(out).scenario
    worlds = worlds_of(scenario)
    assert len(worlds) == 1 + 100
    draws = pd.read_csv(FIXTURE / "posterior_draws.csv")
    for (chain, draw, name), rows in draws.groupby(["chain", "draw", "channel"]):
        world = worlds[1 + chain * 50 + draw].channel(name)
        for row in rows.itertuples():  # Meridian's own per-draw figures (Analyzer.incremental_outcome)
            assert outcome(world, row.spend) == pytest.approx(row.incremental_outcome, rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("budget", [None, 140e6])
def test_the_plan_is_at_least_meridians_own(tmp_path, oracle, budget):
    """With Meridian's bounds and budget, the plan on exact curves scores at least Meridian's
    optimiser's plan as Meridian scores them (Meridian's 100,000 grid is 1.1e-7 / 2.9e-7 below
    the continuous optimum; the fine table's plan is 1.1e-5 / 1.8e-6 below)."""
    opt = next(o for o in oracle.reference["optimizer"] if o["budget_argument"] == budget)
    done, out = imported(tmp_path, MODEL, "--bounds", "meridian", "--draws", "0",
                         *(["--budget", str(budget)] if budget else []))
    assert done.returncode == 0, done.stderr
    solved = run("solve", out, "--format", "json")
    assert solved.returncode == 0, solved.stderr
    spends = {c["id"]: c["spend"] for c in json.loads(solved.stdout)["channels"]}
    assert sum(spends.values()) <= opt["budget"] * (1 + 1e-9)
    assert all(opt["lower_bound"][c] - 1e-6 <= s <= opt["upper_bound"][c] + 1e-6 for c, s in spends.items())
    assert oracle.score(spends) >= opt["optimized_total_incremental_outcome"]


def test_per_week_gives_the_exact_steady_curve_with_a_hill_world_per_draw(weekly_import, model):
    done, out = weekly_import
    scenario = load(out).scenario
    assert (scenario.source.per.unit, scenario.source.per.flighting) == ("week", "steady")
    draws = pd.read_csv(out.with_suffix(".draws.csv"))
    assert list(draws.columns) == ["channel", "draw", "half", "shape", "value"] and len(draws) == 4 * 100
    worlds = worlds_of(scenario)
    for c, name in enumerate(model.channels):
        ch = scenario.channel(name)
        today = scenario.current[name]
        assert today == pytest.approx(model.spend_total[c] / WEEKS, rel=1e-11)
        top = outcome(ch, ch.max_spend)
        for k in (0.5, 1.0, 1.7):
            exact = mm.steady_outcome(model, c, np.array([k * today]))
            # the mean curve, within its chords
            assert outcome(ch, k * today) == pytest.approx(exact.mean(), abs=1e-6 * top)
            for d in (0, 37, 99):  # each world is its draw's hill curve, exactly
                assert worlds[1 + d].channel(name).response.type == "hill"
                assert outcome(worlds[1 + d].channel(name), k * today) == pytest.approx(exact[d], rel=1e-11)
        assert outcome(ch, today) == pytest.approx(mm.steady_outcome(model, c, np.array([today])).mean(), rel=1e-11)
    assert "the difference is the flighting, not an error" in done.stderr  # Meridian's table ÷ 156 is not a steady week
    assert "Channel2         77,431.73          229,771.28          251,222.94   +9.34e-02" in done.stderr


def test_reach_and_frequency_channels_are_refused_by_name(tmp_path):
    classes = message_classes()
    kernel = classes["MmmKernel"].FromString(MODEL.read_bytes())
    kernel.marketing_data.metadata.channel_dimensions.add(name="rf_channel", channels=["YouTube"])
    path = tmp_path / "rf.binpb"
    path.write_bytes(kernel.SerializeToString())
    done, out = imported(tmp_path, path)
    assert done.returncode == 2 and "Traceback" not in done.stderr and not out.exists()
    assert "reach-and-frequency channels (YouTube)" in done.stderr


def test_without_protobuf_the_model_file_says_how_to_get_it(tmp_path):
    blocked = tmp_path / "blocked" / "google" / "protobuf"
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text("raise ImportError('no protobuf here')\n")
    done, out = imported(tmp_path, MODEL, env={**os.environ, "PYTHONPATH": str(tmp_path / "blocked")})
    assert done.returncode == 2 and "Traceback" not in done.stderr and not out.exists()
    assert "needs protobuf, which is not installed" in done.stderr and 'install "channelmix[meridian]"' in done.stderr


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    bad = tmp_path / "bad.binpb"
    bad.write_bytes(b"\xff\xff\xff not a protobuf")
    done, out = imported(tmp_path, bad)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "is not a saved Meridian model" in done.stderr


BASE = [str(MODEL), "--draws", "0"]
OPTIONS = [  # (arguments, what the written scenario shows, or None for exit 2)
    (["--per", "week"], "flighting: steady"),
    (["--bounds", "meridian"], "force_on:"),
    (["--bounds", "0.8:1.2"], "min_spend:"),
    (["--budget", "100000000"], "budget: 100000000"),
    (["--draws", "7", "--seed", "3"], "worlds:"),
    (["--weeks", "156"], None),  # the model says how many weeks
    (["--seed", "3"], None),  # every draw kept: nothing to thin
    (["--per", "month"], None),
    (["--bounds", "lots"], None),
    (["--recent", "4"], None),
    (["--window", "2021-01-01:2022-01-01"], None),
]


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> str:
    """The scenario the import writes without the options (the same for every option: imported once)."""
    base, out = imported(tmp_path_factory.mktemp("plain"), *BASE, name="plain.yaml")
    assert base.returncode == 0, base.stderr
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("args, shows", OPTIONS)
def test_every_option_changes_the_scenario_or_exits_2(tmp_path, plain, args, shows):
    argv = [a for a in BASE if a not in ("--draws", "0")] if "--draws" in args else BASE
    done, out = imported(tmp_path, *argv, *args)
    if shows is None:
        assert done.returncode == 2 and "Traceback" not in done.stderr and not out.exists(), done.stderr
        return
    assert done.returncode == 0, done.stderr
    assert shows in out.read_text(encoding="utf-8") and shows not in plain
    assert yaml.safe_load(out.read_text(encoding="utf-8")) != yaml.safe_load(plain)


def _geo_model(tmp_path, populations=(1.5, 0.5), betas=(2.0, 1.0)) -> tuple[object, str]:
    """The fixture as a two-geo model: geo g has populations[g] × the national media, spend and
    KPI (so the same media scale and KPI deviation) and betas[g] × the national β; the
    posterior lists its geos in the other order, to be matched by name."""
    import io

    from scipy.io import netcdf_file

    classes = message_classes()
    kernel = classes["MmmKernel"].FromString(MODEL.read_bytes())
    national = list(kernel.marketing_data.marketing_data_points)
    del kernel.marketing_data.marketing_data_points[:]
    for geo, pop in zip(("north", "south"), populations):
        for point in national:
            p = kernel.marketing_data.marketing_data_points.add()
            p.CopyFrom(point)
            p.geo_info.geo_id, p.geo_info.population_value = geo, pop
            for v in p.media_variables:
                v.scalar_metric.value *= pop
                v.media_spend *= pop
            p.kpi.non_revenue.value *= pop
    model = classes["MeridianModel"].FromString(kernel.model.value)
    source = netcdf_file(io.BytesIO(model.inference_data.posterior), mmap=False)
    out = io.BytesIO()
    target = netcdf_file(out, "w", version=2)
    for name, size in (("chain", 2), ("draw", 50), ("media_channel", 4), ("string8", 8), ("geo", 2), ("string5", 5)):
        target.createDimension(name, size)
    target.createVariable("media_channel", "c",
                          ("media_channel", "string8"))[:] = source.variables["media_channel"].data
    geo_names = np.array([list(b"south"), list(b"north")], dtype="uint8").view("S1")
    target.createVariable("geo", "c", ("geo", "string5"))[:] = geo_names
    for name in ("alpha_m", "ec_m", "slope_m"):
        target.createVariable(name, "d", ("chain", "draw", "media_channel"))[:] = source.variables[name].data
    beta = source.variables["beta_gm"].data[:, :, 0, :]
    by_geo = np.stack([betas[1] * beta, betas[0] * beta], axis=2)
    target.createVariable("beta_gm", "d", ("chain", "draw", "geo", "media_channel"))[:] = by_geo
    target.flush()
    model.inference_data.posterior = out.getvalue()
    kernel.model.value = model.SerializeToString()
    path = tmp_path / "geo.binpb"
    path.write_bytes(kernel.SerializeToString())
    source.close()
    return read_model(str(path)), str(path)


def test_a_geo_model_sums_its_geos(tmp_path, model):
    geo, path = _geo_model(tmp_path)
    assert geo.geos == ["north", "south"] and geo.population.tolist() == [1.5, 0.5]
    weight = 1.5 * 2.0 + 0.5 * 1.0  # Σ population × β factor: the national response, that many times
    ks = np.array([0.3, 1.0, 2.2])
    for c in range(len(model.channels)):
        assert mm.media_scale(geo)[c] == pytest.approx(mm.media_scale(model)[c], rel=1e-14)
        np.testing.assert_allclose(mm.window_outcome(geo, c, ks), weight * mm.window_outcome(model, c, ks), rtol=1e-12)
        weekly = np.array([1e4, 3e5, 2e6])
        np.testing.assert_allclose(mm.steady_outcome(geo, c, weekly), weight * mm.steady_outcome(model, c, weekly / 2),
                                   rtol=1e-12)
        assert mm.steady_hills(geo, c) is None  # a sum over geos is no single hill curve: points, not hill worlds
    done, out = imported(tmp_path, path, "--per", "week", "--draws", "3", "--seed", "1")
    assert done.returncode == 0, done.stderr
    assert list(pd.read_csv(out.with_suffix(".draws.csv")).columns) == ["channel", "draw", "spend", "outcome"]
