"""Read a saved Meridian model (``meridian_serde.save_meridian(mmm, "model.binpb")``) without Meridian.

The file is an ``mmm.v1.model.MmmKernel`` protobuf message: the marketing data (one point
per geo × week: media units, spend, KPI, revenue per KPI) and, packed in a
``google.protobuf.Any``, a ``MeridianModel`` whose posterior is a netCDF-3 file (as
``xarray.to_netcdf`` writes it).  Meridian's own message classes come with
``mmm-proto-schema``, which requires TensorFlow (its ``MeridianModel`` proto imports
TensorFlow's tensor protos), so this module declares the few messages and fields the
curves need — by the field numbers of Meridian's ``.proto`` files (mmm-proto-schema 1.6.0)
— with protobuf's descriptor API, and lets protobuf parse the wire format.  Fields not
declared are skipped by protobuf.  scipy reads the netCDF-3 posterior.

Supported: paid media channels (impressions or other units with their spend), national and
geo models, geometric and binomial adstock, Hill or no saturation per channel, Hill before
or after adstock, revenue and non-revenue KPIs.  Reach-and-frequency channels and media
effects that change at changepoints are refused by name.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..schema.problems import Problem, ScenarioError

EXTRA = 'pip install "channelmix[meridian]"'
MODEL_TYPE = "mmm.v1.model.meridian.MeridianModel"

# message -> [(field number, name, type)]; "*T" is a repeated field of T (numbers from mmm-proto-schema 1.6.0)
MESSAGES: dict[str, list[tuple[int, str, str]]] = {
    "MmmKernel": [(1, "marketing_data", "MarketingData"), (2, "model", "Any")],
    "Any": [(1, "type_url", "string"), (2, "value", "bytes")],
    "MarketingData": [(1, "marketing_data_points", "*MarketingDataPoint"), (2, "metadata", "Metadata")],
    "Metadata": [(3, "channel_dimensions", "*ChannelDimension"), (5, "kpi_type", "string"),
                 (7, "currency_code", "string")],
    "ChannelDimension": [(1, "name", "string"), (2, "channels", "*string")],
    "MarketingDataPoint": [(1, "geo_info", "GeoInfo"), (2, "date_interval", "DateInterval"),
                           (4, "media_variables", "*MediaVariable"), (5, "kpi", "Kpi"),
                           (6, "reach_frequency_variables", "*ReachFrequencyVariable")],
    "GeoInfo": [(1, "geo_id", "string"), (2, "population", "int64"), (3, "population_value", "double")],
    "DateInterval": [(1, "start_date", "Date"), (2, "end_date", "Date")],
    "Date": [(1, "year", "int32"), (2, "month", "int32"), (3, "day", "int32")],
    "MediaVariable": [(1, "channel_name", "string"), (2, "scalar_metric", "ScalarMetric"),
                      (4, "media_spend", "double")],
    "ScalarMetric": [(1, "name", "string"), (2, "value", "double")],
    "ReachFrequencyVariable": [(1, "channel_name", "string")],
    "Kpi": [(1, "name", "string"), (2, "revenue", "Value"), (3, "non_revenue", "NonRevenue")],
    "Value": [(1, "value", "double")],
    "NonRevenue": [(1, "value", "double"), (2, "revenue_per_kpi", "double")],
    "MeridianModel": [(1, "model_id", "string"), (2, "model_version", "string"),
                      (3, "hyperparameters", "Hyperparameters"),
                      (14, "inference_data", "InferenceData")],
    "Hyperparameters": [(2, "hill_before_adstock", "bool"), (3, "max_lag", "uint32"),
                        (23, "global_adstock_decay", "string"),
                        (24, "adstock_decay_by_channel", "ByChannel"), (26, "global_saturation", "string"),
                        (27, "saturation_by_channel", "ByChannel"), (38, "changepoints", "*Entry")],
    "ByChannel": [(1, "entries", "*Entry")],  # a proto map<string, string> is a repeated {1 key, 2 value} on the wire
    "Entry": [(1, "key", "string"), (2, "value", "bytes")],
    "InferenceData": [(2, "prior", "bytes"), (3, "posterior", "bytes")],
}


@dataclass(frozen=True)
class MeridianModel:
    """What the curves need, as arrays: geo g, media week t, paid channel c, posterior draw d."""

    channels: list[str]
    geos: list[str]
    population: np.ndarray  # (g,)
    weeks: list[dt.date]  # start of every media week
    period_days: int  # length of a week (7 for weekly data)
    kpi_week: np.ndarray  # (t,) bool: the week has a KPI (the model's window; earlier weeks only feed the adstock)
    media: np.ndarray  # (g, t, c) media units
    spend: np.ndarray  # (g, t, c) spend (0 where not recorded)
    spend_total: np.ndarray  # (c,) spend over the window, as Meridian's response curves count it
    kpi: np.ndarray  # (g, t) KPI (NaN outside the window)
    revenue_per_kpi: np.ndarray  # (g, t) 1 for a revenue KPI or when none is given
    outcome_unit: str  # "revenue", or "KPI" when the model has no revenue per KPI
    currency: str
    version: str
    model_id: str
    max_lag: int | None  # None: the whole history
    hill_before_adstock: bool
    decay: list[str]  # per channel: geometric | binomial
    saturation: list[str]  # per channel: hill | none
    alpha: np.ndarray  # (d, c)
    ec: np.ndarray  # (d, c)
    slope: np.ndarray  # (d, c)
    beta: np.ndarray  # (d, g, c)

    @property
    def n_weeks(self) -> int:
        return int(self.kpi_week.sum())


def message_classes() -> dict[str, Any]:
    """The declared messages as protobuf classes (ScenarioError naming the extra when protobuf is missing)."""
    try:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    except ImportError:
        raise ScenarioError("channelmix import meridian", [Problem(
            "", "reading a saved Meridian model (.binpb) needs protobuf, which is not installed",
            f"{EXTRA}, or import Meridian's response-curve table (response_curves().to_dataframe() as CSV)")]) from None
    field = descriptor_pb2.FieldDescriptorProto
    scalar = {"string": field.TYPE_STRING, "bytes": field.TYPE_BYTES, "double": field.TYPE_DOUBLE,
              "bool": field.TYPE_BOOL,
              "uint32": field.TYPE_UINT32, "int32": field.TYPE_INT32, "int64": field.TYPE_INT64}
    proto = descriptor_pb2.FileDescriptorProto(name="channelmix/meridian_subset.proto", package="channelmix.meridian",
                                               syntax="proto2")
    for name, fields in MESSAGES.items():
        message = proto.message_type.add(name=name)
        for number, field_name, kind in fields:
            repeated, kind = kind.startswith("*"), kind.lstrip("*")
            f = message.field.add(name=field_name, number=number, label=field.LABEL_REPEATED if repeated
                                  else field.LABEL_OPTIONAL)
            if kind in scalar:
                f.type = scalar[kind]
            else:
                f.type, f.type_name = field.TYPE_MESSAGE, f".channelmix.meridian.{kind}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"channelmix.meridian.{name}"))
            for name in MESSAGES}


def read_model(path: str) -> MeridianModel:
    """The model in ``path``; every problem is a ScenarioError naming the file and the fix."""
    classes = message_classes()
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ScenarioError(path, [Problem("", "no such file", "check the path")]) from None
    from google.protobuf.message import DecodeError

    try:
        kernel = classes["MmmKernel"].FromString(raw)
        if not kernel.model.type_url.endswith("/" + MODEL_TYPE):
            raise ScenarioError(path, [Problem("model",
                                               f"holds {kernel.model.type_url or 'no model'!r}, not a Meridian model",
                                               "save the fitted model with meridian_serde.save_meridian(mmm, "
                                               "'model.binpb')")])
        model = classes["MeridianModel"].FromString(kernel.model.value)
    except DecodeError as err:
        raise ScenarioError(path, [Problem("", f"is not a saved Meridian model ({err})",
                                           "save it with meridian_serde.save_meridian(mmm, 'model.binpb'); the pickle "
                                           "is not read")]) from None
    data = _marketing_data(kernel.marketing_data, path)
    return MeridianModel(**data, **_model_facts(model, data["channels"], data["geos"], path))


def _marketing_data(data: Any, path: str) -> dict[str, Any]:
    dims = {d.name: list(d.channels) for d in data.metadata.channel_dimensions}
    refused = dims.get("rf_channel", [])
    if refused:
        raise ScenarioError(path, [Problem("marketing_data",
                                           f"has reach-and-frequency channels ({', '.join(refused)}), "
                                           "which channelmix does not import yet",
                                           "fit the model with those channels as impressions, "
                                           "or plan them apart; the other channels import")])
    points = [p for p in data.marketing_data_points if p.HasField("geo_info")]
    aggregated = [p for p in data.marketing_data_points if not p.HasField("geo_info")]  # spend given as one total
    if not points:
        raise ScenarioError(path, [Problem("marketing_data", "holds no data points",
                                           "save the fitted model with its data")])
    paid = dims.get("media_channel") or sorted({v.channel_name for p in points for v in p.media_variables})
    geos = list(dict.fromkeys(p.geo_info.geo_id for p in points))
    weeks = sorted({_date(p.date_interval.start_date) for p in points})
    g_of, t_of = {g: i for i, g in enumerate(geos)}, {w: i for i, w in enumerate(weeks)}
    c_of = {c: i for i, c in enumerate(paid)}
    shape = (len(geos), len(weeks), len(paid))
    media, spend = np.zeros(shape), np.zeros(shape)
    kpi, rpk = np.full(shape[:2], np.nan), np.ones(shape[:2])
    population = np.ones(len(geos))
    revenue = None
    for p in points:
        g, t = g_of[p.geo_info.geo_id], t_of[_date(p.date_interval.start_date)]
        population[g] = (p.geo_info.population_value if p.geo_info.HasField("population_value")
                         else float(p.geo_info.population))
        for v in p.media_variables:
            if v.channel_name in c_of:
                media[g, t, c_of[v.channel_name]] = v.scalar_metric.value
                spend[g, t, c_of[v.channel_name]] = v.media_spend
        if p.HasField("kpi"):
            revenue = p.kpi.HasField("revenue")
            kpi[g, t] = p.kpi.revenue.value if revenue else p.kpi.non_revenue.value
            rpk[g, t] = (1.0 if revenue or not p.kpi.non_revenue.HasField("revenue_per_kpi")
                         else p.kpi.non_revenue.revenue_per_kpi)
    kpi_week = np.asarray(~np.isnan(kpi).all(axis=0))
    spend_total = spend[:, kpi_week].sum(axis=(0, 1))
    for p in aggregated:
        for v in p.media_variables:
            if v.channel_name in c_of:
                spend_total[c_of[v.channel_name]] = v.media_spend
    priced = revenue or bool((rpk[:, kpi_week] != 1.0).any())
    _check_data(paid, media, spend_total, kpi_week, path)
    return {"channels": paid, "geos": geos, "population": population, "weeks": weeks,
            "period_days": _period_days(weeks),
            "kpi_week": kpi_week, "media": media, "spend": spend, "spend_total": spend_total, "kpi": kpi,
            "revenue_per_kpi": rpk, "outcome_unit": "revenue" if priced else "KPI",
            "currency": data.metadata.currency_code}


def _check_data(channels: list[str], media: np.ndarray, spend_total: np.ndarray, kpi_week: np.ndarray,
                path: str) -> None:
    problems = []
    if not kpi_week.any():
        problems.append(Problem("marketing_data", "has no week with a KPI", "save the fitted model with its data"))
    for c, name in enumerate(channels):
        if not (media[..., c] > 0).any():
            problems.append(Problem(f"marketing_data, channel {name}", "has no media units in any week",
                                    "fit the model on media with units"))
        elif not spend_total[c] > 0:
            problems.append(Problem(f"marketing_data, channel {name}", "has no spend",
                                    "fit the model with media_spend for every paid channel"))
    if problems:
        raise ScenarioError(path, problems)


def _date(date: Any) -> dt.date:
    return dt.date(date.year, date.month, date.day)


def _period_days(weeks: list[dt.date]) -> int:
    gaps = {(b - a).days for a, b in zip(weeks, weeks[1:])}
    return gaps.pop() if len(gaps) == 1 else 0


def _model_facts(model: Any, channels: list[str], geos: list[str], path: str) -> dict[str, Any]:
    hyper = model.hyperparameters
    if len(hyper.changepoints):
        raise ScenarioError(path, [Problem("hyperparameters.changepoints", "media effects change at changepoints, "
                                           "which channelmix does not import yet",
                                           "fit the model without changepoints")])
    decay = _per_channel(hyper, "adstock_decay", channels, "geometric")
    saturation = _per_channel(hyper, "saturation", channels, "hill")
    bad = [f"{c} ({d})" for c, d in zip(channels, decay) if d not in ("geometric", "binomial")]
    bad += [f"{c} ({s})" for c, s in zip(channels, saturation) if s not in ("hill", "none")]
    if bad:
        raise ScenarioError(path, [Problem("hyperparameters",
                                           f"uses an adstock or saturation channelmix does not know: {', '.join(bad)}",
                                           "supported: geometric and binomial adstock, hill or no saturation")])
    if not model.inference_data.HasField("posterior"):
        raise ScenarioError(path, [Problem("inference_data.posterior", "is missing: the model was not fitted",
                                           "run mmm.sample_posterior(...) before saving the model")])
    return {"version": model.model_version, "model_id": model.model_id,
            "max_lag": int(hyper.max_lag) if hyper.HasField("max_lag") else None,
            "hill_before_adstock": bool(hyper.hill_before_adstock), "decay": decay, "saturation": saturation,
            **_posterior(model.inference_data.posterior, channels, geos, path)}


def _per_channel(hyper: Any, name: str, channels: list[str], default: str) -> list[str]:
    if hyper.HasField(f"{name}_by_channel"):
        found = {e.key: e.value.decode("utf-8") for e in getattr(hyper, f"{name}_by_channel").entries}
        return [found.get(c, default) for c in channels]
    return [getattr(hyper, f"global_{name}") or default] * len(channels)


def _posterior(blob: bytes, channels: list[str], geos: list[str], path: str) -> dict[str, np.ndarray]:
    from scipy.io import netcdf_file

    try:
        posterior = netcdf_file(io.BytesIO(blob), mmap=False)
    except (TypeError, ValueError, OSError) as err:
        raise ScenarioError(path, [Problem("inference_data.posterior", f"cannot be read as netCDF ({err})",
                                           "save the model again with meridian_serde.save_meridian")]) from None
    variables = posterior.variables
    missing = [n for n in ("alpha_m", "ec_m", "slope_m", "beta_gm", "media_channel") if n not in variables]
    if missing:
        raise ScenarioError(path, [Problem("inference_data.posterior", f"lacks {', '.join(missing)}",
                                           "save a model fitted with paid media channels")])
    order = _index(_names(variables["media_channel"].data), channels, "media_channel", path)
    geo_order = _index(_names(variables["geo"].data), geos, "geo", path) if "geo" in variables else None
    if geo_order is None and len(geos) > 1:
        raise ScenarioError(path, [Problem("inference_data.posterior",
                                           "has no geo coordinate to match beta_gm to the data's geos",
                                           "save the model again with meridian_serde.save_meridian")])
    flat = {n: np.asarray(variables[n].data, dtype=float) for n in ("alpha_m", "ec_m", "slope_m", "beta_gm")}
    out = {n: flat[n].reshape(-1, flat[n].shape[-1])[:, order] for n in ("alpha_m", "ec_m", "slope_m")}
    beta = flat["beta_gm"].reshape(-1, *flat["beta_gm"].shape[-2:])[:, :, order]
    beta = beta[:, geo_order] if geo_order is not None else beta
    posterior.close()
    return {"alpha": out["alpha_m"], "ec": out["ec_m"], "slope": out["slope_m"], "beta": beta}


def _names(data: np.ndarray) -> list[str]:
    """netCDF-3 keeps strings as arrays of characters (``|S1``), one row per name."""
    if data.dtype.kind == "S" and data.ndim == 2:
        return [b"".join(row).decode("utf-8").rstrip("\x00") for row in data]
    return [x.decode("utf-8") if isinstance(x, bytes) else str(x) for x in data]


def _index(names: list[str], wanted: list[str], what: str, path: str) -> list[int]:
    missing = [w for w in wanted if w not in names]
    if missing:
        raise ScenarioError(path, [Problem(f"inference_data.posterior.{what}", f"has no {', '.join(missing)}",
                                           "the posterior and the marketing data must be of the same model")])
    return [names.index(w) for w in wanted]
