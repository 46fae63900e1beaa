"""The next-best distinct mixes of a solved plan, by no-good cuts on its on/off set, and the
plans an explanation forces (a channel used in some period or none); every plan returned has
passed the verifier.  The LP duals beside them are :mod:`channelmix.solve.duals`."""

from __future__ import annotations

from ..formulate import PeriodsFormulation, formulate
from ..formulate.rows import cut, use, used
from ..schema.models import Scenario
from ..solve.pipeline import solve_formulated
from ..solve.warm import Warm
from ..verify.plan import Plan


def solve_used(scenario: Scenario, cid: str, anywhere: bool, start: dict[str, float] | Warm | None = None) -> Plan:
    """A plan over periods re-solved with one channel used in at least one period
    (``anywhere``) or in none; verified like any plan."""
    f = formulate(scenario)
    assert isinstance(f, PeriodsFormulation)
    use(f, cid, anywhere)
    return solve_formulated(scenario, f, start=start, diagnose=False)[0]


def within(scenario: Scenario, best: float, value: float, tolerance: float | None) -> bool:
    """Is ``value`` within ``tolerance`` (relative to |best|; None: any) of the optimum?"""
    if tolerance is None:
        return True
    room = tolerance * abs(best) + 1e-9 * max(1.0, abs(best))
    return value >= best - room if scenario.objective.maximises else value <= best + room


def alternatives(scenario: Scenario, best: Plan, k: int, tolerance: float | None,
                 cutoff: float | None = None) -> list[Plan]:
    """The k next-best distinct on/off sets, each solved to its best spends and verified,
    sorted best first, each within ``tolerance`` of ``best`` (relative; None: no limit).

    Over periods an on/off set is the set of channels used in some period.
    Each found set is excluded by a no-good cut and the MILP re-solved, so the i-th
    solve finds the best mix not yet listed: with k above the number of feasible mixes,
    the list ends when the cut model becomes infeasible.  ``cutoff`` (the model's objective): no
    mix worse than this is wanted, so a search that can find none stops early."""
    if k <= 0 or not best.solved:
        return []
    # no tie-break pass: it would more than double each re-solve, and the objective it keeps
    # is the first pass's; each alternative's spends are its verified plan's
    scenario = scenario.model_copy(
        update={"current": None, "objective": scenario.objective.model_copy(update={"tie_break": False})})
    f = formulate(scenario, worlds=False)
    indicators = used(f)
    found: list[Plan] = []
    seen = {c.id: c.on for c in best.channels}
    # a known plan's neighbourhood (restarts off, see channelmix.solve.warm.RESTARTS) with no start: the cut
    # excludes the last plan; with a cutoff no start at all, without one the solver's own (a horizon's)
    warm = Warm(None if cutoff is None else {}, cutoff=cutoff)
    for i in range(k):
        cut(f, indicators, seen, f"no_good_{i}")
        plan, _ = solve_formulated(scenario, f, diagnose=False, start=warm)
        if not plan.solved or not within(scenario, best.value, plan.value, tolerance):
            break
        found.append(plan)
        seen = {c.id: c.on for c in plan.channels}
    return sorted(found, key=lambda p: -p.value if scenario.objective.maximises else p.value)


def tie_tolerance(scenario: Scenario, a: float, b: float) -> float:
    """Differences below this are ties: the solver's relative gap, or a hair for gap 0."""
    scale = max(abs(a), abs(b), 1.0)
    return max(scenario.solver.gap * scale, 1e-6 * scale)
