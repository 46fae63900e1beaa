"""``channelmix calibrate``: read observed periods, refit, write the updated scenario."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np

from ..schema import Loaded, load
from ..schema.expand import set_path
from ..schema.load import parse, validate
from ..schema.problems import Problem, ScenarioError, did_you_mean, with_hint
from ..schema.yaml_file import dump, edit
from .calibrate import Fit, calibrate_channel, fitted_values
from .sources import ROWS_SHOWN, names, need_columns, numbers, read_table
from .writer import with_calibration


def read_results(path: str, loaded: Loaded) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], str]:
    """Observations per channel id, and their kind (reach or outcome); every problem at once."""
    frame = read_table(path)
    need_columns(frame, path, ["period", "channel", "spend"], "one row per channel and period")
    kinds = [k for k in ("reach", "outcome") if k in frame.columns]
    if len(kinds) != 1:
        got = "both reach and outcome" if kinds else "neither reach nor outcome"
        fix = "give one column of results: reach (a share 0–1) or outcome (money or KPI)"
        raise ScenarioError(path, [Problem("header", f"has {got}", fix)])
    kind = kinds[0]
    problems: list[Problem] = []
    ids = {c.id for c in loaded.scenario.channels}
    frame["spend"] = numbers(frame, "spend", problems)
    if kind == "reach":
        frame[kind] = numbers(frame, kind, problems, most=1.0, most_fix="reach is a share of the segment: 0.35 for 35%")
    else:
        frame[kind] = numbers(frame, kind, problems)
    frame["period"] = names(frame, "period", problems, "period")
    frame["channel"] = names(frame, "channel", problems, "channel")
    for name in sorted(set(frame["channel"]) - ids - {""}):
        row = int(np.flatnonzero((frame["channel"] == name).to_numpy())[0]) + 2
        problems.append(Problem(f"row {row}, column channel", f"'{name}' is not a channel of the scenario",
                                with_hint(did_you_mean(name, ids), f"use one of {', '.join(sorted(ids))}")))
    dup = frame.duplicated(["period", "channel"], keep="first")
    for i in np.flatnonzero(dup.to_numpy())[:ROWS_SHOWN]:
        problems.append(Problem(f"row {i + 2}",
                                f"repeats period {frame['period'].iloc[i]!r} for {frame['channel'].iloc[i]}",
                                "keep one row per channel and period"))
    if problems:
        raise ScenarioError(path, problems)
    out = {cid: (rows["spend"].to_numpy(float), rows[kind].to_numpy(float)) for cid,
           rows in frame.groupby("channel", sort=False)}
    return out, kind


def calibrate_file(scenario_path: str, results_path: str, *, prior_weight: float = 1e-4, boot: int = 200,
                   seed: int = 0) -> tuple[str, list[Fit]]:
    """The updated scenario's YAML text and every channel's fit (refused ones included).

    Only the refitted values change: a YAML file keeps every other line as written (comments,
    order, style; see :mod:`channelmix.yaml_file`); a TOML or JSON file becomes YAML."""
    loaded = load(scenario_path)
    original = Path(scenario_path).read_text(encoding="utf-8")
    kind = _kind(scenario_path)
    raw = parse(original, kind, scenario_path)
    if not isinstance(raw.get("channels"), list):
        raise ScenarioError(scenario_path,
                            [Problem("channels", "is read from a table",
                                     "calibrate a scenario that lists its channels in the file")])
    results, kind_of_results = read_results(results_path, loaded)
    fits, edits = [], {}
    for channel in loaded.scenario.channels:
        if channel.id not in results:
            continue
        spend, observed = results[channel.id]
        fit = calibrate_channel(channel, spend, observed, kind_of_results, prior_weight=prior_weight, boot=boot,
                                seed=seed)
        fits.append(fit)
        if fit.ok:
            edits.update(fitted_values(channel, fit))
    refitted = [f.channel for f in fits if f.ok]
    if refitted:
        edits.update(_calibration_record(raw, Path(results_path).name, refitted))
    if kind == "yaml":
        text = edit(original, edits, scenario_path)
    else:
        for path, value in edits.items():
            set_path(raw, path, value)
        text = dump(raw, [f"{Path(scenario_path).name} with its curves calibrated to {Path(results_path).name}"])
    validate(parse(text, "yaml", scenario_path), scenario_path, base=Path(scenario_path).parent)
    return text, fits


def _calibration_record(raw: dict[str, Any], results: str, refitted: list[str]) -> dict[str, Any]:
    """The ``source:`` block's record of this run (:func:`with_calibration`) as edits: the keys it
    changes, or the whole block when the file has none."""
    record = copy.deepcopy(raw)
    with_calibration(record, results, refitted)
    if not isinstance(raw.get("source"), dict):
        return {"source": record["source"]}
    return {f"source.{key}": value for key, value in record["source"].items() if raw["source"].get(key) != value}


def _kind(path: str) -> str:
    return {".toml": "toml", ".json": "json"}.get(Path(path).suffix.lower(), "yaml")


def report_lines(fits: list[Fit]) -> list[str]:
    """One block per channel: the fit, its intervals, its warnings (plain text for stdout)."""
    lines = []
    for f in fits:
        if not f.ok:
            lines.append(f"{f.channel}: not calibrated ({f.observations} observations): {f.refused}; its curve is kept")
            continue
        r2 = "n/a (no spread in the results)" if f.r2 is None else f"{f.r2:.3f}"
        lines.append(f"{f.channel}: {f.observations} observations of {f.kind}, R² {r2}, RMSE {f.rmse:.4g}")
        for n, v in f.params.items():
            lo, hi = f.intervals.get(n, (float("nan"), float("nan")))
            was = f.prior.get(n)
            lines.append(f"  {n} = {v:.6g}  (90% interval {lo:.4g} to {hi:.4g}; was {was:.6g})" if was is not None
                         else f"  {n} = {v:.6g}  (90% interval {lo:.4g} to {hi:.4g}; new)")
        lines.append("  residuals: " + ", ".join(f"{r:+.4g}" for r in f.residuals))
        lines += [f"  warning: {w}" for w in f.warnings]
    return lines
