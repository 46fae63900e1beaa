"""Editing a built model by its named rows: relaxing, dropping and restoring a rule, forcing a
channel on or off, cutting off an on/off set, fixing the integer decisions.  What explains a
plan or an infeasible scenario asks of a model goes through these functions, so that no code
outside the formulation touches a PuLP problem (PuLP 3.3 has no public way to remove or
replace a row: these reach into its own dict of rows, by name, here only).
"""

from __future__ import annotations

import pulp

from ..model.facts import Rule
from ..schema.models import Scenario
from .dispatch import formulate
from .formulation import Formulation, expression
from .periods import PeriodsFormulation

Row = pulp.LpConstraint  # a named row of a model, as drop() hands it back


def unbudgeted(scenario: Scenario) -> Formulation:
    """The nominal MILP with the budget as one row only.  A channel without max_spend is
    otherwise capped at the budget too, so that dropping or moving the budget would leave its
    copy in place; here such caps come from the curves, as without a budget.  Over periods the
    total and each period's money are rows of their own already."""
    if scenario.kind == "periods":
        return formulate(scenario)
    f = formulate(scenario.model_copy(update={"budget": None}), worlds=False)
    if scenario.budget is not None:
        f.problem.addConstraint(
            pulp.LpConstraint(f.parts["cost"], pulp.LpConstraintLE, name="budget", rhs=scenario.budget))
        f.rules["budget"] = Rule("budget", "budget", scenario.budget)
    return f


def feasibility(f: Formulation) -> Formulation:
    """The same rows with no objective: any plan that keeps them is as good as another."""
    f.problem.setObjective(pulp.LpAffineExpression())
    return f


def drop(f: Formulation, name: str) -> pulp.LpConstraint:
    """Take the row ``name`` out of the model; returns it, for :func:`restore`."""
    return f.problem._constraints.pop(name)


def restore(f: Formulation, row: pulp.LpConstraint) -> None:
    """Put a row taken out by :func:`drop` back, under its name."""
    f.problem._constraints[row.name] = row


def force(f: Formulation, cid: str, on: bool | None) -> None:
    """Channel ``cid`` forced on (True), off (False), or free (None) by its variable's bounds."""
    x = f.on[cid]
    x.lowBound, x.upBound = (0, 1) if on is None else (int(on), int(on))


def elastic(f: Formulation, rows: list[str]) -> pulp.LpVariable:
    """One elastic amount e ≥ 0 that loosens every row of ``rows`` at once (each replaced in
    place, keeping its name and order), and the objective: minimise e."""
    problem = f.problem
    e = problem.add_variable("elastic", 0)
    for name in rows:
        c = problem.get_constraint_by_name(name)
        if c is None:
            continue
        terms = dict(c.items())
        terms[e] = terms.get(e, 0.0) + (-1.0 if c.sense == pulp.LpConstraintLE else 1.0)
        problem._constraints[name] = pulp.LpConstraint(expression(terms), c.sense, name=name, rhs=-c.constant)
    problem.setObjective(pulp.LpAffineExpression({e: 1.0}))
    problem.sense = pulp.LpMinimize
    return e


def used(f: Formulation) -> dict[str, pulp.LpVariable]:
    """Channel -> a binary that is 1 exactly when the channel is on (over periods: on in some
    period, :meth:`PeriodsFormulation.used_binaries`)."""
    return f.used_binaries() if isinstance(f, PeriodsFormulation) else dict(f.on)


def cut(f: Formulation, indicators: dict[str, pulp.LpVariable], on: dict[str, bool], name: str) -> None:
    """The no-good cut that excludes exactly this on/off set: Σ_off x − Σ_on x ≥ 1 − |on|
    (``indicators``: channel -> its on binary, or :func:`used` over periods)."""
    terms = {x: (-1.0 if on.get(cid, False) else 1.0) for cid, x in indicators.items()}
    count = sum(1 for cid in indicators if on.get(cid, False))
    f.problem.addConstraint(pulp.LpConstraint(expression(terms), pulp.LpConstraintGE, rhs=1 - count), name=name)


def use(f: PeriodsFormulation, cid: str, anywhere: bool) -> None:
    """Over periods: channel ``cid`` used in at least one period (``anywhere``) or in none."""
    runs = {x: 1.0 for (c, _), x in f.on.items() if c == cid}
    sense = pulp.LpConstraintGE if anywhere else pulp.LpConstraintLE
    f.problem.addConstraint(pulp.LpConstraint(expression(runs), sense, rhs=1 if anywhere else 0), name="explain_forced")


def fix_decisions(f: Formulation, values: dict[str, float]) -> None:
    """The LP left when every integer decision is fixed at its value in ``values`` (a solved
    plan's): on/off, starts and curve pieces become bounds; a spend_step count (``n_``) is
    freed instead, so that a dual is a rate per unit of money."""
    for v in f.problem.variables():
        if v.cat == pulp.LpInteger and v.name.startswith("n_"):
            v.cat = pulp.LpContinuous
        elif v.cat == pulp.LpInteger:
            fixed = float(round(values.get(v.name, 0.0)))
            v.lowBound = v.upBound = fixed
            v.cat = pulp.LpContinuous


def drop_budget_copies(f: Formulation) -> None:
    """A channel without max_spend is capped at the budget (less its fixed cost), by a row and
    by its variable's bound, and with the channel on both are implied by the budget row:
    binding copies of one limit would split (or steal) its dual.  Drop the copies; an off
    channel keeps spend 0 by its bound."""
    scenario = f.scenario
    if scenario.budget is None:
        return
    index = {ch.id: i for i, ch in enumerate(scenario.channels)}
    periods = {p: t for t, p in enumerate(f.horizon.ids)} if isinstance(f, PeriodsFormulation) and f.horizon else None
    for key, spend in f.spend.items():
        cid = key[0] if periods is not None else key
        name = f"onoff_max_{index[cid]}" + (f"_t{periods[key[1]]}" if periods is not None else "")
        if scenario.channel(cid).max_spend is None and f.problem.get_constraint_by_name(name) is not None:
            spend.upBound = None if (f.on[key].upBound or 0) > 0.5 else 0.0
            f.problem._constraints.pop(name)
