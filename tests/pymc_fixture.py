"""A small saved PyMC-Marketing model, built in the shape ``MMM.save()`` documents: an ArviZ
InferenceData netCDF-4 file (root attributes = the model's configuration as JSON strings;
groups posterior, constant_data, fit_data), written with xarray + h5netcdf (no arviz)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

CHANNELS = ["TV", "Paid Search", "تلویزیون"]
CHAINS, DRAWS, PERIODS = 2, 4, 20
TARGET_SCALE = 5000.0


def posterior_params(seed: int = 7) -> dict[str, np.ndarray]:
    """(chain, draw, channel) parameters: adstock alpha, logistic lam and beta."""
    rng = np.random.default_rng(seed)
    shape = (CHAINS, DRAWS, len(CHANNELS))
    return {"adstock_alpha": rng.uniform(0.2, 0.7, shape), "saturation_lam": rng.uniform(1.0, 4.0, shape),
            "saturation_beta": rng.uniform(0.1, 0.5, shape)}


def spends(seed: int = 3) -> np.ndarray:
    """(period, channel) weekly spends, original units."""
    rng = np.random.default_rng(seed)
    return np.round(rng.uniform(0, 1, (PERIODS, len(CHANNELS))) * np.array([8000.0, 3000.0, 1500.0]), 2)


def attrs(**overrides: Any) -> dict[str, str]:
    adstock = {"lookup_name": "geometric", "prefix": "adstock", "l_max": 4, "normalize": True, "mode": "After",
               "priors": {"alpha": {"dist": "Beta", "kwargs": {"alpha": 1, "beta": 3}, "dims": ["channel"]}}}
    saturation = {"lookup_name": "logistic", "prefix": "saturation", "priors": {}}
    out = {"id": "0123abcd", "model_type": "MMMM (Multi-Dimensional Marketing Mix Model)", "version": "0.0.2",
           "sampler_config": "{}", "model_config": "{}", "dims": "[]", "date_column": "date",
           "adstock": json.dumps(adstock), "saturation": json.dumps(saturation), "adstock_first": "true",
           "control_columns": "null", "channel_columns": json.dumps(CHANNELS, ensure_ascii=False),
           "yearly_seasonality": "null", "time_varying_intercept": "false", "time_varying_media": "false",
           "target_column": "y",
           "scaling": json.dumps({"target": {"method": "max", "dims": []}, "channel": {"method": "max", "dims": []}})}
    out.update(overrides)
    return {k: v for k, v in out.items() if v is not None}


def save_model(path: Path, *, root: dict[str, str] | None = None, params: dict[str, np.ndarray] | None = None,
               spend: np.ndarray | None = None, groups: tuple[str, ...] = ("posterior", "constant_data", "fit_data"),
               posterior_extra: dict[str, Any] | None = None) -> Path:
    import xarray as xr

    params = posterior_params() if params is None else params
    spend = spends() if spend is None else spend
    dates = (np.array("2025-01-06", dtype="datetime64[D]") + 7 * np.arange(PERIODS)).astype("datetime64[ns]")
    coords = {"chain": np.arange(CHAINS), "draw": np.arange(DRAWS), "channel": CHANNELS}
    xr.Dataset(attrs=attrs() if root is None else root).to_netcdf(path, mode="w", engine="h5netcdf")
    post = xr.Dataset({k: (("chain", "draw", "channel"), v) for k, v in params.items()}, coords=coords)
    post["intercept_contribution"] = (("chain", "draw"), np.full((CHAINS, DRAWS), 0.3))
    for name, var in (posterior_extra or {}).items():
        post[name] = var
    target = np.linspace(2000.0, TARGET_SCALE, PERIODS)
    const = xr.Dataset({"channel_data": (("date", "channel"), spend), "target_data": (("date",), target),
                        "channel_scale": (("channel",), np.abs(spend).max(axis=0)), "target_scale": ((), TARGET_SCALE)},
                       coords={"date": dates, "channel": CHANNELS})
    fit = xr.Dataset({c: (("date",), spend[:, j]) for j, c in enumerate(CHANNELS)} | {"y": (("date",), target)},
                     coords={"date": dates})
    for name, data in (("posterior", post), ("constant_data", const), ("fit_data", fit)):
        if name in groups:
            data.to_netcdf(path, mode="a", group=name, engine="h5netcdf")
    return path
