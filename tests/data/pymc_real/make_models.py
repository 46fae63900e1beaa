"""Fit tiny PyMC-Marketing models, save them with ``mmm.save()`` and write what PyMC-Marketing
itself says about them, as ground truth for channelmix's ``import pymc-marketing``.

This script is NOT run by the test suite (PyMC-Marketing needs Python >= 3.12 and a C
compiler). Its outputs, the ``*.nc`` saved models and the ``*.json`` reference values beside
it, are. Regenerate them (about 5 minutes on 2 cores) with:

    ~/.pyenv/versions/3.12.1/bin/python -m venv /work/envs/pymc
    /work/envs/pymc/bin/pip install "pymc-marketing==1.3.0"
    cd tests/data/pymc_real && /work/envs/pymc/bin/python make_models.py [NAME ...]

Every number in a reference JSON comes from PyMC-Marketing's own code on the fitted model:

* curves: ``mmm.sample_posterior_predictive`` on a made-up future in blocks of l_max + 1
  periods of constant spend; the last period of a block is the steady state, and its
  ``channel_contribution_original_scale`` (identity link) or ``mu_original_scale`` differences
  (log link) are the channel's response at that spend;
* adstock sums: ``mmm.adstock.sample_curve(posterior, amount=1)`` summed over the lags;
* plans: ``mmm.budget_optimizer(start, end).allocate_budget(...)`` and ``evaluate_plan``.

A numpy re-computation of the published formulas (``formula_*`` below) is checked against the
tool's figures and its largest relative difference is written beside them (``formula_check``);
it does not feed any reference value. Fixed seeds throughout; the sampler is PyMC's NUTS.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
import warnings
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import xarray as xr

from pymc_marketing.mmm import (MMM, GeometricAdstock, LogisticSaturation,
                                MichaelisMentenSaturation)

HERE = Path(__file__).resolve().parent
PERIODS = 36  # weeks of training data
START = "2024-01-07"  # a Sunday: weekly dates W-SUN
RECENT = 13  # "today" = the mean of the last 13 training weeks
CHAINS, DRAWS, TUNE, THIN = 2, 150, 500, 10  # 2 x 150 draws, every 10th kept: 30 samples saved
SHOWN_DRAWS = 5  # per-draw curves for this many samples (evenly spaced)
PLAN_PERIODS = 8  # the optimiser's decision window, weeks right after the training data
# Fractions of the largest historical weekly spend, on no regular grid (irrational numbers).
FRACTIONS = sorted([math.pi / 300, math.exp(-3), 1 / math.pi**2, math.sqrt(2) / 10, 1 / (2 * math.e),
                    (math.sqrt(5) - 1) / 4, 1 / math.sqrt(3), math.log(2), math.e / 3, math.pi / 3,
                    math.sqrt(2), math.sqrt(3), 0.7 * math.pi, math.e])
# Root attributes of the saved file that say how to read it (copied verbatim into the reference).
SAVED_ATTRIBUTES = ("model_type", "version", "__serialization_version__", "link", "adstock", "saturation", "adstock_first",
                    "scaling", "cost_per_unit", "dims", "time_varying_media", "control_columns", "yearly_seasonality")
VERSIONS = {p: version(p) for p in ("pymc-marketing", "pymc", "pytensor", "arviz", "numpy", "xarray", "pandas", "scipy")}


@dataclass
class Spec:
    """One fixture model: how its data are simulated and how PyMC-Marketing is told to fit it."""

    name: str
    about: str
    channels: list[str]
    seed: int
    make: Callable[[np.random.Generator, pd.DatetimeIndex], tuple[pd.DataFrame, pd.Series, pd.DataFrame | None]]
    kwargs: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- simulated data

def geometric(x: np.ndarray, alpha: float, l_max: int, normalize: bool) -> np.ndarray:
    """Geometric adstock of one series (weights alpha^l, l < l_max), for simulating data."""
    w = alpha ** np.arange(l_max)
    w = w / w.sum() if normalize else w
    return np.array([sum(w[l] * x[t - l] for l in range(l_max) if t - l >= 0) for t in range(len(x))])


def logistic(u: np.ndarray, lam: float) -> np.ndarray:
    return (1 - np.exp(-lam * u)) / (1 + np.exp(-lam * u))


def media(rng: np.random.Generator, n: int) -> np.ndarray:
    """(n, 3) weekly spends: TV in flights, search always on, radio with quiet weeks."""
    tv = rng.uniform(3000, 9000, n) * (rng.uniform(size=n) > 0.3)
    tv[-RECENT:][::3] = rng.uniform(3000, 9000, len(tv[-RECENT:][::3]))  # TV is on air lately
    search = rng.uniform(1000, 3500, n)
    radio = rng.uniform(200, 1500, n) * (rng.uniform(size=n) > 0.15)
    return np.round(np.column_stack([tv, search, radio]), 2)


def effects(x: np.ndarray) -> np.ndarray:
    """(n, 3) true media effects in [0, 1) before their coefficient: adstock then logistic."""
    params = [(0.5, 2.0), (0.2, 3.0), (0.3, 1.5)]
    return np.column_stack([logistic(geometric(x[:, j] / x[:, j].max(), a, 4, True), lam) for j, (a, lam) in enumerate(params)])


def frame(dates: pd.DatetimeIndex, x: np.ndarray, channels: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(x, columns=channels)
    df.insert(0, "date", dates)
    return df


def identity_data(rng, dates):
    x = media(rng, len(dates))
    y = 20000 + effects(x) @ np.array([6000.0, 4000.0, 1500.0]) + rng.normal(0, 500, len(dates))
    return frame(dates, x, IDENTITY.channels), pd.Series(y), None


def log_data(rng, dates):
    x = media(rng, len(dates))
    y = 30000 * np.exp(effects(x) @ np.array([0.25, 0.15, 0.08]) + rng.normal(0, 0.02, len(dates)))
    return frame(dates, x, LOG.channels), pd.Series(y), None


def cost_per_unit_data(rng, dates):
    """TV bought in impressions (price rising 10 % over the data), search in clicks (fixed
    price), radio in money (no cost_per_unit column: PyMC-Marketing's default 1.0)."""
    spend = media(rng, len(dates))
    tv_price = np.round(np.linspace(0.0020, 0.0022, len(dates)), 7)  # money per impression
    click_price = 0.85
    units = spend.copy()
    units[:, 0] = np.round(spend[:, 0] / tv_price)
    units[:, 1] = np.round(spend[:, 1] / click_price)
    y = 20000 + effects(units) @ np.array([6000.0, 4000.0, 1500.0]) + rng.normal(0, 500, len(dates))
    cpu = pd.DataFrame({"date": dates, CPU.channels[0]: tv_price, CPU.channels[1]: click_price})
    return frame(dates, units, CPU.channels), pd.Series(y), cpu


def michaelis_menten_data(rng, dates):
    n = len(dates)
    x = np.round(np.column_stack([rng.uniform(500, 4000, n), rng.uniform(300, 2500, n) * (rng.uniform(size=n) > 0.2)]), 2)
    sat = np.column_stack([x[:, j] / x[:, j].max() for j in range(2)])
    sat = np.column_stack([2500 * sat[:, 0] / (0.4 + sat[:, 0]), 1800 * sat[:, 1] / (0.6 + sat[:, 1])])
    y = 15000 + sum(geometric(sat[:, j], a, 3, False) for j, a in enumerate([0.4, 0.25])) + rng.normal(0, 300, n)
    return frame(dates, x, MM.channels), pd.Series(y), None


IDENTITY = Spec("identity_logistic", "MMM, GeometricAdstock(l_max=4) + LogisticSaturation, identity link (the defaults)",
                ["TV", "Sökannonser", "Radio"], 11, identity_data,
                {"adstock": GeometricAdstock(l_max=4), "saturation": LogisticSaturation()})
LOG = Spec("log_logistic", "MMM, GeometricAdstock(l_max=4) + LogisticSaturation, link='log' (LogNormal likelihood)",
           ["TV", "Sökannonser", "Radio"], 12, log_data,
           {"adstock": GeometricAdstock(l_max=4), "saturation": LogisticSaturation(), "link": "log"})
CPU = Spec("cost_per_unit_logistic", "MMM fitted on media units (TV impressions, search clicks, radio money) with "
           "cost_per_unit; GeometricAdstock(l_max=4) + LogisticSaturation, identity link",
           ["TV", "Sökannonser", "Radio"], 13, cost_per_unit_data,
           {"adstock": GeometricAdstock(l_max=4), "saturation": LogisticSaturation()})
MM = Spec("michaelis_menten_saturation_first", "MMM, MichaelisMentenSaturation then GeometricAdstock(l_max=3, "
          "normalize=False) (adstock_first=False), identity link", ["Display", "Réseaux sociaux"], 14, michaelis_menten_data,
          {"adstock": GeometricAdstock(l_max=3, normalize=False), "saturation": MichaelisMentenSaturation(), "adstock_first": False})
SPECS = {s.name: s for s in (IDENTITY, LOG, CPU, MM)}


# ---------------------------------------------------------------- fitting

def fit(spec: Spec) -> tuple[MMM, pd.DataFrame, float]:
    rng = np.random.default_rng(spec.seed)
    dates = pd.date_range(START, periods=PERIODS, freq="W-SUN")
    X, y, cpu = spec.make(rng, dates)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # link='log' is "experimental"
        mmm = MMM(date_column="date", channel_columns=spec.channels, target_column="y", cost_per_unit=cpu, **spec.kwargs)
    started = time.perf_counter()
    mmm.fit(X, y, chains=CHAINS, draws=DRAWS, tune=TUNE, cores=2, target_accept=0.95, random_seed=spec.seed,
            progressbar=False)
    seconds = time.perf_counter() - started
    for group in ("posterior", "sample_stats"):  # thin: keep the files small
        mmm.idata[group] = mmm.idata[group].to_dataset().isel(draw=slice(None, None, THIN))
    return mmm, X, seconds


# ---------------------------------------------------------------- helpers

def flat(var: xr.DataArray, channels: list[str] | None = None) -> np.ndarray:
    """(samples[, channels]) in chain-major order (the order the importer flattens in)."""
    stacked = var.stack(sample=("chain", "draw"))
    return stacked.transpose("sample", "channel").sel(channel=channels).values if channels else stacked.values


def per_channel(values: np.ndarray, channels: list[str]) -> dict[str, Any]:
    return {c: values[..., j].tolist() for j, c in enumerate(channels)}


def shown(samples: int) -> np.ndarray:
    return np.linspace(0, samples - 1, SHOWN_DRAWS).round().astype(int)


def rel(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def constant_blocks(mmm: MMM, rows: list[np.ndarray]) -> tuple[pd.DataFrame, np.ndarray]:
    """A future frame holding each row of spends (channel units) for l_max + 1 periods; the index
    of each block's last period, where the adstock has only seen that block: the steady state."""
    length = mmm.adstock.l_max + 1
    last = pd.Timestamp(mmm.model_coords["date"][-1])
    dates = pd.date_range(last + pd.Timedelta(weeks=100), periods=length * len(rows), freq="W-SUN")
    X = frame(dates, np.repeat(np.array(rows, dtype=float), length, axis=0), mmm.channel_columns)
    return X, np.arange(length - 1, length * len(rows), length)


def predict(mmm: MMM, X: pd.DataFrame, names: list[str]) -> dict[str, np.ndarray]:
    """The tool's own deterministics on X: name -> (samples, dates[, channels]), chain-major."""
    out = mmm.sample_posterior_predictive(X, extend_idata=False, var_names=names, random_seed=0, progressbar=False)
    post = mmm.idata.posterior
    expected = np.array([(c, d) for c in post["chain"].values for d in post["draw"].values])
    result = {}
    for n in names:
        var = out[n].transpose("sample", "date", ...)
        assert (np.column_stack([var["chain"].values, var["draw"].values]) == expected).all(), "samples not chain-major"
        result[n] = var.values
    return result


# ---------------------------------------------------------------- the maths, by hand (checks only)

SATURATION = {
    "LogisticSaturation": lambda u, p: p["saturation_beta"] * (1 - np.exp(-p["saturation_lam"] * u)) / (1 + np.exp(-p["saturation_lam"] * u)),
    "MichaelisMentenSaturation": lambda u, p: p["saturation_alpha"] * u / (p["saturation_lam"] + u),
}


def formula_weight_sum(p: dict[str, np.ndarray], l_max: int, normalize: bool) -> np.ndarray:
    w = p["adstock_alpha"][..., None] ** np.arange(l_max)
    return np.ones_like(p["adstock_alpha"]) if normalize else w.sum(axis=-1)


def formula_steady(mmm: MMM, p: dict[str, np.ndarray], units: np.ndarray) -> np.ndarray:
    """(samples, spends, channels) steady-state channel_contribution, scaled target units."""
    u = units / mmm.scalers["_channel"].sel(channel=mmm.channel_columns).values
    total = formula_weight_sum(p, mmm.adstock.l_max, mmm.adstock.normalize)[:, None, :]
    sat = SATURATION[type(mmm.saturation).__name__]
    q = {k: v[:, None, :] for k, v in p.items()}
    return sat(u[None] * total, q) if mmm.adstock_first else total * sat(u[None], q)


def formula_window(mmm: MMM, p: dict[str, np.ndarray], series: np.ndarray, baseline: np.ndarray | None) -> np.ndarray:
    """Per sample: sum over the window's dates and channels of the media contribution in target
    units (identity), or of target_scale * (exp(b + m_t) - exp(b)) (log); series (dates, channels)
    in channel units, adstock starting cold at the first date."""
    l_max, scale = mmm.adstock.l_max, mmm.scalers["_channel"].sel(channel=mmm.channel_columns).values
    alpha = p["adstock_alpha"]
    w = alpha[..., None] ** np.arange(l_max)
    w = w / w.sum(axis=-1, keepdims=True) if mmm.adstock.normalize else w
    x = series / scale
    sat = SATURATION[type(mmm.saturation).__name__]
    q = {k: v[:, None, :] for k, v in p.items()}
    lagged = np.stack([np.vstack([np.zeros((l, x.shape[1])), x[: len(x) - l]]) for l in range(l_max)], axis=-1)
    if mmm.adstock_first:
        m = sat(np.einsum("tcl,scl->stc", lagged, w), q)
    else:
        s = sat(np.broadcast_to(x, (len(alpha), *x.shape)), q)
        lag_s = np.stack([np.concatenate([np.zeros((len(alpha), l, x.shape[1])), s[:, : len(x) - l]], axis=1) for l in range(l_max)], -1)
        m = np.einsum("stcl,scl->stc", lag_s, w)
    target = float(mmm.scalers["_target"].values)
    if baseline is None:
        return m.sum(axis=(1, 2)) * target
    media_t = m.sum(axis=2)
    return (target * (np.exp(baseline[:, None] + media_t) - np.exp(baseline[:, None]))).sum(axis=1)


# ---------------------------------------------------------------- what PyMC-Marketing says

@dataclass
class Money:
    """Spends in money and the price that turns money into the channel's units (1 for money)."""

    history: np.ndarray  # (dates, channels) money per week
    units: np.ndarray  # (dates, channels) what the model was fitted on
    price: np.ndarray  # (channels,) money per unit for planning
    today: np.ndarray  # (channels,) money per week
    today_units: np.ndarray


def money(mmm: MMM, X: pd.DataFrame) -> tuple[Money, dict[str, Any]]:
    """Spend history in money (the tool's get_channel_spend: channel_data x cost_per_unit),
    today's spend and the planning price: the mean cost_per_unit over today's window."""
    channels = mmm.channel_columns
    units = mmm.idata.constant_data["channel_data"].sel(channel=channels).values
    spend = mmm.data.get_channel_spend().sel(channel=channels).transpose("date", "channel").values
    window = slice(len(units) - RECENT, None)
    recorded = json.loads(mmm.idata.attrs["cost_per_unit"]) if mmm.idata.attrs["cost_per_unit"] != "null" else None
    info: dict[str, Any] = {"recorded": recorded is not None}
    if recorded is None:
        price = np.ones(len(channels))
    else:
        # The recorded table, not channel_spend / channel_data: that ratio is NaN in weeks without units.
        table = pd.DataFrame(recorded["data"], columns=recorded["columns"])
        per_date = np.column_stack([table[c].to_numpy(float) if c in table else np.ones(len(table)) for c in channels])
        price = per_date[window].mean(axis=0)
        info |= {"where": "attribute cost_per_unit (JSON, pandas orient='split'; a channel without a column costs 1.0 per unit); "
                          "constant_data.channel_spend = channel_data x cost_per_unit",
                 "table_columns": recorded["columns"],
                 "per_date": per_channel(per_date, channels),
                 "planning_price": dict(zip(channels, price.tolist())),
                 "planning_price_rule": f"mean of cost_per_unit over the last {RECENT} training weeks (today's window)",
                 "last_date_price": dict(zip(channels, per_date[-1].tolist())),
                 "spend_weighted_price": dict(zip(channels, (spend[window].sum(0) / units[window].sum(0)).tolist()))}
    return Money(spend, units, price, spend[window].mean(axis=0), units[window].mean(axis=0)), info


def parameters(mmm: MMM) -> dict[str, np.ndarray]:
    names = list(mmm.adstock.variable_mapping.values()) + list(mmm.saturation.variable_mapping.values())
    return {n: flat(mmm.idata.posterior[n], mmm.channel_columns) for n in names}


def parameter_section(mmm: MMM, p: dict[str, np.ndarray], show: np.ndarray) -> dict[str, Any]:
    channels = mmm.channel_columns
    out = {n: {"where": f"posterior.{n} (chain, draw, channel)", "mean": dict(zip(channels, v.mean(0).tolist())),
               "shown_draws": per_channel(v[show], channels)} for n, v in p.items()}
    post = mmm.idata.posterior.to_dataset()
    for n in ("intercept_contribution", "y_sigma"):
        v = flat(post[n])
        out[n] = {"where": f"posterior.{n} (chain, draw)", "mean": float(v.mean()), "shown_draws": v[show].tolist()}
    curve = mmm.adstock.sample_curve(post[list(mmm.adstock.variable_mapping.values())], amount=1.0, random_seed=0, progressbar=False)
    sums = flat(curve.sum("time since exposure"), channels)
    out["adstock_weight_sum"] = {"how": "mmm.adstock.sample_curve(posterior, amount=1).sum('time since exposure')",
                                 "mean": dict(zip(channels, sums.mean(0).tolist())), "shown_draws": per_channel(sums[show], channels),
                                 "formula_check": rel(formula_weight_sum(p, mmm.adstock.l_max, mmm.adstock.normalize), sums)}
    return out


def window_dates(mmm: MMM) -> tuple[pd.Timestamp, pd.Timestamp]:
    last = pd.Timestamp(mmm.model_coords["date"][-1])
    return last + pd.Timedelta(weeks=1), last + pd.Timedelta(weeks=PLAN_PERIODS)


def plan_section(mmm: MMM, m: Money, p: dict[str, np.ndarray]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """PyMC-Marketing's BudgetOptimizer over the PLAN_PERIODS weeks after the data; the plans it
    found and scored, by name -> money per week and channel."""
    channels, l_max = mmm.channel_columns, mmm.adstock.l_max
    start, end = window_dates(mmm)
    decision_dates = pd.date_range(start, end, freq="W-SUN")
    kwargs = {}
    if not np.allclose(m.price, 1.0):
        kwargs["cost_per_unit"] = xr.DataArray(np.tile(m.price, (PLAN_PERIODS, 1)), dims=("date", "channel"),
                                               coords={"date": decision_dates, "channel": channels})
    opt = mmm.budget_optimizer(start, end, **kwargs)
    budget = float(m.today.sum())
    runs = [("today_budget_bounds_0.5_2", budget, {c: (0.5 * t, 2.0 * t) for c, t in zip(channels, m.today)}),
            ("budget_1.5x_bounds_0_budget", 1.5 * budget, {c: (0.0, 1.5 * budget) for c in channels})]
    plans = {"today": m.today, "equal_split": np.full(len(channels), budget / len(channels)), "zero": np.zeros(len(channels))}
    out_runs = []
    for name, total, bounds in runs:
        res = opt.allocate_budget(total_budget=total, budget_bounds=bounds)
        alloc = res.budgets.sel(channel=channels).values
        plans[name] = alloc
        out_runs.append({"name": name, "total_budget_per_period": total, "bounds": {c: list(b) for c, b in bounds.items()},
                         "allocation": dict(zip(channels, alloc.tolist())), "response": -float(res.scipy_result.fun),
                         "success": bool(res.scipy_result.success), "message": str(res.scipy_result.message),
                         "iterations": int(res.scipy_result.nit)})
    baseline = flat(mmm.idata.posterior["intercept_contribution"]) if mmm.link.value == "log" else None
    carry_in = m.units[-l_max:]
    scored, worst = {}, 0.0
    for name, alloc in plans.items():
        utility = opt.evaluate_plan(xr.DataArray(alloc, dims=("channel",), coords={"channel": channels})).utility
        series = np.vstack([carry_in, np.tile(alloc / m.price, (PLAN_PERIODS, 1)), np.zeros((l_max, len(channels)))])
        worst = max(worst, rel(formula_window(mmm, p, series, baseline).mean(), utility))
        scored[name] = {"allocation": dict(zip(channels, alloc.tolist())), "response": utility}
    section = {
        "how": f"mmm.budget_optimizer('{start.date()}', '{end.date()}'{', cost_per_unit=<planning_price every week>' if kwargs else ''})"
               ".allocate_budget(total_budget=B, budget_bounds={channel: (low, high)}); plans scored with evaluate_plan(...).utility",
        "start_date": str(start.date()), "end_date": str(end.date()), "num_periods": PLAN_PERIODS,
        "carry_in_periods": l_max, "carry_over_periods": l_max,
        "carry_in_dates": [str(d.date()) for d in pd.DatetimeIndex(mmm.model_coords["date"][-l_max:])],
        "carry_in_units": per_channel(carry_in, channels),
        "response_variable": "total_media_contribution_original_scale", "utility_function": "average_response (mean over posterior samples)",
        "budget_units": "money per period (week); each decision week gets the same allocation",
        "runs": out_runs, "plans_scored": scored, "formula_check": worst}
    return section, plans


def blocks_for(link: str, m: Money, channels: list[str], plans: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Named rows of weekly spend in channel units, each held constant for l_max + 1 weeks."""
    units = np.vstack([np.outer(FRACTIONS, m.history.max(axis=0)), m.today]) / m.price
    rows = {"zero": np.zeros(len(channels))}
    for k in range(len(units)):
        rows[f"all_{k}"] = units[k]  # identity: every channel at its k-th spend (they do not interact)
        for j in range(len(channels)):
            if link == "log":
                alone = np.zeros(len(channels))
                alone[j] = units[k, j]
                rows[f"alone_{j}_{k}"] = alone
                others = m.today_units.copy()
                others[j] = units[k, j]
                rows[f"others_{j}_{k}"] = others
    for j in range(len(channels)):
        others = m.today_units.copy()
        others[j] = 0.0
        rows[f"others_{j}_zero"] = others
    for name, alloc in plans.items():
        rows[f"plan_{name}"] = alloc / m.price
    return rows


def curve_section(mmm: MMM, m: Money, p: dict[str, np.ndarray], plans: dict[str, np.ndarray], show: np.ndarray) -> dict[str, Any]:
    channels, link = mmm.channel_columns, mmm.link.value
    rows = blocks_for(link, m, channels, plans)
    X, last = constant_blocks(mmm, list(rows.values()))
    names = ["channel_contribution"] + (["mu", "mu_original_scale"] if link == "log" else ["channel_contribution_original_scale"])
    out = predict(mmm, X, names)
    at = {name: last[i] for i, name in enumerate(rows)}
    K = len(FRACTIONS) + 1
    spends = np.vstack([np.outer(FRACTIONS, m.history.max(axis=0)), m.today])  # (K, channels) money
    cc = np.stack([out["channel_contribution"][:, at[f"all_{k}"], :] for k in range(K)], axis=1)  # (samples, K, channels)
    formula = formula_steady(mmm, p, spends / m.price)
    section: dict[str, Any] = {
        "spend_fractions_of_max": FRACTIONS + ["today"],
        "max_weekly_spend": dict(zip(channels, m.history.max(axis=0).tolist())),
        "spends": per_channel(spends, channels),
        **({"units": per_channel(spends / m.price, channels)} if not np.allclose(m.price, 1.0) else {}),
        "steady_state_periods": mmm.adstock.l_max + 1,
        "shown_draws": {"sample_index": show.tolist(), "note": "index into the chain-major flattening of (chain, draw)"},
        "channel_contribution_scaled": {"mean": per_channel(cc.mean(0), channels), "formula_check": rel(formula, cc)}}
    if link == "log":
        section["channel_contribution_scaled"]["shown_draws"] = per_channel(cc[show], channels)
    target = float(mmm.scalers["_target"].values)
    if link == "identity":
        orig = np.stack([out["channel_contribution_original_scale"][:, at[f"all_{k}"], :] for k in range(K)], axis=1)
        section["contribution"] = {"how": "channel_contribution_original_scale (= channel_contribution x target_scale) at the last week "
                                          "of a block of constant spend, from mmm.sample_posterior_predictive",
                                   "mean": per_channel(orig.mean(0), channels), "shown_draws": per_channel(orig[show], channels),
                                   "formula_check": rel(formula * target, orig)}
        plan_rows = {n: out["channel_contribution_original_scale"][:, at[f"plan_{n}"], :].sum(-1).mean() for n in plans}
    else:
        mu_o = out["mu_original_scale"]
        level = mu_o[:, at["zero"]]
        alone = np.stack([np.stack([mu_o[:, at[f"alone_{j}_{k}"]] for k in range(K)], 1) - level[:, None] for j in range(len(channels))], -1)
        others = np.stack([np.stack([mu_o[:, at[f"others_{j}_{k}"]] for k in range(K)], 1) - mu_o[:, at[f"others_{j}_zero"]][:, None]
                           for j in range(len(channels))], -1)
        b = flat(mmm.idata.posterior["intercept_contribution"])
        section["baseline"] = {"how": "mu_original_scale with every channel at zero = target_scale x exp(intercept); no controls, "
                                      "no seasonality, so it is the same every week",
                               "level_mean": float(level.mean()), "level_shown_draws": level[show].tolist(),
                               "log_level_mean": float(np.log(level).mean()),
                               "formula_check": rel(target * np.exp(b), level),
                               "median_to_mean_factor_mean": float(np.exp(flat(mmm.idata.posterior["y_sigma"]) ** 2 / 2).mean()),
                               "median_to_mean_note": "every log-link figure here is on PyMC-Marketing's median scale (exp(mu)), as its "
                                                      "optimiser's objective is; exp(y_sigma^2 / 2) per sample turns one into the mean scale"}
        section["incremental_alone"] = {
            "how": "mu_original_scale(channel at s, others 0) - mu_original_scale(all 0) = target_scale x exp(b) x (exp(m(s)) - 1)",
            "mean": per_channel(alone.mean(0), channels), "shown_draws": per_channel(alone[show], channels),
            "formula_check": rel(target * np.exp(b)[:, None, None] * np.expm1(formula), alone)}
        section["incremental_with_others_at_today"] = {
            "how": "mu_original_scale(channel at s, others at today's) - mu_original_scale(channel at 0, others at today's)",
            "mean": per_channel(others.mean(0), channels), "shown_draws": per_channel(others[show], channels)}
        plan_rows = {n: (mu_o[:, at[f"plan_{n}"]] - level).mean() for n in plans}
    section["plans_steady_state_per_period"] = {n: float(v) for n, v in plan_rows.items()}
    return section


def reference(spec: Spec, mmm: MMM, X: pd.DataFrame, path: Path) -> dict[str, Any]:
    channels = mmm.channel_columns
    attrs = {k: mmm.idata.attrs[k] for k in SAVED_ATTRIBUTES}  # as saved: read before the model is changed below
    if mmm.link.value == "identity":  # the tool's own original-scale transform of channel_contribution
        mmm.add_original_scale_contribution_variable(["channel_contribution"])
    p = parameters(mmm)
    samples = next(iter(p.values())).shape[0]
    show = shown(samples)
    m, cpu = money(mmm, X)
    plans_out, plans = plan_section(mmm, m, p)
    dates = pd.DatetimeIndex(mmm.model_coords["date"])
    return {
        "model_file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "about": spec.about,
        "versions": VERSIONS, "python": sys.version.split()[0],
        "fit": {"periods": len(dates), "first_date": str(dates[0].date()), "last_date": str(dates[-1].date()), "frequency": "W-SUN",
                "chains": CHAINS, "draws": DRAWS, "tune": TUNE, "thin": THIN, "target_accept": 0.95, "samples_saved": samples,
                "random_seed": spec.seed},
        "saved_attributes": attrs,
        "channels": channels, "link": mmm.link.value, "adstock_first": mmm.adstock_first,
        "adstock": {"type": type(mmm.adstock).__name__, "l_max": mmm.adstock.l_max, "normalize": mmm.adstock.normalize,
                    "mode": mmm.adstock.mode.name},
        "saturation": {"type": type(mmm.saturation).__name__},
        "scales": {"channel_scale": dict(zip(channels, mmm.scalers["_channel"].sel(channel=channels).values.tolist())),
                   "target_scale": float(mmm.scalers["_target"].values),
                   "where": "constant_data.channel_scale (channel units), constant_data.target_scale"},
        "parameters": parameter_section(mmm, p, show),
        "cost_per_unit": cpu,
        "today": {"rule": f"mean over the last {RECENT} training weeks", "first": str(dates[-RECENT].date()), "last": str(dates[-1].date()),
                  "spend": dict(zip(channels, m.today.tolist())), "units": dict(zip(channels, m.today_units.tolist()))},
        "curve": curve_section(mmm, m, p, plans, show),
        "budget_optimizer": plans_out,
    }


def main(names: list[str]) -> None:
    for name in names or list(SPECS):
        spec = SPECS[name]
        started = time.perf_counter()
        mmm, X, seconds = fit(spec)
        path = HERE / f"{spec.name}.nc"
        mmm.save(str(path))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            ref = reference(spec, mmm, X, path)
        (HERE / f"{spec.name}.json").write_text(json.dumps(ref, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{spec.name}: {path.stat().st_size // 1024} KB model, sampling {seconds:.0f} s, total {time.perf_counter() - started:.0f} s",
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
