"""Reading a saved PyMC-Marketing model (``MMM.save("model.nc")``): an ArviZ InferenceData,
a netCDF-4 file whose root attributes hold the model's configuration as JSON strings.

Two shapes are read (the version families PyMC-Marketing documents):

* 0.14 onward, ``pymc_marketing.mmm.multidimensional.MMM`` (the ``MMM`` of later releases):
  ``constant_data`` holds ``channel_data`` (spends, original units), ``channel_scale`` and
  ``target_scale``; attributes ``channel_columns``, ``adstock``, ``saturation`` (dicts with
  ``lookup_name``, or ``__type__`` in the newer serialisation), ``adstock_first``, ``dims``.
* 0.2 – 0.13, ``pymc_marketing.mmm.MMM`` / ``DelayedSaturatedMMM``: channels and target are
  max-abs scaled, so the scales are the largest absolute spend per channel and target in
  ``fit_data`` (the training table); without ``adstock``/``saturation`` attributes the
  model is the original geometric (normalised, ``adstock_max_lag``) + logistic one, whose
  posterior names are ``alpha``, ``lam`` and ``beta_channel``.

The posterior (``chain``, ``draw``[, ``channel``]) gives ``<prefix>_<parameter>``:
``adstock_alpha`` (or ``adstock_halflife`` with ``"parametrization": "halflife"``: α = 0.5^{1/h}
geometric, 2^{−1/h²} delayed), ``saturation_lam``, ``saturation_beta`` …

1.x files record the ``link`` (plain text ``identity`` or ``log``; absent: identity) and
``cost_per_unit`` (null, or pandas' ``to_json(orient="split")`` of a price per training date
and priced channel: the model was fitted on media units, and a channel without a column
costs 1.0 per unit).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..schema.problems import Problem, ScenarioError
from .pymc_math import ADSTOCKS, CLASS_NAMES, SATURATIONS
from .sources import fail

EXTRA = 'pip install "channelmix[mmm]"'
SAVE_AGAIN = "save the fitted model with MMM.save('model.nc')"
LEGACY = {("adstock", "alpha"): "alpha", ("saturation", "lam"): "lam", ("saturation", "beta"): "beta_channel"}


@dataclass
class Saved:
    """What the importer needs from the file, checked."""

    channels: list[str]
    saturation: str
    sat: dict[str, np.ndarray]  # parameter -> (samples, channels)
    adstock: str
    ad: dict[str, np.ndarray]
    l_max: int
    normalize: bool
    adstock_first: bool
    channel_scale: np.ndarray  # (channels,), in the channel's units
    target_scale: float
    spends: np.ndarray  # (periods, channels), the channel's units (media units when cost_per_unit is set, else money)
    family: str
    dates: list[str] = field(default_factory=list)  # the training periods, as the file labels them
    # (periods, channels): money per unit (cost_per_unit; 1.0 where not priced); None: spends are money
    prices: np.ndarray | None = None
    model_id: str = ""  # the attribute id
    target: str = ""  # the attribute target_column
    # "pymc 6.3.2": the inference library the file names (PyMC-Marketing's own version is not recorded)
    library: str = ""
    mode: str = "After"  # the adstock's alignment (the steady state is the same for every mode)
    contribution: np.ndarray | None = None  # (samples, periods, channels): posterior.channel_contribution, where saved

    @property
    def money(self) -> np.ndarray:
        """(periods, channels) spends in money: units × the price of their period."""
        return self.spends if self.prices is None else self.spends * self.prices


def libraries(path: str) -> tuple[Any, Any]:
    """xarray and h5netcdf, or a problem naming the extra that installs them."""
    try:
        import h5netcdf
        import h5py  # noqa: F401  (h5netcdf's HDF5 backend)
        import xarray
    except ImportError as err:
        missing = err.name or "xarray"
        raise fail(path, "",
                   f"reading a PyMC-Marketing model needs the optional packages xarray, h5netcdf and h5py ({missing} "
                   "is not installed)",
                   f"install them: {EXTRA}") from None
    return xarray, h5netcdf


def read_saved(path: str) -> Saved:
    xr, h5netcdf = libraries(path)
    if not Path(path).is_file():
        raise fail(path, "", "no such file", "check the path")
    try:
        with h5netcdf.File(path, "r") as f:
            groups = set(f.groups)
            attrs = {str(k): _text(v) for k, v in f.attrs.items()}
    except (OSError, ValueError) as err:
        raise fail(path, "", f"is not a netCDF-4 file ({str(err).splitlines()[0]})", SAVE_AGAIN) from None
    if "posterior" not in groups:
        raise fail(path, "group posterior", f"is missing (the file has {', '.join(sorted(groups)) or 'no groups'})",
                   f"import a fitted model: {SAVE_AGAIN} after MMM.fit()")
    data = {g: xr.open_dataset(path, group=g, engine="h5netcdf").load()
            for g in ("posterior", "constant_data", "fit_data") if g in groups}
    saved = _checked(path, attrs, data)
    saved.contribution = _contribution(data["posterior"], saved)
    version = data["posterior"].attrs.get("inference_library_version")
    library = data["posterior"].attrs.get("inference_library")
    saved.library = f"{_text(library)} {_text(version)}" if library and version else ""
    return saved


def _contribution(posterior: Any, saved: Saved) -> np.ndarray | None:
    """The model's own in-sample contributions (scaled units), when the file holds them in the
    expected shape; None otherwise (nothing to check against)."""
    if "channel_contribution" not in posterior.data_vars:
        return None
    var = posterior["channel_contribution"]
    if var.dims[:2] != ("chain", "draw") or len(var.dims) != 4 or "channel" not in var.dims:
        return None
    order = [str(c) for c in var["channel"].values]
    if sorted(order) != sorted(saved.channels):
        return None
    values = np.asarray(var.transpose("chain", "draw", ..., "channel").values, dtype=float)
    values = values.reshape(values.shape[0] * values.shape[1], values.shape[2], values.shape[3])
    if values.shape[1] != len(saved.spends):
        return None
    return values[:, :, [order.index(c) for c in saved.channels]]


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.size == 1:
        return _text(value.item())
    return str(value)


def _json(attrs: dict[str, str], key: str, default: Any) -> Any:
    """An attribute as PyMC-Marketing writes it: JSON, or (date_column, target_column) plain text."""
    if key not in attrs:
        return default
    try:
        return json.loads(attrs[key])
    except json.JSONDecodeError:
        return attrs[key]


def _kind(spec: Any) -> str:
    """The lookup name of an ``adstock``/``saturation`` attribute (a dict, or a bare name)."""
    if not isinstance(spec, dict):
        return str(spec)
    name = spec.get("lookup_name") or str(spec.get("__type__", "")).rsplit(".", 1)[-1]
    return CLASS_NAMES.get(name, name)


def _checked(path: str, attrs: dict[str, str], data: dict[str, Any]) -> Saved:
    problems: list[Problem] = []
    channels = _json(attrs, "channel_columns", None)
    if not isinstance(channels, list) or not channels or not all(isinstance(c, str) for c in channels):
        raise fail(path, "attribute channel_columns",
                   f"is {attrs.get('channel_columns', 'missing')!r}, not a JSON list of channel names",
                   f"{SAVE_AGAIN} (it stores the model's configuration as attributes)")
    dims = _json(attrs, "dims", [])
    if dims:
        problems.append(Problem("attribute dims", f"is {dims}: models with panel dimensions are not supported",
                                "import a model fitted without dims, or export its response curves and use 'channelmix "
                                "import curves'"))
    if _json(attrs, "time_varying_media", False) not in (False, None):
        problems.append(Problem("attribute time_varying_media",
                                "is set: media effects that vary over time have no single response curve",
                                "refit with time_varying_media=False, or export response curves and use 'channelmix "
                                "import curves'"))
    link = str(_json(attrs, "link", "identity"))
    if link != "identity":
        problems.append(Problem("attribute link",
                                f"is '{link}': PyMC-Marketing's log link multiplies the channels' effects "
                                "(outcome = target_scale · e^baseline · (e^(Σ channel terms) − 1)), so no channel has "
                                "a response of its own and the outcomes of channels do not add up, as a channelmix "
                                "plan's do",
                                "import a model fitted with link='identity' (PyMC-Marketing's default); for a log-link "
                                "model plan with PyMC-Marketing's own BudgetOptimizer"))
    legacy = "adstock" not in attrs and "saturation" not in attrs
    adstock_spec = _json(attrs, "adstock", "geometric")
    saturation_spec = _json(attrs, "saturation", "logistic")
    adstock, saturation = _kind(adstock_spec), _kind(saturation_spec)
    if saturation not in SATURATIONS:
        problems.append(Problem("attribute saturation", f"is '{saturation}', which channelmix cannot read",
                                f"fit the model with one of: {', '.join(SATURATIONS)} (or export response curves and "
                                "use 'channelmix import curves')"))
    if adstock not in ADSTOCKS:
        problems.append(Problem("attribute adstock", f"is '{adstock}', which channelmix cannot read",
                                f"fit the model with one of: {', '.join(ADSTOCKS)} (or export response curves and use "
                                "'channelmix import curves')"))
    ad_dict = adstock_spec if isinstance(adstock_spec, dict) else {}
    l_max = ad_dict.get("l_max", _json(attrs, "adstock_max_lag", None))
    if not isinstance(l_max, int) or isinstance(l_max, bool) or l_max < 1:
        problems.append(Problem("attribute adstock", f"has l_max {l_max!r}, not a whole number ≥ 1", SAVE_AGAIN))
    sat: dict[str, np.ndarray] = {}
    ad: dict[str, np.ndarray] = {}
    if not problems:  # the parameters to read depend on the model's kind
        sat_prefix = saturation_spec.get("prefix", "saturation") if isinstance(saturation_spec, dict) else "saturation"
        posterior = data["posterior"]
        sat, names = _params(posterior, "saturation", sat_prefix, SATURATIONS[saturation].params, channels, legacy,
                             problems)
        halflife = ad_dict.get("parametrization") == "halflife"
        ad_params = tuple("halflife" if p == "alpha" and halflife else p for p in ADSTOCKS[adstock])
        ad, more = _params(posterior, "adstock", ad_dict.get("prefix", "adstock"), ad_params, channels, legacy,
                           problems)
        if halflife and "halflife" in ad:
            ad["alpha"] = alpha_from_halflife(adstock, ad.pop("halflife"))
        _same_draws(names + more, posterior, problems)
    scale, target, spends, family, dates = _scales_and_spends(attrs, data, channels, problems)
    prices = _prices(_json(attrs, "cost_per_unit", None), channels, dates, problems)
    if problems:
        raise ScenarioError(path, problems)
    return Saved(channels=channels, saturation=saturation, sat=sat, adstock=adstock, ad=ad, l_max=int(l_max),
                 normalize=bool(ad_dict.get("normalize", True)),
                 adstock_first=bool(_json(attrs, "adstock_first", True)),
                 channel_scale=scale, target_scale=target, spends=spends, family=family, dates=dates, prices=prices,
                 model_id=str(attrs.get("id", "")), target=str(_json(attrs, "target_column", "")),
                 mode=str(ad_dict.get("mode", "After")))


def alpha_from_halflife(adstock: str, halflife: np.ndarray) -> np.ndarray:
    """PyMC-Marketing's retention rate from a half-life: 0.5^{1/h} (geometric), 2^{−1/h²} (delayed)."""
    return 0.5 ** (1.0 / halflife) if adstock == "geometric" else 2.0 ** (-1.0 / halflife**2)


def _prices(table: Any, channels: list[str], dates: list[str], problems: list[Problem]) -> np.ndarray | None:
    """(periods, channels) money per unit from the attribute cost_per_unit, or None (spends are money)."""
    if table is None:
        return None
    where = "attribute cost_per_unit"
    if not isinstance(table, dict) or not isinstance(table.get("columns"), list) or not isinstance(table.get("data"),
                                                                                                   list):
        problems.append(Problem(where, "is not a table in pandas' split layout (columns, index, data)", SAVE_AGAIN))
        return None
    columns = [str(c) for c in table["columns"]]
    priced = [c for c in columns if c in channels]
    date_column = next((c for c in columns if c not in channels), None)
    rows = table["data"]
    out = np.ones((len(dates), len(channels)))
    if len(rows) != len(dates) or not all(isinstance(r, list) and len(r) == len(columns) for r in rows):
        problems.append(Problem(where, f"has {len(rows)} rows, but the training data have {len(dates)} periods",
                                "save the model with a price for every training period"))
        return None
    if date_column is not None:
        recorded = [str(r[columns.index(date_column)])[:10] for r in rows]
        if recorded != [d[:10] for d in dates]:
            problems.append(Problem(where, "gives prices for other dates than the training data's", SAVE_AGAIN))
            return None
    for c in priced:
        j, k = channels.index(c), columns.index(c)
        values = np.array([r[k] if isinstance(r[k], (int, float)) and not isinstance(r[k], bool) else np.nan
                           for r in rows], dtype=float)
        if not (np.isfinite(values) & (values > 0)).all():
            problems.append(Problem(f"{where}, channel '{c}'", "has a price that is not a number above 0",
                                    "give every period a positive price per unit, and save the model again"))
            continue
        out[:, j] = values
    return out


def _params(posterior: Any, part: str, prefix: str, params: tuple[str, ...], channels: list[str], legacy: bool,
            problems: list[Problem]) -> tuple[dict[str, np.ndarray], list[str]]:
    """parameter -> (samples, channels), and the posterior variable names used."""
    out: dict[str, np.ndarray] = {}
    used: list[str] = []
    for p in params:
        names = [f"{prefix}_{p}"] + ([LEGACY[(part, p)]] if legacy and (part, p) in LEGACY else [])
        name = next((n for n in names if n in posterior.data_vars), None)
        if name is None:
            problems.append(Problem(f"posterior.{names[0]}",
                                    f"is missing (the {part} needs {', '.join(f'{prefix}_{q}' for q in params)})",
                                    f"import the model the file's attributes describe: {SAVE_AGAIN}"))
            continue
        var = posterior[name]
        extra = [d for d in var.dims[2:] if d != "channel"]
        if len(var.dims) < 2 or extra:
            problems.append(Problem(f"posterior.{name}",
                                    f"has dims ({', '.join(var.dims)}), not (chain, draw[, channel])",
                                    "import a model without panel dims or time-varying parameters"))
            continue
        values = np.asarray(var.values, dtype=float).reshape(var.shape[0] * var.shape[1], -1)
        if "channel" in var.dims:
            order = [str(c) for c in var["channel"].values]
            if sorted(order) != sorted(channels):
                problems.append(Problem(f"posterior.{name}",
                                        f"has channels {order}, but channel_columns are {channels}", SAVE_AGAIN))
                continue
            values = values[:, [order.index(c) for c in channels]]
        else:
            values = np.repeat(values, len(channels), axis=1)
        if not np.isfinite(values).all():
            problems.append(Problem(f"posterior.{name}", "has values that are not finite numbers", SAVE_AGAIN))
            continue
        out[p] = values
        used.append(name)
    return out, used


def _same_draws(names: list[str], posterior: Any, problems: list[Problem]) -> None:
    if not names:
        return
    first = posterior[names[0]]
    for name in names[1:]:
        var = posterior[name]
        if var.shape[:2] != first.shape[:2]:
            problems.append(Problem(f"posterior.{name}",
                                    f"has draws of unequal length ({var.shape[0]} chains × {var.shape[1]} draws, "
                                    f"but {names[0]} has {first.shape[0]} × {first.shape[1]})",
                                    f"give every parameter the same posterior draws: {SAVE_AGAIN}"))


def _scales_and_spends(attrs: dict[str, str], data: dict[str, Any], channels: list[str],
                       problems: list[Problem]) -> tuple[np.ndarray, float, np.ndarray, str, list[str]]:
    """(channel scales, target scale, spends per period and channel, the family read, the periods' labels)."""
    const = data.get("constant_data")
    if const is not None and "channel_scale" in const.data_vars:
        where = "constant_data"
        needed = [v for v in ("channel_data", "target_scale") if v not in const.data_vars]
        if needed:
            problems.append(Problem("group constant_data", f"has channel_scale but no {', '.join(needed)}", SAVE_AGAIN))
            return np.ones(len(channels)), 1.0, np.zeros((0, len(channels))), "", []
        scale = _by_channel(const["channel_scale"], channels, f"{where}.channel_scale", problems)
        target = float(np.asarray(const["target_scale"].values, dtype=float).reshape(-1)[0])
        spends_var = const["channel_data"]
        spends = _by_channel(spends_var, channels, f"{where}.channel_data", problems).reshape(-1, len(channels))
        labels = _labels(spends_var.coords[spends_var.dims[0]].values) if spends_var.dims else []
        family = "0.14+ (scales stored in constant_data)"
    elif "fit_data" in data:
        where = "fit_data"
        fit = data["fit_data"]
        target_name = str(_json(attrs, "target_column", "y"))
        target_name = target_name if target_name in fit.data_vars else "y"
        missing = [c for c in [*channels, target_name] if c not in fit.data_vars]
        if missing:
            problems.append(Problem("group fit_data",
                                    f"has no column {', '.join(repr(m) for m in missing)} (the training data)",
                                    SAVE_AGAIN))
            return np.ones(len(channels)), 1.0, np.zeros((0, len(channels))), "", []
        spends = np.column_stack([np.asarray(fit[c].values, dtype=float).reshape(-1) for c in channels])
        scale = np.abs(spends).max(axis=0) if len(spends) else np.zeros(len(channels))
        target = float(np.abs(np.asarray(fit[target_name].values, dtype=float)).max(initial=0.0))
        first = fit[channels[0]]
        labels = _labels(first.coords[first.dims[0]].values) if first.dims else []
        family = "0.2-0.13 (max-abs scales from fit_data)"
    else:
        problems.append(Problem("group constant_data",
                                "has no channel_scale, and the file has no group fit_data to compute the scales from",
                                SAVE_AGAIN))
        return np.ones(len(channels)), 1.0, np.zeros((0, len(channels))), "", []
    _check_spends(where, spends, channels, labels, problems)
    if not (np.isfinite(target) and target > 0):
        problems.append(Problem(f"{where}: target scale", f"is {target:g}, not a positive number", SAVE_AGAIN))
    return scale, target, spends, family, labels


def _by_channel(var: Any, channels: list[str], where: str, problems: list[Problem]) -> np.ndarray:
    """The variable's values with the channel axis last, in channel_columns order."""
    if "channel" not in var.dims:
        problems.append(Problem(where, f"has dims ({', '.join(var.dims)}), no channel", SAVE_AGAIN))
        return np.ones(len(channels))
    order = [str(c) for c in var["channel"].values]
    missing = [c for c in channels if c not in order]
    if missing:
        problems.append(Problem(where, f"has no channel {', '.join(repr(m) for m in missing)}", SAVE_AGAIN))
        return np.ones(len(channels))
    values = np.asarray(var.transpose(..., "channel").values, dtype=float)
    return values[..., [order.index(c) for c in channels]]


def _labels(values: np.ndarray) -> list[str]:
    if np.issubdtype(values.dtype, np.datetime64):
        return [str(v) for v in np.datetime_as_string(values, unit="D")]
    return [str(v) for v in values]


def _check_spends(where: str, spends: np.ndarray, channels: list[str], labels: list[str],
                  problems: list[Problem]) -> None:
    bad = np.argwhere(~np.isfinite(spends) | (spends < 0))
    for row, col in bad[:5]:
        period = labels[row] if row < len(labels) else str(row)
        value = spends[row, col]
        what = "below 0" if value < 0 else "not a number"
        problems.append(Problem(f"{where}: date {period}, channel '{channels[col]}'", f"spend is {value:g}, {what}",
                                "fix the training data and fit the model again: a spend cannot be negative"))
    if len(bad) > 5:
        problems.append(Problem(where, f"has {len(bad) - 5} more such spends", "fix them all"))
    if not len(spends):
        problems.append(Problem(where, "has no periods of spend", SAVE_AGAIN))
