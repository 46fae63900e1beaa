"""The deadline covers the tie-break pass, and a robust model starts from the risk-neutral plan,
is built by its deadline, and falls back on that plan, judged in every world, when it gives none.

The clock is faked (a first pass that "took" 100 s) or the deadline set in the past, so
nothing here depends on how busy the machine is."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

import channelmix.solve.passes as solve_module
import channelmix.solve.pipeline as api_module
from channelmix.formulate import formulate
from channelmix.formulate.worlds import BuildStopped, formulate_worlds
from channelmix.reports.wording import plan_message, plan_warnings
from channelmix.schema import load as load_file
from channelmix.solve.pipeline import solve_scenario
from channelmix.solve.solvers import PartialStart
from channelmix.solve.worlds_start import neutral_solution, partial_start
from channelmix.verify.verifier import verify
from helpers import load
from test_worlds import uncertain

BAKERY = Path(__file__).parents[1] / "scenarios" / "township-bakery.yaml"


class _Clock:
    """time.perf_counter plus an offset the test moves forward (the solver's run is real)."""

    offset = 0.0

    @classmethod
    def perf_counter(cls) -> float:
        return time.perf_counter() + cls.offset


def _first_pass_takes(monkeypatch, seconds: float) -> None:
    """The first pass appears to take ``seconds`` more than it does; the tie-break pass is not slowed."""
    _Clock.offset = 0.0
    monkeypatch.setattr(solve_module, "time", _Clock)
    real_run, calls = solve_module.run, []

    def run(*args, **kwargs):
        out = real_run(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            _Clock.offset += seconds
        return out

    monkeypatch.setattr(solve_module, "run", run)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_tie_break_skipped_when_less_than_a_quarter_of_the_first_pass_is_left(monkeypatch, solver):
    """100 s first pass, 10 s left before the deadline: the second pass is not started."""
    sc = load_file(BAKERY).scenario
    sc = sc.model_copy(update={"solver": sc.solver.model_copy(update={"name": solver})})
    formulation = formulate(sc)
    _first_pass_takes(monkeypatch, 100.0)
    solution = solve_module.solve(formulation, deadline=_Clock.perf_counter() + 110.0)
    assert solution.status == "optimal" and solution.passes == 1
    assert solution.tie_break == "skipped: too little of the time limit left"


def test_tie_break_runs_in_what_is_left_when_that_is_enough(monkeypatch):
    """100 s first pass, about 100 s left: the pass runs, with no more than what is left."""
    formulation = formulate(load_file(BAKERY).scenario)
    _first_pass_takes(monkeypatch, 100.0)
    solution = solve_module.solve(formulation, deadline=_Clock.perf_counter() + 200.0)
    assert solution.tie_break == "done" and solution.passes == 2
    option = formulation.problem.solverModel.getOptionValue("time_limit")
    limit = option[1] if isinstance(option, tuple) else option
    assert limit <= 100.0


def test_a_skipped_tie_break_still_gives_a_verified_plan_that_says_so(monkeypatch):
    sc = load_file(BAKERY).scenario
    # past the deadline: the first pass still returned optimal
    _first_pass_takes(monkeypatch, 10 * sc.solver.time_limit)
    plan = solve_scenario(sc)
    assert plan.solved and plan.verified and not verify(sc, plan)
    assert any(w.startswith("tie-break skipped: too little of the time limit left") for w in plan_warnings(plan))


def test_the_neutral_start_names_the_robust_models_decisions_at_the_risk_neutral_plan():
    d = uncertain("cvar")
    sc = load(d)
    robust = formulate_worlds(sc)
    start = partial_start(robust, neutral_solution(sc, time.perf_counter() + 60.0)[0])
    assert isinstance(start, PartialStart)
    assert set(start) == {x.name for x in robust.on.values()} | {s.name for s in robust.spend.values()}
    d["objective"].pop("risk")
    neutral = solve_scenario(load(d))  # the plain plan: no risk, tie_break off as in the file
    for c in neutral.channels:
        assert start[robust.on[c.id].name] == (1.0 if c.on else 0.0)
        if c.id in robust.spend:
            assert start[robust.spend[c.id].name] == pytest.approx(c.spend, abs=1e-6)


def test_no_neutral_start_when_the_deadline_is_spent():
    sc = load(uncertain("cvar"))
    assert neutral_solution(sc, time.perf_counter()) is None


def test_a_partial_start_hands_highs_only_the_named_columns(monkeypatch):
    """PartialStart: HiGHS gets the named columns and completes the rest; a plain start sets every column."""
    import channelmix.solve.solvers as solvers

    given = []

    class Spy(solvers._quiet_class()):  # silent, as channelmix's own Highs
        def setSolution(self, *args):
            given.append(args[0])
            return super().setSolution(*args)

    def quiet():
        h = Spy()
        h.setOptionValue("output_flag", False)
        return h


    monkeypatch.setattr(solvers, "quiet_highs", quiet)
    sc = load(uncertain("cvar"))
    robust = formulate_worlds(sc)
    start = partial_start(robust, neutral_solution(sc, time.perf_counter() + 60.0)[0])
    columns = len(robust.problem.variables())
    solution = solve_module.solve(robust, start=start)
    assert given[0] == len(start) < columns
    assert solution.status == "optimal"
    plain = solve_module.solve(formulate_worlds(sc), start=dict(start))
    assert given[-1] == columns and plain.status == "optimal"
    assert plain.model_objective == pytest.approx(solution.model_objective, rel=1e-6)


def test_robust_plan_with_the_warm_start_is_the_robust_optimum():
    """The start is only an incumbent: the cvar plan is the one the model proves optimal, checked world by world."""
    sc = load(uncertain("cvar"))
    plan = solve_scenario(sc)
    cold = solve_module.solve(formulate_worlds(sc))
    assert plan.verified and plan.status == "optimal"
    assert plan.risk is not None
    assert {c.id: c.on for c in plan.channels} == cold.on


def test_the_wall_clock_interrupts_highs_past_the_deadline(monkeypatch):
    """HiGHS's own clock leaves out the MIP that completes a partial start; a MIP-interrupt
    callback on the wall clock stops the search at the deadline too. Here the clock jumps past
    the deadline as soon as the run starts: HiGHS is interrupted and the solve says so."""
    import highspy

    import channelmix.solve.solvers as solvers

    class Jumping:
        calls = 0

        @classmethod
        def perf_counter(cls) -> float:
            cls.calls += 1
            return time.perf_counter() + (0.0 if cls.calls <= 2 else 1e6)  # the deadline and HiGHS's own limit: 60 s

    monkeypatch.setattr(solvers, "time", Jumping)
    formulation = formulate(load_file(BAKERY).scenario)
    status, _, _ = solvers.run_highs(formulation.problem, formulation.scenario.solver, 60.0)
    assert formulation.problem.solverModel.getModelStatus() == highspy.HighsModelStatus.kInterrupt
    assert status in ("feasible", "no_solution")


def test_building_a_robust_model_stops_at_its_deadline():
    """The rows grow with worlds × curves × pieces (a 1,000-world CVaR of the bakery: a million rows,
    34 s to build of a 20 s limit): past its deadline the build stops between a channel and the next."""
    sc = load(uncertain("cvar", count=30))
    with pytest.raises(BuildStopped) as stopped:
        formulate_worlds(sc, deadline=time.perf_counter() - 1.0)
    assert "building the robust model was stopped after" in str(stopped.value) and "of 30 worlds" in str(stopped.value)
    assert formulate_worlds(sc, deadline=time.perf_counter() + 600.0).worlds  # in time: built as before


def _build_never_in_time(monkeypatch) -> None:
    monkeypatch.setattr(api_module, "BUILD_SHARE", 0.0)  # the build's deadline is the start: it stops at once


def test_a_robust_model_not_built_in_time_gives_the_neutral_plan_judged_in_every_world(monkeypatch):
    d = uncertain("cvar", count=12)
    _build_never_in_time(monkeypatch)
    plan = solve_scenario(load(d))
    assert plan.status == "feasible" and plan.verified and plan.gap is None and plan.model_objective is None
    assert plan_message(plan).startswith("building the robust model was stopped after")
    assert "this is the risk-neutral plan judged in every world, not chosen for cvar" in plan_warnings(plan)[-1]
    assert plan.risk["worlds"] == 12 and plan.risk["rules_hold"] == 12
    d["objective"].pop("risk")
    neutral = solve_scenario(load(d))
    assert {c.id: c.on for c in plan.channels} == {c.id: c.on for c in neutral.channels}
    assert plan.objective == pytest.approx(neutral.objective, rel=1e-9)
    # the same plan judged in the same worlds
    assert plan.risk["mean"] == pytest.approx(neutral.risk["mean"], rel=1e-12)


def test_no_plan_when_the_neutral_plan_breaks_a_hard_rule_in_some_world(monkeypatch):
    """A robust plan must keep every hard rule in every world; the risk-neutral plan meets a hard
    coverage target as written but not in every world, so there is no plan to give: say why."""
    d = uncertain("cvar", count=12, affinity=0.5, rules={"coverage": {"target": 0.6, "hard": True}})
    _build_never_in_time(monkeypatch)
    plan = solve_scenario(load(d))
    assert plan.status == "no_solution" and not plan.channels
    assert "and the risk-neutral plan breaks a hard rule in" in plan_message(plan)
    assert "of 12 worlds" in plan_message(plan)
    assert "raise solver.time_limit (now 60 s) or use fewer worlds" in plan_message(plan)


def test_a_robust_search_without_a_plan_in_time_falls_back_on_the_neutral_plan(monkeypatch):
    real = api_module.solve_formulated

    def nothing_in_time(scenario, formulation, *args, **kwargs):
        plan, values = real(scenario, formulation, *args, **kwargs)
        return dataclasses.replace(plan, status="no_solution", channels=[], risk=None), {}

    monkeypatch.setattr(api_module, "solve_formulated", nothing_in_time)
    plan = solve_scenario(load(uncertain("cvar", count=6)))
    assert plan.status == "feasible" and plan.verified and plan_message(plan).startswith("no robust plan was found in "
                                                                                         "time")
    assert plan.risk["worlds"] == 6
