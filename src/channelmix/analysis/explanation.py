"""Why this plan, compared with what, and what else: ``channelmix explain``
(docs/architecture.md, "Questions after a solve").

For one scenario: the verified optimum; the current plan beside it; each channel's
marginal figures on the real curves; the value of each on/off decision (a verified
re-solve with the channel forced the other way, ties named as ties); what loosening
the budget, each resource and each binding rule is worth (a verified re-solve with the
limit moved, beside the LP dual with the decisions fixed); the next-best distinct
mixes; and, when nothing is feasible, a minimal conflict and the repairs.

Over periods the same questions are asked of the whole horizon: the current plan is
today's spend kept up in every period; a channel's decision is whether it is used at all
(forced off: in no period; forced on: in at least one); its marginal figures are those of
the period where the next unit buys most, carry-over included, beside the full channel ×
period grid (:mod:`channelmix.analysis.marginals_periods`); a limit is the scenario's (a rule moved
in every period, the total budget, the budget per period or of one period); alternatives
are the next-best sets of channels used.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from typing import Any

from ..schema import Loaded, Scenario
from ..solve.duals import fixed_lp_duals
from ..solve.pipeline import solve_from
from ..verify.baseline import Baseline, better_by, compare
from ..verify.plan import Plan
from .alternatives import tie_tolerance
from .conflicts import Conflict, minimal_conflict
from .explain_tasks import ALTERNATIVES, CHANNEL, LIMIT, QUESTIONS, REPAIR, Answer, Context, Task, run_task
from .limits import Limit, limit_of, step_in
from .marginals import Marginal, marginals
from .marginals_periods import PeriodMarginal, period_marginals
from .parallel import Pool, cores, in_processes, resident, running, worth_processes


@dataclass(frozen=True)
class ChannelValue:
    """One channel's decision, what the next unit buys, and what the other decision would cost."""

    id: str
    label: str
    on: bool
    spend: float
    current_spend: float | None  # None: the scenario names no current plan
    marginal: Marginal | None  # None when off
    value_if_forced_off: float | None  # objective lost by switching it off (on channels); None: cannot be
    value_if_forced_on: float | None  # objective lost by switching it on (off channels); None: cannot be
    forced_objective: float | None  # the objective of that re-solve
    verdict: str  # worse | tie | better | impossible | forced (the file forces it; the value is the rule's cost)


@dataclass(frozen=True)
class LimitValue:
    """What loosening one limit is worth, by a verified re-solve with the limit moved."""

    what: Limit  # the limit (the reports name it)
    kind: str
    limit: float
    binding: bool
    step: float  # how far the limit was moved (in its own units)
    gain: float | None  # objective gained by that move (0 within the solver's tolerance; None: cannot move)
    worth_per_unit: float | None  # gain / step
    shadow_price: float | None  # d(objective)/d(limit) from the LP with the decisions fixed (None: no dual)


@dataclass(frozen=True)
class Alternative:
    rank: int
    objective: float
    cost: float | None  # the plan's, as it reports it
    behind: float  # how much worse than the best (negative: better, within the solver's tolerance)
    tie: bool  # |behind| within the solver's tolerance: an equally good mix
    on: list[str]
    differs: list[str]  # "+id" switched on, "-id" switched off, relative to the best plan


@dataclass
class Explanation:
    """Everything ``channelmix explain`` shows for one scenario."""

    scenario: str
    status: str
    objective: float | None
    plan: Plan
    baseline: Baseline | None
    channels: list[ChannelValue] = field(default_factory=list)
    limits: list[LimitValue] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=list)
    conflict: Conflict | None = None
    curves: list[dict[str, Any]] = field(default_factory=list)  # each channel's response curve, for charts
    tolerance: float = 0.0  # differences below this are ties
    seconds: float = 0.0
    solve_seconds: float = 0.0
    periods: list[PeriodMarginal] = field(default_factory=list)  # over periods: the next unit, channel × period


Progress = Callable[[int, int, Any], None]  # (done, total, the finished item: ChannelValue, LimitValue, …)


def explain(what: Loaded | Scenario, alternatives: int = 3, within: float | None = 0.05, step: float = 100.0,
            warnings: list[str] | None = None, *, workers: int = 1, only: Collection[str] | None = None,
            progress: Progress | None = None) -> Explanation:
    """Explain one scenario (a loaded file, or a scenario and its warnings): see the module
    docstring. ``alternatives`` next-best mixes within ``within`` (relative; None: any) of
    the optimum; ``step``: the money of "the next step buys".

    The re-solves run as tasks (:mod:`channelmix.analysis.explain_tasks`) on ``workers``
    processes, this one among them (0: every core; 1: in this process only), with the same
    answers either way.
    ``only``: the questions to ask (of :data:`QUESTIONS`; None: all).  ``progress`` is called
    with (0, total, the solved plan) when the tasks are known and (done, total, item) as each finishes,
    the item being what the explanation will hold: a ChannelValue, a LimitValue, the list of
    Alternatives or a Repair."""
    scenario = what.scenario if isinstance(what, Loaded) else what
    warnings = what.warnings if isinstance(what, Loaded) else warnings
    asked = set(QUESTIONS if only is None else only)
    began = time.perf_counter()
    count = cores(workers)
    pool = running() if count > 1 else None  # a resident pool's workers are up: they help from the start
    if pool is None and count > 1 and scenario.periods is not None:
        pool = resident(count - 1)  # over periods the re-solves always pay for it: workers start during the solve
    try:
        plan, values = solve_from(scenario, warnings)
        solve_seconds = time.perf_counter() - began
        out = Explanation(scenario.scenario, plan.status, plan.objective, plan, compare(scenario, plan),
                          solve_seconds=solve_seconds)
        quick = scenario.model_copy(
            update={"current": None, "objective": scenario.objective.model_copy(update={"tie_break": False})})
        context = Context(scenario, quick, plan, values, alternatives, within)
        tasks: list[Task] = []
        if not plan.solved:
            if plan.status == "infeasible" and REPAIR in asked:
                out.conflict = minimal_conflict(scenario.model_copy(update={"current": None}))
                tasks = [Task(REPAIR, name, rule=rule) for name, rule in
                         zip(out.conflict.names, out.conflict.rules)] if out.conflict is not None else []
        else:
            out.tolerance = tie_tolerance(scenario, plan.value, plan.value)
            if CHANNEL in asked:
                out.channels, out.periods = _marginal_values(scenario, plan, step, out.baseline)
            out.limits = limits = _limits(scenario, quick, plan, values) if LIMIT in asked else []
            tasks = _longest_first(plan, limits, asked, alternatives)
        if pool is None and worth_processes(len(tasks) * solve_seconds, count):  # each re-solve ~ the solve
            pool = resident(count - 1)  # its workers start while this process takes the first tasks
        answers = _answers(out, tasks, context, pool, count - 1, progress)
    except BaseException:
        if pool is not None:
            pool.stop()
        raise
    if plan.solved:
        out.channels = [_channel_value(scenario, plan, c, answers[(CHANNEL, c.id)]) for c in out.channels]
        out.limits = sorted((_limit_value(scenario, plan, lv, answers.get((LIMIT, lv.what.name))) for lv in limits),
                            key=lambda x: -(x.gain or 0.0))
        found = answers.get((ALTERNATIVES, ""))
        out.alternatives = _alternatives(scenario, plan, list(found.plans)) if found is not None else []
        out.curves = curves(scenario, plan)
    elif out.conflict is not None:
        repairs = [answers[(REPAIR, n)].repair for n in out.conflict.names]
        out.conflict = replace(out.conflict, repairs=[r for r in repairs if r is not None])
    out.seconds = time.perf_counter() - began
    return out


def _longest_first(plan: Plan, limits: list[LimitValue], asked: set[str], alternatives: int) -> list[Task]:
    """The re-solves, the longest expected first: this process and the workers take them in this order,
    so they finish together (a long one taken last keeps the other waiting).  The chain of alternatives
    (several re-solves); a channel forced off, the plan's largest cost first (a guess: the 13-week quarter's
    shop, 45,500 of fixed cost, took 15 of its 37 s of re-solves; no cheap figure predicts the others);
    a channel forced on; last the many short ones, a limit loosened (the plan still fits and starts the
    search: 0.4-1 s each on the six-month bakery), which fill the end."""
    by_cost = sorted((c for c in plan.channels if c.on), key=lambda c: -c.cost)
    channels = [*by_cost, *(c for c in plan.channels if not c.on)] if CHANNEL in asked else []
    return ([Task(ALTERNATIVES)] if ALTERNATIVES in asked and alternatives > 0 else []) + \
        [Task(CHANNEL, c.id, on=not c.on) for c in channels] + \
        [Task(LIMIT, x.what.name, limit=x.what, moved_to=x.limit) for x in limits if x.gain is not None]


def _answers(out: Explanation, tasks: list[Task], context: Context, pool: Pool | None, slots: int,
             progress: Progress | None) -> dict[tuple[str, str], Answer]:
    """Every task's answer, by (kind, key), reporting each as it arrives (``slots`` of the pool's workers
    beside this process)."""
    answers: dict[tuple[str, str], Answer] = {}
    if progress is not None:
        progress(0, len(tasks), out.plan)
    if not tasks:
        return answers
    for task, answer in in_processes(run_task, tasks, context, workers=max(slots, 1), pool=pool):
        if isinstance(answer, BaseException):
            raise answer
        answers[(task.kind, task.key)] = answer
        if progress is not None:
            progress(len(answers), len(tasks), _item(out, context, task, answer))
    return answers


def _item(out: Explanation, context: Context, task: Task, answer: Answer) -> Any:
    """What a finished task adds to the explanation, as the explanation will hold it."""
    scenario, plan = context.scenario, context.plan
    if task.kind == CHANNEL:
        c = next(c for c in out.channels if c.id == task.key)
        return _channel_value(scenario, plan, c, answer)
    if task.kind == LIMIT:
        return _limit_value(scenario, plan, next(lv for lv in out.limits if lv.what.name == task.key), answer)
    if task.kind == ALTERNATIVES:
        return _alternatives(scenario, plan, list(answer.plans))
    return answer.repair


def _marginal_values(scenario: Scenario, plan: Plan, step: float,
                     baseline: Baseline | None) -> tuple[list[ChannelValue], list[PeriodMarginal]]:
    """Each channel's decision and marginal figures, before its re-solve (verdict "pending")."""
    grid: list[PeriodMarginal] = []
    if scenario.periods is None:
        margins = marginals(scenario, {c.id: c.on for c in plan.channels}, {c.id: c.spend for c in plan.channels}, step)
        current = scenario.current
    else:
        assert plan.schedule is not None
        margins, grid = period_marginals(scenario, {(r.channel, r.period): r.on for r in plan.schedule.rows},
                                         {(r.channel, r.period): r.spend for r in plan.schedule.rows}, step)
        current = None if baseline is None else {c.id: c.current_spend for c in baseline.channels}  # kept up, in total
    out = [ChannelValue(c.id, c.label, c.on, c.spend, current.get(c.id, 0.0) if current is not None else None,
                        margins.get(c.id), None, None, None, "pending") for c in plan.channels]
    return out, grid


def _channel_value(scenario: Scenario, plan: Plan, c: ChannelValue, other: Answer) -> ChannelValue:
    """A channel's decision valued by its forced re-solve."""
    lost = better_by(scenario, plan.value, other.value) if other.solved and other.value is not None else None
    forced = c.id in (scenario.rules.force_on if c.on else scenario.rules.force_off)
    if lost is None or other.value is None:
        verdict = "impossible"
    else:
        tol = tie_tolerance(scenario, plan.value, other.value)
        verdict = "forced" if forced else "tie" if abs(lost) <= tol else "worse" if lost > 0 else "better"
        if forced and abs(lost) <= tol:
            lost = 0.0
    return replace(c, value_if_forced_off=lost if c.on else None, value_if_forced_on=lost if not c.on else None,
                   forced_objective=other.objective if other.solved else None, verdict=verdict)


def _limits(scenario: Scenario, quick: Scenario, plan: Plan, values: dict[str, float]) -> list[LimitValue]:
    """Every limit worth moving, with its LP price; ``limit`` holds the value it moves to and
    ``gain`` is None where it cannot move (the re-solves fill in the rest: :func:`_limit_value`)."""
    duals = fixed_lp_duals(quick, values)
    on = [c.on for c in plan.channels]
    names = (["budget"] if scenario.budget is not None else []) + _period_budgets(scenario) + \
        [f"resource_{r}" for r in range(len(scenario.resources))]
    for name, d in duals.items():
        limit = limit_of(scenario, name) if d.binding else None
        if limit is not None and name not in names and (not name.startswith("onoff_") or on[int(name.split("_")[2])]):
            names.append(name)
    members = _members(scenario, duals)
    out, seen = [], set()
    for name in names:
        limit = limit_of(scenario, name)
        if limit is None or limit.names[0] in seen:
            continue
        seen.add(limit.names[0])
        step = step_in(scenario, limit)
        moved_to = limit.loosened(step)
        rows = members(limit)
        # a dual prices a right-hand side: counts are fixed with the decisions, shares are not a
        # right-hand side; a rule over several cells (or periods) moves them all, so its price is their sum
        priced = bool(rows) and not limit.integer and limit.kind not in ("group_share", "concentration")
        price = sum(duals[m].shadow_price for m in rows) if priced else None
        binding = any(duals[m].binding for m in rows)
        # until its re-solve: limit is where it moves to, gain 0.0 if it can move (None if not)
        out.append(LimitValue(limit, limit.kind, moved_to, binding, step, 0.0 if moved_to != limit.value else None,
                              None, price))
    return out


def _limit_value(scenario: Scenario, plan: Plan, pending: LimitValue, moved: Answer | None) -> LimitValue:
    """A limit valued by its re-solve (``moved``; None: it could not move)."""
    limit, moved_to, step = pending.what, pending.limit, pending.step
    gain = worth = None
    if moved is not None and moved.solved and moved.value is not None:
        used = abs(moved_to - limit.value)
        gain = better_by(scenario, moved.value, plan.value)
        if abs(gain) <= tie_tolerance(scenario, plan.value, moved.value):
            gain = 0.0  # no gain beyond the solver's tolerance: re-solve noise, not value
        worth, step = gain / used, used
    return replace(pending, limit=limit.value, step=step, gain=gain, worth_per_unit=worth)


def _period_budgets(scenario: Scenario) -> list[str]:
    """The budgets of a plan over periods besides the total: per period, or of each period that has its own."""
    periods = scenario.periods
    if periods is None:
        return []
    if periods.items is not None and any(p.budget is not None for p in periods.items):
        return [f"budget_t{t}" for t, p in enumerate(periods.items) if p.budget is not None] + \
            (["budget_period"] if periods.budget is not None else [])
    return ["budget_period"] if periods.budget is not None else []


def _members(scenario: Scenario, duals: dict) -> Callable[[Limit], list[str]]:
    """The rows whose duals price a limit: its cells (one period), or its rows in every period."""
    if scenario.periods is None:
        return lambda limit: [m for m in limit.names if m in duals]
    groups: dict[tuple[str, str], list[str]] = {}
    for name in duals:
        limit = limit_of(scenario, name)
        if limit is not None:
            groups.setdefault(limit.identity, []).append(name)
    return lambda limit: groups.get(limit.identity, [])


def curves(scenario: Scenario, plan: Plan, samples: int = 48) -> list[dict[str, Any]]:
    """Each spend-driven channel's real response curve, sampled, with the range the plan may
    use (min_spend to its cap), the optimised spend and the current one (None without).
    Over periods the spends are per period: the mean of the periods the channel runs in."""
    from ..schema.responses import depends_on_spend, reach

    caps = scenario.spend_caps()
    chosen = {c.id: c for c in plan.channels}
    spends = {c.id: c.spend for c in plan.channels}
    if plan.schedule is not None:  # over periods: the mean spend of the periods it runs in
        for cid in spends:
            running = [r.spend for r in plan.schedule.channel_rows(cid) if r.on]
            spends[cid] = sum(running) / len(running) if running else 0.0
    current = scenario.current or {}
    out = []
    for ch in scenario.channels:
        if not depends_on_spend(ch.response):
            continue
        hi = ch.max_spend if ch.max_spend is not None else caps[ch.id]
        now = current.get(ch.id) if scenario.current is not None else None
        right = max(hi, now or 0.0, spends[ch.id]) or 1.0
        xs = [right * i / samples for i in range(samples + 1)]
        out.append(
            {"id": ch.id, "label": ch.name, "on": chosen[ch.id].on, "spend": spends[ch.id], "current_spend": now,
             "lo": ch.min_spend, "hi": hi, "points": [[x, reach(ch.response, x)] for x in xs]})
    return out


def _alternatives(scenario: Scenario, plan: Plan, found: list[Plan]) -> list[Alternative]:
    best_on = {c.id for c in plan.channels if c.on}
    out = []
    for rank, alt in enumerate(found, start=1):
        on = [c.id for c in alt.channels if c.on]
        differs = [f"+{cid}" for cid in on if cid not in best_on] + [f"-{c.id}" for c in plan.channels if c.on
                                                                     and c.id not in on]
        behind = better_by(scenario, plan.value, alt.value)
        tie = abs(behind) <= tie_tolerance(scenario, plan.value, alt.value)
        out.append(Alternative(rank, alt.value, alt.cost, behind, tie, on, differs))
    return out
