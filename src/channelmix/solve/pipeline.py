"""The verified pipeline: formulate → solve → polish → fill the plan → verify
(docs/architecture.md, "Stages").  What the CLI, the analyses and the library's
``channelmix.solve_scenario`` run; no plan leaves it unverified."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core.tolerances import tie_slack
from ..formulate import Formulation, PeriodsFormulation, WorldsFormulation, formulate
from ..formulate.worlds import BuildStopped, formulate_worlds
from ..model.facts import Note
from ..model.solution import SOLVED, Solution
from ..model.worlds import worlds_of
from ..schema import Loaded, Scenario, load
from ..verify.baseline import better_by, compare
from ..verify.binding import rebind
from ..verify.certify import CertificateError, ModelCurves, Rival, certify_infeasible, certify_optimal, free_rivals
from ..verify.plan import Plan, build_plan
from ..verify.risk import check_worlds
from ..verify.verifier import check
from .diagnosis import diagnosis
from .passes import FIXED_ON_OFF, recheck_infeasible, solve
from .polish import polish
from .warm import Warm
from .worlds_start import BUILD_SHARE, RESERVE, neutral_fallback, neutral_solution, partial_start


def with_solver(scenario: Scenario, **settings: Any) -> Scenario:
    """The scenario with some solver settings replaced (None leaves one as it is)."""
    changes = {k: v for k, v in settings.items() if v is not None}
    if not changes:
        return scenario
    return scenario.model_copy(update={"solver": scenario.solver.model_copy(update=changes)})


def solve_scenario(scenario: Scenario, warnings: list[str] | None = None) -> Plan:
    """Formulate, solve, recompute and verify one scenario.

    Returns a verified plan, or (infeasible, no solution) a plan with a status and, when
    infeasible, the :class:`~channelmix.model.facts.Diagnosis` of why (the reports word it);
    raises :class:`~channelmix.verify.verifier.VerificationError` on a bug.
    """
    return solve_from(scenario, warnings)[0]


def solve_from(scenario: Scenario, warnings: list[str] | None = None,
               start: dict[str, float] | Warm | None = None, diagnose: bool = True,
               near: dict[str, bool] | None = None) -> tuple[Plan, dict[str, float]]:
    """:func:`solve_scenario`, warm-started from ``start`` (a neighbour's values, or a
    :class:`~channelmix.solve.warm.Warm` start with its cutoff and target); also returns the solver's
    values, to warm-start a neighbouring scenario (the next step of a sweep).
    ``diagnose=False`` skips saying why an infeasible scenario is (several more solves).
    ``near`` (channel -> on): among equal optima, prefer the fewest on/off changes from it."""
    began = time.perf_counter()
    deadline = began + scenario.solver.time_limit  # the time limit covers formulate, both passes and the polish
    if scenario.kind == "robust":
        return _solve_robust(scenario, warnings, start, diagnose, near, began)
    formulation = formulate(scenario)
    first = start.start(formulation) if isinstance(start, Warm) else start
    given = [] if not first else [_decoded(formulation, first, "the warm start")]
    return solve_formulated(scenario, formulation, time.perf_counter() - began, warnings, start, diagnose, deadline,
                            near, sets=True, rivals=free_rivals(scenario, given))


def _solve_robust(scenario: Scenario, warnings: list[str] | None, start: dict[str, float] | Warm | None,
                  diagnose: bool,
                  near: dict[str, bool] | None, began: float) -> tuple[Plan, dict[str, float]]:
    """:func:`solve_from` for a risk objective over worlds, within the time limit (see
    :mod:`channelmix.solve.worlds_start`): the risk-neutral plan first (the search's first
    incumbent), the robust model built by its deadline, and that plan, judged in every world,
    when the robust model gives none in time."""
    deadline = began + scenario.solver.time_limit
    worlds = worlds_of(scenario)
    neutral = neutral_solution(scenario, deadline) if start is None else None
    building = time.perf_counter()
    try:
        formulation = formulate_worlds(scenario, worlds, deadline=began + BUILD_SHARE * scenario.solver.time_limit)
    except BuildStopped as stopped:
        why = Note("neutral_fallback", "build", seconds=stopped.seconds, stage=stopped.stage, counts=stopped.counts)
        return neutral_fallback(scenario, worlds, neutral, why, began, warnings), {}
    start = start.start(formulation) if isinstance(start, Warm) else start
    given = [] if start is None else [_decoded(formulation, start, "the warm start")]
    if neutral is not None:
        start = partial_start(formulation, neutral[0])
        given = [_decoded(formulation, start, "the risk-neutral plan")]
    # what HiGHS does not let the clock stop (completing the partial start: an LP of the whole model; a sub-MIP
    # heuristic that misses the interrupt) and the checks in every world grow with the model as its build did:
    # the search stops early by twice the build (200 worlds: 3 s to build, 6 s past the limit without this)
    search_until = max(deadline - RESERVE * (time.perf_counter() - building), time.perf_counter())
    plan, values = solve_formulated(scenario, formulation, time.perf_counter() - began, warnings, start, diagnose,
                                    search_until, near, sets=True, rivals=free_rivals(scenario, given))
    if plan.status == "no_solution" and neutral is not None:
        why = Note("neutral_fallback", "search")
        return neutral_fallback(scenario, worlds, neutral, why, began, warnings), {}
    return _idle_off(scenario, formulation, plan, values, warnings, search_until, near)


def _idle_off(scenario: Scenario, formulation: Formulation, plan: Plan, values: dict[str, float],
              warnings: list[str] | None, deadline: float,
              near: dict[str, bool] | None) -> tuple[Plan, dict[str, float]]:
    """A robust plan without the channels it runs with no spend, no fixed cost and no reach, when
    the worlds model, re-solved with them off and started from the plan without them, is as good on
    its risk figure (within the tie-break's slack): it keeps the plan's own bound and gap, which the
    narrower model cannot prove.  The tie-break's weight per channel on (``IDLE_WEIGHT`` of the money)
    lies below the solver's relative gap when every tied plan spends the whole budget, and robust
    plans have no polish whose neighbouring sets would switch such a channel off: "Run 4 channels:
    … Channel3 0" (issue 22's robust repro, worst case)."""
    idle = next((note.channels for note in plan.notes if note.kind == "idle_channels"), ())
    if not plan.solved or not idle or plan.risk is None or time.perf_counter() >= deadline:
        return plan, values
    switches = [formulation.on[cid] for cid in idle]
    bounds = [x.upBound for x in switches]
    start = {**values, **{x.name: 0.0 for x in switches}}
    try:
        for x in switches:
            x.upBound = 0
        quieter, quieter_values = solve_formulated(scenario, formulation, 0.0, warnings, Warm(start), False, deadline,
                                                   near, sets=True)  # a known plan's re-solve: warm.RESTARTS
    finally:
        for x, bound in zip(switches, bounds):
            x.upBound = bound
    risk = str(plan.risk["risk"])  # the measure the plan was judged by
    if not quieter.solved or quieter.risk is None or \
            better_by(scenario, quieter.risk[risk], plan.risk[risk]) < -tie_slack(plan.risk[risk]):
        return plan, values
    return replace(quieter, bound=plan.bound, gap=plan.gap, tie_slack=plan.tie_slack), quieter_values


def solve_formulated(scenario: Scenario, formulation: Formulation, built: float = 0.0,
                     warnings: list[str] | None = None, start: dict[str, float] | Warm | None = None,
                     diagnose: bool = True,
                     deadline: float | None = None, near: dict[str, bool] | None = None,
                     sets: bool = False, rivals: list[Rival] | None = None) -> tuple[Plan, dict[str, float]]:
    """:func:`solve_from` for a formulation already built (and perhaps extended, e.g. by the
    no-good cuts of :func:`channelmix.analysis.alternatives.alternatives`).  ``deadline`` (a
    ``time.perf_counter()`` instant) bounds both passes and the polish; by default the
    scenario's time limit from now.  ``sets``: the polish may also try neighbouring on/off sets
    (the model is the scenario's own, with no cuts on its on/off choice).  ``rivals``: plans the
    model could take (it has no cuts), which certify its "optimal" or "infeasible"
    (:mod:`channelmix.verify.certify`)."""
    began = time.perf_counter() - built
    if deadline is None:
        deadline = began + scenario.solver.time_limit
    if isinstance(start, Warm):
        solution = solve(formulation, start=start.start(formulation), deadline=deadline, near=near,
                         cutoff=start.cutoff, target=start.target, restarts=start.restarts)
    else:
        solution = solve(formulation, start=start, deadline=deadline, near=near)
    curves = _model_curves(formulation)
    if solution.status == "infeasible":
        solution = _confirmed(scenario, formulation, solution, rivals, curves, deadline)
    robust = formulation if isinstance(formulation, WorldsFormulation) else None
    promised = robust.world_values() if robust is not None and solution.status in SOLVED else None
    # the model's value is a risk figure over the worlds, checked world by world below, not against the scenario alone
    if robust is not None:
        solution = replace(solution, model_objective=None)
    notes = _tie_break_notes(solution.tie_break, scenario.objective.maximises)
    gain = 0.0
    if solution.status in SOLVED and robust is None:  # the polish improves the scenario as written, not the risk figure
        polished = polish(scenario, solution.on, solution.spend, deadline - time.perf_counter(), sets=sets)
        if polished.note:  # the horizon polish did not run in full: say so
            notes.append(polished.note)
        # the rules that bind at the polished spends, not the MILP's
        if polished.gain > 0 and polished.truth is not None:
            binding = rebind(scenario, formulation.rules, solution.binding_names, formulation.caps, polished.truth)
            solution, gain = (replace(solution, on=polished.on or solution.on, spend=polished.spend, binding=binding),
                              polished.gain)
        elif polished.gain > 0:  # over periods: the binding rows stay the MILP's
            solution, gain = replace(solution, spend=polished.spend), polished.gain
    curve_error = max((p.max_error for p in formulation.curve_pieces.values()), default=0.0)
    plan = build_plan(scenario, solution, curve_error=curve_error, approximation_bound=formulation.approximation_bound,
                      build_seconds=built, warnings=warnings, notes=notes)
    plan = replace(plan, polish_gain=gain, solver_seconds=solution.solver_seconds,
                   outside_solver_seconds=time.perf_counter() - began - solution.solver_seconds)
    if scenario.current is not None:  # over periods: today's spend kept up in every period
        plan = replace(plan, baseline=compare(scenario, plan))
    if solution.status == "infeasible" and diagnose:
        return replace(plan, diagnosis=diagnosis(scenario, plan.warnings, curves)), {}
    if not plan.solved:
        return plan, {}
    plan = check(scenario, plan)
    if scenario.worlds is not None:
        plan = check_worlds(scenario, plan, promised, robust.worlds if robust is not None else None)
    if rivals is not None:
        certify_optimal(scenario, plan, rivals, curves)
    return _unbounded_note(scenario, plan, formulation), solution.values


def _unbounded_note(scenario: Scenario, plan: Plan, formulation: Formulation) -> Plan:
    """Without an approximation bound the verifier cannot hold the plan's worth to the MILP's
    optimum: when they differ by more than the gap and the pieces' accuracy explain, a note says
    why (hard targets judged on the pieces)."""
    if plan.approximation_bound is not None or plan.model_objective is None:
        return plan
    model, sign = plan.model_objective, 1.0 if scenario.objective.maximises else -1.0
    gap = plan.gap if plan.gap is not None else scenario.solver.gap
    explained = gap * abs(model) + formulation.understated + plan.tie_slack + 1e-6 * abs(model)
    if sign * (plan.value - model) <= explained:
        return plan
    note = Note("unbounded", worth=plan.value, optimum=model, understated=formulation.understated)
    return replace(plan, notes=[*plan.notes, note])


def _confirmed(scenario: Scenario, formulation: Formulation, solution: Solution, rivals: list[Rival] | None,
               curves: ModelCurves, deadline: float) -> Solution:
    """An "infeasible" from the solver, confirmed before it is reported: no plan the pipeline
    has keeps the model's rules, and a second look in the solver's units (the LP relaxation,
    else the model without an objective) finds none either; "no_solution" when that second
    look runs out of time. Raises :class:`CertificateError` when either finds a plan."""
    certify_infeasible(scenario, rivals or [], curves)
    how = recheck_infeasible(formulation, max(deadline - time.perf_counter(), 1.0))
    if how == "found":
        raise CertificateError(f"scenario '{scenario.scenario}' is not infeasible (a channelmix bug, please report "
                               "it): the solver found no plan, but a second solve of the same model without its "
                               "objective found one")
    return solution if how in ("relaxation", "feasibility") else replace(solution, status="no_solution")


def _model_curves(formulation: Formulation) -> ModelCurves:
    """The curve pieces the MILP optimised on, as :mod:`channelmix.verify.certify` reads them."""
    if isinstance(formulation, WorldsFormulation):
        return ModelCurves(worlds=formulation.worlds, world_pieces=formulation.world_pieces)
    if isinstance(formulation, PeriodsFormulation):
        H = formulation.horizon
        assert H is not None
        found = formulation.curve_pieces
        return ModelCurves({(c.id, p): found[f"{c.id}@{p}"] for c in H.scenario.channels for p in H.ids
                            if f"{c.id}@{p}" in found})
    return ModelCurves(dict(formulation.curve_pieces))


def _decoded(formulation: Formulation, start: dict[str, float], name: str) -> Rival:
    """A starting solution (variable name -> value) as the plan it stands for."""
    on = {key: start.get(x.name, 0.0) > 0.5 for key, x in formulation.on.items()}
    spend = {key: max(start.get(formulation.spend[key].name, 0.0), 0.0) if on[key] and key in formulation.spend
             else 0.0 for key in formulation.on}
    return Rival(name, on, spend)


def _tie_break_notes(tie_break: str, maximises: bool) -> list[Note]:
    """What the plan says about a tie-break pass that stopped short or ran among the first plan's channels."""
    if tie_break.startswith(("node limit", "time limit", "skipped")):
        return [Note("tie_break", tie_break, maximises)]
    if tie_break == FIXED_ON_OFF:
        return [Note("tie_break_fixed", tie_break, maximises)]
    return []


def solve_file(path: str | Path, **solver_settings: Any) -> Plan:
    """Load, validate and solve one scenario file (raises ScenarioError on bad input)."""
    loaded: Loaded = load(path)
    return solve_scenario(with_solver(loaded.scenario, **solver_settings), loaded.warnings)
