"""Explanations and evaluations as a person reads them in a terminal (rich tables)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from ..schema.models import Scenario
from ..verify.evaluate import Evaluation
from ..verify.evaluate_periods import PeriodsEvaluation
from ..verify.plan import Plan
from .baseline import baseline_head, baseline_period_head, baseline_period_rows, baseline_rows, period_names, plan_money
from .claims import uplift_claim
from .common import MAXIMISE, auto, num, sense_title
from .documents import channel_rows, conflict_document, coverage_rows, explanation_document, plan_document
from .explain_sections import (
    alternative_head,
    limit_head,
    limit_rows,
    lost_text,
    lp_head,
    lp_rows,
    marginal_head,
    period_grid,
    sig,
    verdict_word,
    why_sentence,
    yes_no,
)
from .fit import fitted, say
from .i18n import current, t, using
from .problem_words import message_text, said_conflict
from .violations import Names, violation_words
from .wording import limit_words

if TYPE_CHECKING:  # the analysis is loaded by whoever explains; a plan with its baseline needs none of it
    from ..analysis.conflicts import Conflict
    from ..analysis.explanation import Explanation


def _n(value: float | None) -> str:
    """A figure rounded to what a reader uses: whole above 100, else three significant digits."""
    if value is None:
        return "—"
    if abs(value) >= 100 or value == 0 or float(value).is_integer():
        return num(value, 0)
    return current().number(f"{value:,.3g}")


def _print(console: Console, title: str, columns: list[str], rows: list[list[str]], names: bool = True) -> None:
    """A table that fits the console (:func:`channelmix.reports.fit.fitted`): parts below
    each other when its columns do not fit beside each other; ``names``: the labels are
    names (shortened with an ellipsis), else sentences (wrapped)."""
    for part in fitted(title, columns, rows, console.width, names):
        console.print(part)


def render_explanation(e: Explanation, console: Console, language: str | None = None) -> None:
    """Every section of an explanation, in reading order, in ``language`` (default English)."""
    with using(language):
        _explanation(e, console)


def _explanation(e: Explanation, console: Console) -> None:
    plan = e.plan
    head = [f"{t('term.status')}: {e.status}" + (f"  {t('term.verified')}" if plan.verified else "")]
    if plan.solved:
        head.append(t("term.objective", title=sense_title(plan.sense), value=auto(e.objective)))
        head.append(t("term.spent", spent=f"{num(plan.cost)} {plan.currency}".rstrip()))
        head.append(t("explain.ties_below", tolerance=current().number(f"{e.tolerance:,.3g}")))
    else:
        head.append(message_text(plan_document(plan)))
    head.append(t("explain.seconds", seconds=num(e.seconds, 2), solve=num(e.solve_seconds, 2)))
    console.print(Panel("\n".join(head), title=f"[bold]{e.scenario}[/bold]", expand=False))
    if plan.baseline is not None:
        _baseline(plan, console)
    if e.channels:
        _channels(e, console)
    names = period_names({"schedule": asdict(plan.schedule)}) if plan.schedule is not None else {}
    money = plan.sense not in MAXIMISE  # the objective is the money: explained by what more reach costs
    figure = "cost_per_reach" if money else "objective_per_unit"
    grid = period_grid(
        {"periods": [{**vars(m), "objective_per_unit": getattr(m, figure)} for m in e.periods],
         "channels": [{"id": c.id, "label": c.label} for c in e.channels]}, names)
    if grid:
        on = {(m.channel, m.period) for m in e.periods}
        ids = list(dict.fromkeys(m.channel for m in e.periods))
        rows = [[line[0], *(_n(v) if v is not None else "—" if (cid, p) in on else "–"
                            for v, p in zip(line[1:], dict.fromkeys(m.period for m in e.periods)))]
                for cid, line in zip(ids, grid["values"])]
        _print(console, t("explain.periods_cost_title" if money else "explain.periods_title"), grid["head"], rows)
        console.print(Text(t("explain.periods_cost_note" if money else "explain.periods_note"), style="dim"))
    if e.limits:
        doc, document = explanation_document(e), plan_document(plan)
        _print(console, t("explain.limits_terminal"), limit_head(), limit_rows(doc, document), names=False)
        if lp_rows(doc, document):
            _print(console, t("explain.lp_title"), lp_head(), lp_rows(doc, document), names=False)
            console.print(Text(t("explain.lp_note"), style="dim"))
    if e.alternatives:
        rows = [[str(a.rank), _n(a.objective), num(a.cost), verdict_word("tie") if a.tie else _n(a.behind),
                 " ".join(a.differs) or t("explain.same_channels")] for a in e.alternatives]
        _print(console, t("explain.alternatives_title"), alternative_head(), rows)
    elif plan.solved:
        console.print(Text(t("explain.none_within"), style="dim"))
    if e.conflict is not None:
        _conflict(e.conflict, plan_document(plan), console)


def finished_line(item: Any, best: float | None, language: str | None = None) -> str | None:
    """One finished re-solve of an explanation as a line, while the others still run (None: nothing to
    say): a channel's decision in words, a limit and its gain, the alternatives found, a repair."""
    from ..analysis.conflicts import Conflict, Repair
    from ..analysis.explanation import ChannelValue, LimitValue

    with using(language):
        if isinstance(item, ChannelValue) and best is not None:
            lost = item.value_if_forced_off if item.on else item.value_if_forced_on
            return f"• {why_sentence(item.label, item.on, item.verdict, best, item.forced_objective, lost)}"
        if isinstance(item, LimitValue):
            head = limit_head()
            return f"• {limit_words(item.what)}: {head[4]} {sig(item.gain)} ({head[3]} {sig(item.step)})"
        if isinstance(item, list):
            return f"• {t('explain.alternatives_title')}: {len(item)}"
        if isinstance(item, Repair):
            found = conflict_document(Conflict([item.rule], [item.name], [item]))
            said = said_conflict(found, {}) if found else None
            return f"• {said['rules'][0]}: {said['repairs'][0]['change']}" if said else None
    return None


def render_baseline(plan: Plan, console: Console, language: str | None = None) -> None:
    """The current plan (``plan.baseline``) beside the optimised one, and the uplift."""
    with using(language):
        _baseline(plan, console)


def _baseline(plan: Plan, console: Console) -> None:
    assert plan.baseline is not None
    b = plan.baseline.to_dict()
    doc = {"baseline": b, "cost": plan.cost, "sense": plan.sense, "currency": plan.currency}
    _print(console, t("baseline.title"), baseline_head(plan.currency or ""), baseline_rows(doc))
    if b.get("periods"):
        schedule = {"schedule": asdict(plan.schedule)} if plan.schedule is not None else {}
        _print(console, t("baseline.periods_title"), baseline_period_head(),
               baseline_period_rows({"baseline": b, **schedule}))
        console.print(Text(t("baseline.kept_up"), style="dim"))
    claim = uplift_claim({"baseline": b, "cost": plan.cost, "sense": plan.sense, "currency": plan.currency},
                         plan_money({"currency": plan.currency}))
    if claim is not None:
        console.print(Text(claim.sentence))
    if plan.baseline.violations:
        names = Names.of_plan(plan)
        broken = "; ".join(violation_words(v, names) for v in plan.baseline.violations)
        say(console, t("baseline.breaks", violations=broken).rstrip("."), "yellow")
    else:
        console.print(Text(t("baseline.keeps"), style="dim"))


def _channels(e: Explanation, console: Console) -> None:
    step = next((c.marginal.step for c in e.channels if c.marginal), 100.0)
    money = e.plan.sense not in MAXIMISE
    rows = []
    for c in e.channels:
        m = c.marginal
        lost = c.value_if_forced_off if c.on else c.value_if_forced_on
        bought = None if m is None else m.step_reach if money else m.step_objective
        buys = "—" if m is None else sig(bought) + ("" if m.step_spend >= m.step else " *")
        per_unit = None if m is None else m.cost_per_reach if money else m.objective_per_unit
        rows.append([c.label, t("on_word") if c.on else t("off_word"), num(c.spend),
                     sig(m.reach_per_unit) if m else "—", sig(per_unit), sig(m.cost_per_customer) if m else "—", buys,
                     lost_text(c.verdict, lost), verdict_word(c.verdict)])
    head = marginal_head(e.plan.currency or "", money)
    head[1], head[6] = "", t("explain.col_next_reach" if money else "explain.col_next_amount", step=num(step))
    _print(console, t("explain.channels_terminal"), head, rows)
    console.print(Text(t("explain.partial_step", step=num(step)), style="dim"))
    for c in e.channels:
        style = "bold" if c.verdict == "tie" else None
        lost = c.value_if_forced_off if c.on else c.value_if_forced_on
        say(console, f"• {why_sentence(c.label, c.on, c.verdict, e.objective, c.forced_objective, lost)}", style,
            indent="  ")


def _conflict(found: Conflict, plan: dict[str, Any], console: Console) -> None:
    written = conflict_document(found)
    assert written is not None
    conflict = said_conflict(written, plan)
    console.print(Text(t("explain.conflict_intro"), style="bold"))
    for rule in conflict["rules"]:
        console.print(Text(f"  • {rule}"))
    rows = [[r["rule"], r["change"], yes_no(r["verified"])] for r in conflict["repairs"]]
    _print(console, t("explain.repairs_title"),
           [t("explain.col_rule"), t("explain.col_change"), t("explain.col_checked")], rows, names=False)


def resources_of(scenario: Scenario, truth: Evaluation | PeriodsEvaluation) -> dict[str, dict[str, float]]:
    """Resource -> used and capacity (over periods: summed over the periods)."""
    if isinstance(truth, PeriodsEvaluation):
        return truth.resources
    return {r: {"used": used, "capacity": scenario.resources[r]} for r, used in truth.resources.items()}


def evaluation_dict(scenario: Scenario, truth: Evaluation | PeriodsEvaluation,
                    risk: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON of ``channelmix evaluate --format json``: the channels, coverage, outcome and
    ``risk`` (with worlds) in the shape ``solve --format json`` gives them, written by the same
    code; over periods with the plan's ``schedule``."""
    out = {
        "scenario": scenario.scenario, "feasible": not truth.violations, "objective": truth.objective,
        "cost": truth.money, "weighted_reach": truth.weighted_reach, "currency": scenario.currency,
        "sense": scenario.objective.sense,
        "violations": [{"rule": v.rule, "amount": v.amount, "detail": v.detail} for v in truth.violations],
        "resources": resources_of(scenario, truth),
        "penalties": {k: v for k, v in truth.penalties.items() if v},
        "channels": channel_rows(truth.channels),
        "coverage": coverage_rows(truth.cells),
        "outcome": truth.outcome,
        # a plan over periods reports none, as solve's does
        "baseline_outcome": getattr(truth, "baseline_outcome", 0.0),
        "risk": risk,
    }
    if isinstance(truth, PeriodsEvaluation):
        out["schedule"] = asdict(truth.schedule)
    return out
