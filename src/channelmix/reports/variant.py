"""A variant's own page: what it is (its name, description and the values it changes)
and how its plan compares with the base scenario's, channel by channel."""

from __future__ import annotations

from typing import Any

from .common import auto, is_number, num
from .i18n import t


def readable(value: Any, labels: dict[str, str]) -> str:
    """A changed value as a person reads it, not as Python prints it: numbers rounded, channel ids by their
    labels, lists joined, a block as its keys and values (``uncertainty: worlds 12, curves 0.3``)."""
    if is_number(value):
        return auto(value)
    if isinstance(value, (list, tuple)):
        return t("list_sep").join(readable(v, labels) for v in value) or "—"
    if isinstance(value, dict):
        return t("list_sep").join(
            f"{k}: ({readable(v, labels)})" if isinstance(v, dict) else f"{k} {readable(v, labels)}"
            for k, v in value.items())
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    return labels.get(str(value), str(value))


def variant_view(plan: dict[str, Any], money: Any) -> dict[str, Any] | None:
    """The variant's intro and its comparison with the base, formatted; None for a base scenario."""
    variant = plan.get("variant")
    if not isinstance(variant, dict):
        return None
    base = plan.get("base") or {}
    root = str(plan.get("scenario") or "").split("/")[0]
    labels = {c["id"]: c.get("label") or c["id"] for c in plan.get("channels") or []}
    changes = "; ".join(f"{path} = {readable(v, labels)}" for path, v in (variant.get("changes") or {}).items())
    intro = t("variant.intro", name=variant.get("name") or "", base=root)
    intro += (": " + variant["description"].rstrip(".") if variant.get("description") else "") + t("summary.end")
    if changes:
        intro += " " + t("variant.changes", changes=changes)
    rows = comparison_rows(base, plan, money)
    return {"intro": intro, "head": [t("variant.channel_cost"), t("variant.base"), t("variant.this"),
                                     t("variant.change")],
            "rows": rows, "has_base": bool(base)}


def comparison_rows(before: dict[str, Any], after: dict[str, Any], money: Any) -> list[list[str]]:
    """Objective, money and each channel on in either plan: before, after and the change
    (a channel off in one plan reads "off" there)."""
    rows = []
    mine = {c["id"]: c for c in after.get("channels") or []}
    theirs = {c["id"]: c for c in before.get("channels") or []}
    for cid in dict.fromkeys([*theirs, *mine]):  # a channel of only one plan (two files) is off in the other
        c, other = theirs.get(cid) or mine[cid], mine.get(cid) or {}
        c = c if cid in theirs else {"id": cid, "label": c.get("label"), "on": False}
        if not (c.get("on") or other.get("on")):
            continue
        was, now = ((c.get("cost") or 0.0) if c.get("on") else None,
                    (other.get("cost") or 0.0) if other.get("on") else None)
        delta = (now or 0.0) - (was or 0.0)
        rows.append([c.get("label") or c["id"], money(was) if was is not None else t("off_word"),
                     money(now) if now is not None else t("off_word"), ("+" if delta > 0.5 else "") + num(delta)])
    figures = []
    if is_number(before.get("objective")) and is_number(after.get("objective")):
        figures.append(
            [t("objective"), auto(before["objective"]), auto(after["objective"]),
             ("+" if after["objective"] > before["objective"] else "")
             + auto(after["objective"] - before["objective"])])
    if is_number(before.get("cost")) and is_number(after.get("cost")):
        figures.append([t("baseline.total_cost"), money(before["cost"]), money(after["cost"]),
                        ("+" if after["cost"] - before["cost"] > 0.5 else "") + num(after["cost"] - before["cost"])])
    return figures + rows


def diff_view(plans: list[dict[str, Any]], pair: tuple[str, str] | None, money: Any) -> dict[str, Any] | None:
    """``compare --diff A B`` in a report: which channels enter and leave, and the objective,
    money and each channel's cost before and after; None without a pair (or a plan of it)."""
    by_name = {p.get("scenario"): p for p in plans}
    if not pair or pair[0] not in by_name or pair[1] not in by_name:
        return None
    before, after = by_name[pair[0]], by_name[pair[1]]
    labels = {c["id"]: c.get("label") or c["id"] for p in (before, after) for c in p.get("channels") or []}
    was = [c["id"] for c in before.get("channels") or [] if c.get("on")]
    now = [c["id"] for c in after.get("channels") or [] if c.get("on")]
    entering, leaving = [labels[c] for c in now if c not in was], [labels[c] for c in was if c not in now]
    lines = ([t("diff.entering", names=", ".join(entering))] if entering else []) + \
            ([t("diff.leaving", names=", ".join(leaving))] if leaving else [])
    return {"title": t("diff.title", before=pair[0], after=pair[1]), "lines": lines or [t("diff.same")],
            "head": [t("variant.channel_cost"), pair[0], pair[1], t("variant.change")],
            "rows": comparison_rows(before, after, money)}


__all__ = ["comparison_rows", "diff_view", "variant_view"]
