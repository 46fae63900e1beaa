"""A given plan, scored (``channelmix evaluate``), as a person reads it in a terminal, in
the report language: whole currency units, reach as a percentage, every broken rule in words."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel

from ..schema.models import Scenario
from ..verify.evaluate import Evaluation
from ..verify.evaluate_periods import PeriodsEvaluation
from .common import auto, num, pct, qty, resource_name, sense_title
from .explain_render import evaluation_dict, resources_of
from .fit import fitted, say
from .i18n import t, using
from .risk import risk_lines
from .violations import Names, violation_words


def render_evaluation(scenario: Scenario, truth: Evaluation | PeriodsEvaluation, console: Console,
                      language: str | None = None, risk: dict[str, Any] | None = None) -> None:
    """The verdict, the figures, the channels on (and over periods what runs when), the risk
    over the scenario's worlds (``risk``), then every broken rule, in ``language`` (default: the
    scenario's, else English)."""
    with using(language or scenario.language):
        count = len(truth.violations)
        verdict = t("evaluate.keeps") if not count else t("evaluate.breaks_one" if count == 1 else "evaluate.breaks",
                                                          count=num(count))
        money = f"{num(truth.money)} {scenario.currency}".rstrip()
        head = [verdict, t("term.objective", title=sense_title(scenario.objective.sense), value=auto(truth.objective)),
                t("term.spent", spent=money)]
        data = evaluation_dict(scenario, truth, risk)
        if data["outcome"] or data["baseline_outcome"]:
            head.append(t("term.outcome", outcome=num(data["outcome"]), baseline=num(data["baseline_outcome"])))
        head += [t("term.resource", name=resource_name(r), used=qty(x["used"]), capacity=qty(x["capacity"]))
                 for r, x in resources_of(scenario, truth).items()]
        console.print(Panel("\n".join(head), title=t("evaluate.title", scenario=scenario.scenario), expand=False))
        cur = f" ({scenario.currency})" if scenario.currency else ""
        rows = [[c.label, num(c.spend), num(c.cost), pct(c.reach)] for c in truth.channels if c.on]
        for part in fitted(t("term.channels_on"), [t("channel"), t("spend") + cur, t("cost") + cur, t("reach")], rows,
                           console.width):
            console.print(part)
        if isinstance(truth, PeriodsEvaluation):  # what runs when, as a solved plan shows it
            from .schedule_terminal import render_schedule

            render_schedule({**data, "status": "optimal"}, console)  # read as a plan's
        for line in risk_lines(data):
            say(console, line)
        names = Names.of_scenario(scenario)
        for v in truth.violations:
            say(console, t("evaluate.rule", rule=violation_words(v, names)), "yellow", indent="  ")
