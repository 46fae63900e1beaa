"""The decision header every plan page opens with (HTML, Markdown, terminal): which channels to
run and what each costs, how good the plan is out of what is reachable, the change against
today, what holds it back most and what 10 % more budget would buy.  Each line is a claim
(:class:`~channelmix.reports.claims.Claim`) computed from the plan dict; the extra budget's
worth is the verified re-solve the analysis made (``plan["more_budget"]``,
:mod:`channelmix.analysis.headroom`) — the reports only say it."""

from __future__ import annotations

from typing import Any, Callable

from ..model.facts import Rule
from . import limit_names
from .claims import Claim, cell_name, objective_claim
from .common import MAXIMISE, auto, is_number, pct, sense_title
from .i18n import labels_of, t

# the limits a person can move, in the order they are usually worth most (money first)
LIMIT_ORDER = ("budget", "budget_total", "budget_so_far", "resource", "target", "concentration", "group_share",
               "cardinality", "cardinality_plan", "cap", "breadth", "group_count")


def runs_line(plan: dict[str, Any], money: Callable[[Any], str]) -> Claim | None:
    """"Run: Spaza partners 6,088 ZAR, Own stall 7,291 ZAR, …" — the channels on, by cost (spend and fixed cost)."""
    on = sorted((c for c in plan.get("channels") or [] if c.get("on")), key=lambda c: -(c.get("cost") or 0.0))
    if not on:
        return None
    listed = " · ".join(t("decision.channel", label=c.get("label") or c["id"], cost=money(c.get("cost") or 0.0))
                                for c in on)
    return Claim("decision_runs", t("decision.runs", n=len(on), channels=listed), ("decision.runs",),
                 figures={"on": [c["id"] for c in on], "costs": [c.get("cost") or 0.0 for c in on]})


def objective_line(plan: dict[str, Any], money: Callable[[Any], str]) -> Claim | None:
    """The objective, and for weighted reach its share of the most reachable."""
    objective = plan.get("objective")
    if not is_number(objective):
        return None
    sense = plan.get("sense") or "max_reach"
    value = auto(objective) if sense == "max_reach" else money(objective)
    share = objective_claim(plan)
    text = t("decision.objective", title=sense_title(sense), value=value)
    if share is not None:
        text += " — " + share.sentence
    text += t("summary.end")
    return Claim("decision_objective", text, ("decision.objective",),
                 figures={"objective": objective, **(share.figures if share else {})})


def change_line(plan: dict[str, Any], money: Callable[[Any], str]) -> Claim | None:
    """Against today (``current:``): the objective's change, in per cent, and what it costs more or less."""
    b = plan.get("baseline") or {}
    if not is_number(b.get("uplift")) or not is_number(plan.get("cost")):
        return None
    uplift, delta_money = float(b["uplift"]), float(plan["cost"]) - float(b["cost"])
    share = uplift / abs(b["objective"]) if b.get("objective") else None
    sense = plan.get("sense") or "max_reach"
    signed = ("+" if uplift > 0 else "") + (f"{auto(uplift)} {sense_title(sense).lower()}" if sense == "max_reach"
                                             else money(uplift))
    share_text = ("+" if share and share > 0 else "") + pct(share, 1) if share is not None else "—"
    if sense in MAXIMISE:
        way = "more" if delta_money >= 0.5 else "less" if delta_money <= -0.5 else "same"
        key = f"decision.change_{way}"
        text = t(key, delta=signed, share=share_text, money=money(abs(delta_money)))
    else:
        key = "decision.change_saves"
        text = t(key, money=money(uplift), share=pct(share, 1) if share is not None else "—")
    return Claim("decision_change", text, (key,), figures={"uplift": uplift, "share": share, "money": delta_money})


def limit_name(plan: dict[str, Any], rule: Rule) -> str:
    """A limit in words of the report's language: "the budget", "the hours", "the coverage target of Delivery × …"."""
    channel = labels_of(plan.get("channels"))
    kind = rule.kind
    if kind.startswith("budget"):
        return t("decision.limit.budget")
    if kind == "resource":
        return t("decision.limit.resource", name=rule.resource)
    if kind == "target":
        return t("decision.limit.target", cell=cell_name(plan, rule.cell or ("", "")))
    if kind in ("breadth", "redundancy"):
        return t("decision.limit.breadth", cell=cell_name(plan, rule.cell or ("", "")))
    if kind in ("concentration", "cap"):
        return t(f"decision.limit.{kind}", channel=channel.get(rule.channel or "", rule.channel or ""))
    if kind.startswith("cardinality"):
        return t("decision.limit.cardinality")
    return t("decision.limit.group", group=rule.group or "")


def worth_line(plan: dict[str, Any]) -> Claim | None:
    """With an explanation: the two limits whose loosening the verified re-solves found worth most, and what each
    step buys ("the budget (+100 ZAR: +312)")."""

    limits = [r for r in (plan.get("explain") or {}).get("limits") or [] if is_number(r.get("gain")) and r["gain"] > 0]
    if not limits:
        return None
    top = sorted(limits, key=lambda r: -r["gain"])[:2]
    sense = plan.get("sense") or "max_reach"
    named = [t("decision.worth", limit=limit_names.limit_name(r, plan), step=auto(r["step"]),
               gain=auto(r["gain"]) if sense == "max_reach" else money_text(plan, r["gain"])) for r in top]
    return Claim("decision_worth", t("decision.limits", limits=t("list_sep").join(named)),
                 ("decision.limits", "decision.worth"), figures={"gains": [r["gain"] for r in top],
                                                                 "kinds": [r.get("kind") for r in top]})


def money_text(plan: dict[str, Any], value: float) -> str:
    return f"{auto(value)} {plan.get('currency') or ''}".strip()


def limits_line(plan: dict[str, Any], money: Callable[[Any], str]) -> Claim | None:
    """The two limits that hold the plan back: by what loosening each 10 % bought in its verified re-solve
    (``limits_worth``, made when a plan is written with a report or explained), else by the explanation's
    re-solves, else — no figures — the binding rules a person can move, said as binding (not ranked by worth)."""
    found = loosened_line(plan, money)
    if found is not None:
        return found
    worth = worth_line(plan)
    if worth is not None:
        return worth
    rules = [Rule.from_dict(r) for r in plan.get("binding_rules") or []]
    movable = [r for r in rules if r.kind in LIMIT_ORDER and not (r.kind.startswith("cardinality") and r.side == "min")]
    movable.sort(key=lambda r: LIMIT_ORDER.index(r.kind))
    names: list[str] = []
    kinds: list[str] = []
    for rule in movable:
        name = limit_name(plan, rule)
        if name not in names:
            names.append(name)
            kinds.append(rule.kind)
        if len(names) == 2:
            break
    if not names:
        return None
    return Claim("decision_limits", t("decision.limits_binding", limits=t("list_sep").join(names)),
                 ("decision.limits_binding",), figures={"kinds": kinds})


def limit_value(row: dict[str, Any], value: float, money: Callable[[Any], str]) -> str:
    """A limit's value as its kind reads: money, a share, a count of channels, a quantity."""
    kind = row.get("kind")
    if kind in ("budget", "min_spend", "max_spend"):
        return money(value)
    if kind in ("coverage_target", "concentration", "group_share"):
        return pct(value, 0 if abs(value * 100 - round(value * 100)) < 1e-9 else 1)
    if kind in ("breadth", "cardinality", "group_count"):
        return str(int(round(value)))
    return auto(value)


def loosened_line(plan: dict[str, Any], money: Callable[[Any], str]) -> Claim | None:
    """"Worth most to loosen, each 10 % looser in a verified re-solve: the budget (4,500 → 4,950 ZAR: +1,572),
    …" — the two binding limits whose re-solves gained most (``plan["limits_worth"]``, best first)."""
    rows = [r for r in plan.get("limits_worth") or [] if is_number(r.get("gain"))]
    if not rows:
        return None
    share = pct(rows[0].get("share"))
    gaining = [r for r in rows if r["gain"] > 0][:2]
    if not gaining:  # loosening any one of them buys nothing: say which were tried
        names = [limit_names.limit_name(r, plan) for r in rows[:2]]
        return Claim("decision_limits_worth", t("decision.limits_worth_nothing", share=share,
                                                limits=t("list_sep").join(names)),
                     ("decision.limits_worth_nothing",), figures={"rows": rows[:2], "all": rows})
    sense = plan.get("sense") or "max_reach"
    key = "decision.worth_gain" if sense in MAXIMISE else "decision.worth_saves"
    named = [t(key, limit=limit_names.limit_name(r, plan), before=limit_value(r, r["limit"], money),
               after=limit_value(r, r["moved_to"], money),
               gain=auto(r["gain"]) if sense == "max_reach" else money(r["gain"])) for r in gaining]
    return Claim("decision_limits_worth", t("decision.limits_worth", share=share, limits=t("list_sep").join(named)),
                 ("decision.limits_worth", key), figures={"rows": gaining, "all": rows})


def more_budget_line(plan: dict[str, Any], money: Callable[[Any], str]) -> Claim | None:
    """What 10 % more budget would buy, from the verified re-solve the analysis made."""
    found = plan.get("more_budget")
    if not isinstance(found, dict) or not is_number(found.get("extra")):
        return None
    sense = plan.get("sense") or "max_reach"
    values = {"share": pct(found["share"]), "extra": money(found["extra"]), "title": sense_title(sense).lower()}
    gain = found.get("gain")
    if not is_number(gain):
        key = "decision.more_budget_none"
    elif gain > 1e-6 * max(1.0, abs(plan.get("objective") or 0.0)):
        key = "decision.more_budget"
        values["gain"] = auto(gain) if sense == "max_reach" else money(gain)
    else:
        key = "decision.more_budget_nothing"
    return Claim("decision_more_budget", t(key, **values), (key,), figures=dict(found))


def decision_claims(plan: dict[str, Any], money: Callable[[Any], str]) -> list[Claim]:
    """The header's lines, in order; those the plan has no figures for left out."""
    found = [runs_line(plan, money), objective_line(plan, money), change_line(plan, money), limits_line(plan, money),
             more_budget_line(plan, money)]
    return [c for c in found if c is not None]


def decision_view(plan: dict[str, Any], money: Callable[[Any], str]) -> dict[str, Any]:
    """The header as the templates read it: its title and lines (none for a plan that was not solved)."""
    return {"title": t("decision.title"), "lines": [c.sentence for c in decision_claims(plan, money)]}


__all__ = ["decision_claims", "decision_view", "limit_name", "LIMIT_ORDER"]
