"""Today's plan (``current:``, ``plan["baseline"]``) beside the optimised one, in every format from one set of
figures (:func:`baseline_figures`): spends channel by channel with on/off and the change, then total spend, fixed
costs and cost (spend + fixed costs) — the money vocabulary of the reports — and the objective; the uplift sentence
is a claim (:func:`~channelmix.reports.claims.uplift_claim`)."""

from __future__ import annotations

from typing import Any

from ..verify.evaluate import Violation
from .baseline_chart import baseline_chart
from .claims import period_labels, uplift_claim
from .common import auto, is_number, num, pct
from .i18n import labels_of, t
from .violations import Names, violation_words


def baseline_head(currency: str = "") -> list[str]:
    """The current-vs-optimised table's columns, in the report language: spends (variable money) in the currency."""
    cur = f" ({currency})" if currency else ""
    return [t("channel"), t("baseline.current_spend") + cur, t("baseline.optimised_spend") + cur,
            t("variant.change") + cur, t("baseline.current_reach"), t("baseline.optimised_reach")]


def baseline_figures(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Today's plan beside the optimised one, as figures every format shares (HTML, Markdown, Excel, chart): a row
    per channel on in either (spend, on/off, change), then total spend, fixed costs and cost (spend + fixed costs),
    and the objective.  Money rows say which money they are."""
    b = plan.get("baseline") or {}
    if not b:
        return []
    rows = [{"label": c["label"], "kind": "channel", "current_on": c["current_on"], "optimised_on": c["optimised_on"],
             "current": c["current_spend"], "optimised": c["optimised_spend"] or 0.0,
             "change": (c["optimised_spend"] or 0.0) - c["current_spend"], "current_reach": c["current_reach"],
             "optimised_reach": c["optimised_reach"]}
            for c in b.get("channels", []) if c["current_on"] or c["optimised_on"]]
    spend_now = sum(c["current_spend"] for c in b.get("channels", []) if c["current_on"])
    spend_opt = sum(c["optimised_spend"] or 0.0 for c in b.get("channels", []) if c["optimised_on"])
    cost_opt = plan.get("cost") if is_number(plan.get("cost")) else spend_opt
    totals = (("total_spend", spend_now, spend_opt), ("total_fixed", b["cost"] - spend_now, cost_opt - spend_opt),
              ("total_cost", b["cost"], cost_opt), ("objective", b["objective"], b["optimised_objective"]))
    for kind, now, opt in totals:
        rows.append({"label": t(f"baseline.{kind}"), "kind": kind, "current": now, "optimised": opt,
                     "change": opt - now if is_number(opt) and is_number(now) else None})
    return rows


def _signed(value: Any, text) -> str:
    if not is_number(value):
        return "—"
    shown = text(value)
    return ("+" + shown) if value > 0 and shown.strip("0.,") else shown


def baseline_rows(plan: dict[str, Any]) -> list[list[str]]:
    """The current-vs-optimised table, formatted: whole currency units, "off" for a channel that does not run."""
    out = []
    for r in baseline_figures(plan):
        if r["kind"] == "channel":
            now = num(r["current"]) if r["current_on"] else t("off_word")
            opt = num(r["optimised"]) if r["optimised_on"] else t("off_word")
            out.append([r["label"], now, opt, _signed(r["change"], num), pct(r["current_reach"]),
                        pct(r["optimised_reach"])])
        else:
            fmt = auto if r["kind"] == "objective" and plan.get("sense") in ("max_reach", None) else num
            out.append([r["label"], fmt(r["current"]), fmt(r["optimised"]), _signed(r["change"], fmt), "", ""])
    return out


def broken_rules(plan: dict[str, Any]) -> list[str]:
    """The rules today's plan breaks, in the report's language (as the verifier words them, for a result saved
    before they were kept as facts)."""
    b = plan["baseline"]
    facts = b.get("violation_facts")
    if facts is None or len(facts) != len(b["violations"]):
        return list(b["violations"])
    periods = {p["id"]: p.get("label") or p["id"] for p in (plan.get("schedule") or {}).get("periods") or []}
    names = Names(labels_of(plan.get("channels")), labels_of(plan.get("phases")), labels_of(plan.get("segments")),
                  periods, plan.get("currency") or "")
    said = []
    for f in facts:
        v = Violation(**{**f, "cell": tuple(f["cell"]) if f.get("cell") else None})
        said.append(violation_words(v, names))
    return said


def baseline_summary(plan: dict[str, Any]) -> str:
    """The uplift against today (with both spends when they differ), then whether today's plan keeps every rule."""
    b = plan["baseline"]
    text = t("baseline.keeps") if b["feasible"] else t("baseline.breaks", violations="; ".join(broken_rules(plan)))
    claim = uplift_claim(plan, plan_money(plan))
    return text if claim is None else claim.sentence + " " + text


def plan_money(plan: dict[str, Any]):
    """Money as the plan's reports write it: whole units and the currency."""
    currency = plan.get("currency") or ""
    return lambda value: f"{num(value, 0)} {currency}".strip() if is_number(value) else "—"


def baseline_period_head() -> list[str]:
    return [t("sched.period"), t("baseline.current_cost"), t("baseline.optimised_cost"),
            t("baseline.current_objective"), t("baseline.optimised_objective")]


def period_names(plan: dict[str, Any]) -> dict[str, str]:
    """Period id -> its label in the report's language (counted periods relabelled)."""
    return dict(zip(*period_labels(plan)))


def baseline_period_rows(plan: dict[str, Any]) -> list[list[str]]:
    """Over periods: today's plan kept up beside the optimum, period by period (none for one period)."""
    names = period_names(plan)
    return [
        [names.get(p["period"], p["label"]), num(p["current_cost"]), num(p["optimised_cost"]),
         auto(p["current_objective"]), auto(p["optimised_objective"])]
        for p in (plan.get("baseline") or {}).get("periods", [])]


def baseline_markdown(plan: dict[str, Any], table) -> list[str]:
    """Markdown lines of today's plan beside the optimised one (none without ``current:``)."""
    lines: list[str] = []
    if plan.get("baseline"):
        lines += [f"## {t('baseline.title')}", "", baseline_summary(plan), ""]
        lines += table(baseline_head(plan.get("currency") or ""), baseline_rows(plan), list("lrrrrr")) + [""]
        if baseline_period_rows(plan):
            lines += [f"### {t('baseline.periods_title')}", "", f"_{t('baseline.kept_up')}_", ""]
            lines += table(baseline_period_head(), baseline_period_rows(plan), list("lrrrr")) + [""]
    return lines


def baseline_context(plan: dict[str, Any]) -> dict[str, Any] | None:
    """What the HTML page shows of it: the sentence, the chart and the tables (None without ``current:``)."""
    base = plan.get("baseline")
    if not base:
        return None
    return {"head": baseline_head(plan.get("currency") or ""), "rows": baseline_rows(plan),
            "summary": baseline_summary(plan), "chart": baseline_chart(baseline_figures(plan)),
            "periods": {"head": baseline_period_head(), "rows": baseline_period_rows(plan)} if base.get("periods")
            else None}
