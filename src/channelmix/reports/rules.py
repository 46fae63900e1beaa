"""What limits the plan, in plain sentences of the report language: the solver's binding
rules (``plan["binding"]``) read back with the scenario's labels, only those that bind
for what the plan runs (``a on ⇒ b on`` says nothing when ``a`` is off), and a rule that
binds in several cells said once with its cells ("7 cells rely on a single channel: …").
Over periods, a rule that binds in several periods is said once, led by its periods
("Month 3 – Month 6: …", or every period); in a robust plan, a rule that binds world by
world is said once with the number of worlds it binds in.
A sentence of a kind not known here is kept as written, numbers made readable.
"""

from __future__ import annotations

import re
from typing import Any

from .common import auto, pct, readable_numbers
from .i18n import labels_of, t
from .schedule import shown_label

NUMBER = r"([\d,]+(?:\.\d+)?)"
PATTERNS = [
    ("cap", re.compile(rf"^(\w+): spend ≤ {NUMBER} when on, 0 when off$")),
    ("budget", re.compile(rf"^money spent ≤ budget {NUMBER}$")),
    ("resource", re.compile(rf"^(\w+) used ≤ {NUMBER}$")),
    ("target", re.compile(rf"^coverage of \((\w+), (\w+)\) ≥ {NUMBER}( \(soft\))?$")),
    ("breadth", re.compile(rf"^\((\w+), (\w+)\) served by ≥ (\d+) channels with affinity ≥ {NUMBER}( \(soft\))?$")),
    ("concentration", re.compile(r"^(\w+): ≤ (\d+(?:\.\d+)?)% of spend$")),
    ("group", re.compile(r"^(\w+) (\w+): ([≤≥]) (\d+(?:\.\d+)?)% of spend$")),
    ("count", re.compile(r"^≤ (\d+) channels on$")),
    ("count_plan", re.compile(r"^≤ (\d+) channels used over the plan$")),
    ("requires", re.compile(r"^(\w+) on ⇒ (\w+) on$")),
]


def _number(text: str) -> float:
    return float(text.replace(",", ""))


WORLD = re.compile(r"^world (\d+): (.*)$")


def plain_rules(plan: dict[str, Any]) -> list[str]:
    """The binding rules of ``plan`` as sentences in the current report language."""
    schedule = plan.get("schedule") or {}
    stored = [p.get("label") or p["id"] for p in schedule.get("periods") or []]  # as the model's sentences say them
    if not stored:
        return _over_worlds(plan, plan.get("binding") or [])
    periods = [shown_label(p, schedule.get("unit")) for p in schedule["periods"]]  # as this report says them
    in_period: dict[str, list[str]] = {}
    horizon = []
    for sentence in plan.get("binding") or []:
        label, sep, rule = sentence.partition(": ")
        if sep and label in stored:
            in_period.setdefault(label, []).append(rule)
        else:
            horizon.append(sentence)
    where: dict[str, list[int]] = {}  # a sentence -> the periods it binds in
    for i, label in enumerate(stored):
        for line in _sentences(plan, in_period.get(label, [])):
            where.setdefault(line, []).append(i)
    lines = [f"{_spans(found, periods)}: {line}" for line, found in where.items()]
    return lines + _sentences(plan, horizon)


def _over_worlds(plan: dict[str, Any], binding: list[str]) -> list[str]:
    """A robust plan's rules that bind world by world said once, with how many worlds they bind in."""
    worlds = len((plan.get("risk") or {}).get("objectives") or [])
    found: dict[str, set[str]] = {}
    rest = []
    for sentence in binding:
        match = WORLD.match(sentence.strip())
        if match is None or not worlds:
            rest.append(sentence)
            continue
        for line in _sentences(plan, [match[2]]):
            found.setdefault(line, set()).add(match[1])
    lines = _sentences(plan, rest)
    return lines + [f"{t('rule.in_worlds', n=len(w), of=worlds)}: {line}" for line, w in found.items()]


def _spans(found: list[int], periods: list[str]) -> str:
    """Periods in order, consecutive runs as "first – last" (all of them: every period)."""
    if len(found) == len(periods) and len(periods) > 1:
        return t("rule.every_period")
    runs: list[list[int]] = []
    for i in found:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return t("list_sep").join(periods[r[0]] if len(r) == 1 else f"{periods[r[0]]} – {periods[r[-1]]}" for r in runs)


def _sentences(plan: dict[str, Any], binding: list[str]) -> list[str]:
    channel = labels_of(plan.get("channels"))
    phase, segment = labels_of(plan.get("phases")), labels_of(plan.get("segments"))
    on = {c["id"] for c in plan.get("channels") or [] if c.get("on")}

    def cell(p: str, g: str) -> str:
        return f"{phase.get(p, p)} × {segment.get(g, g)}"

    lines: list[str] = []
    grouped: dict[tuple, list[str]] = {}
    for sentence in binding:
        kind, match = next(((k, m) for k, rx in PATTERNS if (m := rx.match(sentence.strip()))), (None, None))
        if match is None:
            lines.append(readable_numbers(sentence))
        elif kind == "cap":
            lines.append(t("rule.cap", channel=channel.get(match[1], match[1]), cap=auto(_number(match[2]))))
        elif kind == "budget":
            lines.append(t("rule.budget", budget=f"{auto(_number(match[1]))} {plan.get('currency') or ''}".strip()))
        elif kind == "resource":
            lines.append(t("rule.resource", name=match[1], capacity=auto(_number(match[2]))))
        elif kind == "target":
            key = ("target", pct(_number(match[3])), bool(match[4]))
            grouped.setdefault(key, []).append(cell(match[1], match[2]))
        elif kind == "breadth":
            key = ("breadth", int(match[3]), bool(match[5]))
            grouped.setdefault(key, []).append(cell(match[1], match[2]))
        elif kind == "concentration":
            lines.append(t("rule.concentration", channel=channel.get(match[1], match[1]), share=pct(_number(match[2]) / 100)))
        elif kind == "group":
            word = "rule.group_max" if match[3] == "≤" else "rule.group_min"
            lines.append(t(word, group=f"{match[1]} {match[2]}", share=pct(_number(match[4]) / 100)))
        elif kind == "count":
            lines.append(t("rule.count", n=int(match[1])))
        elif kind == "count_plan":
            lines.append(t("rule.count_plan", n=int(match[1])))
        elif kind == "requires" and match[1] in on:  # binds only when the first channel runs
            lines.append(t("rule.requires", a=channel.get(match[1], match[1]), b=channel.get(match[2], match[2])))
    for (kind, value, soft), cells in grouped.items():
        lines.append(_cells_sentence(kind, value, soft, cells))
    return lines


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
