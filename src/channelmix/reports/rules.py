"""What limits the plan, in plain sentences of the report language: the rules that bind
(``plan["binding_rules"]``, the records of :class:`channelmix.model.facts.Rule`) with the
scenario's labels, only those that bind for what the plan runs (``a on ⇒ b on`` says nothing
when ``a`` is off), and a rule that binds in several cells said once with its cells ("7 cells
rely on a single channel: …").  Over periods, a rule that binds in several periods is said once,
led by its periods ("Month 3 – Month 6: …", or every period); in a robust plan, a rule that binds
world by world is said once with the number of worlds it binds in.  Kinds the locale files do
not word yet are said in the model's English, numbers made readable; a saved result from
before the records shows its ``binding`` sentences as written.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..model.facts import EVERYWHERE, Rule
from .claims import SHORT, cell_name, levels_by_period, period_labels, period_spans
from .common import auto, is_number, num, pct, resource_name
from .i18n import labels_of, t
from .wording import SAYS_ITS_PERIOD, SAYS_ITS_WORLD, number, rule_words

# the kinds said in the report language; the rest are said as the model states them
TRANSLATED = frozenset({"cap", "budget", "resource", "target", "breadth", "redundancy", "concentration", "group_share",
                        "requires", "cardinality", "cardinality_plan"})


def plain_rules(plan: dict[str, Any]) -> list[str]:
    """The binding rules of ``plan`` as sentences in the current report language."""
    if "binding_rules" not in plan:  # a result saved before the rules were records: its sentences as written
        return list(plan.get("binding") or [])
    rules = [Rule.from_dict(r) for r in plan["binding_rules"]]
    schedule = plan.get("schedule") or {}
    if schedule.get("periods"):
        return _over_periods(plan, rules, schedule)
    return _over_worlds(plan, rules)


def _over_periods(plan: dict[str, Any], rules: list[Rule], schedule: dict[str, Any]) -> list[str]:
    """A period's own copy of a rule said once for every period it binds in; the horizon's after."""
    ids, periods = period_labels(plan)  # as this report says them
    weights = {p["id"]: float(p.get("weight") or 1.0) for p in schedule["periods"]}
    in_period: dict[str, list[Rule]] = {}
    horizon = []
    for rule in rules:
        if rule.scope.period in ids and rule.kind not in SAYS_ITS_PERIOD:
            in_period.setdefault(rule.scope.period, []).append(replace(rule, scope=EVERYWHERE))
        else:
            horizon.append(rule)
    where: dict[str, list[int]] = {}  # a sentence -> the periods it binds in
    levels = levels_by_period(plan)
    for i, pid in enumerate(ids):
        for line in _sentences(plan, in_period.get(pid, []), levels.get(pid), weights[pid]):
            where.setdefault(line, []).append(i)
    return [f"{period_spans(found, periods)}: {line}" for line, found in where.items()] + _sentences(plan, horizon)


def _over_worlds(plan: dict[str, Any], rules: list[Rule]) -> list[str]:
    """A robust plan's rules that bind world by world said once, with how many worlds they bind in."""
    worlds = len((plan.get("risk") or {}).get("objectives") or [])
    found: dict[str, set[int]] = {}
    rest = []
    for rule in rules:
        world = rule.scope.world
        if world is None or rule.scope.like or rule.kind in SAYS_ITS_WORLD or not worlds:
            rest.append(rule)
            continue
        for line in _sentences(plan, [replace(rule, scope=EVERYWHERE)]):
            found.setdefault(line, set()).add(world)
    lines = _sentences(plan, rest, levels_by_period(plan).get(None))
    return lines + [f"{t('rule.in_worlds', n=len(w), of=worlds)}: {line}" for line, w in found.items()]


def _readable(value: float) -> str:
    """A number in a rule said as the model states it: 90,000,000 rather than 9e+07."""
    text = number(value)
    return auto(value) if "e" in text and (value >= 1 or value == 0) else text


def _sentences(plan: dict[str, Any], rules: list[Rule], cells: list[dict[str, Any]] | None = None,
               weight: float = 1.0) -> list[str]:
    """The rules' sentences; ``cells``: the coverage where they hold (a period's, the plan's; None: not known), so a
    soft target missed is said missed, with its shortfall and penalty (``weight``: the period's in the objective)."""
    channel = labels_of(plan.get("channels"))
    level = {(c["phase"], c["segment"]): c.get("level") or 0.0 for c in cells or []}
    on = {c["id"] for c in plan.get("channels") or [] if c.get("on")}
    currency = plan.get("currency") or ""
    lines: list[str] = []
    grouped: dict[tuple[str, Any, bool], list[str]] = {}
    for rule in rules:
        kind, limit = rule.kind, rule.limit if is_number(rule.limit) else 0.0
        if (
            kind not in TRANSLATED
            or rule.scope != EVERYWHERE
            or (kind.startswith("cardinality") and rule.side == "min")
        ):
            # said as the model states it (only a ceiling on channels is worded)
            lines.append(rule_words(rule, _readable))
        elif kind == "target" and rule.soft and rule.cell in level and level[rule.cell] < limit - SHORT:
            lines.append(missed_target(plan, rule, level[rule.cell], weight))
        elif kind in ("target", "breadth", "redundancy"):
            key = ("target", pct(limit), rule.soft) if kind == "target" else ("breadth", int(limit), rule.soft)
            grouped.setdefault(key, []).append(cell_name(plan, rule.cell or ("", "")))
        elif kind == "cap":
            lines.append(t("rule.cap", channel=channel.get(rule.channel, rule.channel), cap=auto(limit)))
        elif kind == "budget":
            lines.append(t("rule.budget", budget=f"{auto(limit)} {currency}".strip()))
        elif kind == "resource":
            lines.append(t("rule.resource", name=resource_name(rule.resource), capacity=auto(limit)))
        elif kind == "concentration":
            lines.append(t("rule.concentration", channel=channel.get(rule.channel, rule.channel), share=pct(limit)))
        elif kind == "group_share":
            word = "rule.group_max" if rule.side == "max" else "rule.group_min"
            lines.append(t(word, group=rule.group, share=pct(limit)))
        elif kind == "cardinality":
            lines.append(t("rule.count", n=int(limit)))
        elif kind == "cardinality_plan":
            lines.append(t("rule.count_plan", n=int(limit)))
        elif kind == "requires" and rule.channel in on:  # binds only when the first channel runs
            lines.append(
                t("rule.requires", a=channel.get(rule.channel, rule.channel), b=channel.get(rule.other, rule.other)))
    for (kind, value, soft), cells in grouped.items():
        lines.append(_cells_sentence(kind, value, soft, cells))
    return lines


def missed_target(plan: dict[str, Any], rule: Rule, level: float, weight: float = 1.0) -> str:
    """A soft coverage target missed: by how much (points of coverage) and what it costs the objective
    (penalty × shortfall, weighted as its period is)."""
    limit = rule.limit or 0.0
    values = {"cell": cell_name(plan, rule.cell or ("", "")), "target": pct(limit), "level": pct(level),
              "gap": num((limit - level) * 100, 1)}
    if rule.penalty is None:  # a result saved before rules carried their penalty
        return t("rule.target_missed_plain", **values)
    return t("rule.target_missed", **values, penalty=penalty_text(plan, weight * rule.penalty * (limit - level)))


def penalty_text(plan: dict[str, Any], amount: float) -> str:
    """A penalty in the objective's units: weighted reach, or money."""
    if (plan.get("sense") or "max_reach") == "max_reach":
        return t("penalty.in_reach", amount=auto(amount))
    return f"{auto(amount)} {plan.get('currency') or ''}".strip()


def _cells_sentence(kind: str, value: Any, soft: bool, cells: list[str]) -> str:
    if kind == "target":
        text = t("rule.target_one", cell=cells[0], target=value) if len(cells) == 1 else \
            t("rule.target_many", n=len(cells), target=value, cells=t("list_sep").join(cells))
    else:
        one = "rule.single_one" if value == 1 else "rule.breadth_one"
        many = "rule.single_many" if value == 1 else "rule.breadth_many"
        text = t(one, cell=cells[0], k=value) if len(cells) == 1 else \
            t(many, n=len(cells), k=value, cells=t("list_sep").join(cells))
    return text + (" " + t("rule.soft") if soft else "")


__all__ = ["plain_rules"]
