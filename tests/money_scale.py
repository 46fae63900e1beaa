"""Every money amount of a scenario multiplied by k: the metamorphic relation of issue #22.

A plan must not depend on the unit its money is written in. :func:`scale_money` takes a
scenario in the file format (a dict, as YAML reads it) and returns the same scenario in a
unit k times smaller (every amount × k): budgets, costs, spend bounds and steps, today's
spends, the curves' spend axes (saturating ``scale``, hill ``half`` and ``offset``, pwl
spends × k; a linear ``slope`` ÷ k), resource uses per unit of spend ÷ k, a segment's value
per customer × k, and — where the objective is in money — penalties, outcomes and the outcome
target. Variants' ``set`` values, sweep ranges and a draws table are scaled the same way.

Which amounts are money:

* ``segments[].value`` is money per customer, always;
* ``outcome.value`` / ``baseline`` and ``objective.outcome_target`` are money when
  ``outcome_money`` (by default: when the objective nets spend out of the outcome, which
  only makes sense in money); otherwise they are a KPI (conversions) and stay;
* penalties (soft coverage, breadth, redundancy, the per-channel penalty) are in the
  objective's units, so they are money for ``max_value``, ``min_cost``, ``target`` and a
  money ``max_outcome``, and stay for ``max_reach``;
* weights, sizes, shares, resource capacities, counts and ``objective.level`` (weighted
  reach) are not money.

:func:`objective_factor` says how the objective moves (k where it is money, else 1).
"""

from __future__ import annotations

import copy
import csv
from pathlib import Path
from typing import Any

import pytest

from channelmix.reports.wording import plan_message

MONEY_FIELDS = ("fixed_cost", "min_spend", "max_spend", "spend_step", "setup_cost")
MONEY_OBJECTIVES = ("max_value", "min_cost", "target")


def outcome_is_money(data: dict, outcome_money: bool | None = None) -> bool:
    """Whether the scenario's outcomes are money (default: when the objective nets spend out)."""
    if outcome_money is not None:
        return outcome_money
    return bool((data.get("objective") or {}).get("net", False))


def objective_is_money(data: dict, outcome_money: bool | None = None) -> bool:
    """Whether the objective (and so every penalty) is in money."""
    sense = (data.get("objective") or {}).get("sense", "max_reach")
    return sense in MONEY_OBJECTIVES or (sense == "max_outcome" and outcome_is_money(data, outcome_money))


def objective_factor(data: dict, k: float, outcome_money: bool | None = None) -> float:
    """How the objective of the scaled scenario compares with the original's: k or 1."""
    return k if objective_is_money(data, outcome_money) else 1.0


def scale_money(data: dict, k: float, outcome_money: bool | None = None) -> dict:
    """A deep copy of ``data`` (a scenario in the file format) with every money amount × k."""
    out = copy.deepcopy(data)
    money_outcome = outcome_is_money(data, outcome_money)
    money_objective = objective_is_money(data, outcome_money)
    for key in ("budget", "spend_step"):
        if out.get(key) is not None:
            out[key] = out[key] * k
    periods = out.get("periods")
    if isinstance(periods, dict):
        if periods.get("budget") is not None:
            periods["budget"] *= k
        items = periods.get("items")
    else:
        items = periods
    for item in items or []:
        if isinstance(item, dict) and item.get("budget") is not None:
            item["budget"] *= k
    for segment in out.get("segments") or []:
        if isinstance(segment, dict) and segment.get("value") is not None:
            segment["value"] *= k
    for ch in out.get("channels") or []:
        _scale_channel(ch, k, money_outcome)
    if out.get("current"):
        out["current"] = {cid: spend * k for cid, spend in out["current"].items()}
    objective = out.get("objective") or {}
    if money_outcome and objective.get("outcome_target") is not None:
        objective["outcome_target"] *= k
    if money_objective:
        _scale_penalties(out.get("rules") or {}, k)
    for variant in out.get("variants") or []:
        variant["set"] = {path: scale_value(path, value, k, money_outcome, money_objective) for path,
                          value in variant["set"].items()}
    for path, rng in (out.get("sweep") or {}).items():
        if is_money_path(path, money_outcome, money_objective):
            out["sweep"][path] = {key: v * k for key, v in rng.items()}
    return out


def _scale_channel(ch: dict, k: float, money_outcome: bool) -> None:
    for key in MONEY_FIELDS:
        if ch.get(key) is not None:
            ch[key] = ch[key] * k
    for use in (ch.get("uses") or {}).values():
        if use.get("per_unit"):
            use["per_unit"] = use["per_unit"] / k
    ch["response"] = scale_response(ch["response"], k)
    outcome = ch.get("outcome")
    if money_outcome and outcome:
        for key in ("value", "baseline"):
            if outcome.get(key) is not None:
                outcome[key] *= k


def scale_response(response: dict, k: float) -> dict:
    """A curve on a spend axis k times finer: the same reach at k times the spend."""
    r = dict(response)
    kind = r["type"]
    if kind == "saturating":
        r["scale"] *= k
    elif kind == "hill":
        r["half"] *= k
        if r.get("offset"):
            r["offset"] *= k
    elif kind == "linear":
        r["slope"] /= k
    elif kind == "pwl":
        r["points"] = [[x * k, y] for x, y in r["points"]]
    return r


def _scale_penalties(rules: dict, k: float) -> None:
    for family in ("coverage", "breadth", "redundancy"):
        found = rules.get(family)
        for rule in ([found] if isinstance(found, dict) else found or []):
            if rule.get("penalty") is not None:
                rule["penalty"] *= k
    card = rules.get("cardinality")
    if card and card.get("penalty_per_channel"):
        card["penalty_per_channel"] *= k


def is_money_path(path: str, money_outcome: bool, money_objective: bool) -> bool:
    """Whether a dotted override path (``--set``, a variant, a sweep) holds money."""
    parts = path.split(".")
    last = parts[-1]
    if path in ("budget", "spend_step", "periods.budget") or parts[0] == "current":
        return True
    if parts[0] == "channels" and (last in MONEY_FIELDS or last in ("scale", "half", "offset")):
        return True
    if parts[0] == "segments" and last == "value":
        return True
    if money_outcome and (path == "objective.outcome_target" or (parts[0] == "channels" and "outcome" in parts)):
        return True
    return money_objective and parts[0] == "rules" and last in ("penalty", "penalty_per_channel")


def scale_value(path: str, value: Any, k: float, money_outcome: bool, money_objective: bool) -> Any:
    """An override's value in the scaled unit (paths that hold no money keep theirs)."""
    parts = path.split(".")
    if parts[0] == "channels" and parts[-1] == "response" and isinstance(value, dict):
        return scale_response(value, k)
    if parts[0] == "channels" and parts[-1] == "slope":
        return value / k
    if parts[0] == "channels" and parts[-1] == "per_unit":
        return value / k
    if parts[0] == "current" and isinstance(value, dict):
        return {cid: v * k for cid, v in value.items()}
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number and is_money_path(path, money_outcome, money_objective):
        return value * k
    return value


def scale_draws(source: Path, target: Path, k: float, outcome_money: bool = True) -> None:
    """A draws table (channel, draw, spend, outcome) with spends × k (and outcomes × k when money)."""
    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with target.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            row = dict(row)
            row["spend"] = repr(float(row["spend"]) * k)
            if outcome_money:
                row["outcome"] = repr(float(row["outcome"]) * k)
            writer.writerow(row)


# ---------------------------------------------------------------- the relation, as the tests check it

KS = (1e-2, 1e3, 1e6, 1e9)  # the factors issue #22 asks for (a case runs those that keep every amount in range)
# the schema's range refusals
RANGE_WORDS = ("must be ≤", "must be ≥", "must be within", "above the supported", "payable units")
REL = 1e-6  # spends × k and the objective (× k where it is money) agree to this, relative


def out_of_range(error: Exception) -> bool:
    """Whether a ScenarioError refuses amounts beyond the supported range (README: Supported ranges);
    the channels it refuses may leave rules that need them unmet, which it reports as well."""
    problems = getattr(error, "problems", [])
    return any(any(words in p.message for words in RANGE_WORDS) for p in problems)


def assert_scaled(reference: Any, plan: Any, k: float, factor: float, spends: float = REL) -> None:
    """``plan`` (money × k) is ``reference``'s plan: same status and on/off set (per period too),
    spends × k (to ``spends`` of each spend, or of all the money for a spend near 0) and
    objective × ``factor`` to REL, the MILP's own objective and the risk figures alike."""
    assert plan.status == reference.status, (plan.status, plan_message(plan))
    if not reference.solved:
        return
    assert {c.id for c in plan.on_channels()} == {c.id for c in reference.on_channels()}
    money = max(sum(c.spend for c in reference.channels), 1e-300)
    for a, b in zip(reference.channels, plan.channels):
        assert b.spend == pytest.approx(a.spend * k, rel=spends, abs=1e-3 * spends * k * money), a.id
    assert plan.objective == pytest.approx(reference.objective * factor, rel=REL,
                                           abs=1e-9 * factor * max(abs(reference.objective), 1.0))
    assert plan.cost == pytest.approx(reference.cost * k, rel=spends, abs=1e-3 * spends * k * money)
    if reference.model_objective is not None:
        assert plan.model_objective == pytest.approx(reference.model_objective * factor, rel=REL,
                                                     abs=1e-9 * factor * max(abs(reference.model_objective), 1.0))
    if reference.schedule is not None:
        for a, b in zip(reference.schedule.rows, plan.schedule.rows):
            assert (b.channel, b.period, b.on) == (a.channel, a.period, a.on)
            assert b.spend == pytest.approx(a.spend * k, rel=spends, abs=1e-3 * spends * k * money), \
                (a.channel, a.period)
    if reference.risk is not None:
        for key in ("mean", "worst", "cvar", "p5", "p95"):
            assert plan.risk[key] == pytest.approx(reference.risk[key] * factor, rel=REL,
                                                   abs=1e-9 * factor * max(abs(reference.risk[key]), 1.0)), key
