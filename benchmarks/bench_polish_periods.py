"""What polishing a plan over periods on the real curves buys, and what it costs.

    python benchmarks/bench_polish_periods.py                   # 20 channels; 1, 3, 6, 13 periods
    python benchmarks/bench_polish_periods.py --periods 6 --rule pacing

The scenario is bench_periods' synthetic one (set-up costs, carry-over on every seventh
channel, minimum runs), optionally with a pacing band (0.5) or a ramp (30 %).  For each
horizon: the MILP is solved once; then :func:`channelmix.solve.polish.periods.polish_periods`
is timed from the MILP's point with the time left as the solver's limit.  "gain" is the
horizon objective on the real curves after − before (evaluate_periods), "gain %" relative
to the MILP's; "ok" says the polished plan has no violation.  scipy is imported before the
clock starts (a CLI run pays ~1.5 s for it once).  Prints one table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import scipy.optimize  # noqa: E402,F401  imported once up front, so "polish s" is the polish, not the import (~1.5 s)
import threadpoolctl  # noqa: E402,F401

from bench_periods import scenario_over  # noqa: E402
from channelmix.formulate.periods import formulate_periods  # noqa: E402
from channelmix.schema.periods import Pacing, Ramp  # noqa: E402
from channelmix.solve.passes import solve  # noqa: E402
from channelmix.solve.polish.periods import polish_periods  # noqa: E402
from channelmix.verify.evaluate_periods import evaluate_periods  # noqa: E402


def with_rule(scenario, rule: str | None):
    if rule is None:
        return scenario
    extra = {"pacing": Pacing(band=0.5)} if rule == "pacing" else {"ramp": Ramp(max_growth=0.3)}
    return scenario.model_copy(update={"rules": scenario.rules.model_copy(update=extra)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--periods", type=int, nargs="+", default=[1, 3, 6, 13])
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--rule", choices=["pacing", "ramp"], default=None)
    args = parser.parse_args(argv)
    print(f"{'periods':>7} {'MILP s':>7} {'MILP objective':>15} {'polish s':>9} {'gain':>12} {'gain %':>8} ok")
    for count in sorted(set(args.periods)):
        scenario = with_rule(scenario_over(args.channels, count, args.time_limit), args.rule)
        began = time.perf_counter()
        solution = solve(formulate_periods(scenario))
        milp = time.perf_counter() - began
        before = evaluate_periods(scenario, solution.on, solution.spend)
        began = time.perf_counter()
        polished = polish_periods(scenario, solution.on, solution.spend, args.time_limit)
        seconds = time.perf_counter() - began
        after = evaluate_periods(scenario, solution.on, polished.spend)
        print(f"{count:>7} {milp:>7.2f} {before.objective:>15.6f} {seconds:>9.3f} "
              f"{after.objective - before.objective:>12.6g} "
              f"{(after.objective - before.objective) / max(1.0, abs(before.objective)):>8.4%} {not after.violations}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
