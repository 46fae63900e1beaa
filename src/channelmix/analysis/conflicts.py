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

from dataclasses import dataclass

from ..formulate import Formulation
from ..formulate.rows import Row, drop, elastic, feasibility, force, restore, unbudgeted
from ..model.facts import Rule
from ..schema.models import Scenario, SolverSettings
from ..solve.passes import feasible, run
from ..solve.pipeline import solve_from
from .limits import LE, Limit, limit_of, with_limit

# ---------------------------------------------------------------- a minimal conflict and its repairs

# the hard rules a person set, by constraint name (the rest define the model)
_HARD = ("budget", "resource_", "target_", "breadth_", "concentration_", "group_", "cardinality_", "requires_",
         "excludes_", "reach_level", "onoff_min_")


@dataclass(frozen=True)
class Repair:
    """The smallest change of one limit that, alone, makes the scenario feasible (the reports
    say it: "the budget must be at least 5,320")."""

    rule: Rule  # the rule to change
    name: str  # its constraint name
    limit: Limit | None  # the numeric limit it sets (None: a logic rule, which can only be dropped)
    to: float | None  # the new limit (None: the rule cannot be repaired by moving a number)
    verified: bool  # the scenario with this change solved to a plan that passed the verifier


@dataclass(frozen=True)
class Conflict:
    """A minimal set of rules that cannot all hold: drop any one and the rest can."""

    rules: list[Rule]
    names: list[str]  # constraint (or force_on:/force_off:) names, for tests and tools
    repairs: list[Repair]
    minimal: bool = True


class Switchboard:
    """A feasibility model whose hard rules can be switched off and on again."""

    def __init__(self, scenario: Scenario, time_limit: float) -> None:
        self.f = feasibility(unbudgeted(scenario))
        self.time_limit = time_limit
        self.settings = scenario.solver.model_copy(update={"name": "highs"})
        self.saved: dict[str, Row] = {}
        names = [c.name for c in self.f.problem.constraints()]
        self.rules = {n: self.f.rules[n] for n in names if n.startswith(_HARD) and not self.f.rules[n].soft}
        rules = scenario.rules
        if scenario.kind == "periods":
            return  # force_on/force_off stay in place over periods (see the module docstring)
        for cid in rules.force_on:
            self.rules[f"force_on:{cid}"] = Rule(f"force_on:{cid}", "force_on", channel=cid)
        for cid in rules.force_off:
            self.rules[f"force_off:{cid}"] = Rule(f"force_off:{cid}", "force_off", channel=cid)

    def switch(self, name: str, on: bool) -> None:
        """Rule ``name`` kept (``on``) or dropped."""
        if name.startswith(("force_on:", "force_off:")):
            force(self.f, name.split(":", 1)[1], name.startswith("force_on") if on else None)
        elif on:
            restore(self.f, self.saved.pop(name))
        else:
            self.saved[name] = drop(self.f, name)

    def feasible(self) -> bool:
        return feasible(self.f, self.settings, self.time_limit)


def conflict(scenario: Scenario, time_limit: float = 10.0) -> Conflict | None:
    """A minimal conflicting set of individual hard rules (:func:`minimal_conflict`) and the
    repair of each. None when the scenario is feasible, or infeasible without any of the rules."""
    found = minimal_conflict(scenario, time_limit)
    if found is None:
        return None
    return Conflict(found.rules, found.names, [repair(scenario, rule, time_limit) for rule in found.rules])


def minimal_conflict(scenario: Scenario, time_limit: float = 10.0) -> Conflict | None:
    """A minimal conflicting set of individual hard rules, by a deletion filter: each rule
    is dropped in turn and stays dropped if the rest are still infeasible; what is left
    conflicts, and dropping any one of it makes the rest feasible. None when the scenario
    is feasible, or infeasible without any of the rules (which would be a bug).  No repairs
    yet: each is a re-solve of its own (:func:`repair`)."""
    board = Switchboard(scenario, time_limit)
    if board.feasible():
        return None
    names = list(board.rules)
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
    return Conflict([board.rules[n] for n in kept], kept, [])


def repair(scenario: Scenario, rule: Rule, time_limit: float = 10.0) -> Repair:
    """The smallest move of one limit that restores feasibility, every other rule kept, then
    checked by solving the scenario with the limit moved: an elastic re-solve minimising the
    limit's violation, or for a share rule (not a right-hand side) a bisection on the share.
    Logic rules (requires, excludes, force) can only be dropped."""
    name = rule.row
    limit = limit_of(scenario, name)
    if limit is None:
        return Repair(rule, name, None, None, False)
    exact = scenario.solver.model_copy(update={"name": "highs", "gap": 0.0})
    if limit.kind in ("group_share", "concentration"):
        to = _bisect(scenario, limit, exact, time_limit)
    else:
        to = _elastic(scenario, limit, exact, time_limit)
    if to is None:
        return Repair(rule, name, limit, None, False)
    moved = with_limit(scenario.model_copy(update={"current": None}), limit, to)
    plan = solve_from(moved, diagnose=False)[0]
    return Repair(rule, name, limit, to, plan.solved and plan.verified)


def _elastic(scenario: Scenario, limit: Limit, settings: SolverSettings, time_limit: float) -> float | None:
    """The limit moved by the least violation an elastic re-solve finds (None: it cannot help)."""
    f = unbudgeted(scenario)
    e = elastic(f, _members(scenario, f, limit))  # one elastic amount for every row the limit sets (in every period)
    if run(f.problem, settings, time_limit)[0] != "optimal":
        return None
    move = max(e.varValue or 0.0, 0.0)
    move += 1e-7 * max(1.0, abs(limit.value))  # a hair past the boundary, so the plan holds on the real curves
    to = limit.loosened(move)
    if limit.integer:
        to = float(round(to)) if abs(to - round(to)) < 1e-6 else float(int(to) + (1 if limit.bound == LE else 0))
    return to


def _members(scenario: Scenario, f: Formulation, limit: Limit) -> list[str]:
    """The rows a limit sets: its own (its cells), or over periods its rows in every period."""
    if scenario.kind != "periods":
        return list(limit.names)
    return [c.name for c in f.problem.constraints() if (moved := limit_of(scenario, c.name)) is not None
            and moved.identity == limit.identity]


def _bisect(scenario: Scenario, limit: Limit, settings: SolverSettings, time_limit: float,
            steps: int = 30) -> float | None:
    """A share limit moved as little as feasibility needs: bisection between the limit and
    its loosest value (0 or 1), each step a feasibility solve (None: even that fails)."""
    def holds(value: float) -> bool:
        return feasible(feasibility(unbudgeted(with_limit(scenario, limit, value))), settings, time_limit)

    tight, loose = limit.value, limit.loosened(1.0)
    if not holds(loose):
        return None
    for _ in range(steps):
        middle = (tight + loose) / 2
        tight, loose = (tight, middle) if holds(middle) else (middle, loose)
    # a hair (1e-7) past the boundary as the elastic repair has it: the solver holds a share row to 1e-9 of its size
    hair = 1e-7 if limit.loosens_up else -1e-7
    return min(max(loose + hair, 0.0), 1.0)
