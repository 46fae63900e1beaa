"""Imported channels → a scenario file that validates and solves, written atomically."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.atomic import file_mode
from ..schema import Scenario
from ..schema.load import validate
from ..schema.responses import reach
from ..schema.yaml_file import dump, write


@dataclass
class ImportedChannel:
    """One channel as an importer found it; units are the source's (spend and outcome per period)."""

    id: str
    response: dict[str, Any]
    outcome: dict[str, Any]
    current: float | None = None
    min_spend: float = 0.0
    max_spend: float | None = None
    label: str | None = None
    tool: float | None = None  # the source tool's own outcome at ``current``, where the export records it
    timing: dict[str, float] = field(default_factory=dict)  # over periods: carry_over θ, carry_in a_0


@dataclass
class Imported:
    name: str
    description: str
    channels: list[ImportedChannel]
    currency: str = ""
    notes: list[str] = field(default_factory=list)  # written as a comment block at the top
    net: bool = False
    budget: float | None = None  # None: today's total spend, when known
    worlds: dict[str, Any] | None = None  # e.g. {"draws": "<output>.draws.csv"}
    # the scenario's ``source:`` block (schema.source); ``check`` is filled in here
    source: dict[str, Any] | None = None
    force_on: list[str] = field(default_factory=list)  # channels the source's own optimiser always runs
    periods: dict[str, Any] | None = None  # a plan over periods: {count, unit, budget (each period's)}
    check_note: str = ""  # a line under the check table: what the comparison means, or a wider one
    # what the import changed that the user should hear of (stderr, and in notes)
    said: list[str] = field(default_factory=list)


def scenario_data(imp: Imported) -> dict[str, Any]:
    """The scenario as plain data: one phase and one segment (outcome needs no cells),
    budget = today's total spend, objective max_outcome."""
    current = {c.id: c.current for c in imp.channels if c.current is not None}
    description = imp.description
    has_current = "current" in Scenario.model_fields
    if current and not has_current:
        description += " Current spend per period: " + ", ".join(f"{k} {v:,.2f}" for k, v in current.items()) + "."
    data: dict[str, Any] = {"format": 1, "scenario": imp.name, "description": description}
    if imp.currency:
        data["currency"] = imp.currency
    if imp.source:
        data["source"] = imp.source
    data["phases"] = [{"id": "period"}]
    data["segments"] = [{"id": "market"}]
    budget = imp.budget if imp.budget is not None else (sum(current.values()) if current else None)
    if budget is not None:
        data["budget"] = _round(budget)
    if imp.periods:
        data["periods"] = imp.periods
    if current and has_current:
        data["current"] = {k: _round(v) for k, v in current.items()}
    channels = []
    for c in imp.channels:
        item: dict[str, Any] = {"id": c.id}
        if c.label:
            item["label"] = c.label
        if c.min_spend:
            item["min_spend"] = _round(c.min_spend)
        if c.max_spend is not None:
            item["max_spend"] = _round(c.max_spend)
        item.update(c.timing)
        item["response"] = c.response
        item["outcome"] = c.outcome
        channels.append(item)
    data["channels"] = channels
    if imp.force_on:
        data["rules"] = {"force_on": list(imp.force_on)}
    if imp.worlds:
        data["worlds"] = imp.worlds
    data["objective"] = {"sense": "max_outcome", "net": imp.net}
    return data


def _round(value: float) -> float:
    return float(f"{value:.12g}")  # as curve points are written: a cap at the last point is that point


def render(imp: Imported, source: str = "<import>", base: Path | None = None) -> str:
    """The YAML text, validated first (a scenario that does not load is never written);
    files it names are read relative to ``base``. The source block's ``check`` rows are
    computed from the validated scenario: channelmix's figure is what the file says."""
    data = scenario_data(imp)
    loaded = validate(data, source, base)
    # over periods the curve reads the adstock
    if imp.source is not None and imp.periods is None and any(c.current is not None for c in imp.channels):
        imp.source["check"] = check_rows(imp, loaded.scenario)
        data = scenario_data(imp)
        validate(data, source, base)
    return _text(imp, data)


def check_rows(imp: Imported, scenario: Scenario) -> list[dict[str, Any]]:
    """Each channel at today's spend: the tool's own figure (None where the source records
    none) and channelmix's, outcome.value × f(spend) + outcome.baseline, from the scenario."""
    rows = []
    for c in imp.channels:
        if c.current is None:
            continue
        channel = scenario.channel(c.id)
        outcome = channel.outcome
        figure = outcome.value * reach(channel.response, c.current) + outcome.baseline if outcome is not None else 0.0
        rows.append({"channel": c.id, "spend": _round(c.current), "tool": None if c.tool is None
                     else float(f"{c.tool:.12g}"),
                     "channelmix": float(f"{figure:.12g}")})
    return rows


def _text(imp: Imported, data: dict[str, Any]) -> str:
    notes = list(imp.notes)
    if "current" not in Scenario.model_fields:
        notes += ["current spend per period (the baseline to compare with):"]
        notes += [f"  {c.id}: {c.current:,.6g}" for c in imp.channels if c.current is not None]
    return dump(data, notes)


def write_with_draws(imp: Imported, out: Path, draws: Any, band: Any = None) -> None:
    """The scenario with ``worlds: {draws: <out>.draws.csv}`` and that table beside it (and,
    given a ``band``, ``<out>.band.csv`` named by ``source.band``). The tables are written to
    temporary files and the scenario validated against them first, so a failure leaves no
    file written (nor an older one changed)."""
    tables = {suffix: table for suffix, table in ((".draws.csv", draws), (".band.csv", band)) if table is not None}
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary: dict[str, str] = {}
    try:
        for suffix, table in tables.items():
            fd, tmp = tempfile.mkstemp(prefix=".channelmix-", suffix=suffix, dir=out.parent)
            temporary[suffix] = tmp
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(table.to_csv(index=False))
            os.chmod(tmp, file_mode(out.with_suffix(suffix)))
        if ".draws.csv" in tables:
            imp.worlds = {"draws": Path(temporary[".draws.csv"]).name}
        render(imp, str(out), out.parent)
        if ".draws.csv" in tables:
            imp.worlds = {"draws": out.with_suffix(".draws.csv").name}
        if ".band.csv" in tables and imp.source is not None:
            imp.source["band"] = out.with_suffix(".band.csv").name
        text = _text(imp, scenario_data(imp))
        for suffix, tmp in temporary.items():
            os.replace(tmp, out.with_suffix(suffix))
    except BaseException:
        for tmp in temporary.values():
            Path(tmp).unlink(missing_ok=True)
        raise
    write(out, text)


def spend_range(spends: Any) -> list[float]:
    """``source.measured`` of one channel: [lowest nonzero spend, highest spend] (both 0 when it never spent)."""
    import numpy as np

    values = np.asarray(spends, dtype=float)
    positive = values[values > 0]
    return [_round(float(positive.min())) if len(positive) else 0.0, _round(float(values.max(initial=0.0)))]


def period_unit(days: float | None) -> str:
    """The unit of a data set's periods from their length in days (``period`` when irregular)."""
    if days is None:
        return "period"
    for unit, low, high in (("day", 1, 1), ("week", 7, 7), ("month", 28, 31), ("quarter", 89, 92), ("year", 365, 366)):
        if low <= days <= high:
            return unit
    return "period"


def with_calibration(raw: dict[str, Any], results: str, channels: list[str]) -> None:
    """Record a calibrate run in the scenario's ``source:`` block (made when the file has none:
    the refitted curves then come from channelmix's own fit)."""
    found = raw.get("source")
    source: dict[str, Any] = found if isinstance(found, dict) else {"tool": "channelmix calibrate"}
    source["calibrated"] = [*(source.get("calibrated") or []), {"file": results, "channels": list(channels)}]
    raw["source"] = source
