"""What a formulation is made of: the PuLP problem with what is needed to read a solution back
(:class:`Formulation`), and the small pieces every builder writes rows with.

Variables and constraints carry short index-based names (``x_3``, ``cover_12``) so that any
script survives the LP/MPS file formats; :attr:`Formulation.rules` maps each constraint name
to the rule it enforces.  Expressions are built from coefficient dicts
(``LpAffineExpression``), several times faster than ``lpSum`` of products on large models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulp

from ..model.curves import Pieces
from ..model.facts import Rule
from ..schema.models import Scenario

Terms = dict[pulp.LpVariable, float]


def expression(terms: Terms | list[tuple[pulp.LpVariable, float]], constant: float = 0.0) -> pulp.LpAffineExpression:
    """A PuLP expression from coefficients (no products to multiply out)."""
    return pulp.LpAffineExpression(terms, constant=constant)


@dataclass
class Formulation:
    """The PuLP problem plus what is needed to read a solution back.

    The model is lean: ``spend`` and ``reach`` hold variables only for channels with a
    spend lever (a spend cap above 0); a channel without one has no ``spend`` entry
    (it spends nothing) and its ``reach`` is the expression ``value · x`` (a constant
    response) or absent (no reach at all).  ``coverage`` holds a variable only for the
    cells something reads: a coverage target, the objective's weighted reach, or the
    tie-break.  Read values with ``pulp.value``, which takes variables and expressions."""

    scenario: Scenario
    problem: pulp.LpProblem
    # keyed by channel id, cell (group, segment) for coverage; over periods by (channel, period id)
    # and (period id, group, segment): see PeriodsFormulation
    on: dict[Any, pulp.LpVariable]
    spend: dict[Any, pulp.LpVariable]
    reach: dict[Any, pulp.LpVariable | pulp.LpAffineExpression]
    coverage: dict[Any, pulp.LpVariable]
    caps: dict[str, float]
    curve_pieces: dict[str, Pieces]
    parts: dict[str, pulp.LpAffineExpression]  # weighted_reach, cost and each penalty
    rules: dict[str, Rule] = field(default_factory=dict)  # constraint name -> the rule it states
    approximation_bound: float | None = 0.0  # how far the true optimum can be above the plan (None: unknown)
    understated: float = 0.0  # how much the pieces can understate any plan's objective (the bound, were no rule
    # judged on them)


class Problem(pulp.LpProblem):
    """An LpProblem whose ``variables()`` walks the rows again only when they changed.

    PuLP rebuilds the variable list from every term of every row on each call, and a
    HiGHS solve calls it three times (plus once for the values read back): 2 million
    term visits on a 5,000-channel model.  The list can only change when the objective
    or a row is replaced or gains terms, which the key (the objective and each row, by
    identity and size) sees."""

    def variables(self) -> list[pulp.LpVariable]:
        objective, rows = self.objective, list(self._constraints.values())
        sizes = [len(c) for c in rows]
        size = len(objective) if objective is not None else 0
        seen = getattr(self, "_seen", None)  # what the list was built from (held, so no identity is reused)
        if seen is not None and seen[0] is objective and seen[1] == size and len(seen[2]) == len(rows) \
                and seen[3] == sizes and all(a is b for a, b in zip(seen[2], rows)):
            return self._variables
        found = super().variables()
        self._seen = (objective, size, rows, sizes)
        return found


def combine(a: dict, b: dict, sign: float) -> dict:
    """a + sign · b, as coefficients."""
    out = dict(a)
    for v, w in b.items():
        out[v] = out.get(v, 0.0) + sign * w
    return out


def add_row(problem: pulp.LpProblem, rules: dict[str, Rule], terms: Terms, sense: int, rhs: float, rule: Rule) -> None:
    """A constraint named ``rule.row`` (zero coefficients left out), and the rule it states."""
    terms = {v: w for v, w in terms.items() if w != 0}
    problem.addConstraint(pulp.LpConstraint(expression(terms), sense, name=rule.row, rhs=rhs))
    rules[rule.row] = rule


def fill_in_order(add: Callable[[Terms, int, float, Rule], None], i: int | str, cid: str, x: pulp.LpVariable,
                  deltas: list[pulp.LpVariable], fills: list[pulp.LpVariable]) -> None:
    """The incremental form's order rows, one set for the single and the robust model: the first
    piece only when the channel is on, piece j+1 only once piece j is full (binary ``fills``)."""
    add({deltas[0]: 1, x: -1}, pulp.LpConstraintLE, 0, Rule(f"curve_on_{i}", "curve_on", channel=cid))
    for j, w in enumerate(fills):
        add({deltas[j + 1]: 1, w: -1}, pulp.LpConstraintLE, 0,
            Rule(f"curve_order_{i}_{j}a", "curve_after", channel=cid, piece=j))
        add({w: 1, deltas[j]: -1}, pulp.LpConstraintLE, 0,
            Rule(f"curve_order_{i}_{j}b", "curve_full", channel=cid, piece=j))


def approximation_bound(scenario: Scenario, curve_pieces: dict[str, Pieces], understated: float) -> float | None:
    """How much better than the plan found the true optimum can be.

    The pieces change no feasible set when the only coverage rules are soft, so the
    model's value at the true optimum's spends is at most ``understated`` below its
    true value. Hard targets (or a reach level) are judged on the pieces too, which
    shrinks the feasible set, and then no such bound holds: None."""
    if all(p.max_error == 0 for p in curve_pieces.values()):
        return 0.0  # every curve is modelled exactly
    if any(r.hard and r.target > 0 for r in scenario.rules.coverage) or scenario.objective.sense == "target" \
            or scenario.objective.outcome_target is not None:
        return None
    return understated
