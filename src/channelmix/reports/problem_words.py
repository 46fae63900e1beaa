"""Why there is no plan, what would repair it, and what the input probably did not mean — in the
report's language, from the facts the JSON keeps beside its English sentences: the plan's
``diagnosis`` (the families of rules to blame), an explanation's ``conflict`` (``rule_facts``, each
repair's ``facts``) and the scenario's ``advice`` (the schema's warnings as facts).  A saved result
without those facts keeps its English sentences.
"""

from __future__ import annotations

from typing import Any

from ..model.facts import Rule
from .common import auto, is_number, num, pct, resource_name
from .i18n import labels_of, t
from .limit_names import cell_name, limit_name
from .wording import outward_value

__all__ = ["advice_text", "conflict_rule_text", "message_text", "repair_text", "said_conflict", "shown_warnings"]

SHARES = ("target", "concentration", "group_share")  # rule kinds whose limit is a share
COUNTS = ("breadth", "redundancy", "cardinality", "cardinality_plan", "group_count")
MONEY = ("budget", "budget_total", "budget_so_far", "min_spend", "cap")
WORDED = frozenset({"budget", "budget_total", "budget_so_far", "resource", "target", "breadth", "redundancy",
                    "concentration", "group_share_min", "group_share_max", "group_count_min", "group_count_max",
                    "cardinality_min", "cardinality_max", "cardinality_plan_min", "cardinality_plan_max", "requires",
                    "excludes", "reach_level", "min_spend", "cap", "force_on", "force_off", "outcome_target"})


# ---------------------------------------------------------------- the plan's message and its diagnosis


def message_text(plan: dict[str, Any]) -> str:
    """The plan's ``message`` in the report's language: why there is none (and what would fix it), or
    that it stopped early; the English one where the JSON has no facts for it."""
    english = plan.get("message") or ""
    status = plan.get("status")
    if status == "infeasible" and english.startswith("infeasible"):
        found = plan.get("diagnosis")
        return t("message.infeasible") + (" " + diagnosis_text(found, plan) if found else "")
    if status in ("unbounded", "no_solution") and english.startswith(("unbounded", "no plan found")):
        return t(f"message.{status}")
    if english.startswith("stopped at the time limit with a gap") and is_number(plan.get("gap")):
        return t("message.gap", gap=pct(plan["gap"], 3))
    if english.startswith("stopped at the time limit before any bound"):
        return t("message.no_bound")
    return english


def diagnosis_text(found: dict[str, Any], plan: dict[str, Any]) -> str:
    """"Dropping any one of these would make it feasible: the budget (100). Likely cause: …"."""
    culprits = [family_text(c, plan) for c in found.get("culprits") or []]
    text = t("diagnosis.culprits", families="; ".join(culprits)) if culprits else t("diagnosis.several")
    likely = [english_or_advice(w, plan) for w in found.get("likely") or []]
    return text + (" " + t("diagnosis.likely", causes=" ".join(likely)) if likely else "")


def family_text(family: dict[str, Any], plan: dict[str, Any]) -> str:
    """A family of hard rules by name ("the budget (4,500 ZAR)", "the hours limit (45)")."""
    kind, value = family.get("kind") or "", family.get("value")
    if kind == "budget":
        return t("diagnosis.family.budget", value=money(plan, value))
    if kind == "period_budget":
        return t("diagnosis.family.period_budget") + (f" ({money(plan, value)})" if is_number(value) else "")
    if kind == "resource":
        return t("diagnosis.family.resource", resource=resource_name(family.get("resource") or ""), value=auto(value))
    if kind == "concentration":
        return t("diagnosis.family.concentration", value=pct(value))
    if kind == "group":
        return t("diagnosis.family.group", group=family.get("group") or "")
    return t(f"diagnosis.family.{kind}")


def money(plan: dict[str, Any], value: Any) -> str:
    return f"{auto(value)} {plan.get('currency') or ''}".strip()


# ---------------------------------------------------------------- the input's warnings


def advice_text(fact: dict[str, Any], plan: dict[str, Any]) -> str:
    """One of the schema's warnings (:func:`channelmix.schema.advice.advice_facts`) in the report's language."""
    kind = fact["kind"]
    channel = labels_of(plan.get("channels")).get(fact.get("channel") or "", fact.get("channel") or "")
    if kind == "never_on":
        return t("advice.never_on", channel=channel, entry=money(plan, fact["entry"]),
                 budget=money(plan, fact["budget"]))
    if kind == "constant":
        return t("advice.constant", channel=channel, spend=money(plan, fact["max_spend"]))
    if kind == "group_empty":
        return t("advice.group_empty", group=fact["group"], share=pct(fact["share"]))
    why = why_text(fact["why"], plan)
    if kind == "needs_money":
        return t("advice.needs_money", amount=money(plan, fact["amount"]), why=why,
                 budget=money(plan, fact["budget"]))
    if kind == "needs_resource":
        return t("advice.needs_resource", amount=auto(fact["amount"]), resource=resource_name(fact["resource"]),
                 why=why, capacity=auto(fact["capacity"]))
    return t("advice.serves_nothing", channel=channel)


def why_text(why: dict[str, Any], plan: dict[str, Any]) -> str:
    """What forces the least a plan must use ("3 channels serving Delivery × Owners")."""
    reason = why.get("reason")
    if reason == "cardinality":
        return t("advice.why.cardinality", n=why["n"])
    if reason == "group":
        return t("advice.why.group", n=why["n"], group=why["group"])
    if reason == "breadth":
        return t("advice.why.breadth", n=why["n"], cell=cell_name(why["cell"], plan))
    return t("advice.why.forced")


def english_or_advice(warning: str, plan: dict[str, Any]) -> str:
    """A warning of the plan in the report's language: the advice fact it was written from (the English may
    name a table row instead of ``channels[i]``, so the sentence after the channel is compared), else as written."""
    for fact in plan.get("advice") or []:
        english = fact.get("text") or ""
        tail = english.split("): ", 1)[1] if english.startswith(("channels[", "rules.groups[")) else english
        if warning == english or (tail and warning.endswith(tail)):
            return advice_text(fact, plan)
    return warning


def shown_warnings(plan: dict[str, Any], english: list[str]) -> list[str]:
    """The plan's warnings as a report shows them: each said in the report's language where it has facts."""
    return [english_or_advice(w, plan) for w in english]


# ---------------------------------------------------------------- a conflict's rules and repairs


def limit_text(kind: str, value: Any, plan: dict[str, Any], decimals: int | None = None) -> str:
    """A rule's limit as its kind reads: money, a share, a count, a quantity."""
    if not is_number(value):
        return "—"
    if kind in SHARES or kind == "coverage_target":
        most = 1 if decimals is None else max(decimals - 2, 0)
        places = next((p for p in range(most + 1) if abs(value * 100 - round(value * 100, p)) < 1e-9), most)
        return pct(value, places)
    if kind in COUNTS:
        return str(int(round(value)))
    if kind in MONEY or kind == "max_spend":
        return money(plan, value)
    return num(value, decimals) if decimals is not None else auto(value)


def conflict_rule_text(data: dict[str, Any], plan: dict[str, Any], english: str) -> str:
    """A conflicting rule in the report's language (``english``: its sentence for a kind without words here)."""
    rule = Rule.from_dict(data)
    channels = labels_of(plan.get("channels"))
    kind = rule.kind
    key = f"conflict.rule.{kind}" + (f"_{rule.side}" if kind in ("cardinality", "group_share", "group_count",
                                                                  "cardinality_plan") else "")
    if key.removeprefix("conflict.rule.") not in WORDED:  # no words for it here: the model's own statement
        return english
    values = {"limit": limit_text(kind, rule.limit, plan), "channel": channels.get(rule.channel or "", rule.channel),
              "other": channels.get(rule.other or "", rule.other), "resource": resource_name(rule.resource or ""),
              "cell": cell_name(list(rule.cell), plan) if rule.cell else "", "group": rule.group or ""}
    text = t(key, **values) + (" " + t("rule.soft") if rule.soft else "")
    period = rule.scope.period_label or rule.scope.period
    return t("conflict.in_period", period=period, rule=text) if period else text


def repair_text(repair: dict[str, Any], plan: dict[str, Any]) -> str:
    """A repair in the report's language ("the budget must be at least 5,320 ZAR"); its English without facts."""
    facts = repair.get("facts")
    if not facts:
        return str(repair.get("change") or "")
    rule = conflict_rule_text(facts["rule"], plan, str(repair.get("rule") or ""))
    limit = facts.get("limit")
    if limit is None:
        return t("conflict.repair_drop", rule=rule)
    if not is_number(repair.get("to")):
        return t("conflict.repair_stuck", rule=rule)
    to, digits = outward_value(float(repair["to"]), bool(limit["up"]), bool(limit["integer"]))
    name = limit_name({"kind": limit["kind"], "concerns": limit.get("concerns") or {}}, plan)
    said = limit_text(limit["kind"], to, plan, digits)
    return t("conflict.repair_up" if limit["up"] else "conflict.repair_down", limit=name, to=said)


def said_conflict(conflict: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    """An explanation's ``conflict`` with its rules and repairs in the report's language (figures unchanged)."""
    facts = conflict.get("rule_facts") or []
    rules = [conflict_rule_text(f, plan, english) for f, english in zip(facts, conflict["rules"])] \
        if len(facts) == len(conflict["rules"]) else list(conflict["rules"])
    repairs = [{**r, "change": repair_text(r, plan)} for r in conflict.get("repairs") or []]
    return {**conflict, "rules": rules, "repairs": repairs}
