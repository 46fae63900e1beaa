"""The schedule contract (schedule.py): JSON round trip, and the plan carries it."""

from __future__ import annotations

import json
from dataclasses import asdict

from channelmix.model.schedule import CellPeriod, ChannelPeriod, PeriodCash, PeriodInfo, Schedule


def _schedule() -> Schedule:
    periods = [PeriodInfo("m1", "Month 1", 1.0, 3000.0), PeriodInfo("m2", "Month 2", 2.0, None)]
    rows = [ChannelPeriod("radio", p.id, True, p.id == "m1", 100.0, 150.0, 0.2, 10.0, 50.0 if p.id == "m1" else 0.0,
                          160.0 if p.id == "m1" else 110.0, {"hours": 2.0}) for p in periods]
    cash = [
        PeriodCash("m1", 3000.0, 3000.0, 100.0, 10.0, 50.0, 160.0, 160.0, 0.5, 0.5, 1,
                   {"hours": {"used": 2.0, "capacity": 15.0}}),
        PeriodCash("m2", None, None, 100.0, 10.0, 0.0, 110.0, 270.0, 0.6, 0.6, 1,
                   {"hours": {"used": 2.0, "capacity": 15.0}})]
    coverage = [CellPeriod("m1", "awareness", "commuters", 0.2, None, ["radio"]),
                CellPeriod("m2", "awareness", "commuters", 0.25, 0.1, ["radio"])]
    return Schedule("month", periods, rows, cash, coverage)


def test_schedule_round_trips_through_json():
    schedule = _schedule()
    data = json.loads(json.dumps(asdict(schedule)))
    assert Schedule.from_dict(data) == schedule


def test_rows_are_found_by_channel_and_period():
    schedule = _schedule()
    assert schedule.row("radio", "m2").cost == 110.0
    assert [r.period for r in schedule.channel_rows("radio")] == ["m1", "m2"]
