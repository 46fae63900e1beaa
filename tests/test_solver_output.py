"""What the solvers say, and where: CBC's proven gap read from its log, nothing on stdout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import channelmix as cm
from channelmix.solve.cbc_log import cbc_gap
from test_batch import SMALL

ROOT = Path(__file__).parents[1]

STOPPED_ON_TIME = """
Result - Stopped on time limit

Objective value:                5970.00000000
Lower bound:                    5955.867
Gap:                            0.00
Enumerated nodes:               1021
"""
WITHIN_GAP_MAX = """
Result - Optimal solution found (within gap tolerance)

Objective value:                2343.00000000
Upper bound:                    2358.444
Gap:                            -0.01
"""
PROVEN_OPTIMAL = """
Result - Optimal solution found

Objective value:                2343.00000000
Enumerated nodes:               8
"""


def test_cbc_gap_from_its_closing_summary():
    gap, bound = cbc_gap(STOPPED_ON_TIME, maximise=False)
    assert bound == 5955.867 and gap == pytest.approx((5970 - 5955.867) / 5970)  # hand-checked: 0.0023673
    gap, bound = cbc_gap(WITHIN_GAP_MAX, maximise=True)
    assert bound == 2358.444 and gap == pytest.approx(15.444 / 2343)  # CBC prints this one as "-0.01"
    assert cbc_gap(PROVEN_OPTIMAL, maximise=True) == (0.0, 2343.0)
    assert cbc_gap("Result - Stopped on time limit\n\nNo feasible solution found\n", maximise=True) == (None, None)
    assert cbc_gap("", maximise=False) == (None, None)


def test_cbc_plan_reports_the_gap_it_stopped_at():
    """A relative gap of 20 % lets CBC stop early on the bakery: the plan says how early."""
    plan = cm.solve_file(ROOT / "scenarios" / "township-bakery.yaml", name="cbc", gap=0.2)
    assert plan.solver == "cbc" and plan.status == "optimal" and plan.verified
    assert plan.gap is not None and 0 < plan.gap <= 0.2
    assert plan.bound >= plan.model_objective  # max_reach: the bound is above what was found
    assert plan.gap == pytest.approx((plan.bound - plan.model_objective) / plan.model_objective, rel=1e-6)
    tight = cm.solve_file(ROOT / "scenarios" / "township-bakery.yaml", name="cbc", gap=0.0)
    assert tight.gap is not None and tight.gap <= 1e-6


def test_library_use_prints_nothing_on_stdout(tmp_path: Path):
    """As in a notebook or a script: solving (and diagnosing an infeasible scenario, which
    solves many relaxations) writes nothing to the process's stdout, C-level included."""
    impossible = {**SMALL, "scenario": "impossible", "budget": 50, "rules": {"coverage": {"target": 0.5}}}
    (tmp_path / "impossible.yaml").write_text(yaml.safe_dump(impossible), encoding="utf-8")
    code = ("import channelmix as cm, sys\n"
            "from channelmix.reports.wording import plan_message\n"
            f"plan = cm.solve_file({str(ROOT / 'scenarios' / 'khadamat-persian.yaml')!r})\n"
            f"bad = cm.solve_file({str(tmp_path / 'impossible.yaml')!r})\n"
            "print(plan.status, bad.status, 'Dropping' in plan_message(bad), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr.strip() == "optimal infeasible True"
