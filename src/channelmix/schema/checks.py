"""Checks that span fields: references, uniqueness, impossible bounds (the warnings a valid
scenario loads with are :mod:`.advice`).

They run on whatever parts of the file validated on their own, so one run reports
every problem: a type error in one channel does not hide a misspelt phase in another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .cells import governing_rule, scenario_affinity
from .limits import MAX_CELL_WEIGHT, MAX_STEPS
from .models import Channel, Objective, Phase, Rules, Segment
from .periods import Periods, every_period_budgeted, period_problems
from .problems import Problem, did_you_mean, visible, with_hint
from .responses import Constant, Pwl, reach
from .source import Source, source_problems
from .steps import round_down, round_up
from .vocabulary import WILDCARD


@dataclass
class Parts:
    """The top-level parts of a scenario that validated (None: it did not, or is absent)."""

    phases: list[Phase] | None = None
    segments: list[Segment] | None = None
    channels: dict[int, Channel] = field(default_factory=dict)  # by position in the file
    channel_ids_raw: set[str] = field(default_factory=set)  # ids of every channel, valid or not
    resources: dict[str, float] | None = None
    rules: Rules | None = None
    objective: Objective | None = None
    budget: float | None = None
    budget_ok: bool = False
    accuracy: float = 0.005
    current: dict[str, float] | None = None  # the current plan (channel -> spend), when given
    spend_step: float | None = None  # the scenario's payable unit, when given
    periods: Periods | None = None  # a plan over time, when given (and valid)
    periods_ok: bool = True  # False: periods given but not valid (then nothing is judged that depends on them)
    source: Source | None = None  # the provenance block, when given (and valid)


def cross_problems(parts: Parts) -> list[Problem]:
    out: list[Problem] = []
    out += _unique_ids(parts)
    out += _channel_references(parts)
    out += _rule_references(parts)
    out += _objective_needs(parts)
    out += _cell_weights(parts)
    out += _current_references(parts)
    out += _spend_steps(parts)
    out += period_problems(parts.periods, parts.channels, parts.rules, parts.resources, parts.channel_ids_raw)
    out += source_problems(parts.source, parts.channel_ids_raw)
    if not out:
        out += _impossible_bounds(parts)
    return out


def _unknown(path: str, what: str, name: str, known: list[str]) -> Problem:
    hint = did_you_mean(name, known)
    listed = ", ".join(visible(k) for k in known[:12]) + (", …" if len(known) > 12 else "")
    return Problem(path, f"unknown {what} '{visible(name)}'", with_hint(hint, f"known {what}s: {listed}"))


def _unique_ids(parts: Parts) -> list[Problem]:
    out = []
    groups: list[tuple[str, Sequence[Phase | Segment]]] = [("phases", parts.phases or []),
                                                           ("segments", parts.segments or [])]
    for name, items in groups:
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in seen:
                out.append(
                    Problem(f"{name}[{i}].id", f"'{item.id}' is used twice (also {name}[{seen[item.id]}])",
                            "give every id once"))
            seen.setdefault(item.id, i)
    seen = {}
    for i, ch in sorted(parts.channels.items()):
        if ch.id in seen:
            out.append(
                Problem(f"channels[{i}].id", f"'{ch.id}' is used twice (also channels[{seen[ch.id]}])",
                        "give every channel its own id"))
        seen.setdefault(ch.id, i)
    return out


def _channel_references(parts: Parts) -> list[Problem]:
    out = []
    phase_ids = [p.id for p in parts.phases] if parts.phases is not None else None
    segment_ids = [g.id for g in parts.segments] if parts.segments is not None else None
    for i, ch in sorted(parts.channels.items()):
        for phase, row in ch.affinity.items():
            if phase_ids is not None and phase != WILDCARD and phase not in phase_ids:
                out.append(_unknown(f"channels[{i}].affinity.{phase}", "phase", phase, phase_ids))
            for segment in row:
                if segment_ids is not None and segment != WILDCARD and segment not in segment_ids:
                    out.append(_unknown(f"channels[{i}].affinity.{phase}.{segment}", "segment", segment, segment_ids))
        if parts.resources is not None:
            for resource in ch.uses:
                if resource not in parts.resources:
                    known = list(parts.resources)
                    hint = did_you_mean(resource, known)
                    fix = with_hint(hint,
                                    (f"add it under resources (known: {', '.join(known)})" if known
                                     else f"add resources: {{{resource}: <capacity>}}"))
                    out.append(Problem(f"channels[{i}].uses.{resource}", f"unknown resource '{resource}'", fix))
    return out


def _rule_references(parts: Parts) -> list[Problem]:
    rules = parts.rules
    if rules is None:
        return []
    out = []
    phase_ids = [p.id for p in parts.phases] if parts.phases is not None else None
    segment_ids = [g.id for g in parts.segments] if parts.segments is not None else None
    for family in ("coverage", "breadth", "redundancy"):
        for j, rule in enumerate(getattr(rules, family)):
            for key, known, what in (("phase", phase_ids, "phase"), ("segment", segment_ids, "segment")):
                for name in getattr(rule, key) or []:
                    if known is not None and name not in known:
                        out.append(_unknown(f"rules.{family}[{j}].{key}", what, name, known))
    channel_ids = sorted(parts.channel_ids_raw)
    known_ids = set(channel_ids)

    def check(path: str, name: str) -> None:
        if name not in known_ids:
            out.append(_unknown(path, "channel", name, channel_ids))

    for key in ("requires", "excludes"):
        for j, pair in enumerate(getattr(rules, key)):
            for k, name in enumerate(pair):
                check(f"rules.{key}[{j}][{k}]", name)
    for key in ("force_on", "force_off"):
        for j, name in enumerate(getattr(rules, key)):
            check(f"rules.{key}[{j}]", name)
    tags = sorted({t for ch in parts.channels.values() for t in ch.tags})
    for j, group in enumerate(rules.groups):
        for k, name in enumerate(group.channels or []):
            check(f"rules.groups[{j}].channels[{k}]", name)
        if group.tag is not None and group.tag not in tags and parts.channels:
            hint = did_you_mean(group.tag, tags)
            out.append(
                Problem(f"rules.groups[{j}].tag", f"no channel has tag '{group.tag}'",
                        with_hint(hint, f"known tags: {', '.join(tags)}" if tags else "tag channels with tags: [...]")))
    both = sorted(set(rules.force_on) & set(rules.force_off))
    for name in both:
        out.append(
            Problem("rules.force_on", f"'{name}' is forced both on and off",
                    "remove it from force_on or from force_off"))
    on = set(rules.force_on)
    for j, (a, b) in enumerate(rules.excludes):
        if a in on and b in on:
            out.append(
                Problem(f"rules.excludes[{j}]", f"'{a}' and '{b}' exclude each other but both are forced on",
                        "drop one from force_on or drop the exclusion"))
    off = set(rules.force_off)
    for j, (a, b) in enumerate(rules.requires):
        if a in on and b in off:
            out.append(
                Problem(f"rules.requires[{j}]", f"'{a}' is forced on and requires '{b}', which is forced off",
                        "drop one of the three rules"))
    return out


def _current_references(parts: Parts) -> list[Problem]:
    """Every channel the current plan names must exist (negative spends fail as field errors)."""
    if not parts.current:
        return []
    known = sorted(parts.channel_ids_raw)
    return [_unknown(f"current.{name}", "channel", name, known) for name in parts.current if name not in set(known)]


def _spend_steps(parts: Parts) -> list[Problem]:
    """With a spend_step, some multiple of it must lie between min_spend and max_spend, and the
    most a channel can spend (max_spend, else the budget) holds at most MAX_STEPS of them."""
    out = []
    for i, ch in sorted(parts.channels.items()):
        step = ch.spend_step if ch.spend_step is not None else parts.spend_step
        if not step:
            continue
        where = "spend_step" if ch.spend_step is not None else "the scenario's spend_step"
        top = ch.max_spend if ch.max_spend is not None else parts.budget if parts.budget_ok else None
        if top is not None and top / step > MAX_STEPS:
            field = f"channels[{i}].spend_step" if ch.spend_step is not None else "spend_step"
            divided = "max_spend" if ch.max_spend is not None else "the budget"
            out.append(Problem(field, f"{where} {step:g} divides {divided} {top:g} of channel '{ch.id}' into more than "
                                      f"{MAX_STEPS:g} payable units",
                               f"use a spend_step of at least {top / MAX_STEPS:g} (a finer unit is below the solver's "
                               "round-off), or none"))
        if ch.max_spend is None:
            continue
        lo, hi = round_up(ch.min_spend, step), round_down(ch.max_spend, step)
        if lo > hi:
            out.append(
                Problem(
                    f"channels[{i}].max_spend",
                    f"no multiple of {where} {step:g} lies between min_spend {ch.min_spend:g} "
                    f"and max_spend {ch.max_spend:g}",
                    f"set min_spend to at most {hi:g} or max_spend to at least {lo:g}, or use a smaller spend_step",
                )
            )
    return out


def _objective_needs(parts: Parts) -> list[Problem]:
    objective = parts.objective or Objective()
    out = []
    if (objective.maximises and parts.budget_ok and parts.budget is None
        and not (objective.sense == "max_outcome" and objective.net) and parts.periods_ok
        and not every_period_budgeted(parts.periods)):
        fix = ("add budget: <money for the whole plan>, or a budget per period (periods: {budget: …})"
               if parts.periods is not None else "add budget: <money for the plan period>, or use objective min_cost")
        out.append(Problem("budget", f"is required for objective {objective.sense}", fix))
    valued = [c for c in parts.channels.values() if c.outcome is not None]
    if (objective.sense == "max_outcome" or objective.outcome_target is not None) and parts.channels and not valued:
        out.append(
            Problem("channels", f"no channel has an outcome, so objective {objective.sense} has nothing to count",
                    "add outcome: {value: <money or KPI when the channel's reach is 1>} to the channels that earn"))
    if objective.outcome_target is not None and objective.sense != "min_cost":
        out.append(
            Problem("objective.outcome_target", f"applies to objective min_cost, not {objective.sense}",
                    "remove it or use sense: min_cost"))
    if objective.sense == "target" and objective.level is None:
        out.append(
            Problem("objective.level", "is required for objective target", "add level: <weighted reach to achieve>"))
    if objective.sense == "max_value" and parts.segments is not None:
        for i, segment in enumerate(parts.segments):
            if segment.value is None:
                out.append(
                    Problem(f"segments[{i}].value", "is required for objective max_value",
                            "add value: <money per customer of this segment>"))
    return out


def _cell_weights(parts: Parts) -> list[Problem]:
    """Each cell's weight in the objective (phase weight × segment weight × size, or size ×
    value for max_value) within MAX_CELL_WEIGHT, so the solver's numbers stay faithful."""
    if not parts.phases or not parts.segments:
        return []
    value = (parts.objective or Objective()).sense == "max_value"
    top_phase = max(p.weight for p in parts.phases)
    share = top_phase / (sum(p.weight for p in parts.phases) or 1.0)
    out = []
    for i, g in enumerate(parts.segments):
        weight = g.size * (g.value or 0.0) * share if value else top_phase * g.weight * g.size
        if weight > MAX_CELL_WEIGHT:
            what = "size × value" if value else "phase weight × segment weight × size"
            out.append(
                Problem(
                    f"segments[{i}]",
                    f"its cells weigh {weight:g} in the objective ({what}), above the supported {MAX_CELL_WEIGHT:g}",
                    "count customers in thousands or lower the weights (only their ratios matter)",
                )
            )
    return out


# ---------------------------------------------------------------- impossible bounds


def _impossible_bounds(parts: Parts) -> list[Problem]:
    """Bounds no plan can meet, found without solving (only when references are sound)."""
    if parts.rules is None or parts.phases is None or parts.segments is None:
        return []
    rules = parts.rules
    channels = list(parts.channels.values())
    off = set(rules.force_off)
    usable = [c for c in channels if c.id not in off]
    out = []
    card = rules.cardinality
    if card is not None:
        if card.min > len(usable):
            out.append(
                Problem("rules.cardinality.min", f"asks for {card.min} channels but only {len(usable)} can be on",
                        f"lower min to at most {len(usable)}"))
        if card.max is not None and len(rules.force_on) > card.max:
            out.append(
                Problem("rules.cardinality.max", f"is {card.max} but {len(rules.force_on)} channels are forced on",
                        f"raise max to at least {len(rules.force_on)}"))
    for j, group in enumerate(rules.groups):
        members = [c for c, selected in zip(usable, group.selects(usable)) if selected]
        if group.min_count is not None and group.min_count > len(members):
            out.append(
                Problem(f"rules.groups[{j}].min_count",
                        f"asks for {group.min_count} channels of {group.describe()} but only {len(members)} can be on",
                        f"lower min_count to at most {len(members)}"))
    out += _cells_that_cannot_be_met(parts, channels, [c.id not in off for c in channels])
    return out


def _governed(rules: list[Any], parts: Parts):
    """(index, rule, cell) for every cell a hard rule of this family governs, by rule then cell."""
    assert parts.phases is not None and parts.segments is not None
    governs = governing_rule(rules, [p.id for p in parts.phases], [g.id for g in parts.segments])
    for j, rule in enumerate(rules):
        if getattr(rule, "hard", True):
            for k in np.flatnonzero(governs == j):
                yield j, rule, int(k)


def _most_reach(channel: Channel) -> float:
    """The most reach a channel can ever give: at max_spend, or the curve's ceiling."""

    response = channel.response
    if isinstance(response, Constant):
        return response.value
    if isinstance(response, Pwl):
        cap = channel.max_spend if channel.max_spend is not None else float("inf")
        return max([y for x, y in response.points if x <= cap] + [reach(response, min(cap, response.points[-1][0]))])
    return 1.0 if channel.max_spend is None else reach(response, channel.max_spend)  # rising curves


def _cells_that_cannot_be_met(parts: Parts, channels: list[Channel], can_be_on: list[bool]) -> list[Problem]:
    """``can_be_on``: which of ``channels`` are not forced off.  The affinity of all channels,
    then its usable columns: the warnings ask for all of them next, from the same cached matrix."""
    out = []
    rules = parts.rules
    assert rules is not None and parts.phases is not None and parts.segments is not None
    cells = [(p.id, g.id) for p in parts.phases for g in parts.segments]
    usable = [c for c, keep in zip(channels, can_be_on) if keep]
    a = scenario_affinity(parts, channels)
    if len(usable) < len(channels):
        a = a.columns(np.flatnonzero(can_be_on))
    for j, rule, k in _governed(rules.breadth, parts):
        p, g = cells[k]
        cols, vals = a.row(k)
        count = int(np.count_nonzero(vals >= rule.threshold)) if rule.threshold > 0 else len(usable)
        if count < rule.min_channels:
            serving = (
                [usable[c].id for c in cols[vals >= rule.threshold]] if rule.threshold > 0 else [c.id for c in usable])
            out.append(
                Problem(
                    f"rules.breadth[{j}]",
                    f"cell ({p}, {g}) needs {rule.min_channels} channels with affinity ≥ {rule.threshold:g} but only "
                    f"{len(serving)} serve{'s' if len(serving) == 1 else ''} it ({', '.join(serving) or 'none'})",
                    "lower min_channels for that cell, lower the threshold, or add a channel that serves it",
                )
            )
    most = np.array([_most_reach(c) for c in usable]) if usable else np.zeros(0)
    best_of = a @ most if usable else np.zeros(len(cells))
    for j, rule, k in _governed(rules.coverage, parts):
        p, g = cells[k]
        best = float(best_of[k])
        if best < rule.target - 1e-9:
            out.append(
                Problem(f"rules.coverage[{j}]",
                        f"cell ({p}, {g}) can be covered at most {min(best, 1):.3g} with every channel at full spend, "
                        f"below the hard target {rule.target:g}",
                        "lower the target for that cell, make it soft (hard: false, penalty: …), or add a channel that "
                        "serves it"))
    return out
