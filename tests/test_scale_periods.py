"""Issue #22: a plan over periods does not depend on the unit its money is written in.

The shipped plans over periods (the bakery's six months and its tight-months variant, the
Swedish retailer's quarter week by week: max_reach and min_cost), with all money × k for k
in 1e-2, 1e3, 1e6, 1e9: the same schedule (on/off per channel and period), spends × k and the
objective unchanged (× k for min_cost), to 1e-6 relative; past the supported range, refused.
The six months × 1e5 was "optimal" and 1.2 % worse before the solver worked in scale-free units.
"""

from __future__ import annotations

from scale_cases import Case, check_case, parametrised

CASES = [Case("township-bakery-6-months"), Case("township-bakery-6-months", "tight-months"),
         Case("butik-kundresan-kvartal")]


@parametrised(CASES)
def test_the_schedule_is_the_same_in_any_unit_of_money(case: Case, k: float) -> None:
    check_case(case, k)


def test_the_six_months_at_the_issues_scale() -> None:
    """The issue's row: × 1e5 (2.4e9 in all) gives the plan of the rand, 144,489."""
    check_case(CASES[0], 1e5)
