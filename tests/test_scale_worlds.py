"""Issue #22: a robust plan does not depend on the unit its money is written in.

The bakery's robust variants (mean and CVaR over 12 worlds, shipped) and the worst world,
with all money × k for k in 1e-2, 1e3, 1e6, 1e9; and the robust repro of the issue (three
posterior draws of a real marketing-mix model's curves, amounts up to 4e8 as window totals:
tests/data/robust_scale): at raw scale it gives the plans it gives in millions, for every risk
measure — before, worst and cvar were "optimal" at zero spend and mean 1.09e8 where the
risk-neutral plan scores 2.98e8.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from channelmix.schema import load, validate
from channelmix.schema.expand import derive
from channelmix.solve.pipeline import solve_scenario
from money_scale import assert_scaled, scale_draws, scale_money
from scale_cases import Case, check_case, parametrised, worst_case

CASES = [Case("township-bakery", "robust-mean"), Case("township-bakery", "robust"),
         Case("township-bakery", "worst", change=worst_case, label="township-bakery/worst")]

DRAWS = Path(__file__).parent / "data" / "robust_scale"
MILLION = 1e6


@parametrised(CASES)
def test_the_robust_plan_is_the_same_in_any_unit_of_money(case: Case, k: float) -> None:
    check_case(case, k)


@pytest.fixture(scope="module")
def in_millions(tmp_path_factory) -> Path:
    """The repro with spend and outcome ÷ 1e6 (the units in which it gave the right plans)."""
    folder = tmp_path_factory.mktemp("millions")
    scale_draws(DRAWS / "draws.csv", folder / "draws.csv", 1 / MILLION)
    data = scale_money(yaml.safe_load((DRAWS / "raw.yaml").read_text(encoding="utf-8")), 1 / MILLION,
                       outcome_money=True)
    path = folder / "raw.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _plan(path: Path, risk: str | None):
    """The repro solved to a proven optimum (gap 0: the default 1e-4 allows either of two near-optimal plans)."""
    overrides = {"solver.gap": 0.0, **({"objective.risk": risk} if risk else {})}
    return solve_scenario(derive(load(path), overrides).scenario)


@pytest.mark.parametrize("risk", [None, "mean", "worst", "cvar"])
def test_the_robust_repro_gives_the_plans_of_millions_at_raw_scale(in_millions: Path, risk: str | None) -> None:
    raw, millions = _plan(DRAWS / "raw.yaml", risk), _plan(in_millions, risk)
    assert raw.status == "optimal" and raw.verified
    assert_scaled(millions, raw, MILLION, MILLION)
    spend = [c.spend / MILLION for c in raw.channels]
    if risk in (None, "mean"):  # the risk-neutral plan: the mean over the draws is what the plain plan maximises too
        assert spend == pytest.approx([37.30, 20.58, 63.82, 0.0], abs=0.01)
        assert raw.risk["mean"] == pytest.approx(2.981e8, rel=1e-3)
    else:  # the worst draw lifted from 2.004e8 to 2.084e8, at some cost to the mean
        assert spend == pytest.approx([19.66, 38.21, 63.82, 0.0], abs=0.01)
        assert raw.risk["worst"] == pytest.approx(2.084e8, rel=1e-3) and raw.risk["mean"] < 2.981e8
    # Channel3 gets nothing: it is off, not "run with 0" (worst and cvar kept it on before, with a warning)
    assert [c.on for c in raw.channels] == [True, True, True, False]
    assert not [n for n in raw.notes if n.kind == "idle_channels"]


def test_an_idle_channel_a_rule_needs_stays_on() -> None:
    """Four channels asked for: the worst-case plan keeps Channel3 on at no spend, as the rule needs, and says so."""
    plan = solve_scenario(derive(load(DRAWS / "raw.yaml"), {"objective.risk": "worst",
                                                             "rules.cardinality": {"min": 4}}).scenario)
    assert plan.status == "optimal" and plan.verified
    assert [c.on for c in plan.channels] == [True, True, True, True] and plan.channels[3].spend == 0
    assert [n.channels for n in plan.notes if n.kind == "idle_channels"] == [("Channel3",)]


def test_the_repro_file_is_the_issues() -> None:
    """The draws are the shared repro's, and its amounts are the ones that failed (up to 4e8)."""
    data = validate(yaml.safe_load((DRAWS / "raw.yaml").read_text(encoding="utf-8")), base=DRAWS).scenario
    assert data.budget == 121_700_000 and max(c.outcome.value for c in data.channels) > 1e8
