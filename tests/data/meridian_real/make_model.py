"""Fit a small real Meridian model and write what a Meridian user has, plus reference figures.

Ground truth for `channelmix import meridian` (issue #23): every figure here is computed by
Meridian itself, so an importer can be tested against it without Meridian installed.

Run it (about 5 minutes on the 2 shared cores) in a Python 3.12 environment with Meridian, never in
channelmix's own environment (Meridian pins numpy < 2.4, pandas < 3 and brings JAX, TF):

    ~/.pyenv/versions/3.12.1/bin/python -m venv /work/envs/meridian
    /work/envs/meridian/bin/pip install "google-meridian[schema]==2.1.0" pyarrow
    /work/envs/meridian/bin/python tests/data/meridian_real/make_model.py

Input: national_4_channels.csv beside this file -- Meridian's simulated national data
(meridian/data/simulated_data/csv/national_all_channels.csv), cut to Channel0..Channel3,
their spends, the KPI (conversions), revenue_per_conversion and the two controls.
Outputs (beside this file): see README.md.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")  # Meridian warns on every national-model default
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from meridian.analysis import analyzer as analyzer_module  # noqa: E402
from meridian.analysis import optimizer as optimizer_module  # noqa: E402
from meridian.analysis import tensors  # noqa: E402
from meridian.data import load  # noqa: E402
from meridian.model import model, spec  # noqa: E402
from meridian.schema.serde import meridian_serde  # noqa: E402

HERE = Path(__file__).resolve().parent
CHANNELS = [f"Channel{i}" for i in range(4)]
PRIOR_DRAWS, PRIOR_SEED = 20, 7
CHAINS, ADAPT, BURNIN, KEEP, SEED = 2, 500, 200, 50, (11, 23)
FINE_MULTIPLIERS = [round(0.02 * i, 2) for i in range(101)]  # 0 .. 2 step 0.02
OFF_GRID = [0.05, 0.13, 0.31, 0.45, 0.55, 0.69, 0.77, 0.85, 0.93, 1.07, 1.15, 1.25, 1.33, 1.51, 1.73, 1.89, 2.1, 2.5, 3.0]  # off both tables
DRAWS_KEPT = [0, 10, 20, 30, 40]  # of each chain: 10 posterior draws written out
OTHER_BUDGET = 140_000_000.0
STEADY_MULTIPLIERS = [0.5, 1.0, 1.5, 2.0]


def fit() -> tuple[model.Meridian, dict]:
    columns = load.CoordToColumns(
        time="time", kpi="conversions", revenue_per_kpi="revenue_per_conversion",
        controls=["competitor_sales_control", "sentiment_score_control"],
        media=[f"{c}_impression" for c in CHANNELS], media_spend=[f"{c}_spend" for c in CHANNELS])
    loader = load.CsvDataLoader(
        str(HERE / "national_4_channels.csv"), coord_to_columns=columns, kpi_type="non_revenue",
        media_to_channel={f"{c}_impression": c for c in CHANNELS},
        media_spend_to_channel={f"{c}_spend": c for c in CHANNELS})
    mmm = model.Meridian(input_data=loader.load(), model_spec=spec.ModelSpec())
    timings = {}
    start = time.perf_counter()
    mmm.sample_prior(PRIOR_DRAWS, seed=PRIOR_SEED)
    timings["sample_prior_s"] = time.perf_counter() - start
    start = time.perf_counter()
    mmm.sample_posterior(n_chains=CHAINS, n_adapt=ADAPT, n_burnin=BURNIN, n_keep=KEEP, seed=SEED)
    timings["sample_posterior_s"] = time.perf_counter() - start
    return mmm, timings


def write_table(ds, stem: str) -> pd.DataFrame:
    """The response-curve Dataset as a user writes it: ``.to_dataframe()`` to CSV and Parquet."""
    frame = ds.to_dataframe()
    frame.to_csv(HERE / f"{stem}.csv")
    frame.to_parquet(HERE / f"{stem}.parquet")
    return frame.reset_index()


def scaled_media(mmm: model.Meridian, multiplier: float, flat: bool = False) -> np.ndarray:
    """The model's media units (geo, time, channel) times a multiplier; ``flat``: the window's
    total spread evenly over its weeks (a steady weekly spend instead of the historical flighting)."""
    media = np.asarray(mmm.input_data.media.values, dtype=float)
    if flat:
        media = np.broadcast_to(media.mean(axis=1, keepdims=True), media.shape).copy()
    return media * multiplier


def draws_at(an, mmm, multiplier: float, flat: bool = False, **kwargs) -> np.ndarray:
    """Meridian's incremental outcome (revenue) per posterior draw at a spend multiplier."""
    data = tensors.DataTensors(media=scaled_media(mmm, multiplier, flat))
    return np.asarray(an.incremental_outcome(new_data=data, include_non_paid_channels=False, **kwargs), dtype=float)


def model_facts(mmm: model.Meridian) -> dict:
    ctx = mmm.model_context
    data = mmm.input_data
    spend = np.asarray(data.media_spend.values, dtype=float).reshape(-1, len(CHANNELS))
    rpk = np.asarray(data.revenue_per_kpi.values, dtype=float).ravel()
    return {
        "channels": CHANNELS,
        "n_times": int(len(data.time)), "n_media_times": int(ctx.n_media_times),
        "first_week": str(data.time.values[0]), "last_week": str(data.time.values[-1]),
        "historical_spend": dict(zip(CHANNELS, spend.sum(axis=0).tolist())),
        "historical_spend_total": float(spend.sum()),
        "historical_media_units": dict(zip(CHANNELS, np.asarray(data.media.values, dtype=float).sum(axis=(0, 1)).tolist())),
        "revenue_per_kpi": {"column": "revenue_per_conversion", "mean": float(rpk.mean()), "min": float(rpk.min()), "max": float(rpk.max())},
        "kpi_type": data.kpi_type,
        "media_scale_median": dict(zip(CHANNELS, np.asarray(ctx.media_tensors.media_transformer.population_scaled_median_m, dtype=float).tolist())),
        "kpi_population_scaled_mean": float(ctx.kpi_transformer.population_scaled_mean),
        "kpi_population_scaled_stdev": float(ctx.kpi_transformer.population_scaled_stdev),
        "population": np.asarray(data.population.values, dtype=float).tolist(),
        "max_lag": int(mmm.model_spec.max_lag), "hill_before_adstock": bool(mmm.model_spec.hill_before_adstock),
        "adstock_decay": mmm.model_spec.adstock_decay_spec, "saturation": mmm.model_spec.saturation_spec,
        "media_effects_dist": mmm.model_spec.media_effects_dist,
    }


def numpy_curve(facts: dict, media: np.ndarray, rpk: np.ndarray, alpha, ec, slope, beta) -> np.ndarray:
    """Meridian's response written out in numpy (float64), to prove the memo's formula:
    sum_t rpk_t * beta * stdev_kpi * Hill(adstock(media / median)_t; ec, slope) per channel."""
    scale = np.array([facts["media_scale_median"][c] for c in CHANNELS])
    u = media[0] / scale  # (time, channel), national: one geo, population 1
    window = min(facts["max_lag"] + 1, u.shape[0])
    lags = np.arange(window)
    weights = np.asarray(alpha)[None, :] ** lags[:, None]
    weights = weights / weights.sum(axis=0, keepdims=True)
    padded = np.vstack([np.zeros((window - 1, u.shape[1])), u])
    adstock = sum(weights[lag] * padded[window - 1 - lag: window - 1 - lag + u.shape[0]] for lag in lags)
    hill = adstock ** slope / (adstock ** slope + np.asarray(ec) ** slope)
    return (rpk[:, None] * hill).sum(axis=0) * np.asarray(beta) * facts["kpi_population_scaled_stdev"]


def posterior_draws(an, mmm, facts: dict) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Ten draws of each channel's incremental outcome on the default table's multipliers, their
    parameters, and the largest relative gap between Meridian and numpy_curve over them."""
    post = mmm.inference_data.posterior
    rpk = np.asarray(mmm.input_data.revenue_per_kpi.values, dtype=float).ravel()
    multipliers = [round(0.2 * i, 1) for i in range(11)]
    rows, params, worst = [], [], 0.0
    for m in multipliers:
        values = draws_at(an, mmm, m) if m > 0 else np.zeros((CHAINS, KEEP, len(CHANNELS)))
        for chain in range(CHAINS):
            for draw in DRAWS_KEPT:
                p = {k: post[k].values[chain, draw] for k in ("alpha_m", "ec_m", "slope_m")}
                beta = post["beta_gm"].values[chain, draw, 0]
                if m > 0:
                    mine = numpy_curve(facts, scaled_media(mmm, m), rpk, p["alpha_m"], p["ec_m"], p["slope_m"], beta)
                    worst = max(worst, float(np.max(np.abs(mine / values[chain, draw] - 1))))
                for k, c in enumerate(CHANNELS):
                    rows.append({"chain": chain, "draw": draw, "channel": c, "spend_multiplier": m,
                                 "spend": m * facts["historical_spend"][c], "incremental_outcome": values[chain, draw, k]})
                    if m == multipliers[-1]:
                        params.append({"chain": chain, "draw": draw, "channel": c, "alpha_m": p["alpha_m"][k], "ec_m": p["ec_m"][k],
                                       "slope_m": p["slope_m"][k], "beta_gm": beta[k], "roi_m": post["roi_m"].values[chain, draw, k]})
    return pd.DataFrame(rows), pd.DataFrame(params), worst


def reference_points(an, mmm, facts: dict, table: pd.DataFrame) -> pd.DataFrame:
    """Meridian's mean incremental outcome per channel at every default-table point and off it."""
    rows = []
    for kind, multipliers in (("table", sorted(table["spend_multiplier"].unique())), ("off_grid", OFF_GRID)):
        ds = an.response_curves(spend_multipliers=list(multipliers))
        for m in multipliers:
            for c in CHANNELS:
                point = ds.sel(spend_multiplier=m, channel=c)
                rows.append({"kind": kind if m <= 2.0 else "beyond_table", "channel": c, "spend_multiplier": m,
                             "spend": float(point["spend"]), "incremental_outcome": float(point["incremental_outcome"].sel(metric="mean"))})
    return pd.DataFrame(rows)


def steady_week(an, mmm, facts: dict) -> list[dict]:
    """Window totals / weeks against a flat weekly spend (same total), measured with Meridian:
    the whole window and the weeks after the adstock ramp-up (max_lag weeks)."""
    out = []
    n, lag = facts["n_times"], facts["max_lag"]
    for m in STEADY_MULTIPLIERS:
        hist = draws_at(an, mmm, m).mean(axis=(0, 1))
        flat_weeks = draws_at(an, mmm, m, flat=True, aggregate_times=False).mean(axis=(0, 1))  # (time, channel)
        kpi_weeks = draws_at(an, mmm, m, flat=True, aggregate_times=False, use_kpi=True).mean(axis=(0, 1))
        for k, c in enumerate(CHANNELS):
            out.append({"channel": c, "spend_multiplier": m, "weekly_spend": m * facts["historical_spend"][c] / n,
                        "historical_window_total": hist[k], "historical_window_per_week": hist[k] / n,
                        "flat_window_total": flat_weeks[:, k].sum(), "flat_window_per_week": flat_weeks[:, k].mean(),
                        "flat_per_week_after_rampup": flat_weeks[lag:, k].mean(),
                        "flat_kpi_per_week_after_rampup": kpi_weeks[lag:, k].mean(),
                        "flat_first_week": flat_weeks[0, k], "flat_last_week": flat_weeks[-1, k]})
    return out


def optimise(mmm, facts: dict, budget: float | None) -> dict:
    """Meridian's BudgetOptimizer with its defaults (fixed budget, +-30 % bounds), timed."""
    start = time.perf_counter()
    result = optimizer_module.BudgetOptimizer(mmm).optimize(budget=budget)
    seconds = time.perf_counter() - start
    grid = result.optimization_grid
    spend = (budget or facts["historical_spend_total"]) * np.array([facts["historical_spend"][c] for c in CHANNELS]) / facts["historical_spend_total"]
    lower, upper = optimizer_module.get_optimization_bounds(len(CHANNELS), spend, grid.round_factor, 0.3, 0.3)
    opt, non = result.optimized_data, result.nonoptimized_data

    def per_channel(ds, name):
        values = ds[name].sel(metric="mean") if "metric" in ds[name].dims else ds[name]
        return dict(zip(CHANNELS, np.asarray(values.values, dtype=float).tolist()))

    return {"budget_argument": budget, "budget": float(opt.attrs["budget"]), "seconds": seconds,
            "round_factor": int(grid.round_factor), "grid_step": float(grid.spend_step_size),
            "lower_bound": dict(zip(CHANNELS, lower.tolist())), "upper_bound": dict(zip(CHANNELS, upper.tolist())),
            "optimized_spend": per_channel(opt, "spend"), "optimized_incremental_outcome": per_channel(opt, "incremental_outcome"),
            "optimized_total_incremental_outcome": float(opt.attrs["total_incremental_outcome"]),
            "non_optimized_spend": per_channel(non, "spend"), "non_optimized_incremental_outcome": per_channel(non, "incremental_outcome"),
            "non_optimized_total_incremental_outcome": float(non.attrs["total_incremental_outcome"])}


def versions() -> dict:
    names = ["google-meridian", "mmm-proto-schema", "jax", "jaxlib", "tensorflow", "tfp-nightly", "numpy", "pandas",
             "xarray", "arviz", "scipy", "protobuf", "pyarrow"]
    return {"python": sys.version.split()[0], **{n: metadata.version(n) for n in names}}


def main() -> None:
    began = time.perf_counter()
    mmm, timings = fit()
    an = analyzer_module.Analyzer(mmm)
    facts = model_facts(mmm)
    start = time.perf_counter()
    table = write_table(an.response_curves(), "response_curves")
    timings["response_curves_s"] = time.perf_counter() - start
    write_table(an.response_curves(spend_multipliers=FINE_MULTIPLIERS), "response_curves_fine")
    draws, params, worst = posterior_draws(an, mmm, facts)
    draws.to_csv(HERE / "posterior_draws.csv", index=False)
    params.to_csv(HERE / "posterior_draw_params.csv", index=False)
    points = reference_points(an, mmm, facts, table)
    points.to_csv(HERE / "reference_points.csv", index=False)
    post = mmm.inference_data.posterior
    facts["posterior_mean"] = {k: dict(zip(CHANNELS, post[k].mean(("chain", "draw")).values.reshape(-1).tolist()))
                               for k in ("alpha_m", "ec_m", "slope_m", "roi_m")}
    facts["posterior_mean"]["beta_gm"] = dict(zip(CHANNELS, post["beta_gm"].mean(("chain", "draw")).values[0].tolist()))
    facts["numpy_formula_max_relative_gap"] = worst
    steady = steady_week(an, mmm, facts)
    optimisations = [optimise(mmm, facts, None), optimise(mmm, facts, OTHER_BUDGET)]
    meridian_serde.save_meridian(mmm, str(HERE / "model.binpb"))
    timings["total_s"] = time.perf_counter() - began
    reference = {"versions": versions(), "backend": "jax (Meridian 2.x default), float64",
                 "sampling": {"prior_draws": PRIOR_DRAWS, "prior_seed": PRIOR_SEED, "chains": CHAINS, "adapt": ADAPT,
                              "burnin": BURNIN, "keep": KEEP, "seed": list(SEED)},
                 "model": facts, "steady_week": steady, "optimizer": optimisations, "timings": timings,
                 "model_binpb_bytes": (HERE / "model.binpb").stat().st_size}
    (HERE / "reference.json").write_text(json.dumps(reference, indent=1, default=float) + "\n", encoding="utf-8")
    print(json.dumps({"timings": timings, "numpy_formula_max_relative_gap": worst,
                      "model_binpb_bytes": reference["model_binpb_bytes"]}, indent=1))


if __name__ == "__main__":
    main()
