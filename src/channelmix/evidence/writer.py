"""Imported channels → a scenario file that validates and solves, written atomically."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import file_mode
from ..schema import Scenario
from ..schema.load import validate
from ..yaml_file import dump, write


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
    said: list[str] = field(default_factory=list)  # what the import changed that the user should hear of (stderr, and in notes)


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
    data["phases"] = [{"id": "period"}]
    data["segments"] = [{"id": "market"}]
    budget = imp.budget if imp.budget is not None else (sum(current.values()) if current else None)
    if budget is not None:
        data["budget"] = _round(budget)
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
        item["response"] = c.response
        item["outcome"] = c.outcome
        channels.append(item)
    data["channels"] = channels
    if imp.worlds:
        data["worlds"] = imp.worlds
    data["objective"] = {"sense": "max_outcome", "net": imp.net}
    return data


def _round(value: float) -> float:
    return float(f"{value:.10g}")


def render(imp: Imported, source: str = "<import>", base: Path | None = None) -> str:
    """The YAML text, validated first (a scenario that does not load is never written);
    files it names are read relative to ``base``."""
    data = scenario_data(imp)
    validate(data, source, base)
    return _text(imp, data)


def _text(imp: Imported, data: dict[str, Any]) -> str:
    notes = list(imp.notes)
    if "current" not in Scenario.model_fields:
        notes += ["current spend per period (the baseline to compare with):"]
        notes += [f"  {c.id}: {c.current:,.6g}" for c in imp.channels if c.current is not None]
    return dump(data, notes)


def write_with_draws(imp: Imported, out: Path, draws: Any) -> None:
    """The scenario with ``worlds: {draws: <out>.draws.csv}`` and that table beside it. The
    table is written to a temporary file and the scenario validated against it first, so a
    failure leaves neither file written (nor an older one changed)."""
    final = out.with_suffix(".draws.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".channelmix-", suffix=".draws.csv", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(draws.to_csv(index=False))
        os.chmod(tmp, file_mode(final))
        imp.worlds = {"draws": Path(tmp).name}
        render(imp, str(out), out.parent)
        imp.worlds = {"draws": final.name}
        text = _text(imp, scenario_data(imp))
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    write(out, text)
