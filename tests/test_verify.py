"""The verifier stands apart from the solver, and catches what it should."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from channelmix import load, solve_scenario, verify
from channelmix.verify.verifier import VerificationError, check

BAKERY = Path(__file__).parents[1] / "scenarios" / "township-bakery.yaml"


def test_verifier_does_not_import_pulp():
    code = "import sys, channelmix.verify.verifier, channelmix.verify.evaluate; sys.exit('pulp' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


@pytest.fixture(scope="module")
def solved():
    loaded = load(BAKERY)
    return loaded.scenario, solve_scenario(loaded.scenario)


def test_a_misreported_figure_is_caught(solved):
    scenario, plan = solved
    tampered = dataclasses.replace(plan, cost=plan.cost - 100)
    assert [v.rule for v in verify(scenario, tampered)] == ["reported cost"]


def test_overspending_is_caught_and_raises(solved):
    scenario, plan = solved
    first_on = next(i for i, c in enumerate(plan.channels) if c.on and c.spend > 0)
    channels = list(plan.channels)
    channels[first_on] = dataclasses.replace(channels[first_on], spend=channels[first_on].spend + scenario.budget)
    rules = {v.rule for v in verify(scenario, dataclasses.replace(plan, channels=channels))}
    assert "budget" in rules
    with pytest.raises(VerificationError, match="failed verification"):
        check(scenario, dataclasses.replace(plan, channels=channels))


def test_an_off_channel_that_spends_is_caught(solved):
    scenario, plan = solved
    off = next(i for i, c in enumerate(plan.channels) if not c.on)
    channels = list(plan.channels)
    channels[off] = dataclasses.replace(channels[off], spend=10.0)
    problems = verify(scenario, dataclasses.replace(plan, channels=channels))
    assert any(v.detail == "is off but spends 10" for v in problems)
