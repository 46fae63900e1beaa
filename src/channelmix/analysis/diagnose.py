"""Why is a scenario infeasible, rule by rule: a minimal set of individual rules that
conflict (a deletion filter) and, for each numeric limit in it, the smallest change that
restores feasibility (an elastic re-solve), checked by solving the moved scenario through
the verified pipeline.  (Which whole families of rules are to blame is
:mod:`channelmix.solve.diagnosis`.)

Over periods the rules are the rows of every period (a period's budget, a cell's target
in one month); a repair moves the scenario's limit, so in every period at once.
force_on/force_off are not switched over periods (they fix a channel in some periods
only): a conflict that needs them is not reported, the families above still are."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pulp

from ..formulate.builder import formulate
from ..formulate.periods import formulate_periods
from ..model.solution import SOLVED
from ..schema.models import Scenario
from ..solve.passes import _run as run_solver
from .limits import LE, limit_of, with_limit

# ---------------------------------------------------------------- a minimal conflict and its repairs

# the hard rules a person set, by constraint name (the rest define the model)
_HARD = ("budget", "resource_", "target_", "breadth_", "concentration_", "group_", "cardinality_", "requires_",
         "excludes_", "reach_level", "onoff_min_")


@dataclass(frozen=True)
class Repair:
    """The smallest change of one limit that, alone, makes the scenario feasible."""

    rule: str  # the limit in words
    name: str  # its constraint name
    change: str  # in words: "the budget must be at least 5,320"
    to: float | None  # the new limit (None: the rule cannot be repaired by moving a number)
    verified: bool  # the scenario with this change solved to a plan that passed the verifier


@dataclass(frozen=True)
class Conflict:
    """A minimal set of rules that cannot all hold: drop any one and the rest can."""

    rules: list[str]  # in words
    names: list[str]  # constraint (or force_on:/force_off:) names, for tests and tools
    repairs: list[Repair]
    minimal: bool = True


def _unbudgeted(scenario: Scenario):
    """The MILP with the budget as one constraint only. A channel without max_spend is
    otherwise capped at the budget too, so that dropping or moving the budget would leave
    its copy in place; here such caps come from the curves, as without a budget."""
    if scenario.periods is not None:  # the total and each period's money are rows of their own already
        return formulate_periods(scenario)
    f = formulate(scenario.model_copy(update={"budget": None}))
    if scenario.budget is not None:
        f.problem.addConstraint(pulp.LpConstraint(f.parts["cost"], pulp.LpConstraintLE, name="budget", rhs=scenario.budget))
        f.rules["budget"] = f"money spent ≤ budget {scenario.budget:,.6g}"
    return f


class _Switchboard:
    """A feasibility model whose hard rules can be switched off and on again."""

    def __init__(self, scenario: Scenario, time_limit: float) -> None:
        self.f = _unbudgeted(scenario)
        self.problem = self.f.problem
        self.problem.setObjective(pulp.LpAffineExpression())
        self.time_limit = time_limit
        self.settings = scenario.solver.model_copy(update={"name": "highs"})
        self.saved: dict[str, pulp.LpConstraint] = {}
        names = [c.name for c in self.problem.constraints()]
        self.words = {n: self.f.rules[n] for n in names if n.startswith(_HARD) and "(soft)" not in self.f.rules[n]}
        rules = scenario.rules
        if scenario.periods is not None:
            return  # force_on/force_off stay in place over periods (see the module docstring)
        for cid in rules.force_on:
            self.words[f"force_on:{cid}"] = f"{cid} forced on"
        for cid in rules.force_off:
            self.words[f"force_off:{cid}"] = f"{cid} forced off"

    def switch(self, name: str, on: bool) -> None:
        if name.startswith(("force_on:", "force_off:")):
            x = self.f.on[name.split(":", 1)[1]]
            x.lowBound, x.upBound = (1, 1) if on and name.startswith("force_on") else (0, 0) if on else (0, 1)
        elif on:  # PuLP 3.3 has no public way to remove a constraint: its own dict, by name
            self.problem._constraints[name] = self.saved.pop(name)
        else:
            self.saved[name] = self.problem._constraints.pop(name)

    def feasible(self) -> bool:
        return run_solver(self.problem, self.settings, self.time_limit)[0] in SOLVED


def conflict(scenario: Scenario, time_limit: float = 10.0) -> Conflict | None:
    """A minimal conflicting set of individual hard rules, by a deletion filter: each rule
    is dropped in turn and stays dropped if the rest are still infeasible; what is left
    conflicts, and dropping any one of it makes the rest feasible. None when the scenario
    is feasible, or infeasible without any of the rules (which would be a bug)."""
    board = _Switchboard(scenario, time_limit)
    if board.feasible():
        return None
    names = list(board.words)
    for name in names:
        board.switch(name, False)
    if not board.feasible():
        return None
    for name in names:
        board.switch(name, True)
    kept = []
    for name in names:
        board.switch(name, False)
        if board.feasible():
            board.switch(name, True)
            kept.append(name)
    return Conflict([board.words[n] for n in kept], kept, [repair(scenario, n, board.words[n], time_limit) for n in kept])


def repair(scenario: Scenario, name: str, words: str, time_limit: float = 10.0) -> Repair:
    """The smallest move of one limit that restores feasibility, every other rule kept, then
    checked by solving the scenario with the limit moved: an elastic re-solve minimising the
    limit's violation, or for a share rule (not a right-hand side) a bisection on the share.
    Logic rules (requires, excludes, force) can only be dropped."""
    limit = limit_of(scenario, name)
    if limit is None:
        return Repair(words, name, f"drop or change: {words}", None, False)
    exact = scenario.solver.model_copy(update={"name": "highs", "gap": 0.0})
    if limit.kind in ("group_share", "concentration"):
        to = _bisect(scenario, limit, exact, time_limit)
    else:
        to = _elastic(scenario, limit, exact, time_limit)
    if to is None:
        return Repair(words, name, f"moving this limit alone cannot help: {words}", None, False)
    from ..solve.pipeline import (
        solve_from,  # api reports infeasibility through this module
    )

    moved = with_limit(scenario.model_copy(update={"current": None}), limit, to)
    plan = solve_from(moved, diagnose=False)[0]
    word = "at least" if limit.bound == LE else "at most"
    return Repair(words, name, f"{limit.rule} must be {word} {_outward(to, limit.bound == LE, limit.integer)}", to,
                  plan.solved and plan.verified)


def _outward(value: float, up: bool, integer: bool) -> str:
    """A limit as a person reads it, rounded away from infeasibility (up for 'at least')."""
    digits = 0 if integer or abs(value) >= 100 else 3 - math.floor(math.log10(abs(value))) if value else 0
    scale = 10.0 ** digits
    # the repair is a hair (1e-7, relative) past the boundary: not worth a digit of its own
    rounded = (math.ceil(value * scale * (1 - 1e-6)) if up else math.floor(value * scale * (1 + 1e-6))) / scale
    return f"{rounded:,.{max(digits, 0)}f}".rstrip("0").rstrip(".") if digits > 0 else f"{rounded:,.0f}"


def _elastic(scenario: Scenario, limit, settings, time_limit: float) -> float | None:
    """The limit moved by the least violation an elastic re-solve finds (None: it cannot help)."""
    problem = _unbudgeted(scenario).problem
    e = problem.add_variable("elastic", 0)
    members = limit.names if scenario.periods is None else \
        [c.name for c in problem.constraints() if (moved := limit_of(scenario, c.name)) is not None and moved.rule == limit.rule]
    for member in members:  # one elastic amount for every constraint the limit sets (in every period)
        c = problem.get_constraint_by_name(member)
        if c is None:
            continue
        terms = dict(c.items())
        terms[e] = terms.get(e, 0.0) + (-1.0 if c.sense == pulp.LpConstraintLE else 1.0)
        # replaced in place (PuLP 3.3 has no public way), so the constraint keeps its name and order
        problem._constraints[member] = pulp.LpConstraint(pulp.LpAffineExpression(terms), c.sense, name=member, rhs=-c.constant)
    problem.setObjective(pulp.LpAffineExpression({e: 1.0}))
    problem.sense = pulp.LpMinimize
    if run_solver(problem, settings, time_limit)[0] != "optimal":
        return None
    move = max(e.varValue or 0.0, 0.0)
    move += 1e-7 * max(1.0, abs(limit.value))  # a hair past the boundary, so the plan holds on the real curves
    to = limit.loosened(move)
    if limit.integer:
        to = float(round(to)) if abs(to - round(to)) < 1e-6 else float(int(to) + (1 if limit.bound == LE else 0))
    return to


def _bisect(scenario: Scenario, limit, settings, time_limit: float, steps: int = 30) -> float | None:
    """A share limit moved as little as feasibility needs: bisection between the limit and
    its loosest value (0 or 1), each step a feasibility solve (None: even that fails)."""
    def feasible(value: float) -> bool:
        f = _unbudgeted(with_limit(scenario, limit, value))
        f.problem.setObjective(pulp.LpAffineExpression())
        return run_solver(f.problem, settings, time_limit)[0] in SOLVED

    tight, loose = limit.value, limit.loosened(1.0)
    if not feasible(loose):
        return None
    for _ in range(steps):
        middle = (tight + loose) / 2
        tight, loose = (tight, middle) if feasible(middle) else (middle, loose)
    return loose
