"""Explanations and evaluations as a person reads them in a terminal (rich tables)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..analysis.conflicts import Conflict
from ..analysis.explanation import Explanation
from ..schema.models import Scenario
from ..verify.evaluate import Evaluation
from ..verify.evaluate_periods import PeriodsEvaluation
from ..verify.plan import Plan
from .common import num, pct
from .documents import channel_rows, conflict_document, coverage_rows
from .explain_sections import (
    alternative_head,
    baseline_head,
    baseline_period_head,
    baseline_period_rows,
    limit_head,
    marginal_head,
    period_grid,
    period_names,
    verdict_word,
    why_sentence,
    yes_no,
)
from .i18n import current, t, using
from .risk import risk_lines
from .terminal import label_column
from .wording import limit_words, plan_message


def _n(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    if decimals == 0 and abs(value) < 10 and value != 0:
        return num(value, 0) if float(value).is_integer() else current().number(f"{value:,.3g}")
    return num(value, decimals)


def _table(title: str, columns: list[str], rows: list[list[str]], width: int = 200) -> Table:
    """A table whose first column (labels) is cut with an ellipsis in a narrow console,
    so the figures keep their room."""
    out = Table(title=title, title_justify="left")
    for i, name in enumerate(columns):
        if i == 0:
            label_column(out, name, width)
        else:
            out.add_column(name, justify="right")
    for row in rows:
        out.add_row(*row)
    return out


def _print(console: Console, title: str, columns: list[str], rows: list[list[str]]) -> None:
    console.print(_table(title, columns, rows, console.width))


def render_explanation(e: Explanation, console: Console, language: str | None = None) -> None:
    """Every section of an explanation, in reading order, in ``language`` (default English)."""
    with using(language):
        _explanation(e, console)


def _explanation(e: Explanation, console: Console) -> None:
    plan = e.plan
    head = [f"{t('term.status')}: {e.status}" + (f"  {t('term.verified')}" if plan.verified else "")]
    if plan.solved:
        head.append(f"{t('objective')}: {num(e.objective, 2)} ({plan.sense})   "
                    + t("term.spent", spent=f"{num(plan.cost, 2)} {plan.currency}".rstrip()))
        head.append(t("explain.ties_below", tolerance=current().number(f"{e.tolerance:,.3g}")))
    else:
        head.append(plan_message(plan))
    head.append(t("explain.seconds", seconds=num(e.seconds, 2), solve=num(e.solve_seconds, 2)))
    console.print(Panel("\n".join(head), title=f"[bold]{e.scenario}[/bold]", expand=False))
    if plan.baseline is not None:
        _baseline(plan, console)
    if e.channels:
        _channels(e, console)
    names = period_names({"schedule": asdict(plan.schedule)}) if plan.schedule is not None else {}
    grid = period_grid(
        {"periods": [vars(m) for m in e.periods], "channels": [{"id": c.id, "label": c.label} for c in e.channels]},
        names)
    if grid:
        _print(console, t("explain.periods_title"), grid["head"], grid["rows"])
        console.print(Text(t("explain.periods_note"), style="dim"))
    if e.limits:
        rows = [
            [limit_words(x.what), _n(x.limit, 2), yes_no(x.binding), _n(x.step, 2), _n(x.gain, 2),
             _n(x.worth_per_unit, 4), _n(x.shadow_price, 4)] for x in e.limits]
        _print(console, t("explain.limits_terminal"), limit_head(), rows)
    if e.alternatives:
        rows = [[str(a.rank), _n(a.objective, 2), _n(a.cost, 2), verdict_word("tie") if a.tie else _n(a.behind, 2),
                 " ".join(a.differs) or t("explain.same_channels")] for a in e.alternatives]
        _print(console, t("explain.alternatives_title"), alternative_head(), rows)
    elif plan.solved:
        console.print(Text(t("explain.none_within"), style="dim"))
    if e.conflict is not None:
        _conflict(e.conflict, console)


def render_baseline(plan: Plan, console: Console, language: str | None = None) -> None:
    """The current plan (``plan.baseline``) beside the optimised one, and the uplift."""
    with using(language):
        _baseline(plan, console)


def _baseline(plan: Plan, console: Console) -> None:
    assert plan.baseline is not None
    b = plan.baseline.to_dict()
    rows = [[c["label"], _n(c["current_spend"], 2), _n(c["optimised_spend"], 2), _n(c["current_reach"], 3),
             _n(c["optimised_reach"], 3)] for c in b["channels"] if c["current_on"] or c["optimised_on"]]
    rows.append([t("baseline.total_cost"), _n(b["cost"], 2), _n(plan.cost, 2), "", ""])
    rows.append([t("objective"), _n(b["objective"], 2), _n(b["optimised_objective"], 2), "", ""])
    _print(console, t("baseline.title"), baseline_head(), rows)
    if b.get("periods"):
        schedule = {"schedule": asdict(plan.schedule)} if plan.schedule is not None else {}
        _print(console, t("baseline.periods_title"), baseline_period_head(),
               baseline_period_rows({"baseline": b, **schedule}))
        console.print(Text(t("baseline.kept_up"), style="dim"))
    if b["uplift"] is not None:
        share = f" ({pct(b['uplift'] / abs(b['objective']), 1)})" if b["objective"] else ""
        console.print(Text(t("explain.uplift", amount=num(b["uplift"], 2) + share)))
    if b["violations"]:
        console.print(Text(t("baseline.breaks", violations="; ".join(b["violations"])).rstrip("."), style="yellow"))
    else:
        console.print(Text(t("baseline.keeps"), style="dim"))


def _channels(e: Explanation, console: Console) -> None:
    step = next((c.marginal.step for c in e.channels if c.marginal), 100.0)
    rows = []
    for c in e.channels:
        m = c.marginal
        lost = c.value_if_forced_off if c.on else c.value_if_forced_on
        buys = "—" if m is None else _n(m.step_objective, 2) + ("" if m.step_spend >= m.step else " *")
        rows.append([c.label, t("on_word") if c.on else t("off_word"), _n(c.spend, 2),
                     _n(m.reach_per_unit, 4) if m else "—", _n(m.objective_per_unit, 4) if m else "—",
                     _n(m.cost_per_customer, 4) if m else "—", buys,
                     _n(lost, 2) if lost is not None else verdict_word("impossible"), verdict_word(c.verdict)])
    head = marginal_head()
    head[1], head[6] = "", t("explain.col_next_amount", step=num(step))
    _print(console, t("explain.channels_terminal"), head, rows)
    console.print(Text(t("explain.partial_step", step=num(step)), style="dim"))
    for c in e.channels:
        style = "bold" if c.verdict == "tie" else None
        lost = c.value_if_forced_off if c.on else c.value_if_forced_on
        console.print(
            Text(f"• {why_sentence(c.label, c.on, c.verdict, e.objective, c.forced_objective, lost)}", style=style))


def _conflict(found: Conflict, console: Console) -> None:
    conflict = conflict_document(found)
    assert conflict is not None
    console.print(Text(t("explain.conflict_intro"), style="bold"))
    for rule in conflict["rules"]:
        console.print(Text(f"  • {rule}"))
    rows = [[r["rule"], r["change"], yes_no(r["verified"])] for r in conflict["repairs"]]
    _print(console, t("explain.repairs_title"),
           [t("explain.col_rule"), t("explain.col_change"), t("explain.col_checked")], rows)


def _resources(scenario: Scenario, truth: Evaluation | PeriodsEvaluation) -> dict[str, dict[str, float]]:
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
        "resources": _resources(scenario, truth),
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


def render_evaluation(scenario: Scenario, truth: Evaluation | PeriodsEvaluation, console: Console,
                      risk: dict[str, Any] | None = None) -> None:
    data = evaluation_dict(scenario, truth, risk)
    verdict = "keeps every rule" if not truth.violations else f"breaks {len(truth.violations)} rule(s)"
    head = [f"this plan {verdict}", f"objective: {truth.objective:,.2f} ({scenario.objective.sense})",
            f"money spent: {truth.money:,.2f} {scenario.currency}".rstrip()]
    if data["outcome"] or data["baseline_outcome"]:
        with using(scenario.language):
            head.append(t("term.outcome", outcome=num(data["outcome"], 2), baseline=num(data["baseline_outcome"], 2)))
    head += [f"{r}: {x['used']:,.2f} of {x['capacity']:,.2f}" for r, x in _resources(scenario, truth).items()]
    console.print(
        Panel("\n".join(head), title=f"[bold]{scenario.scenario}[/bold] (evaluated, not optimised)", expand=False))
    rows = [[c.label, _n(c.spend, 2), _n(c.cost, 2), _n(c.reach, 3)] for c in truth.channels if c.on]
    _print(console, "Channels on", ["channel", "spend", "cost", "reach"], rows)
    with using(scenario.language):
        if isinstance(truth, PeriodsEvaluation):  # what runs when, as a solved plan shows it
            from .schedule_terminal import render_schedule

            render_schedule({**data, "status": "optimal"}, console)  # read as a plan's
        for line in risk_lines(data):
            console.print(Text(line))
    for v in truth.violations:
        console.print(Text(f"breaks {v}", style="yellow"))
