"""The re-solves of an explanation as independent tasks, run on every core
(docs/architecture.md, "Questions after a solve").

Each task is a pure function of the solved scenario (:class:`Context`) and its own key: a
channel forced the other way, a limit moved a step, the chain of next-best mixes, one repair of
an infeasible scenario.  So a task gives the same answer in this process or in a worker, in
any order and with any number of workers; the explanation is put together in a fixed order
from the answers.  Every re-solve starts from the plan it perturbs (:class:`~channelmix.solve.warm.Warm`):

- a channel forced the other way starts from the plan with that channel repaired (its on/off the
  other way, the solver completing the spends; over periods from the plan itself, which the
  solver drops if it no longer fits) and stops at the first plan within the tie
  tolerance of the optimum — it cannot do better than the optimum, so such a plan is a tie
  (not for a channel the file forces: its re-solve drops that rule, and may do better);
- a limit moved a step looser starts from the plan itself, which still keeps it, with the plan's
  value as a cutoff (the optimum can only improve); should the cutoff leave nothing (the
  moved model prices the curves differently), the re-solve is run again without it;
- the next-best mixes are cut off at the ``within`` share of the optimum where the curves are
  modelled exactly (else the real curves may lift a mix the model put outside it).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.facts import Rule
from ..schema import Scenario
from ..solve.pipeline import solve_from
from ..solve.warm import Warm
from ..verify.plan import Plan
from .alternatives import alternatives as next_best
from .alternatives import solve_used, tie_tolerance
from .conflicts import Repair, repair
from .limits import Limit, with_limit

CHANNEL, LIMIT, ALTERNATIVES, REPAIR = "channels", "limits", "alternatives", "conflict"
QUESTIONS = (CHANNEL, LIMIT, ALTERNATIVES, REPAIR)  # what ``--only`` may ask for


@dataclass(frozen=True)
class Task:
    """One question: ``kind`` and its key (a channel id, a limit's constraint name, a rule's row)."""

    kind: str
    key: str = ""
    on: bool = False  # a channel task: forced on (True) or off
    limit: Limit | None = None  # a limit task: the limit …
    moved_to: float = 0.0  # … and its new value
    rule: Rule | None = None  # a repair task: the conflicting rule to repair


@dataclass(frozen=True)
class Context:
    """What every task needs: the scenario, the quick scenario its re-solves use (no tie-break,
    no current plan), the verified plan and the solver's values behind it."""

    scenario: Scenario
    quick: Scenario
    plan: Plan
    values: dict[str, float]
    alternatives: int = 3
    within: float | None = 0.05


@dataclass(frozen=True)
class Answer:
    """What a task found: a re-solved plan's status and value, the alternatives, or a repair."""

    solved: bool = False
    value: float | None = None
    objective: float | None = None
    plans: tuple[Plan, ...] = ()
    repair: Repair | None = None


def run_task(task: Task, context: Context) -> Answer:
    """Answer one task (in this process or a worker)."""
    if task.kind == CHANNEL:
        return _answer(_forced_plan(context, task.key, task.on))
    if task.kind == LIMIT:
        assert task.limit is not None  # a limit task names its limit
        return _answer(_moved_plan(context, task.limit, task.moved_to))
    if task.kind == ALTERNATIVES:
        return Answer(plans=tuple(next_best(context.scenario, context.plan, context.alternatives, context.within,
                                            cutoff=_alternatives_cutoff(context))))
    assert task.rule is not None  # a repair task names its rule
    return Answer(repair=repair(context.scenario, task.rule))


def _answer(plan: Plan) -> Answer:
    return Answer(plan.solved, plan.value if plan.solved else None, plan.objective)


def _model_value(context: Context) -> float:
    plan = context.plan
    return plan.model_objective if plan.model_objective is not None else plan.value


def _tolerance(context: Context) -> float:
    value = _model_value(context)
    return tie_tolerance(context.scenario, value, value)


def _worse_by_tolerance(context: Context) -> float:
    """The plan's model value less the tie tolerance: a re-solve that can only do worse (a channel
    forced the other way) is tied at this value, one that can only do better (a limit loosened) no
    worse than this."""
    value, tolerance = _model_value(context), _tolerance(context)
    return value - tolerance if context.scenario.objective.maximises else value + tolerance


def _forced_plan(context: Context, cid: str, on: bool) -> Plan:
    """The verified plan with one channel's decision forced the other way (the file's own force for
    it dropped); over periods, "on" is used in at least one period, "off" in none."""
    quick, rules = context.quick, context.scenario.rules
    # a channel the file itself forces is re-solved without that rule: a looser model, whose optimum may be better
    tie = None if cid in rules.force_on or cid in rules.force_off else _worse_by_tolerance(context)
    if quick.periods is None:
        return solve_from(forced(quick, cid, on), start=Warm(context.values, {cid: on}, target=tie),
                          diagnose=False)[0]
    # over periods the plan's own values, not a repaired partial start: completing one is a MIP over the
    # other channels' starts and runs, which cost more than it saved (bench_explain, the 13-week quarter)
    return solve_used(forced(quick, cid, None), cid, on, start=Warm(context.values, target=tie))


def forced(quick: Scenario, cid: str, on: bool | None) -> Scenario:
    """The scenario with one channel forced on (True) or off (False), or (None) free of the
    file's own force for it."""
    rules = quick.rules
    force_on = [c for c in rules.force_on if c != cid] + ([cid] if on is True else [])
    force_off = [c for c in rules.force_off if c != cid] + ([cid] if on is False else [])
    return quick.model_copy(update={"rules": rules.model_copy(update={"force_on": force_on, "force_off": force_off})})


def _moved_plan(context: Context, limit: Limit, moved_to: float) -> Plan:
    """The verified plan with one limit moved to ``moved_to`` (looser): started from the plan, cut
    off at its value less the tolerance; without the cutoff again if that left nothing."""
    moved = with_limit(context.quick, limit, moved_to)
    plan = solve_from(moved, start=Warm(context.values, cutoff=_worse_by_tolerance(context)), diagnose=False)[0]
    if not plan.solved:  # the cutoff left nothing: the moved model prices the curves otherwise
        plan = solve_from(moved, start=Warm(context.values), diagnose=False)[0]
    return plan


def _alternatives_cutoff(context: Context) -> float | None:
    """The ``within`` share of the optimum as a cutoff, where the model's value is the real one."""
    plan = context.plan
    if context.within is None or plan.curve_error > 0 or plan.model_objective is None:
        return None
    room = context.within * abs(plan.value) + _tolerance(context)
    return plan.value - room if context.scenario.objective.maximises else plan.value + room
