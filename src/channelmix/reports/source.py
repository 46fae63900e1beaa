"""Where a plan's curves came from, and the budget judged against their units, in words.

The facts are the scenario's ``source:`` block and the unit check
(:func:`channelmix.schema.source.unit_check`), which :func:`channelmix.verify.reachable.report_facts` puts
into the plan's JSON; every report reads them from there, so a saved result says the same.
"""

from __future__ import annotations

from typing import Any

from ..core.period_words import unit_key
from .common import auto, pct
from .i18n import t
from .problem_words import shown_warnings


def source_text(source: dict[str, Any] | None) -> str:
    """One line: the tool, version, model and fit window, then what spends and outcomes are per."""
    if not source:
        return ""
    what = " ".join(p for p in (source.get("tool") or "", source.get("version") or "") if p)
    parts = [what]
    if source.get("model"):
        parts.append(t("source.model", model=source["model"]))
    window = source.get("window") or {}
    if window.get("start") and window.get("end"):
        parts.append(t("source.window", start=window["start"], end=window["end"]))
    elif window.get("periods"):
        parts.append(t("source.window_periods", n=int(window["periods"])))
    line = t("source.line", what=", ".join(parts), per=per_text(source.get("per")))
    for run in source.get("calibrated") or []:
        line += " " + t("source.calibrated", file=run["file"], channels=", ".join(run["channels"]))
    return line


def per_text(per: dict[str, Any] | None) -> str:
    """"per week", "totals over 156 weeks", with how the spend is spread over time when known."""
    if not per:
        return t("source.per_unknown")
    count, unit = int(per.get("count") or 1), str(per.get("unit") or "period")
    key = unit_key(unit)
    if count == 1:
        text = t(f"source.per.{key}") if key else t("source.per.other", unit=unit)
    else:
        text = t(f"source.total.{key}", n=count) if key else t("source.total.other", n=count, unit=unit)
    if per.get("flighting"):
        text += " (" + t(f"source.flighting.{per['flighting']}") + ")"
    return text


def units_text(fact: dict[str, Any] | None, per: dict[str, Any] | None) -> str:
    """The unit check's warning (see :func:`channelmix.schema.source.unit_check`), or ''."""
    if not fact:
        return ""
    common = {"budget": auto(fact["budget"]), "measured": auto(fact["measured_total"]), "per": per_text(per)}
    if fact["direction"] == "above":
        text = t("units.above", ratio=auto(fact["ratio"]), **common)
    else:
        text = t("units.below", share=pct(fact["ratio"], 2), **common)
    likely = fact.get("likely")
    if likely is None:
        return text + " " + t("units.check")
    key = "units.likely_one" if likely["budget_per"] == "one" else "units.likely_window"
    return text + " " + t(key, suggested=auto(likely["suggested"]), n=int(likely["factor"]))


def source_view(plan: dict[str, Any]) -> dict[str, Any]:
    """What a report shows: the source line, the unit warning in the report's language, and
    the plan's other warnings (the unit warning's English twice would say it twice)."""
    source = plan.get("source")
    fact = plan.get("units")
    english = fact.get("text") if fact else None
    warnings = shown_warnings(plan, [w for w in plan.get("warnings") or [] if w != english])
    units = units_text(fact, (source or {}).get("per"))
    return {"source_text": source_text(source), "units_text": units,
            "warnings": ([units] if units else []) + warnings}
