"""channelmix import pymc-marketing: a saved model (built here in the documented shape) becomes
a scenario whose response at today's spend is the posterior-mean contribution computed by
hand from PyMC-Marketing's published formulas, and whose worlds are the posterior draws.

Real models saved by PyMC-Marketing 1.3.0 itself are tested in test_import_pymc_real.py."""

from __future__ import annotations

import math
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
sys.path.insert(0, str(Path(__file__).parent))

from pymc_fixture import CHANNELS, TARGET_SCALE, posterior_params, save_model, spends  # noqa: E402


def run(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("channelmix")
    cli = str(exe) if exe.exists() else shutil.which("channelmix")
    return subprocess.run([cli, "import", "pymc-marketing", *args], capture_output=True, text=True)


def hand_logistic(spend: float, scale: float, lam: float, beta: float, weight_sum: float = 1.0) -> float:
    """β · (1 − e^{−λu}) / (1 + e^{−λu}) · target scale, u = spend · Σw / channel scale."""
    u = spend * weight_sum / scale
    return beta * (1 - math.exp(-lam * u)) / (1 + math.exp(-lam * u)) * TARGET_SCALE


def outcome_at(ch, spend: float) -> float:
    return ch.outcome.value * reach(ch.response, spend) + ch.outcome.baseline


def test_saved_model_imports_validates_and_solves(tmp_path):
    model = save_model(tmp_path / "mmm.nc")
    out = tmp_path / "plan" / "mmm.yaml"
    done = run(str(model), "-o", str(out), "--recent", "8", "--draws", "5", "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    loaded = load(out)
    sc = loaded.scenario
    by_name = {c.name: c for c in sc.channels}
    assert list(by_name) == CHANNELS  # names (Persian too) survive as labels
    # Today's spend: the mean of the last 8 periods; the budget is their total.
    data, params = spends(), posterior_params()
    current = data[-8:].mean(axis=0)
    assert [sc.current[c.id] for c in sc.channels] == pytest.approx(current, rel=1e-9)
    assert sc.budget == pytest.approx(current.sum(), rel=1e-9)
    assert sc.objective.sense == "max_outcome"
    # The response at today's spend equals the hand computation (normalised adstock: Σw = 1).
    # Golden check against the published formulas: do not loosen unless the maths changed.
    for j, name in enumerate(CHANNELS):
        scale = data[:, j].max()
        expected = np.mean([hand_logistic(current[j], scale, params["saturation_lam"][c, d, j],
                                          params["saturation_beta"][c, d, j])
                            for c in range(2) for d in range(4)])
        assert outcome_at(by_name[name], current[j]) == pytest.approx(expected, rel=1e-3)
        # and in fact exactly: the curve is PyMC's
        assert outcome_at(by_name[name], current[j]) == pytest.approx(expected, rel=1e-12)
        assert by_name[name].response.type == "logistic" and by_name[name].response.samples == 8
        assert by_name[name].max_spend is None  # the curve is exact at every spend: no grid end to stop at
    # Worlds: 5 of the 8 posterior samples (seeded), each a joint draw of every channel's curve.
    assert sc.worlds.samples.count == 5 and sc.worlds.samples.seed == 3
    assert len(worlds_of(sc)) == 6 and not out.with_suffix(".draws.csv").exists()
    plan = solve_scenario(sc)
    assert plan.verified and plan.cost <= sc.budget + 1e-6


def test_the_plan_solves_through_the_cli(tmp_path):
    model = save_model(tmp_path / "mmm.nc")
    out = tmp_path / "mmm.yaml"
    assert run(str(model), "-o", str(out), "--draws", "4").returncode == 0
    exe = Path(sys.executable).with_name("channelmix")
    solved = subprocess.run([str(exe) if exe.exists() else shutil.which("channelmix"), "solve", str(out), "--format",
                             "json"],
                            capture_output=True, text=True)
    assert solved.returncode == 0, solved.stderr
    assert '"verified": true' in solved.stdout and '"risk"' in solved.stdout


def test_unnormalised_adstock_multiplies_the_steady_state(tmp_path):
    """Geometric adstock without normalisation: a constant spend is adstocked to
    spend · (1 − α^l_max) / (1 − α)."""
    from pymc_fixture import attrs

    adstock = '{"lookup_name": "geometric", "prefix": "adstock", "l_max": 4, "normalize": false, "mode": "After"}'
    model = save_model(tmp_path / "mmm.nc", root=attrs(adstock=adstock))
    out = tmp_path / "mmm.yaml"
    assert run(str(model), "-o", str(out), "--draws", "0").returncode == 0
    sc = load(out).scenario
    assert sc.worlds is None and not out.with_suffix(".draws.csv").exists()
    data, params = spends(), posterior_params()
    current = data[-13:].mean(axis=0)
    for j, ch in enumerate(sc.channels):
        expected = []
        for c in range(2):
            for d in range(4):
                a = params["adstock_alpha"][c, d, j]
                expected.append(hand_logistic(current[j], data[:, j].max(), params["saturation_lam"][c, d, j],
                                              params["saturation_beta"][c, d, j], (1 - a**4) / (1 - a)))
        assert outcome_at(ch, current[j]) == pytest.approx(np.mean(expected), rel=1e-3)


def test_newer_serialisation_michaelis_menten_saturation_first(tmp_path):
    """``__type__`` class names (the newer serialisation); saturation before an unnormalised
    adstock: the saturated media is multiplied by Σw: Σw · α·u/(λ + u) · target scale."""
    from pymc_fixture import attrs

    rng = np.random.default_rng(11)
    shape = (2, 4, len(CHANNELS))
    params = {"adstock_alpha": rng.uniform(0.1, 0.6, shape), "saturation_alpha": rng.uniform(0.2, 0.6, shape),
              "saturation_lam": rng.uniform(0.3, 1.5, shape)}
    root = attrs(saturation='{"__type__": "pymc_marketing.mmm.components.saturation.MichaelisMentenSaturation"}',
                 adstock='{"__type__": "pymc_marketing.mmm.components.adstock.GeometricAdstock", "l_max": 6, '
                         '"normalize": false}',
                 adstock_first="false")
    model = save_model(tmp_path / "mm.nc", root=root, params=params)
    out = tmp_path / "mm.yaml"
    done = run(str(model), "-o", str(out), "--draws", "0")
    assert done.returncode == 0, done.stderr
    sc = load(out).scenario
    data = spends()
    current = data[-13:].mean(axis=0)
    for j, ch in enumerate(sc.channels):
        u = current[j] / data[:, j].max()
        expected = [(1 - a**6) / (1 - a) * al * u / (lam + u) * TARGET_SCALE
                    for a, al, lam in zip(params["adstock_alpha"][..., j].ravel(),
                                          params["saturation_alpha"][..., j].ravel(),
                                          params["saturation_lam"][..., j].ravel())]
        assert outcome_at(ch, current[j]) == pytest.approx(np.mean(expected), rel=1e-3)


def test_classic_file_shape_scales_from_fit_data(tmp_path):
    """0.2-0.13: no scales as data, no adstock/saturation attributes, posterior alpha/lam/beta_channel:
    max-abs scales from fit_data, geometric (normalised) + logistic."""
    from pymc_fixture import attrs

    params = {{"adstock_alpha": "alpha", "saturation_lam": "lam", "saturation_beta": "beta_channel"}[k]: v
              for k, v in posterior_params().items()}
    root = attrs(adstock=None, saturation=None, dims=None, adstock_max_lag="4", date_column='"date"')
    model = save_model(tmp_path / "old.nc", root=root, params=params, groups=("posterior", "fit_data"))
    out = tmp_path / "old.yaml"
    done = run(str(model), "-o", str(out), "--draws", "0")
    assert done.returncode == 0, done.stderr
    sc = load(out).scenario
    data, p = spends(), posterior_params()
    current = data[-13:].mean(axis=0)
    j = 1
    expected = np.mean([hand_logistic(current[j], data[:, j].max(), p["saturation_lam"][c, d, j],
                                      p["saturation_beta"][c, d, j])
                        for c in range(2) for d in range(4)])
    assert outcome_at(sc.channels[j], current[j]) == pytest.approx(expected, rel=1e-3)


# ---- bad input: exit 2, the file, the field and the fix; nothing written ----

def _bad(tmp_path, model: Path) -> str:
    out = tmp_path / "bad.yaml"
    done = run(str(model), "-o", str(out))
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert not out.exists() and not out.with_suffix(".draws.csv").exists()
    assert not list(tmp_path.glob(".channelmix-*"))
    return done.stderr


def test_missing_group(tmp_path):
    model = save_model(tmp_path / "m.nc", groups=("constant_data", "fit_data"))
    assert f"{model}: group posterior: is missing (the file has constant_data, fit_data). " \
           "Fix: Import a fitted model: save the fitted model with MMM.save('model.nc') after MMM.fit()" \
           in _bad(tmp_path, model)


def test_missing_variable(tmp_path):
    params = posterior_params()
    del params["saturation_lam"]
    model = save_model(tmp_path / "m.nc", params=params)
    assert f"{model}: posterior.saturation_lam: is missing (the saturation needs saturation_lam, saturation_beta). " \
           "Fix: Import the model the file's attributes describe: save the fitted model with MMM.save('model.nc')" \
           in _bad(tmp_path, model)


def test_unknown_saturation_and_adstock_are_named_together(tmp_path):
    from pymc_fixture import attrs

    root = attrs(saturation='{"lookup_name": "hill_sigmoid", "priors": {}}',
                 adstock='{"__type__": "pymc_marketing.mmm.components.adstock.WeibullPDFAdstock", "l_max": 4}')
    err = _bad(tmp_path, save_model(tmp_path / "m.nc", root=root))
    assert "2 problems found" in err
    assert "attribute saturation: is 'hill_sigmoid', which channelmix cannot read. Fix: Fit the model with one of: " \
           "logistic, " \
           "inverse_scaled_logistic, tanh, michaelis_menten, hill (or export response curves and use 'channelmix " \
           "import curves')" in err
    assert "attribute adstock: is 'weibull_pdf', which channelmix cannot read. Fix: Fit the model with one of: " \
           "geometric, delayed" in err


def test_draws_of_unequal_length(tmp_path):
    import xarray as xr

    short = xr.DataArray(np.full((2, 3, len(CHANNELS)), 0.3), dims=("chain", "draw_beta", "channel"),
                         coords={"channel": CHANNELS})
    params = posterior_params()
    del params["saturation_beta"]
    model = save_model(tmp_path / "m.nc", params=params, posterior_extra={"saturation_beta": short})
    assert f"{model}: posterior.saturation_beta: has draws of unequal length (2 chains × 3 draws, but saturation_lam " \
           f"has 2 × 4). " \
           "Fix: Give every parameter the same posterior draws: save the fitted model with MMM.save('model.nc')" \
           in _bad(tmp_path, model)


def test_negative_spends_reported_with_every_other_problem(tmp_path):
    from pymc_fixture import attrs

    data = spends()
    data[4, 1] = -250.0
    model = save_model(tmp_path / "m.nc", spend=data, root=attrs(time_varying_media="true"))
    err = _bad(tmp_path, model)
    assert "2 problems found" in err
    assert f"{model}: constant_data: date 2025-02-03, channel 'Paid Search': spend is -250, below 0. " \
           "Fix: Fix the training data and fit the model again: a spend cannot be negative" in err
    assert f"{model}: attribute time_varying_media: is set: media effects that vary over time have no single " \
           f"response curve" in err


def test_panel_models_are_refused(tmp_path):
    from pymc_fixture import attrs

    err = _bad(tmp_path, save_model(tmp_path / "m.nc", root=attrs(dims='["geo"]')))
    assert "attribute dims: is ['geo']: models with panel dimensions are not supported. Fix: Import a model fitted " \
           "without dims" in err


def test_not_a_netcdf_file(tmp_path):
    model = tmp_path / "m.nc"
    model.write_text("not HDF5", encoding="utf-8")
    err = _bad(tmp_path, model)
    assert f"{model}: is not a netCDF-4 file (" in err and "Fix: Save the fitted model with MMM.save('model.nc')" in err


def test_missing_extra_names_the_install_command(tmp_path, monkeypatch):
    """Without xarray (simulated: the import fails), exit 2 naming pip install "channelmix[mmm]"."""
    from click.testing import CliRunner

    from channelmix.cli import main

    model = save_model(tmp_path / "m.nc")
    monkeypatch.setitem(sys.modules, "xarray", None)  # `import xarray` now raises ImportError
    out = tmp_path / "m.yaml"
    result = CliRunner().invoke(main, ["import", "pymc-marketing", str(model), "-o", str(out)])
    assert result.exit_code == 2
    assert f"{model}: reading a PyMC-Marketing model needs the optional packages xarray, h5netcdf and h5py " \
           "(xarray is not installed). " \
           'Fix: Install them: pip install "channelmix[mmm]"' in result.output
    assert not out.exists()
