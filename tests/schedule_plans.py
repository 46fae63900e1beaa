"""Hand-built plans over periods for the output tests: exact figures, no solver needed.

``bakery_plan()``: three months, three channels (one never on), a restart in month 3,
per-month budgets, a resource; ``long_plan(n)``: n weeks of four channels."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from channelmix.model.schedule import CellPeriod, ChannelPeriod, PeriodCash, PeriodInfo, Schedule
from channelmix.reports.documents import plan_document
from channelmix.verify.evaluate import CellOutcome, ChannelOutcome
from channelmix.verify.plan import Plan

MONTHS = [PeriodInfo("m1", "Month 1", 1.0, 1000.0), PeriodInfo("m2", "Month 2", 1.0, 1000.0),
          PeriodInfo("m3", "Month 3", 2.0, 1500.0)]
# (channel, period): on, started, spend, effective, reach, fixed, setup, hours
RUNS = {
    ("radio", "m1"): (True, True, 400.0, 400.0, 0.30, 100.0, 250.0, 2.0),
    ("radio", "m2"): (True, False, 600.0, 720.0, 0.40, 100.0, 0.0, 2.0),
    ("radio", "m3"): (False, False, 0.0, 216.0, 0.15, 0.0, 0.0, 0.0),
    ("flyers", "m1"): (False, False, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    ("flyers", "m2"): (True, True, 150.0, 150.0, 0.20, 0.0, 50.0, 5.0),
    ("flyers", "m3"): (True, False, 1200.5, 1245.5, 0.50, 0.0, 0.0, 6.5),
    ("stall", "m1"): (False, False, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    ("stall", "m2"): (False, False, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    ("stall", "m3"): (False, False, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
}
LABELS = {"radio": "Community radio", "flyers": "Flyers at the taxi rank", "stall": "Own stall"}


def _rows(runs: dict[tuple[str, str], tuple], periods: list[PeriodInfo]) -> list[ChannelPeriod]:
    channels = list(dict.fromkeys(c for c, _ in runs))
    rows = []
    for c in channels:
        for p in periods:
            on, started, spend, effective, reach, fixed, setup, hours = runs[(c, p.id)]
            rows.append(
                ChannelPeriod(c, p.id, on, started, spend, effective, reach, fixed, setup, spend + fixed + setup,
                              {"hours": hours}))
    return rows


def _cash(rows: list[ChannelPeriod], periods: list[PeriodInfo], hours: float) -> list[PeriodCash]:
    cash, total = [], 0.0
    for p in periods:
        mine = [r for r in rows if r.period == p.id]
        spend, fixed, setup = (sum(getattr(r, k) for r in mine) for k in ("spend", "fixed_cost", "setup_cost"))
        total += spend + fixed + setup
        reach = sum(r.reach for r in mine if r.on) * 100
        cash.append(
            PeriodCash(p.id, p.budget, p.budget, spend, fixed, setup, spend + fixed + setup, total, reach, reach,
                       sum(r.on for r in mine),
                       {"hours": {"used": sum(r.uses["hours"] for r in mine), "capacity": hours}}))
    return cash


def _coverage(periods: list[PeriodInfo], levels: dict[str, list[float]]) -> list[CellPeriod]:
    out = []
    for t, p in enumerate(periods):
        for cell, values in levels.items():
            phase, segment = cell.split("/")
            out.append(CellPeriod(p.id, phase, segment, values[t], 0.2, ["radio"] if values[t] else []))
    return out


def hand_plan(name: str, periods: list[PeriodInfo], runs: dict, labels: dict[str, str], levels: dict[str, list[float]],
          currency: str = "ZAR", language: str | None = None) -> dict[str, Any]:
    rows = _rows(runs, periods)
    cash = _cash(rows, periods, 15.0)
    schedule = Schedule("month" if periods[0].id.startswith("m") else "week", periods, rows, cash,
                        _coverage(periods, levels))
    channels = []
    for cid, label in labels.items():
        mine = [r for r in rows if r.channel == cid]
        channels.append(
            ChannelOutcome(id=cid, label=label, on=any(r.on for r in mine), spend=sum(r.spend for r in mine),
                           fixed_cost=sum(r.fixed_cost + r.setup_cost for r in mine), cost=sum(r.cost for r in mine),
                           reach=max(r.reach for r in mine), uses={"hours": sum(r.uses["hours"] for r in mine)},
                           outcome=0.0))
    cells = [CellOutcome(phase=c.split("/")[0], segment=c.split("/")[1], level=sum(v) / len(v), weight=1.0, target=0.2,
                         channels=["radio"]) for c, v in levels.items()]
    plan = Plan(scenario=name, status="optimal", sense="max_reach", objective=sum(c.objective for c in cash),
                model_objective=None, bound=None, gap=0.0, cost=cash[-1].cumulative,
                budget=sum(p.budget or 0.0 for p in periods), currency=currency,
                weighted_reach=sum(c.weighted_reach for c in cash), penalties={},
                resources={
                    "hours": {"used": sum(c.resources["hours"]["used"] for c in cash),
                              "capacity": 15.0 * len(periods)}}, channels=channels, coverage=cells, binding=[],
                curve_error=0.001, approximation_bound=None, solver="highs", build_seconds=0.0, solve_seconds=0.0,
                verified=True, phases=[{"id": "aware", "label": "Awareness"}, {"id": "buy", "label": "Purchase"}],
                segments=[{"id": "commuters", "label": "Commuters"}, {"id": "spaza", "label": "Spaza owners"}],
                schedule=schedule)
    return plan


LEVELS = {"aware/commuters": [0.30, 0.45, 0.55], "aware/spaza": [0.10, 0.25, 0.40],
          "buy/commuters": [0.0, 0.15, 0.35], "buy/spaza": [0.05, 0.20, 0.50]}


def bakery_plan() -> Plan:
    """Three months: radio starts in month 1 and stops after month 2, flyers start in month 2."""
    return hand_plan("bakery-3-months", MONTHS, RUNS, LABELS, LEVELS)


def long_plan(weeks: int) -> Plan:
    """``weeks`` weeks of four channels, each on in a pattern of its own, spends in the thousands."""
    periods = [PeriodInfo(f"w{n}", f"Week {n}", 1.0, 7000.0) for n in range(1, weeks + 1)]
    labels = {"tv": "Regional TV", "search": "Search ads", "social": "Social video", "print": "Print"}
    runs = {}
    for k, cid in enumerate(labels):
        was = False
        for n, p in enumerate(periods):
            on = cid != "print" and (n + k) % (3 + k) != 0
            spend = 1000.0 + 137.0 * ((n * (k + 1)) % 9) if on else 0.0
            runs[(cid, p.id)] = (on, on and not was, spend, spend, 0.1 if on else 0.0, 50.0 if on else 0.0,
                                 300.0 if on and not was else 0.0, 1.0 if on else 0.0)
            was = on
    levels = {"aware/commuters": [0.2 + 0.01 * (n % 7) for n in range(weeks)],
              "buy/spaza": [0.1 + 0.02 * (n % 5) for n in range(weeks)]}
    return hand_plan(f"quarter-{weeks}-weeks", periods, runs, labels, levels, currency="SEK")


def as_dict(plan: Plan) -> dict[str, Any]:
    """The plan's JSON dict, as ``solve --format json`` writes it."""
    import json

    return json.loads(json.dumps(plan_document(plan)))


__all__ = ["as_dict", "bakery_plan", "hand_plan", "long_plan", "asdict", "replace"]
