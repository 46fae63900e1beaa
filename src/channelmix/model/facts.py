"""Facts about a scenario's rules, as records: which rule a row of the model states, where it
holds, and its numbers, never words.  The formulation names every row with one
(:attr:`channelmix.formulate.Formulation.rules`); a plan lists those that bind
(``Plan.binding``); an infeasible scenario's conflict and repairs, and the LP duals, name rules
by them.  Sentences are made from them by the reports, in the report's language
(:mod:`channelmix.reports.rules`), and for the JSON's English ``binding`` by
:mod:`channelmix.reports.wording`.

A claim about a plan ("Delivery × commuters is held at its target of 30 % in Month 2") is
checked against the verifier's figures through the same fields: the rule's ``kind``, what it
concerns (``channel``, ``cell``, ``resource``, ``group``), its ``limit`` and its ``scope`` (the
period or world it holds in); the figure itself is the plan's (a cell's level in that period,
the money spent, a channel's spend).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Scope:
    """Where a rule holds: one period of a plan over periods, one world of a robust plan (or a
    pattern of affinities several worlds share), or (all None) the whole plan."""

    period: str | None = None  # the period's id
    period_label: str | None = None  # its label as the scenario names it ("Månad 2": counted periods in its language)
    world: int | None = None  # the world's index (0: the scenario as written)
    like: bool = False  # breadth and redundancy stated once for the worlds "like" this one


EVERYWHERE = Scope()


@dataclass(frozen=True)
class Rule:
    """The rule one row of the model states.  ``kind`` says which (``budget``, ``target``,
    ``cap`` …, see :data:`KINDS`); the other fields are what it concerns and its numbers."""

    row: str  # the row's name in the MILP ("budget", "target_12_t2")
    kind: str
    limit: float | None = None  # the right-hand side a person set (a budget, a target, a share, a count)
    channel: str | None = None
    other: str | None = None  # requires / excludes: the second channel
    cell: tuple[str, str] | None = None  # (phase, segment)
    resource: str | None = None
    group: str | None = None  # a group rule: the channels it selects, as the scenario writes them
    side: str | None = None  # "min" or "max" (group and cardinality rules)
    threshold: float | None = None  # breadth and redundancy: the affinity a channel needs to count
    soft: bool = False  # may be missed at a penalty
    penalty: float | None = None  # a soft rule: what one unit short costs the objective (coverage: per unit of share)
    piece: int | None = None  # a curve's piece
    curve: int | None = None  # the robust model: which of a channel's distinct curves over the worlds
    scope: Scope = field(default=EVERYWHERE)

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON data, fields at their default left out (``scope`` too when it is everywhere)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "scope":
                if value != EVERYWHERE:
                    out["scope"] = {k: v for k, v in asdict(value).items() if v not in (None, False)}
            elif value not in (None, False):
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rule:
        """A record written by :meth:`to_dict` (a saved result)."""
        values = dict(data)
        if "cell" in values:
            values["cell"] = tuple(values["cell"])
        values["scope"] = Scope(**values.get("scope", {}))
        return cls(**values)


# every kind of rule, by the row families of the models (the single-period model, a plan over
# periods, the robust model over worlds); the reports word each
KINDS = (
    # on/off, spend and the curves
    "cap", "min_spend", "spend_step", "response_piece", "curve_spend", "curve_reach", "curve_on", "curve_after",
    "curve_full",
    # money, resources, coverage
    "budget", "resource", "cover", "target", "breadth", "redundancy",
    # shares, counts, logic, forced decisions
    "total_spend", "concentration", "group_share", "group_count", "cardinality", "requires", "excludes",
    "force_on", "force_off", "outcome_target", "reach_level",
    # a plan over periods
    "adstock", "effective", "effective_on", "effective_all", "carry_in", "carry_on", "used_period", "used", "start",
    "no_start_running", "no_start_after_on", "start_on", "min_run", "stop", "stop_on", "stop_off", "switches",
    "budget_so_far",
    "budget_total", "pace_hi", "pace_lo", "ramp", "ramp_from_current", "cardinality_plan",
    # the robust model
    "worst", "cvar",
)


@dataclass(frozen=True)
class Note:
    """Something a plan says about how it was found: a step that did not run in full, or
    decisions the rules count that do nothing.  ``kind``: ``tie_break`` (stopped short:
    ``status`` says how), ``tie_break_fixed`` (on a large model, among the first plan's
    channels only), ``idle_channels`` (on with no spend and no reach), ``polish_periods`` (the
    horizon's polish: ``status`` says why it stopped short, ``count`` the spends rounded),
    ``unbounded`` (no approximation bound, and the plan's ``worth`` is above the MILP's
    ``optimum`` by more than the gap and the pieces' accuracy, ``understated``, explain),
    ``neutral_fallback`` (a robust model gave no plan in time — ``status`` ``build``: its build
    stopped after ``seconds`` at ``stage`` with ``counts`` done; ``search``: the search found none —
    so this is the risk-neutral plan judged in every world, under the time ``limit``, not chosen
    for ``risk``), and, with no plan, ``neutral_missing`` (that plan was not found in time either)
    and ``neutral_broken`` (it breaks a hard rule in ``count`` of ``worlds`` worlds)."""

    kind: str
    status: str = ""
    maximises: bool = True  # tie-break notes: the plan spends least (max senses) or reaches most
    channels: tuple[str, ...] = ()
    count: int | None = None
    worth: float | None = None
    optimum: float | None = None
    understated: float | None = None
    limit: float | None = None
    risk: str = ""
    worlds: int | None = None
    seconds: float | None = None
    stage: str = ""
    counts: tuple[int, ...] = ()


@dataclass(frozen=True)
class Proof:
    """How the solver proved the bound of a long plan over periods (issue 20): its search first ran
    ``first_nodes`` nodes; ``stalled`` when that left the gap open, and then per-period value cuts
    were tried — ``cuts`` of them added (0: they promised less than the search had proven) — and
    the search went on, to ``nodes`` nodes in all."""

    periods: int
    stalled: bool
    cuts: int
    first_nodes: int
    nodes: int


@dataclass(frozen=True)
class Relaxation:
    """A family of hard rules that, dropped alone, makes an infeasible scenario feasible.
    ``kind``: budget, period_budget, resource, coverage, breadth, concentration, cardinality,
    group, logic, force, min_runs, switches, pacing, ramp, reach_level, outcome_target."""

    kind: str
    value: float | None = None  # the limit dropped (a budget, a capacity, a share, a level)
    resource: str | None = None
    group: str | None = None  # a group rule: the channels it selects, as the scenario writes them


@dataclass(frozen=True)
class Diagnosis:
    """Why a scenario has no plan: the families of rules whose removal alone would make it
    feasible (none: several conflict at once), and the input's own warnings that foresaw it."""

    culprits: tuple[Relaxation, ...]
    likely: tuple[str, ...] = ()  # the schema's warnings that say the scenario is probably infeasible
