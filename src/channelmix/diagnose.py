"""Why is a scenario infeasible?  Relax one family of hard rules at a time and see
which relaxations alone would make it feasible; find a minimal set of individual rules
that conflict (a deletion filter) and, for each numeric limit in it, the smallest change
that restores feasibility (an elastic re-solve), checked by solving the moved scenario
through the verified pipeline.

Over periods the rules are the rows of every period (a period's budget, a cell's target
in one month); a repair moves the scenario's limit, so in every period at once.
force_on/force_off are not switched over periods (they fix a channel in some periods
only): a conflict that needs them is not reported, the families above still are."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import pulp

from .certify import CertificateError, ModelCurves, Rival, model_value
from .evaluate import evaluate
from .evaluate_periods import evaluate_periods
from .formulate import formulate
from .formulate_periods import formulate_periods
from .limits import LE, limit_of, with_limit
from .plan import SOLVED
from .schema.models import Scenario
from .solve import _run as run_solver
from .solve import solve


def _relaxations(sc: Scenario) -> list[tuple[str, Callable[[Scenario], Scenario]]]:
    rules = sc.rules
    out: list[tuple[str, Callable[[Scenario], Scenario]]] = []

    def rules_update(**changes: Any) -> Callable[[Scenario], Scenario]:
        return lambda s: s.model_copy(update={"rules": s.rules.model_copy(update=changes)})

    if sc.budget is not None:
        out.append((f"the budget ({sc.budget:g})", lambda s: s.model_copy(update={"budget": None})))
    periods = sc.periods
    if periods is not None and (periods.budget is not None or any(p.budget is not None for p in periods.items or [])):
        money = f" ({periods.budget:g})" if periods.budget is not None else ""
        out.append((f"the budget of every period{money}", lambda s: s.model_copy(update={"periods": s.periods.model_copy(update={
            "budget": None, "carry_over": False, "items": [p.model_copy(update={"budget": None}) for p in s.periods.items]
            if s.periods.items is not None else None})})))
    for resource, capacity in sc.resources.items():
        out.append((f"the {resource} limit ({capacity:g})",
                    lambda s, r=resource: s.model_copy(update={"resources": {k: v for k, v in s.resources.items() if k != r}})))
    if any(r.hard for r in rules.coverage):
        out.append(("the hard coverage targets", rules_update(coverage=[r for r in rules.coverage if not r.hard])))
    if any(r.hard and r.min_channels for r in rules.breadth):
        out.append(("the hard breadth rules", rules_update(breadth=[r for r in rules.breadth if not r.hard])))
    if rules.concentration is not None:
        out.append((f"the concentration limit ({rules.concentration.max_share:.0%})", rules_update(concentration=None)))
    if rules.cardinality is not None and (rules.cardinality.min or rules.cardinality.max is not None):
        out.append(("the limits on how many channels run", rules_update(cardinality=rules.cardinality.model_copy(update={"min": 0, "max": None}))))
    for j, group in enumerate(rules.groups):
        out.append((f"the group rule on {group.describe()}", rules_update(groups=[g for k, g in enumerate(rules.groups) if k != j])))
    if rules.requires or rules.excludes:
        out.append(("the requires/excludes rules", rules_update(requires=[], excludes=[])))
    if rules.force_on or rules.force_off:
        out.append(("force_on/force_off", rules_update(force_on=[], force_off=[])))
    for key, words in (("min_periods_on", "the minimum runs"), ("max_switches", "the limits on switches"),
                       ("pacing", "the pacing band"), ("ramp", "the ramp limit")):  # over periods
        if getattr(rules, key) is not None:
            out.append((words, rules_update(**{key: None})))
    if sc.objective.sense == "target":
        out.append((f"the reach level ({sc.objective.level:g})",
                    lambda s: s.model_copy(update={"objective": s.objective.model_copy(update={"level": 0.0})})))
    if sc.objective.outcome_target is not None:
        out.append((f"the outcome target ({sc.objective.outcome_target:g})",
                    lambda s: s.model_copy(update={"objective": s.objective.model_copy(update={"outcome_target": None})})))
    return out


def diagnose(scenario: Scenario, time_limit: float = 10.0, curves: ModelCurves | None = None) -> list[str]:
    """The rule families whose removal alone makes the scenario feasible, each confirmed: the
    re-solve's plan keeps every rule of the relaxed scenario (the verifier's truth) and breaks
    one of the scenario's own. A plan that the scenario's own model could take (``curves``:
    the pieces it was solved on) proves it was not infeasible: :class:`CertificateError`."""
    settings = scenario.solver.model_copy(update={"time_limit": time_limit})
    quick = scenario.model_copy(update={"objective": scenario.objective.model_copy(update={"tie_break": False}), "solver": settings})
    culprits = []
    for words, relax in _relaxations(quick):
        relaxed = relax(quick)
        solution = solve(formulate_periods(relaxed) if relaxed.periods is not None else formulate(relaxed))
        if solution.status in SOLVED and _confirms(scenario, relaxed, solution, words, curves):
            culprits.append(words)
    return culprits


def _confirms(scenario: Scenario, relaxed: Scenario, solution, words: str, curves: ModelCurves | None) -> bool:
    """Whether a relaxation's plan is real (keeps every rule of the relaxed scenario) and needs
    the relaxation (breaks a rule of the scenario as written)."""
    truth = _truth(relaxed, solution.on, solution.spend)
    if truth.violations:
        return False
    if curves is not None and model_value(scenario, Rival(f"the plan found without {words}", solution.on, solution.spend), curves) is not None:
        raise CertificateError(f"scenario '{scenario.scenario}' is not infeasible (a channelmix bug, please report it): the plan found "
                               f"without {words} keeps every hard rule of the scenario as written")
    return bool(_truth(scenario, solution.on, solution.spend).violations)


def _truth(scenario: Scenario, on: dict, spend: dict):
    return evaluate_periods(scenario, on, spend) if scenario.periods is not None else evaluate(scenario, on, spend)


def explain(scenario: Scenario, warnings: list[str], curves: ModelCurves | None = None) -> str:
    """A sentence or two on why no plan exists (every relaxation named is confirmed, see :func:`diagnose`)."""
    culprits = diagnose(scenario, curves=curves)
    if culprits:
        text = "Dropping any one of these would make it feasible: " + "; ".join(culprits) + "."
    else:
        text = "No single family of rules is to blame: several conflict at once."
    likely = [w for w in warnings if "infeasible" in w]
    if likely:
        text += " Likely cause: " + " ".join(likely)
    return text


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
    from .api import solve_from  # api reports infeasibility through this module

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
    # a hair (1e-7) past the boundary as the elastic repair has it: the solver holds a share row to 1e-9 of its size
    hair = 1e-7 if limit.loosens_up else -1e-7
    return min(max(loose + hair, 0.0), 1.0)
