"""The plan to beat on Robyn's own curves: the best of 20 SLSQP starts (scipy), per export.

    python targets.py     # reads expected.json and the *_reallocated.csv beside it, writes targets.json

Each paid channel's curve is the one Robyn's allocator optimises (allocator.R, fx_objective):
response(x) = coef / (1 + (inflexion / (x + carry-over))^alpha), with Robyn's figures from
expected.json. The problem is the allocator's "max_response" on the historical budget:
maximise the sum of responses with sum(x) = total_budget_unit and constr_low_abs <= x <=
constr_up_abs (the bounds Robyn wrote in its CSV). Start 0 is Robyn's own start (x0 = the lower
bounds), start 1 today's spends, starts 2..19 uniform draws inside the bounds (seeded).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

HERE = Path(__file__).resolve().parent
STARTS = 20


def curves(channels: dict) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    names = sorted(channels)
    pick = lambda key: np.array([channels[n][key] for n in names], dtype=float)  # noqa: E731
    return names, pick("coef"), pick("alpha"), pick("inflexion"), pick("carryover_mean")


def total(x: np.ndarray, coef, alpha, infl, carry) -> float:
    return float(np.sum(coef / (1 + (infl / (x + carry)) ** alpha)))


def gradient(x: np.ndarray, coef, alpha, infl, carry) -> np.ndarray:
    z = x + carry
    r = (infl / z) ** alpha
    return coef * alpha * r / (z * (1 + r) ** 2)


def best_of_starts(exp: dict, rows: dict[str, dict]) -> dict:
    names, coef, alpha, infl, carry = curves(exp["channels"])
    lb = np.array([float(rows[n]["constr_low_abs"]) for n in names])
    ub = np.array([float(rows[n]["constr_up_abs"]) for n in names])
    init = np.array([float(rows[n]["initSpendUnit"]) for n in names])
    budget = exp["allocator"]["total_budget_unit"]
    rng = np.random.default_rng(18)
    starts = [lb.copy(), init] + [rng.uniform(lb, ub) for _ in range(STARTS - 2)]
    results = []
    for x0 in starts:
        res = minimize(lambda x: -total(x, coef, alpha, infl, carry), x0,
                       jac=lambda x: -gradient(x, coef, alpha, infl, carry), method="SLSQP",
                       bounds=list(zip(lb, ub)), constraints=[{"type": "eq", "fun": lambda x: np.sum(x) - budget,
                                                               "jac": lambda x: np.ones_like(x)}],
                       options={"ftol": 1e-12, "maxiter": 1000})
        x = np.clip(res.x, lb, ub)
        feasible = abs(np.sum(x) - budget) <= 1e-6 * budget
        results.append((total(x, coef, alpha, infl, carry) if feasible else -np.inf, x, bool(res.success)))
    best_value, best_x, _ = max(results, key=lambda r: r[0])
    robyn_x = np.array([float(rows[n]["optmSpendUnit"]) for n in names])
    return {
        "budget": budget, "channels": names,
        "best_response_total": best_value, "best_spend": dict(zip(names, best_x.tolist())),
        "starts_within_1e-9_of_best": sum(1 for v, _, _ in results if v >= best_value * (1 - 1e-9)),
        "starts_converged": sum(1 for _, _, ok in results if ok),
        "robyn_nloptr_response_total": total(robyn_x, coef, alpha, infl, carry),
        "robyn_csv_optmResponseUnitTotal": float(rows[names[0]]["optmResponseUnitTotal"]),
        "init_response_total": total(init, coef, alpha, infl, carry),
        "best_minus_robyn_relative": best_value / total(robyn_x, coef, alpha, infl, carry) - 1,
    }


def main() -> None:
    expected = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
    out = {"method": __doc__.strip().splitlines()[0], "exports": {}}
    for name, exp in expected["exports"].items():
        with open(HERE / exp["allocator"]["csv"], encoding="utf-8") as handle:
            rows = {r["channels"]: r for r in csv.DictReader(handle)}
        out["exports"][name] = best_of_starts(exp, rows)
        t = out["exports"][name]
        print(f"{name}: best of {STARTS} SLSQP {t['best_response_total']:.6f}, Robyn's nloptr "
              f"{t['robyn_nloptr_response_total']:.6f} ({t['best_minus_robyn_relative']:+.2e})")
    (HERE / "targets.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
