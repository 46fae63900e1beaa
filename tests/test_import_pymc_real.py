"""channelmix import pymc-marketing on models fitted and saved by PyMC-Marketing 1.3.0 itself
(tests/data/pymc_real), against the figures PyMC-Marketing computed for them (the JSON beside
each model: sample_posterior_predictive on blocks of constant spend, at 14 spends on no grid
plus today's).  Needs only the .nc files (xarray, h5netcdf): tested on every Python.

What must hold: the imported curve is PyMC-Marketing's posterior-mean steady state at every
spend (the target is 1e-6 relative; it holds to rounding), each world is one posterior sample
and equals PyMC-Marketing's single-draw figure, the file is read as PyMC-Marketing reads it (its
in-sample channel_contribution recomputed), cost_per_unit turns units into money at the mean
price over today's periods, and a log-link model is refused by name.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from channelmix.model.worlds import worlds_of
from channelmix.schema import load
from channelmix.schema.responses import reach
from channelmix.solve.pipeline import solve_scenario

pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

from channelmix.evidence.pymc import Options, import_pymc, reproduction_gap  # noqa: E402
from channelmix.evidence.pymc_file import read_saved  # noqa: E402

DATA = Path(__file__).parent / "data" / "pymc_real"
IDENTITY = ["identity_logistic", "cost_per_unit_logistic", "michaelis_menten_saturation_first"]


def _reference(model: str) -> dict:
    return json.loads((DATA / f"{model}.json").read_text(encoding="utf-8"))


def _cli() -> str:
    exe = Path(sys.executable).with_name("channelmix")
    return str(exe) if exe.exists() else shutil.which("channelmix")


def _import(tmp_path: Path, model: str, *args: str) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path / f"{model}.yaml"
    done = subprocess.run([_cli(), "import", "pymc-marketing", str(DATA / f"{model}.nc"), *args, "-o", str(out)],
                          capture_output=True, text=True)
    return done, out


@pytest.mark.parametrize("model", IDENTITY)
def test_the_curve_is_pymc_marketings_at_spends_on_no_grid(tmp_path, model):
    done, out = _import(tmp_path, model)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    scenario = load(out).scenario
    ref = _reference(model)
    by_name = {c.name: c for c in scenario.channels}
    assert list(by_name) == ref["channels"]  # ö and é survive as labels
    for name, spends in ref["curve"]["spends"].items():
        channel = by_name[name]
        assert len(spends) >= 11
        assert scenario.current[channel.id] == pytest.approx(ref["today"]["spend"][name], rel=1e-9)
        for spend, theirs in zip(spends, ref["curve"]["contribution"]["mean"][name]):
            # target: 1e-6
            assert channel.outcome.value * reach(channel.response, spend) == pytest.approx(theirs, rel=1e-9)
    assert scenario.budget == pytest.approx(sum(ref["today"]["spend"].values()), rel=1e-9)
    assert scenario.source.tool == "PyMC-Marketing" and scenario.source.per.flighting == "steady"


@pytest.mark.parametrize("model", IDENTITY)
def test_each_world_is_one_posterior_sample(tmp_path, model):
    done, out = _import(tmp_path, model)
    assert done.returncode == 0, done.stderr
    scenario = load(out).scenario
    ref = _reference(model)
    worlds = worlds_of(scenario)
    assert len(worlds) == 1 + ref["fit"]["samples_saved"]  # world 0 (the mean) and every sample
    shown = ref["curve"]["shown_draws"]["sample_index"]
    for name, spends in ref["curve"]["spends"].items():
        for k, i in enumerate(shown):
            channel = {c.name: c for c in worlds[1 + i].channels}[name]
            for spend, theirs in zip(spends, ref["curve"]["contribution"]["shown_draws"][name][k]):
                assert channel.outcome.value * reach(channel.response, spend) == pytest.approx(theirs, rel=1e-9)


def test_over_every_sample_the_worlds_mean_is_the_posterior_mean(tmp_path):
    done, out = _import(tmp_path, "identity_logistic")
    assert done.returncode == 0, done.stderr
    plan = solve_scenario(load(out).scenario)
    assert plan.verified
    assert plan.risk["mean"] == pytest.approx(plan.outcome, rel=1e-12)  # no thinning error: every sample is a world
    assert "mc_se" not in plan.risk


def test_thinned_worlds_report_their_monte_carlo_error(tmp_path):
    done, out = _import(tmp_path, "identity_logistic", "--draws", "10", "--seed", "4")
    assert done.returncode == 0, done.stderr
    scenario = load(out).scenario
    assert scenario.worlds.samples.count == 10 and len(worlds_of(scenario)) == 11
    plan = solve_scenario(scenario)
    se = plan.risk["mc_se"]
    assert set(se) == {"mean", "p5", "p95", "cvar"} and all(v > 0 for v in se.values())
    spread = np.std(plan.risk["objectives"][1:], ddof=1)
    # the bootstrap agrees with σ/√K (world 0 fixed)
    assert se["mean"] == pytest.approx(spread / np.sqrt(10) * 10 / 11, rel=0.25)
    from channelmix.reports.common import num
    from channelmix.reports.documents import plan_document
    from channelmix.reports.risk import risk_lines

    lines = risk_lines(plan_document(plan))
    assert f"Mean {num(plan.risk['mean'], 0)} ± {num(se['mean'], 0)}" in lines[0]
    assert "10 of the model's 30 posterior samples" in lines[1] and "Monte-Carlo standard error" in lines[1]


@pytest.mark.parametrize("model", IDENTITY)
def test_the_file_is_read_as_pymc_marketing_reads_it(model):
    """A hand convolution of the training data with the parameters read reproduces the
    model's own posterior.channel_contribution, every week and sample."""
    gap = reproduction_gap(read_saved(str(DATA / f"{model}.nc")), model)
    assert gap is not None and gap < 1e-12


def test_cost_per_unit_prices_the_channel_scale_at_todays_mean_price():
    ref = _reference("cost_per_unit_logistic")
    imported = import_pymc(str(DATA / "cost_per_unit_logistic.nc"))
    for c in imported.channels:
        name = c.label or c.id
        price = ref["cost_per_unit"]["planning_price"][name]
        assert c.response["channel_scale"] == pytest.approx(ref["scales"]["channel_scale"][name] * price, rel=1e-12)
        assert c.current == pytest.approx(ref["today"]["spend"][name], rel=1e-12)  # money, not impressions or clicks
    assert "mean recorded price" in " ".join(imported.notes)


def test_a_log_link_model_is_refused_by_name(tmp_path):
    done, out = _import(tmp_path, "log_logistic")
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr and not out.exists()
    assert "attribute link: is 'log'" in done.stderr and "link='identity'" in done.stderr
    assert "multiplies" in done.stderr


def test_window_and_bounds_apply_to_pymc_imports():
    ref = _reference("identity_logistic")
    default = import_pymc(str(DATA / "identity_logistic.nc"))
    window = import_pymc(str(DATA / "identity_logistic.nc"),
                         Options(window=f"{ref['today']['first']}:{ref['today']['last']}"))
    assert [c.current for c in window.channels] == pytest.approx([c.current for c in default.channels], rel=1e-12)
    early = import_pymc(str(DATA / "identity_logistic.nc"), Options(window="2024-01-07:2024-02-04", bounds=(0.5, 2.0)))
    saved = read_saved(str(DATA / "identity_logistic.nc"))
    for j, c in enumerate(early.channels):
        assert c.current == pytest.approx(saved.spends[:5, j].mean(), rel=1e-12)
        assert (c.min_spend, c.max_spend) == pytest.approx((0.5 * c.current, 2.0 * c.current), rel=1e-12)


def test_half_life_adstock_is_read(tmp_path):
    """PyMC-Marketing's half-life parametrisation: posterior adstock_halflife, α = 0.5^{1/h}."""
    import xarray as xr

    source = DATA / "michaelis_menten_saturation_first.nc"  # unnormalised: the adstock sum depends on α
    target = tmp_path / "halflife.nc"
    shutil.copy(source, target)
    import h5netcdf

    with h5netcdf.File(target, "a") as f:
        adstock = json.loads(f.attrs["adstock"])
        adstock["parametrization"] = "halflife"
        f.attrs["adstock"] = json.dumps(adstock)
    posterior = xr.open_dataset(source, group="posterior", engine="h5netcdf").load()
    halflife = np.log(0.5) / np.log(posterior["adstock_alpha"])  # α = 0.5^{1/h}
    posterior = posterior.drop_vars("adstock_alpha").assign(adstock_halflife=halflife)
    posterior.to_netcdf(target, mode="a", group="posterior", engine="h5netcdf")
    original, halved = (import_pymc(str(p), Options(draws=0)) for p in (source, target))
    for a, b in zip(original.channels, halved.channels):
        assert b.response["adstock_sum"] == pytest.approx(a.response["adstock_sum"], rel=1e-12)
