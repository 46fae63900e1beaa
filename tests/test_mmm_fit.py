"""PyMC-Marketing fits a tiny model here (identity link and log link), saves it, and channelmix
imports the file: the imported curve equals PyMC-Marketing's own channel contribution (its
``sample_posterior_predictive`` on blocks of constant spend, the steady state) at 12 spends on
no grid to 1e-6 relative, and the log-link model is refused by name.

Needs the optional extra ``pip install "channelmix[mmm-fit]"`` (pymc-marketing ≥ 1.3, Python ≥
3.12); skipped with the reason elsewhere.  The shipped models of tests/data/pymc_real are tested
on every Python by test_import_pymc_real.py.  About a minute of CPU: one module-scoped fit per link.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

if sys.version_info < (3, 12):
    pytest.skip("the [mmm-fit] tests need Python >= 3.12 (pymc-marketing 1.3 and pytensor require it)",
                allow_module_level=True)
pytest.importorskip("pymc_marketing",
                    reason='the [mmm-fit] tests need pymc-marketing: pip install "channelmix[mmm-fit]"')

import pandas as pd  # noqa: E402

from channelmix.schema import load  # noqa: E402
from channelmix.schema.responses import reach  # noqa: E402

CHANNELS = ["TV", "Sökannonser"]
WEEKS = 30
L_MAX = 3
FRACTIONS = [math.pi / 300, math.exp(-3), 1 / math.pi**2, math.sqrt(2) / 10, 1 / (2 * math.e), (math.sqrt(5) - 1) / 4,
             # of the largest weekly spend
             1 / math.sqrt(3), math.log(2), math.e / 3, math.sqrt(2), math.sqrt(3), math.e]


def _data(link: str) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(21)
    dates = pd.date_range("2024-01-07", periods=WEEKS, freq="W-SUN")
    x = np.round(np.column_stack([rng.uniform(2000, 8000, WEEKS), rng.uniform(800, 3000, WEEKS)]), 2)
    effect = np.column_stack([1 - np.exp(-2.0 * x[:, 0] / x[:, 0].max()), 1 - np.exp(-3.0 * x[:, 1] / x[:, 1].max())])
    y = 20000 + effect @ [5000.0, 3000.0] if link == "identity" else 30000 * np.exp(effect @ [0.2, 0.1])
    frame = pd.DataFrame(x, columns=CHANNELS)
    frame.insert(0, "date", dates)
    return frame, pd.Series(y + rng.normal(0, 1, WEEKS) * (300 if link == "identity" else 0.01 * y))


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> dict[str, tuple[object, Path]]:
    from pymc_marketing.mmm import MMM, GeometricAdstock, LogisticSaturation

    folder = tmp_path_factory.mktemp("mmm_fit")
    out = {}
    for link in ("identity", "log"):
        X, y = _data(link)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # link='log' is "experimental"
            mmm = MMM(date_column="date", channel_columns=CHANNELS, target_column="y",
                      adstock=GeometricAdstock(l_max=L_MAX),
                      saturation=LogisticSaturation(), link=link)
            mmm.fit(X, y, chains=2, draws=50, tune=100, cores=1, random_seed=3, progressbar=False)
        path = folder / f"{link}.nc"
        mmm.save(str(path))
        if link == "identity":  # the tool's own original-scale figure of channel_contribution, to predict it below
            mmm.add_original_scale_contribution_variable(["channel_contribution"])
        out[link] = (mmm, path)
    return out


def _import(path: Path, out: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("channelmix")
    cli = str(exe) if exe.exists() else shutil.which("channelmix")
    return subprocess.run([cli, "import", "pymc-marketing", str(path), "-o", str(out)], capture_output=True, text=True)


def _steady_state(mmm, spends: np.ndarray) -> np.ndarray:
    """PyMC-Marketing's own posterior-mean channel contribution (target units) at each row of
    spends kept up: the last week of a block of l_max + 1 weeks of constant spend."""
    length = L_MAX + 1
    last = pd.Timestamp(mmm.model_coords["date"][-1])
    dates = pd.date_range(last + pd.Timedelta(weeks=100), periods=length * len(spends), freq="W-SUN")
    X = pd.DataFrame(np.repeat(spends, length, axis=0), columns=CHANNELS)
    X.insert(0, "date", dates)
    out = mmm.sample_posterior_predictive(X, extend_idata=False, var_names=["channel_contribution_original_scale"],
                                          random_seed=0, progressbar=False)
    values = out["channel_contribution_original_scale"].transpose("sample", "date",
                                                                  "channel").sel(channel=CHANNELS).values
    return values.mean(axis=0)[length - 1::length]


def test_identity_link_curve_is_the_tools_at_spends_on_no_grid(fitted, tmp_path):
    mmm, path = fitted["identity"]
    done = _import(path, tmp_path / "identity.yaml")
    assert done.returncode == 0, done.stderr
    scenario = load(tmp_path / "identity.yaml").scenario
    top = _data("identity")[0][CHANNELS].to_numpy().max(axis=0)
    spends = np.outer(FRACTIONS, top)
    theirs = _steady_state(mmm, spends)
    by_name = {c.name: c for c in scenario.channels}
    for j, name in enumerate(CHANNELS):
        channel = by_name[name]
        for spend, value in zip(spends[:, j], theirs[:, j]):
            assert channel.outcome.value * reach(channel.response, spend) == pytest.approx(value, rel=1e-6)


def test_log_link_is_refused_by_name(fitted, tmp_path):
    _, path = fitted["log"]
    out = tmp_path / "log.yaml"
    done = _import(path, out)
    assert done.returncode == 2 and not out.exists() and "Traceback" not in done.stderr
    assert "attribute link: is 'log'" in done.stderr and "link='identity'" in done.stderr
