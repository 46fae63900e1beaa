"""Import a Robyn model: its robyn_write() JSON or its pareto CSVs, plus the raw data.

The curve of each paid channel is what Robyn's allocator optimises (see
:mod:`.robyn_math`): response(s) = coef · h(s + c) per period.  In the scenario it is
``hill(half = I, shape = α, offset = c)`` with ``outcome.value = coef``, so the outcome that
spending s buys is coef · (h(s + c) − h(c)), and coef · h(c) — what the carry-over alone
brings — is ``outcome.baseline``, reported apart (it is there whatever the plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import numpy as np
import pandas as pd

from . import robyn_math as rm
from .sources import fail, need_columns, number, one, read_json, read_table
from .writer import Imported, ImportedChannel, period_unit, spend_range

DATE_COLUMNS = ("ds", "DATE", "date", "Date", "week", "Week")


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


def load(paths: list[str], solid: str | None = None, adstock: str | None = None, model_window: str | None = None) -> RobynModel:
    """Read a JSON export plus raw data, or the three CSV outputs, into one model."""
    jsons = [p for p in paths if Path(p).suffix.lower() == ".json"]
    tables = {p: read_table(p) for p in paths if p not in jsons}
    raw = [p for p, t in tables.items() if "solID" not in t.columns]
    if len(raw) != 1:
        where = ", ".join(paths)
        raise fail(where, "", f"needs exactly one raw data table (the model's input data), got {len(raw)}",
                   "pass raw_data.csv (Robyn's dt_input, one row per period) alongside the model files")
    if jsons:
        if len(jsons) > 1:
            raise fail(", ".join(jsons), "", "more than one Robyn JSON given", "import one model at a time")
        return _from_json(jsons[0], raw[0], tables[raw[0]], solid)
    hyp = [p for p, t in tables.items() if "solID" in t.columns and any(c.endswith("_alphas") for c in t.columns)]
    agg = [p for p, t in tables.items() if "solID" in t.columns and "rn" in t.columns]
    if len(hyp) != 1 or len(agg) != 1:
        raise fail(", ".join(paths), "", "needs pareto_hyperparameters.csv and pareto_aggregated.csv (or a RobynModel-<solID>.json)",
                   "pass the CSV outputs of robyn_outputs() together with raw_data.csv")
    return _from_csv(hyp[0], tables[hyp[0]], agg[0], tables[agg[0]], raw[0], tables[raw[0]], solid, adstock, model_window)


def _from_json(path: str, raw_path: str, raw: pd.DataFrame, solid: str | None) -> RobynModel:
    doc = read_json(path)
    if not isinstance(doc, dict) or "InputCollect" not in doc or "ExportedModel" not in doc:
        raise fail(path, "", "has no InputCollect and ExportedModel", "export the selected model with robyn_write(InputCollect, OutputCollect, select_model)")
    inputs, model = doc["InputCollect"], doc["ExportedModel"]
    found = str(one(model.get("select_model", "")))
    if solid is not None and solid != found:
        raise fail(path, "ExportedModel.select_model", f"is '{found}', not the --solid '{solid}' asked for", f"use --solid {found} or the JSON of model {solid}")
    kind = str(one(inputs.get("adstock", "")))
    if kind not in rm.ADSTOCKS:
        raise fail(path, "InputCollect.adstock", f"is {kind!r}", f"expected one of {', '.join(rm.ADSTOCKS)}")
    spends = inputs.get("paid_media_spends")
    if not isinstance(spends, list) or not spends:
        raise fail(path, "InputCollect.paid_media_spends", "is missing or empty", "export the model again with robyn_write()")
    hyper_raw = model.get("hyper_values") or {}
    hyper = {k: number(v, path, f"ExportedModel.hyper_values.{k}") for k, v in hyper_raw.items() if one(v) is not None and not isinstance(one(v), str)}
    coef = {}
    for i, row in enumerate(model.get("summary") or []):
        if isinstance(row, dict) and "variable" in row and "coef" in row:
            coef[str(row["variable"])] = number(row["coef"], path, f"ExportedModel.summary[{i}].coef")
    date_var = str(one(inputs.get("date_var", "ds")))
    dates, data = _raw(raw_path, raw, [str(s) for s in spends], date_var)
    start, end = str(one(inputs.get("window_start", ""))), str(one(inputs.get("window_end", "")))
    window = _rows(dates, start, end, raw_path, "InputCollect.window_start/window_end")
    channels = [str(s) for s in spends]
    _check_params(channels, kind, hyper, coef, path, "ExportedModel.hyper_values / summary")
    return RobynModel(found, kind, channels, hyper, coef, dates, data, window,
                      str(one(inputs.get("dep_var_type", "revenue"))), path)


def _from_csv(hyp_path, hyp: pd.DataFrame, agg_path, agg: pd.DataFrame, raw_path, raw: pd.DataFrame,
              solid: str | None, adstock: str | None, model_window: str | None) -> RobynModel:
    need_columns(agg, agg_path, ["solID", "rn", "coef"], "Robyn's pareto_aggregated.csv")
    if solid is None:
        raise fail(hyp_path, "solID", "names many models; which one to import is not given", "pass --solid <solID>, e.g. the model you picked in the one-pagers")
    rows = hyp[hyp["solID"].astype(str) == solid]
    if rows.empty:
        known = ", ".join(map(str, hyp["solID"].astype(str).unique()[:8]))
        raise fail(hyp_path, "solID", f"has no model '{solid}'", f"use one of {known}{', …' if hyp['solID'].nunique() > 8 else ''}")
    hyper = {c: float(rows.iloc[0][c]) for c in hyp.columns if c != "solID" and pd.api.types.is_number(rows.iloc[0][c]) and not pd.isna(rows.iloc[0][c])}
    decomp = agg[agg["solID"].astype(str) == solid]
    if decomp.empty:
        raise fail(agg_path, "solID", f"has no rows for model '{solid}'", "pass the pareto_aggregated.csv of the same run")
    has_spend = "mean_spend" in decomp.columns
    channels = [str(r["rn"]) for _, r in decomp.iterrows()
                if f"{r['rn']}_alphas" in hyper and str(r["rn"]) in raw.columns and (not has_spend or not pd.isna(r["mean_spend"]))]
    if not channels:
        raise fail(agg_path, "rn", f"names no paid media channel with hyperparameters and a raw data column for model '{solid}'",
                   "pass the raw data the model was fitted on (its spend columns are named like the rn values)")
    coef = {str(r["rn"]): float(r["coef"]) for _, r in decomp.iterrows()}
    kind = adstock or ("geometric" if any(c.endswith("_thetas") for c in hyper) else None)
    if kind is None:
        raise fail(hyp_path, "header", "has Weibull shapes and scales, but the CSVs do not say CDF or PDF",
                   "pass --adstock weibull_cdf or --adstock weibull_pdf (InputCollect$adstock of the run)")
    if kind not in rm.ADSTOCKS:
        raise fail(hyp_path, "--adstock", f"is {kind!r}", f"use one of {', '.join(rm.ADSTOCKS)}")
    dates, data = _raw(raw_path, raw, channels, None)
    if model_window:
        start, _, end = model_window.partition(":")
        window = _rows(dates, start, end, raw_path, "--model-window")
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


def _raw(path: str, raw: pd.DataFrame, channels: list[str], date_var: str | None) -> tuple[pd.Series, pd.DataFrame]:
    names = [date_var] if date_var else []
    names += [c for c in DATE_COLUMNS if c not in names]
    date_col = next((c for c in names if c in raw.columns), None)
    if date_col is None:
        raise fail(path, "header", f"has no date column ({', '.join(names[:3])}, …)", "keep the date column of Robyn's input data")
    need_columns(raw, path, channels, "spend per period of every paid channel")
    dates = pd.to_datetime(raw[date_col], errors="coerce")
    bad = dates.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise fail(path, f"row {row}, column {date_col}", f"is {raw[date_col].iloc[row - 2]!r}, not a date", "write dates as 2024-01-31")
    data = raw[channels].apply(pd.to_numeric, errors="coerce")
    for c in channels:
        col = data[c]
        if col.isna().any() or (col < 0).any():
            i = int(np.flatnonzero((col.isna() | (col < 0)).to_numpy())[0])
            raise fail(path, f"row {i + 2}, column {c}", f"is {raw[c].iloc[i]!r}: spends must be numbers ≥ 0", "fix that cell (0 for no spend)")
    order = np.argsort(dates.to_numpy(), kind="stable")
    return dates.iloc[order].reset_index(drop=True), data.iloc[order].reset_index(drop=True)


def _rows(dates: pd.Series, start: str, end: str, path: str, where: str) -> tuple[int, int]:
    try:
        lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    except (ValueError, TypeError):
        raise fail(path, where, f"'{start}:{end}' is not a pair of dates", "write START:END as 2024-01-01:2024-06-30") from None
    inside = np.flatnonzero(((dates >= lo) & (dates <= hi)).to_numpy())
    if len(inside) == 0:
        raise fail(path, where, f"{start}:{end} holds no row of the data ({dates.iloc[0].date()} to {dates.iloc[-1].date()})",
                   "pick dates inside the data")
    return int(inside[0]), int(inside[-1])


def channel_curves(model: RobynModel, window: str | None = None, bounds: tuple[float, float] = (0.5, 2.0)) -> Imported:
    """The allocator's view of every paid channel over the date range ``window``
    (START:END; default Robyn's: the whole modelling window)."""
    ws, we = model.window
    if window:
        start, _, end = window.partition(":")
        lo, hi = _rows(model.dates, start, end, model.source, "--window")
        alloc = np.arange(max(lo, ws), min(hi, we) + 1)  # the allocator clips the range to the modelling window
        response_rows = np.arange(lo, hi + 1)
        if len(alloc) == 0:
            raise fail(model.source, "--window", f"{window} lies outside the modelling window", "pick dates inside the modelling window")
    else:
        alloc = np.arange(ws, we + 1)
        response_rows = np.arange(len(model.dates))  # robyn_response's default date range: every row of the input
    channels, skipped = [], []
    for ch in sorted(model.channels):  # Robyn sorts paid media by name
        x = model.data[ch].to_numpy(dtype=float)
        ad = _adstock(model, ch)
        total, _ = rm.adstocked(x, ad)
        alpha, gamma, coef = model.hyper[f"{ch}_alphas"], model.hyper[f"{ch}_gammas"], model.coef[ch]
        infl = rm.inflexion(total, slice(ws, we + 1), gamma)
        spend = float(np.mean(x[alloc]))
        if coef <= 0 or infl <= 0:
            skipped.append(f"{ch} (coefficient {coef:g})" if coef <= 0 else f"{ch} (no spend in the modelling window)")
            continue
        carry = rm.mean_carryover(x, ad, response_rows, spend)
        baseline = coef * rm.hill(carry, alpha, infl)
        channels.append(ImportedChannel(
            id=ch, current=spend, min_spend=bounds[0] * spend, max_spend=bounds[1] * spend if spend > 0 else None,
            response={"type": "hill", "half": _r(infl), "shape": _r(alpha), "offset": _r(carry)},
            outcome={"value": _r(coef), "baseline": _r(baseline), "unit": model.dep_var_type},
        ))
    d0, d1 = model.dates.iloc[alloc[0]].date(), model.dates.iloc[alloc[-1]].date()
    notes = [f"Imported from Robyn model {model.solid} ({Path(model.source).name}), {model.adstock} adstock.",
             f"Spend and outcome are per period (mean over {d0}..{d1}, {len(alloc)} periods); outcome is the model's",
             f"{model.dep_var_type} response coef·h(spend + carry-over) less the carry-over's own coef·h(carry-over)",
             "(outcome.baseline, reported apart). Bounds: min_spend/max_spend = "
             f"{bounds[0]:g}×/{bounds[1]:g}× today's spend when a channel is on (Robyn's channel_constr defaults)."]
    if skipped:
        notes.append("Left out: " + ", ".join(skipped) + ".")
    days = model.dates.diff().dt.days.median() if len(model.dates) > 1 else None
    source = {"tool": "Robyn", "model": model.solid, "file": [Path(model.source).name],
              "window": {"start": str(model.dates.iloc[ws].date()), "end": str(model.dates.iloc[we].date()), "periods": we - ws + 1},
              "per": {"count": 1, "unit": period_unit(days)},
              "measured": {c.id: spend_range(model.data[c.id].to_numpy(dtype=float)[ws:we + 1]) for c in channels}}
    return Imported(name=f"Robyn {model.solid}", channels=channels, notes=notes, source=source,
                    description=f"Robyn model {model.solid}: budget = today's total spend per period ({d0}..{d1}).")


def _adstock(model: RobynModel, ch: str) -> rm.Adstock:
    if model.adstock == "geometric":
        return rm.Adstock("geometric", theta=model.hyper[f"{ch}_thetas"])
    return rm.Adstock(model.adstock, shape=model.hyper[f"{ch}_shapes"], scale=model.hyper[f"{ch}_scales"])


def _r(value: float) -> float:
    return float(f"{value:.12g}")


def import_robyn(paths: list[str], solid: str | None = None, window: str | None = None, adstock: str | None = None,
                 model_window: str | None = None, bounds: tuple[float, float] = (0.5, 2.0)) -> Imported:
    return channel_curves(load(paths, solid, adstock, model_window), window, bounds)

