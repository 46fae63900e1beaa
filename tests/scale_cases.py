"""The shipped scenarios (and derived ones for the objective senses and risk measures no
shipped file uses) for the metamorphic scale tests of issue #22: each case solved as written
(k = 1) and with every money amount × k must give the same plan (see money_scale.py).

A case is a file ``scenarios/<stem>.yaml`` with only one of its variants kept (None: the base
scenario) and perhaps a change to its data before any scaling; its plan at k = 1 is solved
once per test process.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import yaml

from channelmix.reports.wording import plan_message
from channelmix.schema import ScenarioError, validate
from channelmix.schema.expand import variants
from channelmix.solve.pipeline import solve_scenario
from channelmix.verify.plan import Plan
from money_scale import KS, assert_scaled, objective_factor, out_of_range, scale_money

SCENARIOS = Path(__file__).parents[1] / "scenarios"


@dataclass(frozen=True)
class Case:
    stem: str
    variant: str | None = None
    change: Callable[[dict], None] | None = None
    label: str = ""
    outcome_money: bool | None = None  # None: outcomes are money when the objective nets spend out

    @property
    def id(self) -> str:
        return self.label or (f"{self.stem}/{self.variant}" if self.variant else self.stem)

    def data(self) -> dict:
        """The file's data with only this case's variant, changed, unscaled."""
        raw = yaml.safe_load((SCENARIOS / f"{self.stem}.yaml").read_text(encoding="utf-8"))
        raw["variants"] = [v for v in raw.get("variants", []) if v["name"] == self.variant]
        raw.pop("sweep", None)
        if self.change is not None:
            self.change(raw)
        return raw


def _solve(data: dict, case: Case) -> Plan | ScenarioError:
    try:
        loaded = validate(copy.deepcopy(data), source=case.id, base=SCENARIOS)
    except ScenarioError as error:
        return error
    wanted = [c for c in variants(loaded) if (case.variant is None) == ("/" not in c.name)]
    return solve_scenario(wanted[-1].scenario, wanted[-1].warnings)


@functools.cache
def reference(case: Case) -> Plan:
    plan = _solve(case.data(), case)
    assert isinstance(plan, Plan), plan
    assert plan.status in ("optimal", "infeasible"), (case.id, plan.status, plan_message(plan))
    return plan


def check_case(case: Case, k: float) -> None:
    """The plan of the case with all money × k is the plan at k = 1, scaled; or (past the
    supported range) the scaled scenario is refused for its amounts alone."""
    data = case.data()
    scaled = scale_money(data, k, case.outcome_money)
    plan = _solve(scaled, case)
    if isinstance(plan, ScenarioError):
        assert out_of_range(plan), str(plan)
        return
    assert_scaled(reference(case), plan, k, objective_factor(data, k, case.outcome_money))


def parametrised(cases: list[Case]):
    """pytest parameters: every case at every k."""
    return pytest.mark.parametrize("case, k", [(c, k) for c in cases for k in KS],
                                   ids=[f"{c.id}×{k:g}" for c in cases for k in KS])


# ---------------------------------------------------------------- derived cases


def values_per_customer(raw: dict) -> None:
    """max_value on the bakery: money per customer fully reached (so the objective is money)."""
    raw["objective"] = {"sense": "max_value"}
    for segment, value in zip(raw["segments"], (4, 6, 150)):
        segment["value"] = value


def reach_level(raw: dict) -> None:
    """target: the least money for 80 % of the bakery's best weighted reach."""
    raw["objective"] = {"sense": "target", "level": 19000}


def outcomes(net: bool) -> Callable[[dict], None]:
    """max_outcome with an outcome per channel: customers won (KPI), or revenue net of spend (money)."""
    def change(raw: dict) -> None:
        raw["objective"] = {"sense": "max_outcome", "net": net}
        for i, ch in enumerate(raw["channels"]):
            ch["outcome"] = {"value": (3000.0 + 700.0 * i) if net else (40.0 + 9.0 * i), "unit": "ZAR" if net
                             else "customers"}
    return change


def worst_case(raw: dict) -> None:
    """The bakery's robust variant with the worst world as the objective."""
    raw["variants"] = [{"name": "worst",
                        "set": {"worlds": {"uncertainty": {"affinity": 0.2, "response": 0.3, "count": 12, "seed": 1}},
                                                 "objective.risk": "worst"}}]

