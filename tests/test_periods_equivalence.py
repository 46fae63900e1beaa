"""A one-period plan equals today's single-period plan on every shipped scenario:
the time dimension changes nothing when there is none."""

from __future__ import annotations

from pathlib import Path

import pytest

from channelmix.schema import load, validate
from channelmix.solve.pipeline import solve_scenario

SCENARIOS = sorted((Path(__file__).parents[1] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_one_period_gives_the_single_period_plan(path: Path):
    raw = dict(load(path).raw)
    if "periods" in raw:
        pytest.skip("a scenario over periods already")
    raw.pop("worlds", None)  # worlds are not yet planned over periods; the plain plan is compared
    single = solve_scenario(validate(raw, str(path), base=path.parent).scenario)
    one = solve_scenario(validate({**raw, "periods": {"count": 1}}, str(path), base=path.parent).scenario)
    assert single.verified and one.verified
    assert one.schedule is not None and single.schedule is None
    assert [c.on for c in one.channels] == [c.on for c in single.channels]
    scale = max(1.0, single.cost or 0.0)
    for a, b in zip(single.channels, one.channels):
        assert b.spend == pytest.approx(a.spend, abs=1e-5 * scale), a.id
    assert one.objective == pytest.approx(single.objective, rel=1e-7, abs=1e-7)
    assert one.cost == pytest.approx(single.cost, rel=1e-7)
    assert [c.level for c in one.coverage] == pytest.approx([c.level for c in single.coverage], abs=1e-6)
    rows = one.schedule.rows
    assert [(r.channel, r.on) for r in rows] == [(c.id, c.on) for c in single.channels]
    assert one.schedule.cash[0].cost == pytest.approx(single.cost, rel=1e-7)
