"""Issue #22: a single-period plan does not depend on the unit its money is written in.

Every shipped single-period scenario and variant, and the bakery under every objective sense
no shipped file uses (max_value, target, max_outcome on customers and on money), solved with
all money × k for k in 1e-2, 1e3, 1e6, 1e9: the same status, the same channels, spends × k
and the objective unchanged (× k where it is money), to 1e-6 relative. A k that takes an
amount past the supported range (1e12) must be refused for that alone. (Robust plans:
test_scale_worlds.py; plans over periods: test_scale_periods.py.)
"""

from __future__ import annotations

from scale_cases import Case, check_case, outcomes, parametrised, reach_level, values_per_customer

CASES = [
    Case("township-bakery"), Case("township-bakery", "budget-cut"), Case("township-bakery", "no-whatsapp"),
    Case("township-bakery", "busy-owner"), Case("township-bakery", "uncertain"),
    Case("boutique-en-ligne"), Case("boutique-en-ligne", "budget-reduit"), Case("boutique-en-ligne", "sans-amazon"),
    Case("boutique-en-ligne", "instagram-plus-cher"),
    Case("pyme-mexico"), Case("butik-kundresan"), Case("khadamat-persian"),
    Case("township-bakery", change=values_per_customer, label="township-bakery max_value"),
    Case("township-bakery", change=reach_level, label="township-bakery target"),
    Case("township-bakery", change=outcomes(net=False), label="township-bakery max_outcome (customers)"),
    Case("township-bakery", change=outcomes(net=True), label="township-bakery max_outcome net (money)"),
]


@parametrised(CASES)
def test_the_plan_is_the_same_in_any_unit_of_money(case: Case, k: float) -> None:
    check_case(case, k)
