"""Every shipped scenario solves to a verified optimal plan, names intact."""

from __future__ import annotations

from pathlib import Path

import pytest

from channelmix import load, solve_scenario, verify

SCENARIOS = sorted((Path(__file__).parents[1] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_solves_to_a_verified_optimum(path: Path):
    loaded = load(path)
    plan = solve_scenario(loaded.scenario, loaded.warnings)
    assert plan.status == "optimal"
    assert plan.verified
    assert verify(loaded.scenario, plan) == []
    assert 2 <= len(plan.on_channels()) < len(plan.channels)
    assert [c.id for c in plan.channels] == [c.id for c in loaded.scenario.channels]


def test_at_least_five_scenarios_one_per_seed():
    assert len(SCENARIOS) >= 5


def test_swedish_and_persian_names_survive():
    swedish = load(Path(__file__).parents[1] / "scenarios" / "butik-kundresan.yaml").scenario
    assert any(any(ch in c.id for ch in "åäö") for c in swedish.channels)
    persian = load(Path(__file__).parents[1] / "scenarios" / "khadamat-persian.yaml").scenario
    assert any("\u0600" <= ch <= "\u06ff" for c in persian.channels for ch in (c.label or ""))
