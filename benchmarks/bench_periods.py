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

Before and after in one run (issue 20): ``--before SRC`` (a ``src`` folder of another checkout,
e.g. ``git archive house | tar -x -C /tmp/house``) runs every case twice, each in its own
process — once on that tree, once on this one — and prints wall and CPU seconds side by side
(CPU: ``time.process_time`` of the process around the solve; HiGHS runs on one thread, so on a
busy machine CPU seconds are the comparable figure).  ``--case CHANNELS PERIODS GAP`` adds cases:

    python benchmarks/bench_periods.py --before /tmp/house/src --periods 1 3 6 13 52 --gap 0.005 \
        --case 50 52 0.01
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
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


def bare(scenario, time_limit: float) -> tuple[float, str, dict[str, int], float]:
    """highspy alone on the written model: (seconds in run(), status, size, CPU seconds in run())."""
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
    began, cpu = time.perf_counter(), time.process_time()
    h.run()
    return time.perf_counter() - began, h.modelStatusToString(h.getModelStatus()), size, time.process_time() - cpu


def measure(channels: int, periods: int, gap: float | None, time_limit: float) -> dict:
    """One case in this process: bare HiGHS and the pipeline, wall and CPU seconds, and the plan's figures."""
    scenario = scenario_over(channels, periods, time_limit)
    if gap is not None:
        scenario = scenario.model_copy(update={"solver": scenario.solver.model_copy(update={"gap": gap})})
    bare_wall, bare_status, size, bare_cpu = bare(scenario, time_limit)
    cpu, began = time.process_time(), time.perf_counter()
    plan = solve_scenario(scenario)
    proof = getattr(plan, "proof", None)
    return {**size, "bare_wall": bare_wall, "bare_cpu": bare_cpu, "bare_status": bare_status,
            "wall": time.perf_counter() - began, "cpu": time.process_time() - cpu, "status": plan.status,
            "gap": plan.gap, "verified": plan.verified, "objective": plan.objective,
            "proof": "" if proof is None else f"cuts {proof.cuts} after {proof.first_nodes} nodes, {proof.nodes} in all"
            if proof.stalled else f"no stall, {proof.nodes} nodes"}


def in_process(src: str | None, channels: int, periods: int, gap: float | None, time_limit: float) -> dict:
    """:func:`measure` in a fresh process, on the channelmix of ``src`` (None: this checkout's)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(Path(src).resolve()), env.get("PYTHONPATH", "")])
    command = [sys.executable, __file__, "--one", str(channels), str(periods), str(gap), str(time_limit)]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def compare(before: str, cases: list[tuple[int, int, float | None]], time_limit: float) -> None:
    """Each case before (``before``'s code) and after (this checkout's), side by side."""
    print(f"{'case':<14} {'code':<7} {'rows':>6} {'pipeline wall/CPU s':>20} {'bare wall/CPU s':>16} "
          f"{'CPU ratio':>9} {'status':<8} {'gap':>7} verified  proof")
    for channels, periods, gap in cases:
        for name, src in (("before", before), ("after", None)):
            r = in_process(src, channels, periods, gap, time_limit)
            shown = "" if r["gap"] is None else f"{r['gap']:.3%}"
            label = f"{channels}×{periods} {'' if gap is None else f'{gap:.1%}'}"
            print(f"{label:<14} {name:<7} {r['rows']:>6} {r['wall']:>10.1f}/{r['cpu']:<9.1f} "
                  f"{r['bare_wall']:>8.1f}/{r['bare_cpu']:<7.1f} {r['cpu'] / max(r['bare_cpu'], 1e-9):>9.2f} "
                  f"{r['status']:<8} {shown:>7} {str(r['verified']):<9} {r['proof']}"
                  f"{'' if r['bare_status'] == 'Optimal' else '  (bare: ' + r['bare_status'] + ')'}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--periods", type=int, nargs="+", default=[1, 3, 6, 13, 52])
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--gap", type=float, default=None, help="the solver's relative gap (default: the scenario's)")
    parser.add_argument("--before", default=None, help="src folder of the code to compare against (see above)")
    parser.add_argument("--case", type=float, nargs=3, action="append", default=[],
                        metavar=("CHANNELS", "PERIODS", "GAP"))
    parser.add_argument("--one", nargs=4, default=None, help=argparse.SUPPRESS)  # a worker: one case, JSON out
    args = parser.parse_args(argv)
    if args.one is not None:
        channels, periods, gap, limit = args.one
        print(json.dumps(measure(int(channels), int(periods), None if gap == "None" else float(gap), float(limit))))
        return 0
    if args.before is not None:
        cases = [(args.channels, p, args.gap) for p in sorted(set(args.periods))]
        cases += [(int(c), int(p), g) for c, p, g in args.case]
        compare(args.before, cases, args.time_limit)
        return 0
    print(f"{'periods':>7} {'vars':>6} {'ints':>5} {'rows':>6} {'pipeline s':>10} {'bare s':>8} {'ratio':>6} "
          f"{'× 1 period':>10}  " f"{'status':<8} {'gap':>7} verified")
    first = None
    for count in sorted(set(args.periods)):
        scenario = scenario_over(args.channels, count, args.time_limit)
        raw_seconds, raw_status, size, _ = bare(scenario, args.time_limit)
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
