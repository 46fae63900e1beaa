"""Explanations and evaluations as a person reads them in a terminal (rich tables)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .evaluate import Evaluation
from .explanation import Explanation
from .plan import Plan
from .reports.terminal import LABEL_WIDTH
from .schema.models import Scenario


def _n(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    if decimals == 0 and abs(value) < 10 and value != 0:
        return f"{value:,.3g}"
    return f"{value:,.{decimals}f}"


def _table(title: str, columns: list[str], rows: list[list[str]], width: int = 200) -> Table:
    """A table whose first column (labels) is cut with an ellipsis in a narrow console,
    so the figures keep their room."""
    out = Table(title=title, title_justify="left")
    for i, name in enumerate(columns):
        if i == 0:
            out.add_column(name, overflow="ellipsis", no_wrap=True, max_width=LABEL_WIDTH if width < 120 else None)
        else:
            out.add_column(name, justify="right")
    for row in rows:
        out.add_row(*row)
    return out


def _print(console: Console, title: str, columns: list[str], rows: list[list[str]]) -> None:
    console.print(_table(title, columns, rows, console.width))


def render_explanation(e: Explanation, console: Console) -> None:
    """Every section of an explanation, in reading order."""
    plan = e.plan
    head = [f"status: {e.status}" + ("  ✓ verified" if plan.verified else "")]
    if plan.solved:
        head.append(f"objective: {e.objective:,.2f} ({plan.sense})   money spent: {plan.cost:,.2f} {plan.currency}".rstrip())
        head.append(f"differences below {e.tolerance:,.3g} are ties (the solver's gap)")
    else:
        head.append(plan.message)
    head.append(f"explained in {e.seconds:.2f} s (one solve: {e.solve_seconds:.2f} s)")
    console.print(Panel("\n".join(head), title=f"[bold]{e.scenario}[/bold]", expand=False))
    if plan.baseline is not None:
        render_baseline(plan, console)
    if e.channels:
        _channels(e, console)
    if e.limits:
        rows = [[x.rule, _n(x.limit, 2), "yes" if x.binding else "no", _n(x.step, 2), _n(x.gain, 2), _n(x.worth_per_unit, 4),
                 _n(x.shadow_price, 4)] for x in e.limits]
        _print(console, "What loosening each limit is worth (re-solved with the limit moved by the step)",
                             ["limit", "now", "binding", "step", "gain", "per unit", "LP shadow price"], rows)
    if e.alternatives:
        rows = [[str(a.rank), _n(a.objective, 2), _n(a.cost, 2), "tie" if a.tie else _n(a.behind, 2),
                 " ".join(a.differs) or "same channels"] for a in e.alternatives]
        _print(console, "Next-best distinct mixes", ["rank", "objective", "cost", "behind the best", "differs"], rows)
    elif plan.solved:
        console.print(Text("No other mix within the tolerance asked for.", style="dim"))
    if e.conflict is not None:
        _conflict(e.conflict, console)


def render_baseline(plan: Plan, console: Console) -> None:
    """The current plan (``plan.baseline``) beside the optimised one, and the uplift."""
    b = plan.baseline
    rows = [[c["label"], _n(c["current_spend"], 2), _n(c["optimised_spend"], 2), _n(c["current_reach"], 3),
             _n(c["optimised_reach"], 3)] for c in b["channels"] if c["current_on"] or c["optimised_on"]]
    rows.append(["total cost", _n(b["cost"], 2), _n(plan.cost, 2), "", ""])
    rows.append(["objective", _n(b["objective"], 2), _n(b["optimised_objective"], 2), "", ""])
    _print(console, "Current plan vs optimised", ["channel", "current spend", "optimised spend", "current reach",
                                                       "optimised reach"], rows)
    if b["uplift"] is not None:
        console.print(Text(f"Uplift: {b['uplift']:,.2f}" + (f" ({b['uplift'] / abs(b['objective']):.1%})" if b["objective"] else "")))
    if b["violations"]:
        console.print(Text("The current plan breaks: " + "; ".join(b["violations"]), style="yellow"))
    else:
        console.print(Text("The current plan keeps every rule.", style="dim"))


def _channels(e: Explanation, console: Console) -> None:
    step = next((c.marginal.step for c in e.channels if c.marginal), 100.0)
    rows = []
    for c in e.channels:
        m = c.marginal
        lost = c.value_if_forced_off if c.on else c.value_if_forced_on
        buys = "—" if m is None else _n(m.step_objective, 2) + ("" if m.step_spend >= m.step else " *")
        rows.append([c.label, "on" if c.on else "off", _n(c.spend, 2),
                     _n(m.reach_per_unit, 4) if m else "—", _n(m.objective_per_unit, 4) if m else "—",
                     _n(m.cost_per_customer, 4) if m else "—", buys,
                     _n(lost, 2) if lost is not None else "impossible", c.verdict])
    _print(console, "Channels: marginal figures and the value of each decision",
                         ["channel", "", "spend", "reach / unit", "objective / unit", "cost / customer",
                          f"next {step:,.0f} buys", "lost if switched", "verdict"], rows)
    console.print(Text(f"* at or near its largest spend: only part of the next {step:,.0f} can go to it", style="dim"))
    for c in e.channels:
        style = "bold" if c.verdict == "tie" else None
        console.print(Text(f"• {c.why}", style=style))


def _conflict(conflict: dict[str, Any], console: Console) -> None:
    console.print(Text("These rules conflict (drop any one and the rest can all hold):", style="bold"))
    for rule in conflict["rules"]:
        console.print(Text(f"  • {rule}"))
    rows = [[r["rule"], r["change"], "yes" if r["verified"] else "no"] for r in conflict["repairs"]]
    _print(console, "Smallest change of each limit that makes a plan possible", ["rule", "change", "checked"], rows)


def evaluation_dict(scenario: Scenario, truth: Evaluation) -> dict[str, Any]:
    """The JSON of ``channelmix evaluate --format json``."""
    return {
        "scenario": scenario.scenario, "feasible": not truth.violations, "objective": truth.objective, "cost": truth.money,
        "weighted_reach": truth.weighted_reach, "currency": scenario.currency, "sense": scenario.objective.sense,
        "violations": [{"rule": v.rule, "amount": v.amount, "detail": v.detail} for v in truth.violations],
        "resources": {r: {"used": used, "capacity": scenario.resources[r]} for r, used in truth.resources.items()},
        "penalties": {k: v for k, v in truth.penalties.items() if v},
        "channels": [{"id": c.id, "label": c.label, "on": c.on, "spend": c.spend, "cost": c.cost, "reach": c.reach}
                     for c in truth.channels],
        "coverage": [{"phase": c.phase, "segment": c.segment, "level": c.level, "target": c.target} for c in truth.cells],
    }


def render_evaluation(scenario: Scenario, truth: Evaluation, console: Console) -> None:
    verdict = "keeps every rule" if not truth.violations else f"breaks {len(truth.violations)} rule(s)"
    head = [f"this plan {verdict}", f"objective: {truth.objective:,.2f} ({scenario.objective.sense})",
            f"money spent: {truth.money:,.2f} {scenario.currency}".rstrip()]
    head += [f"{r}: {used:,.2f} of {scenario.resources[r]:,.2f}" for r, used in truth.resources.items()]
    console.print(Panel("\n".join(head), title=f"[bold]{scenario.scenario}[/bold] (evaluated, not optimised)", expand=False))
    rows = [[c.label, _n(c.spend, 2), _n(c.cost, 2), _n(c.reach, 3)] for c in truth.channels if c.on]
    _print(console, "Channels on", ["channel", "spend", "cost", "reach"], rows)
    for v in truth.violations:
        console.print(Text(f"breaks {v}", style="yellow"))
