"""Why this plan, compared with what, and what else (DESIGN §5): ``channelmix explain``.

For one scenario: the verified optimum; the current plan beside it; each channel's
marginal figures on the real curves; the value of each on/off decision (a verified
re-solve with the channel forced the other way, ties named as ties); what loosening
the budget, each resource and each binding rule is worth (a verified re-solve with the
limit moved, beside the LP dual with the decisions fixed); the next-best distinct
mixes; and, when nothing is feasible, a minimal conflict and the repairs.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from .api import solve_from
from .periods import single_period_only
from .baseline import Baseline, better_by, compare
from .diagnose import conflict
from .limits import limit_of, with_limit
from .marginals import Marginal, marginals
from .plan import Plan
from .schema import Loaded, Scenario
from .sensitivity import alternatives as next_best
from .sensitivity import fixed_lp_duals, tie_tolerance


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
    why: str  # the decision in plain words


@dataclass(frozen=True)
class LimitValue:
    """What loosening one limit is worth, by a verified re-solve with the limit moved."""

    rule: str
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
    cost: float
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
    conflict: dict[str, Any] | None = None
    curves: list[dict[str, Any]] = field(default_factory=list)  # each channel's response curve, for charts
    tolerance: float = 0.0  # differences below this are ties
    seconds: float = 0.0
    solve_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``channelmix explain --format json``."""
        base = None
        if self.baseline is not None:
            base = {k: v for k, v in self.baseline.to_dict().items()}
        return {
            "scenario": self.scenario, "status": self.status, "objective": self.objective,
            "cost": self.plan.cost, "currency": self.plan.currency, "sense": self.plan.sense,
            "tolerance": self.tolerance, "baseline": base,
            "channels": [asdict(c) for c in self.channels], "limits": [asdict(x) for x in self.limits],
            "alternatives": [asdict(a) for a in self.alternatives], "conflict": self.conflict, "curves": self.curves,
            "seconds": self.seconds, "solve_seconds": self.solve_seconds,
        }

    def frames(self) -> dict[str, Any]:
        """The same as pandas DataFrames: channels, limits, alternatives, baseline."""
        import pandas as pd

        channels = pd.DataFrame([{**{k: v for k, v in asdict(c).items() if k != "marginal"},
                                  **{f"marginal_{k}": v for k, v in (asdict(c.marginal) if c.marginal else {}).items()}}
                                 for c in self.channels])
        return {
            "channels": channels,
            "limits": pd.DataFrame([asdict(x) for x in self.limits]),
            "alternatives": pd.DataFrame([asdict(a) for a in self.alternatives]),
            "baseline": pd.DataFrame([asdict(c) for c in self.baseline.channels]) if self.baseline else pd.DataFrame(),
        }


def explain(what: Loaded | Scenario, alternatives: int = 3, within: float | None = 0.05, step: float = 100.0,
            warnings: list[str] | None = None) -> Explanation:
    """Explain one scenario (a loaded file, or a scenario and its warnings): see the module
    docstring. ``alternatives`` next-best mixes within ``within`` (relative; None: any) of
    the optimum; ``step``: the money of "the next step buys"."""
    scenario = what.scenario if isinstance(what, Loaded) else what
    warnings = what.warnings if isinstance(what, Loaded) else warnings
    single_period_only(scenario, "explain", what.source if isinstance(what, Loaded) else "<scenario>")
    began = time.perf_counter()
    plan, values = solve_from(scenario, warnings)
    solve_seconds = time.perf_counter() - began
    out = Explanation(scenario.scenario, plan.status, plan.objective, plan, compare(scenario, plan), solve_seconds=solve_seconds)
    if not plan.solved:
        if plan.status == "infeasible":
            out.conflict = _conflict(scenario)
        out.seconds = time.perf_counter() - began
        return out
    out.tolerance = tie_tolerance(scenario, plan.objective, plan.objective)
    quick = scenario.model_copy(update={"current": None, "objective": scenario.objective.model_copy(update={"tie_break": False})})
    out.channels = _channel_values(scenario, quick, plan, values, step)
    out.limits = _limit_values(scenario, quick, plan, values)
    out.alternatives = _alternatives(scenario, plan, alternatives, within)
    out.curves = curves(scenario, plan)
    out.seconds = time.perf_counter() - began
    return out


def _conflict(scenario: Scenario) -> dict[str, Any] | None:
    found = conflict(scenario.model_copy(update={"current": None}))
    if found is None:
        return None
    return {"rules": found.rules, "names": found.names, "minimal": found.minimal,
            "repairs": [{"rule": r.rule, "change": r.change, "to": r.to, "verified": r.verified} for r in found.repairs]}


def _forced(quick: Scenario, cid: str, on: bool) -> Scenario:
    rules = quick.rules
    force_on = [c for c in rules.force_on if c != cid] + ([cid] if on else [])
    force_off = [c for c in rules.force_off if c != cid] + ([] if on else [cid])
    return quick.model_copy(update={"rules": rules.model_copy(update={"force_on": force_on, "force_off": force_off})})


def _channel_values(scenario: Scenario, quick: Scenario, plan: Plan, values: dict[str, float], step: float) -> list[ChannelValue]:
    on = {c.id: c.on for c in plan.channels}
    spend = {c.id: c.spend for c in plan.channels}
    margins = marginals(scenario, on, spend, step)
    current = scenario.current
    out = []
    for c in plan.channels:
        other, _ = solve_from(_forced(quick, c.id, not c.on), start=values, diagnose=False)
        lost = better_by(scenario, plan.objective, other.objective) if other.solved else None
        forced = c.id in (scenario.rules.force_on if c.on else scenario.rules.force_off)
        if lost is None:
            verdict = "impossible"
        else:
            tol = tie_tolerance(scenario, plan.objective, other.objective)
            verdict = "forced" if forced else "tie" if abs(lost) <= tol else "worse" if lost > 0 else "better"
            if forced and abs(lost) <= tol:
                lost = 0.0
        out.append(ChannelValue(
            c.id, c.label, c.on, c.spend, (current or {}).get(c.id, 0.0) if current is not None else None, margins.get(c.id),
            lost if c.on else None, lost if not c.on else None, other.objective if other.solved else None, verdict,
            _why(c.label, c.on, verdict, plan.objective, other.objective if other.solved else None, lost),
        ))
    return out


def _n(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.4g}"


def _why(label: str, on: bool, verdict: str, best: float, forced: float | None, lost: float | None) -> str:
    """The decision in plain words."""
    state, other = ("on", "off") if on else ("off", "on")
    if verdict == "forced":
        head = f"{label} is forced {state} by the scenario's rules; without that rule, {other} would give {_n(forced)} against {_n(best)}"
        return f"{head}: the rule costs {_n(-lost)}." if lost < 0 else f"{head}: the rule costs nothing ({state} is as good or better anyway)."
    if verdict == "impossible":
        return f"{label} is {state}: the rules do not allow it {other} (no plan exists with it {other})."
    head = f"{label} is {state}; forcing it {other} gives {_n(forced)} against the plan's {_n(best)}"
    if verdict == "tie":
        return (f"{head}: a tie — the difference is within the solver's tolerance, so running it {other} is an "
                f"equally good alternative; the plan's choice between the two is arbitrary.")
    if verdict == "better":
        return f"{head}: slightly better, beyond the solver's tolerance (the curves' pieces understate it)."
    return f"{head}: {_n(lost)} worse ({lost / abs(best):.1%} of the objective)." if best else f"{head}: {_n(lost)} worse."


def _limit_values(scenario: Scenario, quick: Scenario, plan: Plan, values: dict[str, float]) -> list[LimitValue]:
    duals = fixed_lp_duals(quick, values)
    on = {f"{i}": c.on for i, c in enumerate(plan.channels)}
    names = (["budget"] if scenario.budget is not None else []) + [f"resource_{r}" for r in range(len(scenario.resources))]
    for name, d in duals.items():
        if d.binding and name not in names and (not name.startswith("onoff_") or on.get(name.rsplit("_", 1)[1])):
            names.append(name)
    out, seen = [], set()
    for name in names:
        limit = limit_of(scenario, name)
        if limit is None or limit.names[0] in seen:
            continue
        seen.add(limit.names[0])
        step = limit.step()
        moved_to = limit.loosened(step)
        gain = worth = None
        if moved_to != limit.value:
            moved, _ = solve_from(with_limit(quick, limit, moved_to), start=values, diagnose=False)
            if moved.solved:
                used = abs(moved_to - limit.value)
                gain = better_by(scenario, moved.objective, plan.objective)
                if abs(gain) <= tie_tolerance(scenario, plan.objective, moved.objective):
                    gain = 0.0  # no gain beyond the solver's tolerance: re-solve noise, not value
                worth, step = gain / used, used
        members = [duals[m] for m in limit.names if m in duals]
        # a dual prices a right-hand side: counts are fixed with the decisions, shares are not a
        # right-hand side; a rule over several cells moves them all, so its price is their sum
        priced = bool(members) and not limit.integer and limit.kind not in ("group_share", "concentration")
        price = sum(d.shadow_price for d in members) if priced else None
        binding = any(d.binding for d in members)
        out.append(LimitValue(limit.rule, limit.kind, limit.value, binding, step, gain, worth, price))
    return sorted(out, key=lambda x: -(x.gain or 0.0))


def curves(scenario: Scenario, plan: Plan, samples: int = 48) -> list[dict[str, Any]]:
    """Each spend-driven channel's real response curve, sampled, with the range the plan may
    use (min_spend to its cap), the optimised spend and the current one (None without)."""
    from .curves import depends_on_spend, reach

    caps = scenario.spend_caps()
    chosen = {c.id: c for c in plan.channels}
    current = scenario.current or {}
    out = []
    for ch in scenario.channels:
        if not depends_on_spend(ch.response):
            continue
        hi = ch.max_spend if ch.max_spend is not None else caps[ch.id]
        now = current.get(ch.id) if scenario.current is not None else None
        right = max(hi, now or 0.0, chosen[ch.id].spend) or 1.0
        xs = [right * i / samples for i in range(samples + 1)]
        out.append({"id": ch.id, "label": ch.name, "on": chosen[ch.id].on, "spend": chosen[ch.id].spend,
                    "current_spend": now, "lo": ch.min_spend, "hi": hi, "points": [[x, reach(ch.response, x)] for x in xs]})
    return out


def _alternatives(scenario: Scenario, plan: Plan, k: int, within: float | None) -> list[Alternative]:
    best_on = {c.id for c in plan.channels if c.on}
    out = []
    for rank, alt in enumerate(next_best(scenario, plan, k, within), start=1):
        on = [c.id for c in alt.channels if c.on]
        differs = [f"+{cid}" for cid in on if cid not in best_on] + [f"-{c.id}" for c in plan.channels if c.on and c.id not in on]
        behind = better_by(scenario, plan.objective, alt.objective)
        tie = abs(behind) <= tie_tolerance(scenario, plan.objective, alt.objective)
        out.append(Alternative(rank, alt.objective, alt.cost, behind, tie, on, differs))
    return out
