"""Benchmark: how much time channelmix adds around the HiGHS solve, as the catalogue grows.

Run from the repository root::

    python benchmarks/bench_solve.py                      # sizes 10,50,200,1000,5000
    python benchmarks/bench_solve.py --sizes 10,200 --seed 3 --json out/bench.json

This is a plain script, not a test: pytest's default collection (testpaths = tests)
never sees it, and its name does not match ``test_*.py``.

For every size it builds one deterministic synthetic scenario (numpy RNG seeded with
``(seed, size)``), then measures in one process:

* our pipeline as :func:`channelmix.solve.pipeline.solve_scenario` runs it, stage by stage
  (validate, formulate, solve, build_plan, check/verify), with the default
  ``objective.tie_break: true`` (two solver passes);
* the same pipeline with ``tie_break: false`` (one pass);
* raw HiGHS: the formulation written to MPS with ``problem.writeMPS`` *before* our
  solve, read by ``highspy.Highs().readModel`` and solved with exactly the options
  channelmix gave HiGHS (copied from the ``Highs`` object PuLP solved with: gap,
  threads, seed, tolerances; output off); only ``run()`` is timed.  "raw 2p" adds
  the tie-break pass done natively in HiGHS (a fresh Highs, the same model plus the
  row "first objective within channelmix's tie slack" and the cost objective), again
  timing only ``run()``.

See benchmarks/README.md for the columns.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import math
import platform
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pulp

import channelmix
from channelmix.model import curves
from channelmix.schema import validate
from channelmix.solve import pipeline as api
from channelmix.solve.solvers import quiet_highs
from channelmix.verify.verifier import VerificationError

PHASES = ["awareness", "evaluation", "purchase", "delivery", "after_sales"]
SEGMENTS = [  # id, size, weight
    ("students", 40_000, 1.0),
    ("young_families", 25_000, 1.2),
    ("retirees", 15_000, 0.8),
    ("small_businesses", 3_000, 3.0),
]
TIME_LIMIT = 120.0
GAP = 1e-4
# Above this many channels the synthetic catalogue is made easier for the MIP (see
# _difficulty): the benchmark measures overhead, not branch-and-bound on hard MIPs.
EASY_ABOVE = 2000
AFF_HI = 0.4  # highest affinity of a specialist channel (generalists: GEN_HI, wildcard rows: AFF_HI / 2)
GEN_HI = 0.15
SCALE = 5000.0  # median money for a curve to reach ~63 % of a segment


# ------------------------------------------------------------------ synthetic scenarios


@dataclass(frozen=True)
class Difficulty:
    s_shaped: float = 0.15  # share of hill curves with shape > 1 (incremental binaries)
    fixed_cost: float = 0.5  # share of channels with a fixed cost
    min_spend: float = 0.3  # share of channels with a spend floor
    budget: float = 0.3  # budget as a share of the max spends of card_max average channels
    note: str = ""


def _difficulty(n: int) -> Difficulty:
    if n > EASY_ABOVE:
        # With thousands of channels the best few saturate every cell at the usual budget;
        # saturated coverage makes the MIP degenerate (proving the fewest channels that
        # saturate, then the cheapest such mix in the tie-break, is a set-cover problem).
        return Difficulty(s_shaped=0.03, fixed_cost=0.2, min_spend=0.1, budget=0.15,
                          note=f"n > {EASY_ABOVE}: budget halved so that coverage does not saturate, fewer S-shaped "
                               "hill curves (3 % instead of 15 %), fixed costs (20 % instead of 50 %) and spend floors "
                               "(10 % instead of 30 %)")
    return Difficulty()


def _response(rng: np.random.Generator, kind: str, scale: float) -> dict[str, Any]:
    """A curve whose "money to reach ~63 % of a segment" is about ``scale``."""
    if kind == "saturating":
        return {"type": "saturating", "scale": round(scale, 2)}
    if kind == "hill_s":
        return {"type": "hill", "half": round(scale * float(rng.uniform(0.6, 1.0)), 2),
                "shape": round(float(rng.uniform(1.5, 3.0)), 2)}
    if kind == "hill_c":
        return {"type": "hill", "half": round(scale * float(rng.uniform(0.6, 1.0)), 2),
                "shape": round(float(rng.uniform(0.6, 1.0)), 2)}
    if kind == "linear":
        return {"type": "linear", "slope": 1.0 / (scale * float(rng.uniform(1.5, 3.0)))}
    if kind == "pwl":  # concave, starts at [0, 0]
        xs = np.sort(rng.uniform(0.2, 2.0, 3)) * scale
        gains = np.sort(rng.uniform(0.1, 0.35, 3))[::-1]
        ys = np.minimum(np.cumsum(gains), 0.95)
        return {"type": "pwl", "points": [[0.0, 0.0]]
                + [[round(float(x), 2), round(float(y), 4)] for x, y in zip(xs, ys)]}
    return {"type": "constant", "value": round(float(rng.uniform(0.05, 0.3)), 3)}


def _affinity(rng: np.random.Generator, generalist: bool) -> dict[str, Any]:
    """Sparse-ish: 1–3 phases, each for some segments; generalists serve every cell a little."""
    seg_ids = [s[0] for s in SEGMENTS]
    if generalist:
        return {p: round(float(rng.uniform(0.05, GEN_HI)), 3) for p in PHASES}
    out: dict[str, Any] = {}
    for p in rng.choice(PHASES, size=int(rng.integers(1, 4)), replace=False):
        if rng.random() < 0.2:
            out[str(p)] = {"*": round(float(rng.uniform(0.05, AFF_HI / 2)), 3)}
        else:
            chosen = rng.choice(seg_ids, size=int(rng.integers(1, len(seg_ids) + 1)), replace=False)
            out[str(p)] = {str(g): round(float(rng.uniform(0.05, AFF_HI)), 3) for g in chosen}
    return out


def synthetic(n: int, seed: int, *, tie_break: bool = True) -> tuple[dict[str, Any], Difficulty]:
    """A deterministic scenario dict with ``n`` channels."""
    rng = np.random.default_rng([seed, n])
    diff = _difficulty(n)
    card_max = int(min(25, max(2, n // 2)))
    kinds = rng.choice(["saturating", "hill", "linear", "pwl", "constant"], size=n, p=[0.6, 0.17, 0.09, 0.07, 0.07])
    channels = []
    for i in range(n):
        kind = str(kinds[i])
        if kind == "hill":  # S-shaped (needs binaries) with probability s_shaped / 0.17, else concave
            kind = "hill_s" if rng.random() < diff.s_shaped / 0.17 else "hill_c"
        cap = float(np.round(rng.lognormal(mean=math.log(2000), sigma=0.6), -1)) + 100.0  # max spend
        scale = float(rng.lognormal(mean=math.log(SCALE), sigma=0.4))  # curve scale, independent of cap
        generalist = i % 10 == 0  # at least one per ten: keeps hard breadth feasible for every size
        ch: dict[str, Any] = {"id": f"ch{i:05d}",
                              "function": [str(f)
                                           for f in rng.choice(["communication", "sales", "distribution"],
                                                               size=int(rng.integers(1, 3)), replace=False)],
                              "ownership": str(rng.choice(["own", "partner"])),
                              "medium": str(rng.choice(["digital", "physical"], p=[0.6, 0.4])),
                              "tags": [str(rng.choice(["social", "search", "retail", "events", "crm"]))],
                              "affinity": _affinity(rng, generalist)}
        if kind == "constant":
            ch["max_spend"] = 0.0
            ch["fixed_cost"] = round(float(rng.uniform(100, 1500)), 2)
            ch["uses"] = {"hours": {"fixed": round(float(rng.uniform(1, 8)), 2)}}
        else:
            ch["max_spend"] = cap
            if rng.random() < diff.fixed_cost:
                ch["fixed_cost"] = round(float(cap * rng.uniform(0.02, 0.2)), 2)
            if rng.random() < diff.min_spend:
                ch["min_spend"] = round(float(cap * rng.uniform(0.05, 0.25)), 2)
            if rng.random() < 0.6:
                ch["uses"] = {
                    "hours": {"fixed": round(float(rng.uniform(0, 4)), 2),
                              "per_unit": round(float(rng.uniform(0, 0.002)), 5)}}
        ch["response"] = _response(rng, kind, scale)
        channels.append(ch)

    # Money: a fraction of what the channels could absorb, scaled to the cardinality cap
    # so that the budget binds at every size (with at most card_max channels on, a
    # fraction of the whole catalogue's max spends would never bind for large n).
    total_max = sum(c["max_spend"] + c.get("fixed_cost", 0.0) for c in channels)
    budget = round(diff.budget * total_max * min(1.0, card_max / n), 2)
    hours_use = sum(c.get("uses", {}).get("hours", {}).get("fixed", 0.0)
                    + c.get("uses", {}).get("hours", {}).get("per_unit", 0.0) * c["max_spend"] for c in channels)
    hours = round(max(20.0, 0.4 * hours_use * min(1.0, card_max / n)), 2)
    mean_weight = sum(size * w for _, size, w in SEGMENTS) / len(SEGMENTS)
    scenario = {
        "scenario": f"synthetic-{n}",
        "description": f"benchmark catalogue, {n} channels, seed {seed}",
        "currency": "EUR",
        "phases": "osterwalder",
        "segments": [{"id": g, "size": float(size), "weight": float(w)} for g, size, w in SEGMENTS],
        "budget": float(budget),
        "resources": {"hours": float(hours)},
        "channels": channels,
        "rules": {
            "coverage": {"target": 0.2, "hard": False, "penalty": round(0.5 * mean_weight, 2)},
            "breadth": {"min_channels": 1, "threshold": 0.05, "hard": True},
            "concentration": {"max_share": 0.3},
            "cardinality": {"max": card_max, "penalty_per_channel": round(0.002 * mean_weight, 2)},
            "groups": [{"medium": "digital", "min_share": 0.3}, {"function": "sales", "min_count": 1}],
        },
        "objective": {"sense": "max_reach", "tie_break": tie_break},
        "solver": {"name": "highs", "time_limit": TIME_LIMIT, "gap": GAP, "threads": 1},
    }
    return scenario, diff


# ------------------------------------------------------------------ measurements


@dataclass
class Pipeline:
    validate: float = 0.0
    build: float = 0.0
    solve: float = 0.0
    plan: float = 0.0
    verify: float = 0.0
    total: float = 0.0  # wall time of validate + solve_scenario, less the (untimed) MPS write
    status: str = ""
    passes: int = 0
    objective: float | None = None
    model_objective: float | None = None
    verified: bool = False
    error: str = ""


@dataclass
class Row:
    size: int
    variables: int = 0
    constraints: int = 0
    integers: int = 0
    nonzeros: int = 0
    two: Pipeline = field(default_factory=Pipeline)  # default: tie_break on
    one: Pipeline = field(default_factory=Pipeline)  # tie_break off
    raw1: float = math.nan
    raw2: float = math.nan  # raw first pass + raw tie-break pass
    raw_status: str = ""
    raw2_status: str = ""
    raw_objective: float | None = None
    mps_seconds: float = 0.0
    scaling: float = math.nan  # seconds to choose the solver's units of the first-pass model (channelmix.solve.scaling)
    highs_options: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def _cold_curves() -> None:
    """Empty the curve-pieces cache so that every build is measured cold."""
    cache_clear = getattr(getattr(curves, "_approximate", None), "cache_clear", None)
    if cache_clear is not None:
        cache_clear()


class _Stages:
    """Times the stages of :func:`channelmix.solve.pipeline.solve_scenario` by wrapping the names it calls.

    Wrapping (rather than re-implementing) keeps the benchmark honest while the
    pipeline evolves: whatever solve_scenario does, the total is its wall time."""

    NAMES = {"formulate": "build", "solve": "solve", "build_plan": "plan", "check": "verify"}

    def __init__(self, out: Pipeline, mps_path: Path | None, row: Row | None) -> None:
        self.out, self.mps_path, self.row = out, mps_path, row
        self.formulation = None
        self.solution = None
        self.untimed = 0.0
        self.saved: dict[str, Any] = {}

    def __enter__(self) -> "_Stages":
        for name, stage in self.NAMES.items():
            real = getattr(api, name)
            self.saved[name] = real
            setattr(api, name, self._timed(real, stage))
        return self

    def __exit__(self, *exc: Any) -> None:
        for name, real in self.saved.items():
            setattr(api, name, real)

    def _timed(self, real, stage: str):
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            result = real(*args, **kwargs)
            setattr(self.out, stage, getattr(self.out, stage) + time.perf_counter() - t)
            if stage == "build":
                self.formulation = result
                self._write_mps(result)
            elif stage == "solve":
                self.solution = result
            return result
        return wrapper

    def _write_mps(self, formulation) -> None:
        """Untimed: the raw-HiGHS input, written before our solve touches the model."""
        if self.mps_path is None or self.row is None:
            return
        t = time.perf_counter()
        problem = formulation.problem
        problem.writeMPS(str(self.mps_path), with_objsense=True)
        variables = problem.variables()
        self.row.variables = len(variables)
        self.row.integers = sum(1 for v in variables if v.cat == pulp.LpInteger)
        self.row.constraints = len(problem.constraints)
        self.row.nonzeros = sum(len(c) for c in problem.constraints.values())
        self.row.mps_seconds = time.perf_counter() - t
        self.untimed += self.row.mps_seconds


def run_pipeline(raw: dict[str, Any], mps_path: Path | None = None, row: Row | None = None) -> _Stages:
    """validate, then solve_scenario (formulate → solve → build_plan → check), timed."""
    out = Pipeline()
    _cold_curves()
    gc.collect()
    with _Stages(out, mps_path, row) as stages:
        start = time.perf_counter()
        loaded = validate(raw, "<synthetic>")
        out.validate = time.perf_counter() - start
        try:
            plan = api.solve_scenario(loaded.scenario, loaded.warnings)
        except VerificationError as err:  # a channelmix bug: report it, keep benchmarking
            plan = None
            out.error = str(err).splitlines()[0]
        out.total = time.perf_counter() - start - stages.untimed
    solution = stages.solution
    if solution is not None:
        out.passes = solution.passes
        out.model_objective = solution.model_objective
        out.status = solution.status
    if plan is not None:
        out.status, out.verified, out.objective = plan.status, plan.verified, plan.objective
    else:
        out.status = "VERIFY FAILED"
    return stages


def _slack(first: float) -> float:
    """The tie-break slack channelmix allows (its own helper when it has one)."""
    try:
        from channelmix.core.tolerances import tie_slack
        return tie_slack(first)
    except ImportError:
        from channelmix.core.tolerances import TIE_TOLERANCE
        return TIE_TOLERANCE * max(1.0, abs(first))


def _highs(mps_path: Path, options: Any, time_limit: float):
    import highspy

    h = quiet_highs()  # highspy.Highs() would print its banner into the table
    if h.readModel(str(mps_path)) != highspy.HighsStatus.kOk:
        raise RuntimeError(f"HiGHS could not read {mps_path}")
    h.passOptions(options)  # exactly the options pulp.HiGHS was given by channelmix.solve.passes
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    return h


def run_raw(mps_path: Path, options: Any, time_limit: float, cost: dict[str, float], row: Row) -> None:
    """The same model straight through highspy; then the tie-break pass the same way."""
    import highspy

    h = _highs(mps_path, options, time_limit)
    t = time.perf_counter()
    h.run()
    row.raw1 = time.perf_counter() - t
    status = h.getModelStatus()
    row.raw_status = h.modelStatusToString(status)
    if status != highspy.HighsModelStatus.kOptimal:
        return
    first = h.getInfo().objective_function_value
    row.raw_objective = first
    lp = h.getLp()
    first_costs = np.asarray(lp.col_cost_, dtype=float)
    maximise = lp.sense_ == highspy.ObjSense.kMaximize
    del h, lp

    # Tie-break: a fresh Highs (as pulp builds a fresh one for our second pass).
    h = _highs(mps_path, options, max(time_limit - row.raw1, 0.05))
    names = list(h.getLp().col_names_)
    index = {name: j for j, name in enumerate(names)}
    n = len(names)
    nz = np.nonzero(first_costs)[0].astype(np.int32)
    slack = _slack(first)
    inf = highspy.kHighsInf
    lower, upper = (first - slack, inf) if maximise else (-inf, first + slack)
    h.addRow(lower, upper, len(nz), nz, first_costs[nz])
    second = np.zeros(n)
    for name, w in cost.items():
        second[index[name]] = w
    h.changeObjectiveSense(highspy.ObjSense.kMinimize if maximise else highspy.ObjSense.kMaximize)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), second)
    t = time.perf_counter()
    h.run()
    row.raw2 = row.raw1 + (time.perf_counter() - t)
    row.raw2_status = h.modelStatusToString(h.getModelStatus())


def _scaling_seconds(problem: pulp.LpProblem) -> float:
    """What choosing the solver's units adds to a hand-over (issue #22): the arrays the hand-over
    builds anyway are not counted, the scaling made from them is (best of 3)."""
    try:
        from channelmix.solve.scaling import choose
        from channelmix.solve.solvers import model_arrays
    except ImportError:  # a channelmix from before the scaling
        return math.nan
    model = model_arrays(problem)
    best = math.inf
    for _ in range(3):
        t = time.perf_counter()
        choose(model)
        best = min(best, time.perf_counter() - t)
    return best


_REPORTED_OPTIONS = ("mip_rel_gap", "time_limit", "threads", "random_seed", "mip_feasibility_tolerance",
                     "primal_feasibility_tolerance", "presolve", "parallel")


def measure(n: int, seed: int, workdir: Path) -> Row:
    row = Row(size=n)
    raw, diff = synthetic(n, seed, tie_break=True)
    row.note = diff.note
    mps = workdir / f"synthetic-{n}.mps"
    stages = run_pipeline(raw, mps, row)
    row.two = stages.out
    formulation = stages.formulation
    highs = getattr(formulation.problem, "solverModel", None)  # the Highs object pulp solved with
    if highs is None or not hasattr(highs, "getOptions"):
        raise RuntimeError("no HiGHS object on the solved problem: is solver.name highs?")
    options = highs.getOptions()
    row.highs_options = {k: getattr(options, k) for k in _REPORTED_OPTIONS if hasattr(options, k)}
    cost = {v.name: float(w) for v, w in formulation.parts["cost"].items()}
    row.scaling = _scaling_seconds(formulation.problem)
    del stages, formulation, highs

    row.one = run_pipeline(synthetic(n, seed, tie_break=False)[0]).out
    run_raw(mps, options, float(raw["solver"]["time_limit"]), cost, row)
    mps.unlink(missing_ok=True)
    return row


# ------------------------------------------------------------------ output


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b and math.isfinite(b) and b > 0 else "-"


def _s(x: float) -> str:
    return f"{x:.3f}" if x < 10 else f"{x:.2f}"


COLUMNS = [("size", ">"), ("vars", ">"), ("cons", ">"), ("bins", ">"), ("validate s", ">"), ("build s", ">"),
           ("solve s", ">"), ("verify s", ">"), ("total s", ">"), ("raw s", ">"), ("total/raw", ">"),
           ("solve 2p s", ">"), ("total 2p s", ">"), ("raw 2p s", ">"), ("2p ratio", ">"), ("scale s", ">"),
           ("status", "<"), ("objective", ">")]


def _status(p: Pipeline, two: bool) -> str:
    text = p.status if p.verified or p.status not in ("optimal", "feasible") else p.status + " (unverified)"
    return text + (f", {p.passes} passes" if two and p.passes != 2 else "")


def table(rows: list[Row]) -> str:
    body = []
    for r in rows:
        one, two = r.one, r.two
        body.append(
            [str(r.size), str(r.variables), str(r.constraints), str(r.integers), _s(one.validate), _s(one.build),
             _s(one.solve), _s(one.plan + one.verify), _s(one.total), _s(r.raw1), _ratio(one.total, r.raw1),
             _s(two.solve), _s(two.total), _s(r.raw2), _ratio(two.total, r.raw2),
             "-" if math.isnan(r.scaling) else f"{r.scaling:.4f}", _status(two, True),
             "-" if two.objective is None else f"{two.objective:,.1f}"])
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, (h, _) in enumerate(COLUMNS)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if a == ">" else c.ljust(w) for c, w, (_, a) in zip(cells, widths, COLUMNS))

    out = [line([h for h, _ in COLUMNS]), line(["-" * w for w in widths])]
    out += [line(b) for b in body]
    return "\n".join(out)


def footnotes(rows: list[Row]) -> str:
    lines = [
        "validate..total1/raw: objective.tie_break false (one solver pass); '2p' columns: the default tie_break true "
        "(two passes).",
        "verify s = build_plan (recompute every figure) + check (independent verifier); total = validate + "
        "solve_scenario wall time.",
        "raw s = highspy run() on the MPS of the same model with the same options; raw 2p adds the tie-break pass done "
        "in HiGHS.",
        "scale s = choosing the solver's units of the first-pass model (channelmix.solve.scaling; the model HiGHS gets "
        "is in them, the raw MPS in the scenario's units)."]
    if rows and rows[0].highs_options:
        lines.append("HiGHS options (as channelmix set them): "
                     + ", ".join(f"{k}={v}" for k, v in rows[0].highs_options.items()))
    for r in rows:
        if r.note:
            lines.append(f"size {r.size}: difficulty reduced ({r.note}).")
        if r.two.model_objective is not None and r.raw_objective is not None:
            rel = abs(r.two.model_objective - r.raw_objective) / max(1.0, abs(r.raw_objective))
            if rel > 10 * GAP:
                lines.append(f"size {r.size}: WARNING our model objective {r.two.model_objective:.8g} vs raw HiGHS "
                             f"{r.raw_objective:.8g}")
        if r.raw_status and r.raw_status.lower() != "optimal":
            lines.append(f"size {r.size}: raw HiGHS first pass status: {r.raw_status}")
        if r.raw2_status and r.raw2_status.lower() != "optimal":
            lines.append(f"size {r.size}: raw HiGHS tie-break pass status: {r.raw2_status}")
        if r.two.objective is not None and r.two.objective < 0:
            lines.append(
                f"size {r.size}: the objective is negative: coverage-shortfall penalties exceed the weighted reach "
                f"(at most {min(25, max(2, r.size // 2))} channels on cannot lift every cell to the 0.2 target).")
        if r.one.status != r.two.status:
            lines.append(f"size {r.size}: one-pass status {r.one.status}")
        for p in (r.one, r.two):
            if p.error:
                lines.append(f"size {r.size}: {p.error}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,50,200,1000,5000", help="comma-separated channel counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, help="also write the measurements here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    h = quiet_highs()
    print(f"channelmix {getattr(channelmix, '__version__', '?')}, pulp {pulp.__version__}, HiGHS "
          f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}, numpy {np.__version__}, Python "
          f"{platform.python_version()}, " f"seed {args.seed}, time_limit {TIME_LIMIT:g}s, gap {GAP:g}, threads 1",
          flush=True)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="channelmix-bench-") as tmp:
        for n in sizes:
            t = time.perf_counter()
            row = measure(n, args.seed, Path(tmp))
            rows.append(row)
            print(f"  size {n}: done in {time.perf_counter() - t:.1f}s (status {row.two.status}, "
                  f"total {row.two.total:.2f}s vs raw {row.raw2:.2f}s; mps write {row.mps_seconds:.2f}s, untimed)",
                  file=sys.stderr, flush=True)
    print()
    print(table(rows))
    print()
    print(footnotes(rows), flush=True)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        data = [dataclasses.asdict(r) for r in rows]
        args.json.write_text(json.dumps({"seed": args.seed, "sizes": sizes, "rows": data}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
