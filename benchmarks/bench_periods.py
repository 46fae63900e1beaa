"""Solve time of a plan over periods against the number of periods.

    python benchmarks/bench_periods.py                      # 20 channels; 1, 3, 6, 13, 52 periods
    python benchmarks/bench_periods.py --periods 1 6 --channels 20 --time-limit 120

The scenario is bench_solve's deterministic synthetic one (saturating, hill, linear,
pwl and constant curves, rules of every kind) over T weeks: each week has the
synthetic budget and hours, every fifth channel pays a set-up cost (10 % of its cap)
when it starts, every seventh carries over 30 % of its effective spend (adstock), and
every channel runs at least two weeks once started; cardinality counts channels used
over the plan.  "pipeline s" is one solve_scenario (formulate, both passes, polish,
figures, verifier); "bare s" is highspy's run() on the MPS of the same model with the
same options (first pass only); the ratio is pipeline over bare.  Prints one table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pulp  # noqa: E402

from bench_solve import synthetic  # noqa: E402
from channelmix.core.tolerances import FEASIBILITY  # noqa: E402
from channelmix.formulate.periods import formulate_periods  # noqa: E402
from channelmix.schema import validate  # noqa: E402
from channelmix.solve.pipeline import solve_scenario  # noqa: E402
from channelmix.solve.solvers import quiet_highs  # noqa: E402


def scenario_over(channels: int, periods: int, time_limit: float):
    raw, _ = synthetic(channels, 1)
    budget, hours = raw.pop("budget"), raw["resources"]["hours"]
    raw["periods"] = {"count": periods, "unit": "week", "budget": budget, "resources": {"hours": hours}}
    for i, ch in enumerate(raw["channels"]):
        if i % 5 == 0 and ch["max_spend"] > 0:
            ch["setup_cost"] = round(0.1 * ch["max_spend"], 2)
        if i % 7 == 0 and ch["max_spend"] > 0:
            ch["carry_over"] = 0.3
    raw["rules"]["min_periods_on"] = 2
    raw["solver"] = {**raw["solver"], "time_limit": time_limit}
    return validate(raw, f"<synthetic over {periods}>").scenario


def bare(scenario, time_limit: float) -> tuple[float, str, dict[str, int]]:
    """highspy alone on the written model: (seconds in run(), status, size)."""
    formulation = formulate_periods(scenario)
    problem = formulation.problem
    variables = problem.variables()
    size = {"vars": len(variables), "ints": sum(1 for v in variables if v.cat == pulp.LpInteger),
            "rows": len(problem.constraints)}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.mps"
        problem.writeMPS(str(path), with_objsense=True)
        h = quiet_highs()
        h.readModel(str(path))
    settings = scenario.solver
    for key, value in (("mip_rel_gap", settings.gap), ("threads", settings.threads), ("random_seed", 0),
                       ("time_limit", float(time_limit)), ("mip_feasibility_tolerance", FEASIBILITY),
                       ("primal_feasibility_tolerance", FEASIBILITY)):
        h.setOptionValue(key, value)
    began = time.perf_counter()
    h.run()
    return time.perf_counter() - began, h.modelStatusToString(h.getModelStatus()), size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--periods", type=int, nargs="+", default=[1, 3, 6, 13, 52])
    parser.add_argument("--time-limit", type=float, default=300.0)
    args = parser.parse_args(argv)
    print(f"{'periods':>7} {'vars':>6} {'ints':>5} {'rows':>6} {'pipeline s':>10} {'bare s':>8} {'ratio':>6} "
          f"{'× 1 period':>10}  " f"{'status':<8} {'gap':>7} verified")
    first = None
    for count in sorted(set(args.periods)):
        scenario = scenario_over(args.channels, count, args.time_limit)
        raw_seconds, raw_status, size = bare(scenario, args.time_limit)
        began = time.perf_counter()
        plan = solve_scenario(scenario)
        seconds = time.perf_counter() - began
        first = seconds if first is None else first
        gap = "" if plan.gap is None else f"{plan.gap:.2%}"
        print(f"{count:>7} {size['vars']:>6} {size['ints']:>5} {size['rows']:>6} {seconds:>10.2f} {raw_seconds:>8.2f} "
              f"{seconds / max(raw_seconds, 1e-9):>6.1f} {seconds / first:>10.1f}  {plan.status:<8} {gap:>7} "
              f"{plan.verified}" f"{'' if raw_status == 'Optimal' else '  (bare: ' + raw_status + ')'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
