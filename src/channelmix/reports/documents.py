"""The JSON documents channelmix writes, from the records the pipeline hands over: a plan (what
``solve --format json`` prints and every result file holds) and an explanation (``explain
--format json``).  Format version 1 carries some English sentences (``binding``, ``message``,
``warnings``, an explanation's ``why``, its limits' and repairs' names); they are made here
(:mod:`.wording`), and the records beside them (``binding_rules``) let a report say the same in
its own language."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from ..verify.evaluate import CellOutcome, ChannelOutcome
from ..verify.plan import Plan
from .explain_sections import why_sentence
from .i18n import using
from .wording import limit_words, plan_message, plan_warnings, proof_words, repair_words, rule_words

if TYPE_CHECKING:
    import pandas as pd

    from ..analysis.conflicts import Conflict, Repair
    from ..analysis.explanation import ChannelValue, Explanation, LimitValue
    from ..analysis.headroom import LimitWorth
    from ..analysis.limits import Limit


def plan_document(plan: Plan) -> dict[str, Any]:
    """The JSON shape of ``channelmix solve --format json``."""
    bare = replace(plan, channels=[], coverage=[], binding=[], notes=[], diagnosis=None, baseline=None, proof=None)
    out: dict[str, Any] = {}
    for key, value in asdict(bare).items():  # the fields in their order; the sentences where format 1 has them
        if key == "channels":
            value = channel_rows(plan.channels)
        elif key == "coverage":
            value = coverage_rows(plan.coverage)
        elif key == "binding":
            value = [rule_words(r) for r in plan.binding]
        elif key == "diagnosis":
            key, value = "message", plan_message(plan)
        elif key == "warnings":
            value = plan_warnings(plan)
        elif key == "baseline":
            value = plan.baseline.to_dict() if plan.baseline is not None else None
        elif key == "notes":
            continue
        elif key == "proof":  # only a long plan over periods says how its gap was proven
            if plan.proof is None:
                continue
            value = proof_words(plan.proof, plan.gap)
        out[key] = value
    out["binding_rules"] = [r.to_dict() for r in plan.binding]
    if plan.diagnosis is not None:  # why there is no plan, as facts: a report words it in its language
        out["diagnosis"] = {"culprits": [{k: v for k, v in asdict(r).items() if v is not None}
                                         for r in plan.diagnosis.culprits], "likely": list(plan.diagnosis.likely)}
    return out


RESULT_KEYS = frozenset({"scenario", "status", "channels"})  # every saved plan has them; a scenario has no status


def is_result(data: Any) -> bool:
    """Is this parsed JSON a plan channelmix wrote (``solve --format json``, ``--out``), not a scenario?"""
    return isinstance(data, dict) and RESULT_KEYS <= set(data) and isinstance(data["channels"], list)


def read_results(text: str) -> list[dict[str, Any]] | None:
    """The plans in a saved result file (one JSON object per line, or one object over several
    lines), or None when the text is not a saved result (a scenario, say)."""
    import json

    try:
        found = [json.loads(text)]
    except ValueError:
        try:
            found = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError:
            return None
    return found if found and all(is_result(d) for d in found) else None


def plan_of(data: dict[str, Any]) -> Plan:
    """A saved plan read back into the record :func:`plan_document` wrote it from (its
    sentences and any explanation stay in the document; the baseline is not read back)."""
    from ..model.facts import Rule
    from ..model.schedule import Schedule
    from ..verify.evaluate import CellOutcome, ChannelOutcome

    get = data.get
    schedule = get("schedule")
    return Plan(
        scenario=data["scenario"], status=data["status"], sense=get("sense") or "", objective=get("objective"),
        model_objective=get("model_objective"), bound=get("bound"), gap=get("gap"), cost=get("cost"),
        budget=get("budget"), currency=get("currency") or "", weighted_reach=get("weighted_reach"),
        penalties=dict(get("penalties") or {}), resources=dict(get("resources") or {}),
        channels=[ChannelOutcome(c["id"], c.get("label", c["id"]), bool(c.get("on")), c.get("spend") or 0.0,
                                 c.get("fixed_cost") or 0.0, c.get("cost") or 0.0, c.get("reach") or 0.0,
                                 dict(c.get("uses") or {}), c.get("outcome") or 0.0) for c in data["channels"]],
        coverage=[CellOutcome(c["phase"], c["segment"], c["level"], c.get("weight") or 0.0, c.get("target"),
                              list(c.get("channels") or [])) for c in get("coverage") or []],
        binding=[Rule.from_dict(r) for r in get("binding_rules") or []], curve_error=get("curve_error") or 0.0,
        approximation_bound=get("approximation_bound"), solver=get("solver") or "", build_seconds=get("build_seconds")
        or 0.0, solve_seconds=get("solve_seconds") or 0.0, warnings=list(get("warnings") or []),
        verified=bool(get("verified")), description=get("description") or "", phases=list(get("phases") or []),
        segments=list(get("segments") or []), outcome=get("outcome"), baseline_outcome=get("baseline_outcome") or 0.0,
        risk=get("risk"), schedule=Schedule.from_dict(schedule) if schedule else None)


def channel_rows(channels: list[ChannelOutcome]) -> list[dict[str, Any]]:
    """Each channel's figures in the JSON of a plan: one writer for ``solve`` and ``evaluate``."""
    return [{"id": c.id, "label": c.label, "on": c.on, "spend": c.spend, "fixed_cost": c.fixed_cost,
             "cost": c.cost, "reach": c.reach, "uses": c.uses, "outcome": c.outcome} for c in channels]


def coverage_rows(cells: list[CellOutcome]) -> list[dict[str, Any]]:
    """Each cell's coverage in the JSON of a plan: one writer for ``solve`` and ``evaluate``."""
    return [{"phase": c.phase, "segment": c.segment, "level": c.level, "weight": c.weight, "target": c.target,
             "channels": c.channels} for c in cells]


# ---------------------------------------------------------------- an explanation


def why_words(e: Explanation, c: ChannelValue) -> str:
    """A channel's decision in plain English (the JSON's ``why``; reports say it in their language)."""
    lost = c.value_if_forced_off if c.on else c.value_if_forced_on
    with using(None):
        return why_sentence(c.label, c.on, c.verdict, e.objective or 0.0, c.forced_objective, lost)


def concerns_of(what: Limit) -> dict[str, Any]:
    """What a limit concerns (its cell, resource, channel, group, side, period), so a report can
    name it in its own language (:func:`channelmix.reports.limit_names.limit_name`)."""
    return {k: v for k, v in (("index", what.index), ("cell", list(what.cell) if what.cell else None),
                              ("cells", what.cells or None), ("resource", what.resource), ("channel", what.channel),
                              ("group", what.group), ("side", what.side), ("period", what.period),
                              ("each_period", what.each_period or None)) if v is not None}


def limit_row(x: LimitValue) -> dict[str, Any]:
    """One limit of an explanation as its JSON row."""
    return {"rule": limit_words(x.what), "kind": x.kind, "limit": x.limit, "binding": x.binding, "step": x.step,
            "gain": x.gain, "worth_per_unit": x.worth_per_unit, "shadow_price": x.shadow_price,
            "concerns": concerns_of(x.what)}


def worth_rows(found: list[LimitWorth]) -> list[dict[str, Any]]:
    """The binding limits each re-solved 10 % looser (``limits_worth`` in a saved plan), best first."""
    return [{"kind": w.limit.kind, "concerns": concerns_of(w.limit), "limit": w.limit.value, "moved_to": w.moved_to,
             "share": w.share, "solved": w.solved, "gain": w.gain} for w in found]


def conflict_document(found: Conflict | None) -> dict[str, Any] | None:
    """An infeasible scenario's conflicting rules and their repairs, as the JSON says them."""
    if found is None:
        return None
    return {"rules": [rule_words(r) for r in found.rules], "names": found.names, "minimal": found.minimal,
            "rule_facts": [r.to_dict() for r in found.rules],
            "repairs": [{"rule": rule_words(r.rule), "change": repair_words(r), "to": r.to, "verified": r.verified,
                         "facts": repair_facts(r)} for r in found.repairs]}


def repair_facts(repair: Repair) -> dict[str, Any]:
    """A repair as facts (its rule, the limit it moves and which way), so a report words it in its language."""
    limit = repair.limit
    return {"rule": repair.rule.to_dict(),
            "limit": None if limit is None else {"kind": limit.kind, "concerns": concerns_of(limit),
                                                 "up": limit.loosens_up, "integer": limit.integer,
                                                 "share": limit.share}}


def channel_row(e: Explanation, c: ChannelValue) -> dict[str, Any]:
    return {**asdict(c), "why": why_words(e, c)}


def explanation_document(e: Explanation) -> dict[str, Any]:
    """The JSON of ``channelmix explain --format json``."""
    return {"scenario": e.scenario, "status": e.status, "objective": e.objective, "cost": e.plan.cost,
            "currency": e.plan.currency, "sense": e.plan.sense, "tolerance": e.tolerance,
            "baseline": e.baseline.to_dict() if e.baseline is not None else None,
            "channels": [channel_row(e, c) for c in e.channels], "limits": [limit_row(x) for x in e.limits],
            "alternatives": [asdict(a) for a in e.alternatives], "conflict": conflict_document(e.conflict),
            "curves": e.curves, "seconds": e.seconds, "solve_seconds": e.solve_seconds,
            **({"periods": [asdict(m) for m in e.periods]} if e.periods else {})}


def explanation_frames(e: Explanation) -> dict[str, pd.DataFrame]:
    """The explanation as pandas DataFrames: channels, limits, alternatives, baseline, periods."""
    import pandas as pd

    channels = pd.DataFrame([{**{k: v for k, v in channel_row(e, c).items() if k != "marginal"},
                              **{f"marginal_{k}": v for k, v in (asdict(c.marginal) if c.marginal else {}).items()}}
                             for c in e.channels])
    return {
        "channels": channels,
        "limits": pd.DataFrame([limit_row(x) for x in e.limits]),
        "alternatives": pd.DataFrame([asdict(a) for a in e.alternatives]),
        "baseline": pd.DataFrame([asdict(c) for c in e.baseline.channels]) if e.baseline else pd.DataFrame(),
        "periods": pd.DataFrame([asdict(m) for m in e.periods]),
    }
