"""Claims: every sentence of a plan's headline and summary, computed from the plan's own
figures by one function per claim (docs/architecture.md, "Facts and words").

A function here takes the plan dict (the JSON of ``channelmix solve --format json``: the
verified ``Plan``'s figures, ``schedule`` per period, ``risk`` per world, ``baseline``) and
returns a :class:`Claim`: what it claims (``kind``), where (``periods``, ``cells``), the
numbers it states (``figures``), the catalogue keys it was worded with (``keys``) and the
sentence in the report's language.  A plan over periods is judged period by period, never on
its six-month mean alone ("below target in Month 1 – Month 2: …").
``tests/test_claims.py`` holds every claim of every shipped scenario against the verifier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .common import auto, is_number, pct
from .i18n import labels_of, t

SHORT = 1e-6  # a level this far under its target is short of it (the report's own reading, as the view's)


@dataclass(frozen=True)
class Claim:
    """One sentence and the facts it states."""

    kind: str
    sentence: str
    keys: tuple[str, ...] = ()  # the catalogue keys the sentence was made from
    periods: tuple[str, ...] = ()  # period ids it speaks of (empty: the plan as a whole)
    cells: tuple[tuple[str, str], ...] = ()
    figures: dict[str, Any] = field(default_factory=dict)


def period_spans(found: list[int], labels: list[str]) -> str:
    """Periods in order, consecutive runs as "first – last" (all of several: every period)."""
    if len(found) == len(labels) and len(labels) > 1:
        return t("rule.every_period")
    runs: list[list[int]] = []
    for i in found:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return t("list_sep").join(labels[r[0]] if len(r) == 1 else f"{labels[r[0]]} – {labels[r[-1]]}" for r in runs)


def period_labels(plan: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The plan's period ids and their labels as this report says them (none for one period)."""
    from .schedule import shown_label

    schedule = plan.get("schedule") or {}
    periods = schedule.get("periods") or []
    return [p["id"] for p in periods], [shown_label(p, schedule.get("unit")) for p in periods]


def cell_name(plan: dict[str, Any], cell: tuple[str, str]) -> str:
    phase, segment = labels_of(plan.get("phases")), labels_of(plan.get("segments"))
    return f"{phase.get(cell[0], cell[0])} × {segment.get(cell[1], cell[1])}"


def levels_by_period(plan: dict[str, Any]) -> dict[str | None, list[dict[str, Any]]]:
    """Each period's cells (level, target) — a plan over periods by its schedule, one period under ``None``."""
    ids, _ = period_labels(plan)
    if ids:
        out: dict[str | None, list[dict[str, Any]]] = {p: [] for p in ids}
        for c in (plan.get("schedule") or {}).get("coverage") or []:
            out.setdefault(c["period"], []).append(c)
        return out
    return {None: list(plan.get("coverage") or [])}


def _short(cell: dict[str, Any]) -> bool:
    target = cell.get("target")
    return is_number(target) and (cell.get("level") or 0.0) < target - SHORT


# ---------------------------------------------------------------- the claims


def runs_claim(plan: dict[str, Any], money: Callable[[Any], str]) -> Claim:
    """"Run 7 of 11 channels for 24,000 ZAR of the 24,000 ZAR budget, using 151.4 of 390 hours." (cost: spend and
    fixed costs)."""
    from .common import qty, resource_name

    channels = plan.get("channels") or []
    on = [c for c in channels if c.get("on")]
    budget = plan.get("budget")
    resources = plan.get("resources") or {}
    keys = ["summary.run"] + (["summary.of_budget"] if is_number(budget) else []) + ["summary.using"] * len(resources)
    text = (t("summary.run", on=len(on), n=len(channels), cost=money(plan.get("cost")))
            + (t("summary.of_budget", budget=money(budget)) if is_number(budget) else "")
            + "".join(t("summary.using", used=qty(r.get("used")), capacity=qty(r.get("capacity")),
                                name=resource_name(name))
                      for name, r in resources.items()) + t("summary.end"))
    return Claim("runs", text, tuple(keys), figures={
        "on": len(on), "channels": len(channels), "cost": plan.get("cost"), "budget": budget,
        "resources": {name: r.get("used") for name, r in resources.items()}})


def weakest_claim(plan: dict[str, Any]) -> Claim | None:
    """The weakest cell and its level: over periods, the lowest level of any period, and the periods it is at."""
    by_period = levels_by_period(plan)
    found = [(c.get("level") or 0.0, p, (c["phase"], c["segment"])) for p, cells in by_period.items() for c in cells]
    if not found:
        return None
    level, _, cell = min(found, key=lambda f: f[0])
    name = cell_name(plan, cell)
    ids, labels = period_labels(plan)
    if not ids:
        key = "summary.weakest" if level > 0 else "summary.unreached"
        return Claim("weakest", t(key, level=pct(level), cell=name), (key,), cells=(cell,), figures={"level": level})
    lowest = {p for lv, p, c in found if c == cell and abs(lv - level) <= SHORT}
    at = [i for i, p in enumerate(ids) if p in lowest]
    key = "claim.weakest_periods" if level > 0 else "claim.unreached_periods"
    text = t(key, level=pct(level), cell=name, periods=period_spans(at, labels))
    return Claim("weakest", text, (key,), tuple(ids[i] for i in at), (cell,), {"level": level})


def target_claims(plan: dict[str, Any]) -> list[Claim]:
    """Which cells fall short of their coverage target — in a plan over periods, period by period
    (periods short in the same cells at the same levels said once)."""
    by_period = levels_by_period(plan)
    if not any(is_number(c.get("target")) for cells in by_period.values() for c in cells):
        return []
    ids, labels = period_labels(plan)
    if not ids:
        cells = by_period[None]
        below = [c for c in cells if _short(c)]
        if not below:
            return [Claim("targets_met", t("summary.all_met"), ("summary.all_met",))]
        return [Claim("targets_below", t("summary.below", below=len(below), n=len(cells)), ("summary.below",),
                      cells=tuple((c["phase"], c["segment"]) for c in below),
                      figures={"below": len(below), "cells": len(cells),
                               "levels": [(c["level"], c["target"]) for c in below]})]
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, p in enumerate(ids):
        below = tuple(((c["phase"], c["segment"]), round(c["level"], 4), c["target"])
                      for c in by_period.get(p, []) if _short(c))
        if below:
            groups.setdefault(below, []).append(i)
    if not groups:
        return [Claim("targets_met", t("claim.all_met_periods"), ("claim.all_met_periods",), tuple(ids))]
    out = []
    for below, at in groups.items():
        listed = t("list_sep").join(
            t("claim.cell_short", cell=cell_name(plan, cell), level=pct(level), target=pct(target))
            for cell, level, target in below)
        text = t("claim.below_periods", periods=period_spans(at, labels), cells=listed)
        out.append(Claim("targets_below", text, ("claim.below_periods", "claim.cell_short"), tuple(ids[i] for i in at),
                         tuple(cell for cell, _, _ in below),
                         {"levels": [(level, target) for _, level, target in below]}))
    return out


def objective_claim(plan: dict[str, Any]) -> Claim | None:
    """The objective with its share of the most reachable (weighted reach only)."""
    objective, reachable = plan.get("objective"), plan.get("reachable")
    if (plan.get("sense") or "max_reach") != "max_reach" or not is_number(objective) or not is_number(reachable) \
            or reachable <= 0:
        return None
    share = objective / reachable
    return Claim("reachable_share", t("share_of_reachable", share=pct(share), reachable=auto(reachable)),
                 ("share_of_reachable",), figures={"objective": objective, "reachable": reachable, "share": share})


def uplift_claim(plan: dict[str, Any], money: Callable[[Any], str]) -> Claim | None:
    """How much better the optimised plan is than today's, and — when they spend differently — what each spends."""
    b = plan.get("baseline") or {}
    if not is_number(b.get("uplift")):
        return None
    uplift, today, optimised = float(b["uplift"]), float(b["cost"]), plan.get("cost")
    share = uplift / abs(b["objective"]) if b.get("objective") else None
    amount = (money(uplift) if plan.get("sense") in ("min_cost", "target") else auto(uplift)) \
        + (f" ({pct(share, 1)})" if share is not None else "")
    word = "baseline.saves" if plan.get("sense") in ("min_cost", "target") else "baseline.adds"
    keys = [word]
    text = t(word, amount=amount)
    if is_number(optimised) and abs(optimised - today) >= 0.5 and word == "baseline.adds":
        keys.append("claim.spending")
        text += " " + t("claim.spending", optimised=money(optimised), current=money(today))
    return Claim("uplift", text, tuple(keys), figures={
        "uplift": uplift, "share": share, "current_cost": today, "optimised_cost": optimised,
        "current_objective": b.get("objective"), "optimised_objective": b.get("optimised_objective")})


def _direction(change: float, scale: float) -> str:
    return "same" if abs(change) <= 1e-9 * max(1.0, abs(scale)) else "gain" if change > 0 else "loss"


def trade_claim(neutral: dict[str, Any], robust: dict[str, Any], maximises: bool,
                fmt: Callable[[Any], str]) -> Claim:
    """The robust plan beside the risk-neutral one in the same worlds: on average, in the worst α
    share (CVaR) and in the worst world — each a gain, a loss or the same, signed as measured."""
    sign = 1.0 if maximises else -1.0
    alpha = float(robust.get("alpha") or neutral.get("alpha") or 0.1)
    scale = abs(float(neutral["mean"]))
    changes = {k: sign * (float(robust[k]) - float(neutral[k])) for k in ("mean", "cvar", "worst")}
    ways = {k: _direction(v, scale) for k, v in changes.items()}
    share = pct(abs(changes["mean"]) / scale, 1) if scale else "—"
    keys = (f"claim.trade_mean_{ways['mean']}", f"claim.trade_tail_{ways['cvar']}",
            f"claim.trade_worst_{ways['worst']}")
    mean = t(keys[0], amount=fmt(abs(changes["mean"])), share=share)
    tail = t(keys[1], amount=fmt(abs(changes["cvar"])), alpha=pct(alpha))
    worst = t(keys[2], amount=fmt(abs(changes["worst"])))
    return Claim("trade_off", t("claim.trade", mean=mean, tail=tail, worst=worst), (*keys, "claim.trade"),
                 figures={**changes, "alpha": alpha, "maximises": maximises})


def summary_claims(plan: dict[str, Any], money: Callable[[Any], str]) -> list[Claim]:
    """The summary of a solved plan: what runs for how much, the weakest cell, the targets."""
    found = [runs_claim(plan, money), weakest_claim(plan), *target_claims(plan)]
    return [c for c in found if c is not None]


__all__ = ["Claim", "period_spans", "period_labels", "cell_name", "levels_by_period", "runs_claim",
           "weakest_claim", "target_claims", "objective_claim", "uplift_claim", "trade_claim", "summary_claims"]
