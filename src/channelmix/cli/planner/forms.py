"""The scenario as the page's forms: every field carries the ``--set`` path it edits and the
value in the file, so an edit is an assignment and the form is read from the file alone."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ...schema import Loaded, Scenario

CHANNEL_FIELDS = ("fixed_cost", "setup_cost", "min_spend", "max_spend")


def slider_top(value: float | None, floor: float = 100.0) -> float:
    """A slider's right end: three times the file's value, rounded up to a round number."""
    top = max(3 * float(value or 0.0), floor)
    scale = 10 ** max(0, int(math.log10(top)) - 1)
    return math.ceil(top / scale) * scale


def slider_step(top: float) -> float:
    return max(10 ** max(0, int(math.log10(max(top, 1.0))) - 2), 1)


def channel_rows(scenario: Scenario) -> list[dict[str, Any]]:
    """One row per channel: its numbers, today's spend and how the file forces it (on / off / auto)."""
    rules = scenario.rules
    current = scenario.current or {}
    rows = []
    for ch in scenario.channels:
        state = "on" if ch.id in rules.force_on else "off" if ch.id in rules.force_off else "auto"
        uses = {r: (ch.uses[r].fixed, ch.uses[r].per_unit) if r in ch.uses else (0.0, 0.0) for r in scenario.resources}
        rows.append({"id": ch.id, "label": ch.name, "state": state, "fixed_cost": ch.fixed_cost,
                     "setup_cost": ch.setup_cost, "min_spend": ch.min_spend, "max_spend": ch.max_spend,
                     "today": current.get(ch.id) if scenario.current is not None else None,
                     "tags": ", ".join(ch.tags), "uses": uses, "label_text": ch.label or "",
                     "response": response_fields(ch.id, ch.response), "affinity": affinity_rows(ch, scenario)})
    return rows


def response_fields(cid: str, response: Any) -> dict[str, Any]:
    """The response curve's parameters as the schema names them (``scale``, ``half``, ``shape``,
    ``points`` …), each a field with its ``--set`` path; lists (a pwl's points) as flow text."""
    import json

    params = []
    for name, value in response.model_dump().items():
        if name == "type" or value is None:
            continue
        listed = isinstance(value, list)
        params.append({"name": name, "path": f"channels.{cid}.response.{name}", "list": listed,
                       "value": json.dumps(value) if listed else value})
    return {"type": response.type, "params": params}


def affinity_rows(ch: Any, scenario: Scenario) -> list[dict[str, Any]]:
    """How well the channel serves each phase × segment, as the model reads it (wildcards filled in):
    one row per phase, edited as a whole (``channels.ID.affinity.PHASE={segment: share, …}``), which
    is the same affinity written out segment by segment."""
    return [{"phase": p.id, "label": p.name, "path": f"channels.{ch.id}.affinity.{p.id}",
             "cells": [{"segment": g.id, "value": ch.affinity_for(p.id, g.id)} for g in scenario.segments]}
            for p in scenario.phases]


def rule_rows(scenario: Scenario) -> list[dict[str, Any]]:
    """The numeric rules a person states in a sentence: the path, the value (None: not set) and
    the key of the sentence around it."""
    rules = scenario.rules
    concentration = rules.concentration.max_share if rules.concentration is not None else None
    card = rules.cardinality
    return [
        {"key": "planner.rule.max_share", "path": "rules.concentration.max_share", "value": concentration,
         "percent": True},
        {"key": "planner.rule.max_channels", "path": "rules.cardinality.max",
         "value": card.max if card is not None else None, "percent": False},
        {"key": "planner.rule.min_channels", "path": "rules.cardinality.min",
         "value": card.min if card is not None and card.min else None, "percent": False},
    ]


def form_of(item: Loaded) -> dict[str, Any]:
    """What the page's forms show for one file."""
    sc = item.scenario
    budget, budget_path = sc.budget, "budget"
    per_period = sc.periods.budget if sc.periods is not None else None
    if budget is None and isinstance(per_period, (int, float)):
        budget, budget_path = float(per_period), "periods.budget"  # one number for every period
    resources = [{"name": name, "path": f"resources.{name}", "value": value, "top": slider_top(value, 10),
                  "step": slider_step(slider_top(value, 10))} for name, value in sc.resources.items()]
    top = slider_top(budget)
    return {"scenario": sc.scenario, "description": sc.description or "", "kind": sc.kind,
            "currency": sc.currency or "", "language": sc.language or "en", "budget": budget,
            "budget_path": budget_path, "budget_top": top, "budget_step": slider_step(top),
            "resources": resources, "channels": channel_rows(sc), "rules": rule_rows(sc),
            "segments": [{"id": g.id, "label": g.name, "size": g.size, "weight": g.weight} for g in sc.segments],
            "phases": [{"id": p.id, "label": p.name, "weight": p.weight} for p in sc.phases],
            "force_on": list(sc.rules.force_on), "force_off": list(sc.rules.force_off),
            "has_current": sc.current is not None, "periods": sc.kind == "periods",
            "variants": [v.name for v in sc.variants], **saving_of(Path(item.source))}


def saving_of(path: Path) -> dict[str, Any]:
    """How the page can save this file: in place (YAML, JSON), the tables it names (kept as they are),
    and the new file "save as YAML" writes."""
    from .saving import KINDS, tables_of

    return {"tables": tables_of(path), "rewritable": path.suffix.lower() in KINDS,
            "planned": f"{path.stem}.planned.yaml"}
