"""The English sentences the JSON carries (format version 1), made from the records the model,
the solver and the explanation hand over: a rule's words (``binding``, an explanation's
conflict and the LP duals), the notes a plan adds to its ``warnings``, its ``message``, and a
limit's name and its repair.  Reports in a language say the same records in that language
(:mod:`channelmix.reports.rules`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..model.facts import Diagnosis, Note, Proof, Relaxation, Rule

if TYPE_CHECKING:  # read, never imported: the words of a saved result need no solver
    from ..analysis.conflicts import Repair
    from ..analysis.limits import Limit
    from ..verify.plan import Plan


def number(value: float) -> str:
    """A number as a rule states it: 4,500 or 0.45, never 9e+07."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.6g}"


# kinds of a plan over periods whose words say their period themselves (the others are a
# period's own copy of a rule, said after the period: "Month 2: money spent ≤ budget 1,000")
SAYS_ITS_PERIOD = frozenset(
    {"used_period", "used", "start", "no_start_running", "no_start_after_on", "start_on", "min_run", "stop", "stop_on",
     "stop_off", "switches", "budget_total", "pace_hi", "pace_lo", "ramp", "ramp_from_current", "cardinality_plan"})
SAYS_ITS_WORLD = frozenset({"worst", "cvar"})


def rule_words(rule: Rule, fmt: Callable[[float], str] = number) -> str:
    """The rule in English, as the model states it: where it holds, then what it says."""
    return scope_words(rule) + body_words(rule, fmt)


def scope_words(rule: Rule) -> str:
    """``Month 2: ``, ``world 3: `` or ``worlds like 3: `` before a rule that holds only there."""
    scope = rule.scope
    if scope.period is not None and rule.kind not in SAYS_ITS_PERIOD:
        return f"{scope.period_label or scope.period}: "
    if scope.world is not None and rule.kind not in SAYS_ITS_WORLD:
        return f"worlds like {scope.world}: " if scope.like else f"world {scope.world}: "
    return ""


def _sign(rule: Rule) -> str:
    return "≥" if rule.side == "min" else "≤"


def _count(value: float | None) -> str:
    return f"{int(value or 0)}"


def body_words(rule: Rule, fmt: Callable[[float], str] = number) -> str:
    """What the rule says, without where it holds (its period or world)."""
    ch, other, limit, label = rule.channel, rule.other, rule.limit or 0.0, rule.scope.period_label or rule.scope.period
    p, g = rule.cell or ("", "")
    soft = " (soft)" if rule.soft else ""
    words: dict[str, Callable[[], str]] = {
        "cap": lambda: f"{ch}: spend ≤ {fmt(limit)} when on, 0 when off",
        "min_spend": lambda: f"{ch}: spend ≥ min_spend {fmt(limit)} when on",
        "spend_step": lambda: f"{ch}: spend in multiples of {fmt(limit)}",
        "response_piece": lambda: f"{ch}: reach ≤ response curve, piece {rule.piece}",
        "curve_spend": lambda: f"{ch}: spend along the curve",
        "curve_reach": lambda: (
            f"{ch}: reach ≤ response curve" + (f" (curve {rule.curve} of the worlds)" if rule.curve is not None else "")
        ),
        "curve_on": lambda: f"{ch}: curve only when on",
        "curve_after": lambda: f"{ch}: piece {(rule.piece or 0) + 1} after piece {rule.piece}",
        "curve_full": lambda: f"{ch}: piece {rule.piece} full before piece {(rule.piece or 0) + 1}",
        "budget": lambda: f"money spent ≤ budget {fmt(limit)}",
        "resource": lambda: f"{rule.resource} used ≤ {fmt(limit)}",
        "cover": lambda: f"coverage of ({p}, {g}) ≤ reach of its channels",
        "target": lambda: f"coverage of ({p}, {g}) ≥ {fmt(limit)}{soft}",
        "breadth": lambda: (
            f"({p}, {g}) served by ≥ {_count(limit)} channels with affinity ≥ {fmt(rule.threshold or 0.0)}{soft}"
        ),
        "total_spend": lambda: "total spend",
        "concentration": lambda: f"{ch}: ≤ {limit:.0%} of spend",
        "group_share": lambda: f"{rule.group}: {_sign(rule)} {limit:.0%} of spend",
        "group_count": lambda: f"{rule.group}: {_sign(rule)} {_count(limit)} channels on",
        "cardinality": lambda: f"{_sign(rule)} {_count(limit)} channels on",
        "requires": lambda: f"{ch} on ⇒ {other} on",
        "excludes": lambda: f"not both {ch} and {other}",
        "force_on": lambda: f"{ch} forced on",
        "force_off": lambda: f"{ch} forced off",
        "outcome_target": lambda: f"total outcome ≥ {fmt(limit)}",
        "reach_level": lambda: f"weighted reach ≥ {fmt(limit)}",
        "adstock": lambda: f"{ch}: effective spend = spend + {fmt(limit)} × last period's",
        "effective": lambda: f"{ch}: the curve reads the effective spend",
        "effective_on": lambda: f"{ch}: no reach while off",
        "effective_all": lambda: f"{ch}: all of it while on",
        "carry_in": lambda: f"{ch}: the carry-in is what earlier periods left",
        "carry_on": lambda: f"{ch}: no carry-in while off",
        "used_period": lambda: f"{ch}: used if on in {label}",
        "used": lambda: f"{ch}: used only if on in some period",
        "start": lambda: f"{ch}: starts in {label} if on now and not before",
        "no_start_running": lambda: f"{ch}: no start in {label} if it runs before",
        "no_start_after_on": lambda: f"{ch}: no start in {label} if on before",
        "start_on": lambda: f"{ch}: a start in {label} is a period on",
        "min_run": lambda: f"{ch}: on in {label} if started in the {_count(limit)} periods up to it",
        "stop": lambda: f"{ch}: stops in {label} if off after on",
        "stop_on": lambda: f"{ch}: a stop follows a period on",
        "stop_off": lambda: f"{ch}: a stop is a period off",
        "switches": lambda: f"{ch}: ≤ {_count(limit)} starts and stops",
        "budget_so_far": lambda: f"money spent so far ≤ budgets so far {fmt(limit)} (unspent money carries over)",
        "budget_total": lambda: f"money spent over the plan ≤ budget {fmt(limit)}",
        "pace_hi": lambda: f"{ch}: spend in {label} ≤ {limit:g} × an even share of its total",
        "pace_lo": lambda: f"{ch}: spend in {label} ≥ {limit:g} × an even share of its total",
        "ramp": lambda: f"{ch}: spend in {label} ≤ {limit:g} × the period before's while it ran",
        "ramp_from_current": lambda: f"{ch}: spend in {label} ≤ {limit:g} × the period before's",
        "cardinality_plan": lambda: f"{_sign(rule)} {_count(limit)} channels used over the plan",
        "worst": lambda: f"worst case ≤ world {rule.scope.world}",
        "cvar": lambda: f"tail excess of world {rule.scope.world}",
    }
    words["redundancy"] = words["breadth"]
    return words[rule.kind]()


# ---------------------------------------------------------------- what a plan says about itself

POLISH_STOPPED = {"no_time": "no time was left to polish the spends",
                  "iterations": "the polish stopped at its iteration limit, a hair short of the real optimum",
                  "time": "the polish stopped at the time limit, a hair short of the real optimum",
                  "broke down": "the polish broke down (no finite step) and kept the MILP's spends"}


def note_words(note: Note) -> str:
    """A plan's note as its ``warnings`` say it."""
    aim = "spends least" if note.maximises else "reaches most"
    if note.kind == "tie_break":
        return f"tie-break {note.status}: among equal optima this plan may not be the one that {aim}"
    if note.kind == "tie_break_fixed":
        return (f"tie-break {note.status} (a large model): among equal optima with channels it left off, this plan "
                f"may not be the one that {aim}")
    if note.kind == "idle_channels":
        return (
            f"{', '.join(note.channels)}: on with no spend and no reach, yet counted by breadth, cardinality and group "
            "counts; set min_spend to what running a channel really takes")
    if note.kind in FALLBACK_NOTES:
        return fallback_words(note)
    if note.kind == "unbounded":
        return (f"the plan is worth {note.worth:,.6g}, more than the MILP's optimum {note.optimum:,.6g} and its curve "
                f"pieces' accuracy ({note.understated:,.6g}) explain: hard coverage targets (or a reach level or "
                "outcome target) are judged on the pieces, which rule out plans that meet them only on the real "
                "curves, so no approximation bound is known; a finer solver.accuracy narrows the difference")
    why = POLISH_STOPPED.get(note.status) or \
        f"the polished spends were rounded to the spend_step grid (no unit-move search over {note.count} spends)"
    return (f"plan over periods: {why}; how money is split between periods may be the MILP's, on its curve pieces "
            "(see approximation_bound)")


def proof_words(proof: Proof, gap: float | None) -> str:
    """How the gap of a long plan over periods was proven (the JSON's ``proof``)."""
    shown = "—" if gap is None else f"{gap:.3%}"
    if not proof.stalled:
        return (f"gap {shown} proven by HiGHS's branch and bound alone (its LP relaxation, cuts and "
                f"{proof.nodes:,} nodes over {proof.periods} periods)")
    if not proof.cuts:
        return (f"gap {shown} proven by HiGHS's branch and bound ({proof.nodes:,} nodes); after {proof.first_nodes:,} "
                "nodes per-period value cuts were tried and left out: they promised no better bound than the search's")
    return (f"gap {shown} proven by HiGHS's branch and bound with {proof.cuts} per-period value cuts (a Lagrangian "
            f"bound of each period's own problem, one per period), added after {proof.first_nodes:,} nodes without "
            f"them; {proof.nodes:,} nodes in all")


FALLBACK_NOTES = ("neutral_fallback", "neutral_missing", "neutral_broken")  # a robust model that gave no plan in time
BUILD_STAGES = {"breadth": "the breadth rules of {} of {} worlds",
                "coverage": "every curve and the coverage of {} of {} worlds",
                "curves": "the curves of {} of {} channels",
                "curves_next": "the curves of {} of {} channels and {} of {} curves of the next"}


def fallback_words(note: Note) -> str:
    """Why a robust model gave no plan in time, and what the answer is instead (the plan's message)."""
    if note.status == "build":
        why = (f"building the robust model was stopped after {note.seconds or 0.0:.1f} s with "
               + BUILD_STAGES[note.stage].format(*note.counts))
    else:
        why = "no robust plan was found in time"
    fix = f"raise solver.time_limit (now {note.limit or 0.0:g} s) or use fewer worlds"
    if note.kind == "neutral_missing":
        return f"{why}, and the risk-neutral plan was not found in time either; {fix}"
    if note.kind == "neutral_broken":
        return f"{why}, and the risk-neutral plan breaks a hard rule in {note.count} of {note.worlds} worlds; {fix}"
    return (f"{why} (time limit {note.limit or 0.0:g} s): this is the risk-neutral plan judged in every world, not "
            f"chosen for {note.risk}; raise solver.time_limit or use fewer worlds for a robust plan")


def plan_warnings(plan: Plan) -> list[str]:
    """The plan's ``warnings``: the input's, then its own notes (a missing plan's reason is its message only)."""
    return [*plan.warnings, *(note_words(n) for n in plan.notes if n.kind not in FALLBACK_NOTES[1:])]


NO_PLAN = {"infeasible": "infeasible: no plan meets every hard rule",
           "unbounded": "unbounded: the objective can grow without limit (a bug: every variable is bounded)",
           "no_solution": "no plan found within the time limit; raise solver.time_limit"}


def plan_message(plan: Plan) -> str:
    """The plan's ``message``: why there is none (and what would fix it), or that it stopped early."""
    told = next((n for n in plan.notes if n.kind in FALLBACK_NOTES), None)
    if told is not None:  # a robust model that gave no plan in time: the risk-neutral plan, or why there is none
        return fallback_words(told)
    if plan.solved:
        if plan.status == "optimal":
            return ""
        if plan.gap is None:  # a plan in hand but no bound yet (a robust model's start, stopped before its first LP)
            return ("stopped at the time limit before any bound was proved: how far from optimal this plan is, "
                    "is not known")
        return f"stopped at the time limit with a gap of {plan.gap:.3%}"
    text = NO_PLAN.get(plan.status, plan.status)
    return text if plan.diagnosis is None else f"{text}. {diagnosis_words(plan.diagnosis)}"


def relaxation_words(family: Relaxation) -> str:
    """A family of hard rules, named as the diagnosis says it ("the budget (4500)")."""
    value = family.value
    return {
        "budget": lambda: f"the budget ({value:g})",
        "period_budget": lambda: "the budget of every period" + (f" ({value:g})" if value is not None else ""),
        "resource": lambda: f"the {family.resource} limit ({value:g})",
        "coverage": lambda: "the hard coverage targets",
        "breadth": lambda: "the hard breadth rules",
        "concentration": lambda: f"the concentration limit ({value:.0%})",
        "cardinality": lambda: "the limits on how many channels run",
        "group": lambda: f"the group rule on {family.group}",
        "logic": lambda: "the requires/excludes rules",
        "force": lambda: "force_on/force_off",
        "min_runs": lambda: "the minimum runs",
        "switches": lambda: "the limits on switches",
        "pacing": lambda: "the pacing band",
        "ramp": lambda: "the ramp limit",
        "reach_level": lambda: f"the reach level ({value:g})",
        "outcome_target": lambda: f"the outcome target ({value:g})",
    }[family.kind]()


def diagnosis_words(found: Diagnosis) -> str:
    """A sentence or two on why no plan exists."""
    if found.culprits:
        text = ("Dropping any one of these would make it feasible: " + "; ".join(map(relaxation_words, found.culprits))
                + ".")
    else:
        text = "No single family of rules is to blame: several conflict at once."
    if found.likely:
        text += " Likely cause: " + " ".join(found.likely)
    return text


# ---------------------------------------------------------------- an explanation's limits and repairs


def limit_words(limit: Limit) -> str:
    """A numeric limit, named as the explanation's table names it ("coverage target (aware, owners)")."""
    kind = limit.kind
    if kind == "budget":
        return f"budget of {limit.period}" if limit.period else "budget per period" if limit.each_period else "budget"
    if kind == "resource":
        return f"resource {limit.resource}" + (" (each period)" if limit.each_period else "")
    if kind in ("coverage_target", "breadth"):
        family = "coverage" if kind == "coverage_target" else "breadth"
        where = (f"({limit.cell[0]}, {limit.cell[1]})" if limit.cell
                 else f"of rules.{family}[{limit.index}] ({limit.cells} cells)")
        return f"{'coverage target' if family == 'coverage' else 'breadth'} {where}"
    if kind == "cardinality":
        return f"channels on ({limit.side})"
    if kind in ("group_share", "group_count"):
        return f"group {limit.group} {limit.side}_{kind.split('_')[1]}"
    if kind == "concentration":
        return "concentration (largest share of spend)"
    if kind == "reach_level":
        return "weighted reach level"
    return f"{kind} of {limit.channel}"  # min_spend, max_spend


def outward_value(value: float, up: bool, integer: bool) -> tuple[float, int]:
    """A limit rounded away from infeasibility (up for 'at least') to what a person reads, and its decimals."""
    digits = 0 if integer or abs(value) >= 100 else 3 - math.floor(math.log10(abs(value))) if value else 0
    scale = 10.0 ** digits
    # the repair is a hair (1e-7, relative) past the boundary: not worth a digit of its own
    rounded = (math.ceil(value * scale * (1 - 1e-6)) if up else math.floor(value * scale * (1 + 1e-6))) / scale
    return rounded, max(digits, 0)


def outward(value: float, up: bool, integer: bool) -> str:
    """A limit as a person reads it, rounded away from infeasibility (up for 'at least')."""
    rounded, digits = outward_value(value, up, integer)
    return f"{rounded:,.{digits}f}".rstrip("0").rstrip(".") if digits > 0 else f"{rounded:,.0f}"


def repair_words(repair: Repair) -> str:
    """The change a repair asks for ("budget must be at least 720")."""
    if repair.limit is None:
        return f"drop or change: {rule_words(repair.rule)}"
    if repair.to is None:
        return f"moving this limit alone cannot help: {rule_words(repair.rule)}"
    up = repair.limit.loosens_up
    to = outward(repair.to, up, repair.limit.integer)
    return f"{limit_words(repair.limit)} must be {'at least' if up else 'at most'} {to}"
