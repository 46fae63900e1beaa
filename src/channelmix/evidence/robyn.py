"""Import a Robyn model: its robyn_write() JSON (with the input data inside, or beside it
as raw_data.csv) or its pareto CSVs plus the raw data, and optionally the allocator's CSV.

The curve of each paid channel is what Robyn 3.11's allocator optimises (see
:mod:`.robyn_math`): response(s) = coef · h(s + c) per period.  In the scenario it is
``hill(half = I, shape = α, offset = c)`` with ``outcome.value = coef``, so the outcome that
spending s buys is coef · (h(s + c) − h(c)), and coef · h(c) — what the carry-over alone
brings — is ``outcome.baseline``, reported apart (it is there whatever the plan).  Today's
spend is the mean over the allocator's date range (:mod:`.robyn_allocator`); given the
allocator's CSV, its date range, bounds and budget are Robyn's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import robyn_math as rm
from .robyn_allocator import Allocation, allocation_rows, date_rows, is_allocation, read_allocation
from .robyn_data import embedded_raw, json_window, raw_table, window_rows
from .sources import fail, need_columns, number, one, read_json, read_table
from .writer import Imported, ImportedChannel, period_unit, spend_range

RAW_FIX = "pass raw_data.csv (Robyn's dt_input, one row per period) alongside the model files"


@dataclass
class RobynModel:
    solid: str
    adstock: str
    channels: list[str]
    hyper: dict[str, float]  # '<channel>_alphas' etc.
    coef: dict[str, float]
    dates: pd.Series
    data: pd.DataFrame
    window: tuple[int, int]  # modelling window rows, inclusive
    dep_var_type: str
    source: str
    version: str = ""  # InputCollect.version, e.g. "Robyn (stable) v3.11.0 [R-4.4.1]"
    interval: str = ""  # InputCollect.intervalType: day, week or month
    files: list[str] = field(default_factory=list)  # every file the model was read from
    # channel -> (mean_spend, mean_response) of the export
    summary: dict[str, tuple[float, float]] = field(default_factory=dict)


def load(paths: list[str], solid: str | None = None, adstock: str | None = None,
         model_window: str | None = None) -> tuple[RobynModel, Allocation | None]:
    """Read a JSON export (its input data inside or in a raw data table), or the pareto CSVs
    plus the raw data, into one model; and the allocator's CSV when one is given."""
    jsons = [p for p in paths if Path(p).suffix.lower() == ".json"]
    tables = {p: read_table(p) for p in paths if p not in jsons}
    runs = [p for p, t in tables.items() if is_allocation(t)]
    if len(runs) > 1:
        raise fail(", ".join(runs), "", "more than one allocator CSV given",
                   "pass the *_reallocated.csv of one allocator run")
    allocation = read_allocation(runs[0], tables.pop(runs[0])) if runs else None
    raw = [p for p, t in tables.items() if "solID" not in t.columns]
    if jsons:
        if len(jsons) > 1:
            raise fail(", ".join(jsons), "", "more than one Robyn JSON given", "import one model at a time")
        if len(raw) > 1:
            raise fail(", ".join(raw), "", f"needs at most one raw data table, got {len(raw)}", RAW_FIX)
        for option, value, field_name in (("--adstock", adstock, "InputCollect.adstock"),
                                          ("--model-window", model_window,
                                           "InputCollect.rollingWindowStartWhich/EndWhich")):
            if value is not None:
                raise fail(jsons[0], option, f"is given, but the JSON records the model's own ({field_name})",
                           f"drop {option}: it is for the pareto CSVs, which do not record it")
        model = _from_json(jsons[0], raw[0] if raw else None, tables[raw[0]] if raw else None, solid)
    else:
        if len(raw) != 1:
            raise fail(", ".join(paths), "",
                       f"needs exactly one raw data table (the model's input data), got {len(raw)}", RAW_FIX)
        hyp = [p for p, t in tables.items() if "solID" in t.columns and any(c.endswith("_alphas") for c in t.columns)]
        agg = [p for p, t in tables.items() if "solID" in t.columns and "rn" in t.columns]
        if len(hyp) != 1 or len(agg) != 1:
            raise fail(", ".join(paths), "",
                       "needs pareto_hyperparameters.csv and pareto_aggregated.csv (or a RobynModel-<solID>.json)",
                       "pass the CSV outputs of robyn_outputs() together with raw_data.csv")
        model = _from_csv(hyp[0], tables[hyp[0]], agg[0], tables[agg[0]], raw[0], tables[raw[0]], solid, adstock,
                          model_window)
    if allocation is not None and allocation.solid != model.solid:
        raise fail(allocation.path, "column solID", f"is '{allocation.solid}', but the model is '{model.solid}'",
                   f"pass the allocator CSV of model {model.solid}")
    model.files = [Path(p).name for p in paths]
    return model, allocation


def _from_json(path: str, raw_path: str | None, raw: pd.DataFrame | None, solid: str | None) -> RobynModel:
    doc = read_json(path)
    if not isinstance(doc, dict) or "InputCollect" not in doc or "ExportedModel" not in doc:
        raise fail(path, "", "has no InputCollect and ExportedModel",
                   "export the selected model with robyn_write(InputCollect, OutputCollect, select_model)")
    inputs, model = doc["InputCollect"], doc["ExportedModel"]
    found = str(one(model.get("select_model", "")))
    if solid is not None:
        raise fail(path, "--solid", f"is given, but the JSON holds one model ({found}, ExportedModel.select_model)",
                   "drop --solid: it picks a model from the pareto CSVs")
    kind = str(one(inputs.get("adstock", "")))
    if kind not in rm.ADSTOCKS:
        raise fail(path, "InputCollect.adstock", f"is {kind!r}", f"expected one of {', '.join(rm.ADSTOCKS)}")
    spends = inputs.get("paid_media_spends")
    if not isinstance(spends, list) or not spends:
        raise fail(path, "InputCollect.paid_media_spends", "is missing or empty",
                   "export the model again with robyn_write()")
    hyper_raw = model.get("hyper_values") or {}
    hyper = {k: number(v, path, f"ExportedModel.hyper_values.{k}") for k, v in hyper_raw.items() if one(v) is not None
             and not isinstance(one(v), str)}
    coef, summary = _summary(model.get("summary") or [], path)
    date_var = str(one(inputs.get("date_var", "ds")))
    if raw is None:
        raw_path, raw = embedded_raw(doc, path)
    assert raw_path is not None  # a raw table comes with its path (or from Extras.raw_data, named by the JSON's)
    dates, data = raw_table(raw_path, raw, [str(s) for s in spends], date_var)
    window = json_window(inputs, dates, path, raw_path)
    channels = [str(s) for s in spends]
    _check_params(channels, kind, hyper, coef, path, "ExportedModel.hyper_values / summary")
    version = one(inputs.get("version", ""))
    interval = one(inputs.get("intervalType", ""))
    return RobynModel(found, kind, channels, hyper, coef, dates, data, window,
                      str(one(inputs.get("dep_var_type", "revenue"))), path,
                      version=str(version) if isinstance(version, str) else "", summary=summary,
                      interval=interval if isinstance(interval, str) else "")


def _summary(rows: list, path: str) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Coefficients, and Robyn's own (mean_spend, mean_response) where the summary records them."""
    coef, figures = {}, {}
    for i, row in enumerate(rows):
        if isinstance(row, dict) and "variable" in row and "coef" in row:
            name = str(row["variable"])
            coef[name] = number(row["coef"], path, f"ExportedModel.summary[{i}].coef")
            # NA: omitted (or null)
            if one(row.get("mean_spend")) is not None and one(row.get("mean_response")) is not None:
                figures[name] = (number(row["mean_spend"], path, f"ExportedModel.summary[{i}].mean_spend"),
                                 number(row["mean_response"], path, f"ExportedModel.summary[{i}].mean_response"))
    return coef, figures


def _from_csv(hyp_path, hyp: pd.DataFrame, agg_path, agg: pd.DataFrame, raw_path, raw: pd.DataFrame,
              solid: str | None, adstock: str | None, model_window: str | None) -> RobynModel:
    need_columns(agg, agg_path, ["solID", "rn", "coef"], "Robyn's pareto_aggregated.csv")
    if solid is None:
        raise fail(hyp_path, "solID", "names many models; which one to import is not given",
                   "pass --solid <solID>, e.g. the model you picked in the one-pagers")
    rows = hyp[hyp["solID"].astype(str) == solid]
    if rows.empty:
        known = ", ".join(map(str, hyp["solID"].astype(str).unique()[:8]))
        raise fail(hyp_path, "solID", f"has no model '{solid}'",
                   f"use one of {known}{', …' if hyp['solID'].nunique() > 8 else ''}")
    hyper = {c: float(rows.iloc[0][c]) for c in hyp.columns if c != "solID" and pd.api.types.is_number(rows.iloc[0][c])
             and not pd.isna(rows.iloc[0][c])}
    decomp = agg[agg["solID"].astype(str) == solid]
    if decomp.empty:
        raise fail(agg_path, "solID", f"has no rows for model '{solid}'",
                   "pass the pareto_aggregated.csv of the same run")
    has_spend = "mean_spend" in decomp.columns
    channels = [str(r["rn"]) for _, r in decomp.iterrows()
                if f"{r['rn']}_alphas" in hyper and str(r["rn"]) in raw.columns
                and (not has_spend or not pd.isna(r["mean_spend"]))]
    if not channels:
        raise fail(agg_path, "rn",
                   f"names no paid media channel with hyperparameters and a raw data column for model '{solid}'",
                   "pass the raw data the model was fitted on (its spend columns are named like the rn values)")
    coef = {str(r["rn"]): float(r["coef"]) for _, r in decomp.iterrows()}
    kind = adstock or ("geometric" if any(c.endswith("_thetas") for c in hyper) else None)
    if kind is None:
        raise fail(hyp_path, "header", "has Weibull shapes and scales, but the CSVs do not say CDF or PDF",
                   "pass --adstock weibull_cdf or --adstock weibull_pdf (InputCollect$adstock of the run)")
    if kind not in rm.ADSTOCKS:
        raise fail(hyp_path, "--adstock", f"is {kind!r}", f"use one of {', '.join(rm.ADSTOCKS)}")
    dates, data = raw_table(raw_path, raw, channels, None)
    if model_window:
        start, _, end = model_window.partition(":")
        window = window_rows(dates, start, end, raw_path, "--model-window")
    else:
        window = (0, len(dates) - 1)
    _check_params(channels, kind, hyper, coef, hyp_path, "header")
    return RobynModel(solid, kind, channels, hyper, coef, dates, data, window, "revenue", hyp_path)


def _check_params(channels: list[str], kind: str, hyper: dict, coef: dict, path: str, where: str) -> None:
    need = ["alphas", "gammas"] + (["thetas"] if kind == "geometric" else ["shapes", "scales"])
    missing = [f"{c}_{n}" for c in channels for n in need if f"{c}_{n}" not in hyper]
    missing += [f"coef of {c}" for c in channels if c not in coef]
    if missing:
        raise fail(path, where, f"lacks {', '.join(missing[:6])}{' …' if len(missing) > 6 else ''}",
                   f"export the selected model's hyperparameters ({kind} adstock) and coefficients")


def channel_curves(model: RobynModel, allocation: Allocation | None = None, date_range: str | None = None,
                   bounds: tuple[float, float] | None = None) -> Imported:
    """The allocator's view of every paid channel: over the allocator CSV's date range with its
    bounds (every channel kept within them, as Robyn's allocator does), or over ``date_range``
    (Robyn's ``all``, ``last_N``, a date or START:END; default ``all``) with ``bounds`` as
    multiples of today's spend (default 0.5:2, Robyn's channel_constr defaults) when on."""
    if allocation is not None and date_range is not None:
        raise fail(allocation.path, "--window",
                   "is given, but the allocator CSV fixes the date range (date_min..date_max)",
                   "drop --window to plan over Robyn's date range, or drop the CSV")
    if allocation is not None and bounds is not None:
        raise fail(allocation.path, "--bounds",
                   "is given, but the allocator CSV fixes each channel's bounds (constr_low, constr_up)",
                   "drop --bounds to plan within Robyn's bounds, or drop the CSV")
    ws, we = model.window
    window = slice(ws, we + 1)
    rows = allocation_rows(model.dates, model.window, allocation) if allocation is not None else \
        date_rows(model.dates, model.window, date_range, model.source, "--window")
    lo, hi = bounds or (0.5, 2.0)
    channels, skipped = [], []
    for ch in sorted(model.channels):  # Robyn sorts paid media by name
        x = model.data[ch].to_numpy(dtype=float)
        total, immediate = rm.adstocked(x, _adstock(model, ch))
        alpha, gamma, coef = model.hyper[f"{ch}_alphas"], model.hyper[f"{ch}_gammas"], model.coef[ch]
        infl = rm.inflexion(total, window, gamma)
        if coef <= 0 or infl <= 0:
            skipped.append(f"{ch} (coefficient {coef:g})" if coef <= 0 else f"{ch} (no spend in the modelling window)")
            continue
        spend = float(np.mean(x[rows]))
        carry = rm.mean_carryover(total, immediate, window)
        item = ImportedChannel(id=ch, current=spend,
                               response={"type": "hill", "half": _r(infl), "shape": _r(alpha), "offset": _r(carry)},
                               outcome={"value": _r(coef), "baseline": _r(coef * rm.hill(carry, alpha, infl)),
                                        "unit": model.dep_var_type})
        if allocation is not None:
            _robyn_bounds(item, allocation, ch, spend)
        else:
            # no spend in the range: Robyn bounds on the window's mean
            base = spend if spend > 0 else float(np.mean(x[window]))
            item.min_spend, item.max_spend = lo * base, (hi * base if base > 0 else None)
            mean_spend, mean_response = model.summary.get(ch, (None, None))
            if mean_spend is not None and abs(mean_spend - spend) <= 1e-9 * max(spend, 1.0):
                item.tool = mean_response  # the export's own figure is at this spend (the date range is the window)
        channels.append(item)
    return _imported(model, allocation, rows, channels, skipped, bounds)


def _robyn_bounds(item: ImportedChannel, allocation: Allocation, ch: str, spend: float) -> None:
    """Robyn's own bounds, in money, and its response at today's spend."""
    run = allocation.channels.get(ch)
    if run is None:
        raise fail(allocation.path, "column channels", f"has no row for the paid channel {ch}",
                   "pass the allocator CSV of this model")
    if abs(run.init_spend - spend) > 1e-6 * max(spend, 1.0):
        raise fail(allocation.path, f"channel {ch}, column initSpendUnit",
                   f"is {run.init_spend:.10g}, but the input data give "
                   f"{spend:.10g} over date_min..date_max", "pass the allocator CSV made from this model and its data")
    item.min_spend, item.max_spend, item.tool = run.low, run.up, run.init_response


def _imported(model: RobynModel, allocation: Allocation | None, rows: np.ndarray, channels: list[ImportedChannel],
              skipped: list[str],
              bounds: tuple[float, float] | None) -> Imported:
    d0, d1 = model.dates.iloc[rows[0]].date(), model.dates.iloc[rows[-1]].date()
    w0, w1 = model.dates.iloc[model.window[0]].date(), model.dates.iloc[model.window[1]].date()
    if allocation is not None:
        bound_note = (f"Bounds: Robyn's own, from {Path(allocation.path).name} (constr_low_abs..constr_up_abs); every "
                      "channel is forced on, as Robyn's allocator keeps each within its bounds.")
    else:
        lo, hi = bounds or (0.5, 2.0)
        bound_note = f"Bounds: min_spend/max_spend = {lo:g}×/{hi:g}× today's spend when a channel is on."
    notes = [f"Imported from Robyn model {model.solid} ({Path(model.source).name}), {model.adstock} adstock"
             + (f", {model.version}." if model.version else "."),
             f"Spend and outcome are per period: today's spend is the mean over {d0}..{d1} ({len(rows)} periods), as "
             "Robyn's",
             f"allocator takes it; the carry-over (offset) is the mean over the modelling window {w0}..{w1} of the "
             "historical",
             f"adstocked spend less its immediate part. Outcome is the model's {model.dep_var_type} response "
             "coef·h(spend + carry-over)",
             "less the carry-over's own coef·h(carry-over) (outcome.baseline, reported apart).", bound_note]
    if skipped:
        notes.append("Left out: " + ", ".join(skipped) + ".")
    imported = Imported(name=f"Robyn {model.solid}", channels=channels, notes=notes,
                        description=f"Robyn model {model.solid}: budget = today's total spend per period ({d0}..{d1}).",
                        source=_source(model, [c.id for c in channels]))
    if allocation is not None:
        imported.budget = allocation.budget
        imported.description = f"Robyn model {model.solid}: Robyn's allocator budget and bounds per period " \
                               f"({d0}..{d1})."
        imported.force_on = [c.id for c in channels]
        best = ", ".join(f"{ch} {run.optm_spend:,.2f}" for ch, run in allocation.channels.items()
                         if ch in imported.force_on)
        imported.notes.append(f"Robyn's own allocator optimum: {allocation.optimum:,.2f} per period ({best}).")
    return imported


def _unit(model: RobynModel) -> str:
    """The export's intervalType (day, week, month), else what the dates' spacing says."""
    days = model.dates.diff().dt.days.median() if len(model.dates) > 1 else None
    return model.interval or period_unit(days)


def _source(model: RobynModel, ids: list[str]) -> dict:
    """The scenario's ``source:`` block: Robyn, its version, the model, its fit window, per period."""
    ws, we = model.window
    found = re.search(r"v(\d+(?:\.\d+)+)", model.version)
    source: dict = {"tool": "Robyn", "version": found.group(1) if found else model.version, "model": model.solid,
                    "file": model.files,
                    "window": {"start": str(model.dates.iloc[ws].date()), "end": str(model.dates.iloc[we].date()),
                               "periods": we - ws + 1},
                    "per": {"unit": _unit(model)},
                    "measured": {c: spend_range(model.data[c].to_numpy(dtype=float)[ws:we + 1]) for c in ids}}
    return {k: v for k, v in source.items() if v not in ("", [], {})}


def _adstock(model: RobynModel, ch: str) -> rm.Adstock:
    if model.adstock == "geometric":
        return rm.Adstock("geometric", theta=model.hyper[f"{ch}_thetas"])
    return rm.Adstock(model.adstock, shape=model.hyper[f"{ch}_shapes"], scale=model.hyper[f"{ch}_scales"])


def _r(value: float) -> float:
    return float(f"{value:.12g}")


def over_periods(imported: Imported, model: RobynModel, count: int, budget: float | None) -> Imported:
    """The import as a plan over the ``count`` periods after the data (geometric adstock only):
    each channel's curve reads a_t = s_t + θ·a_(t−1) from a_0 = the adstocked spend of the
    data's last period, with Robyn's Hill at the modelling window's inflexion — Robyn's own
    model response, coef·h(a_t), period by period.  Every channel runs in every period (off,
    its carry-over would bring nothing), each period within the per-period budget."""
    if model.adstock != "geometric":
        raise fail(model.source, "--periods",
                   f"needs geometric adstock, and the model's is {model.adstock}: its lag weights span the "
                   "whole series, which one carry-over state (channelmix's a_t = s_t + θ·a_(t−1)) cannot hold",
                   "drop --periods: the default import is exactly the curve Robyn's allocator optimises over its date "
                   "range")
    for item in imported.channels:
        theta = model.hyper[f"{item.id}_thetas"]
        total, _ = rm.adstocked(model.data[item.id].to_numpy(dtype=float), _adstock(model, item.id))
        item.response = {k: v for k, v in item.response.items() if k != "offset"}
        item.outcome = {k: v for k, v in item.outcome.items() if k != "baseline"}
        item.timing = {"carry_over": _r(theta), "carry_in": _r(float(total[-1]))} if theta > 0 else {}
        item.tool = None  # Robyn's figures are its allocator's, per period at the mean carry-over, not this plan's
    today = sum(c.current or 0.0 for c in imported.channels)
    per_period = budget if budget is not None else imported.budget if imported.budget is not None else today
    imported.periods = {"count": count, "unit": _unit(model), "budget": float(f"{per_period:.10g}")}
    imported.budget = per_period * count
    imported.force_on = [c.id for c in imported.channels]
    last = model.dates.iloc[-1].date()
    imported.notes = [line for line in imported.notes if not line.startswith("Robyn's own allocator optimum")]
    imported.notes += [f"Over periods: the {count} periods after {last}, each with a budget of {per_period:,.2f}; each "
                       "channel's curve",
                       "reads its adstock a_t = spend_t + theta·a_(t-1) (Robyn's geometric adstock) from carry_in, the "
                       "adstocked spend of",
                       f"{last}, so the outcome is Robyn's model response coef·h(a_t), history's carry-over included, "
                       "period by period;",
                       "every channel runs in every period, as off its carry-over would count for nothing."]
    return imported


def import_robyn(paths: list[str], solid: str | None = None, window: str | None = None, adstock: str | None = None,
                 model_window: str | None = None, bounds: tuple[float, float] | None = None, periods: int | None = None,
                 budget: float | None = None) -> Imported:
    model, allocation = load(paths, solid, adstock, model_window)
    imported = channel_curves(model, allocation, window, bounds)
    if periods is not None:
        return over_periods(imported, model, periods, budget)
    if budget is not None:
        imported.budget = budget
    return imported
