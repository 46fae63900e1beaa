"""A variant's own page: what it is (its name, description and the values it changes)
and how its plan compares with the base scenario's, channel by channel."""

from __future__ import annotations

from typing import Any

from .common import auto, is_number, num
from .i18n import t


def variant_view(plan: dict[str, Any], money: Any) -> dict[str, Any] | None:
    """The variant's intro and its comparison with the base, formatted; None for a base scenario."""
    variant = plan.get("variant")
    if not isinstance(variant, dict):
        return None
    base = plan.get("base") or {}
    root = str(plan.get("scenario") or "").split("/")[0]
    changes = "; ".join(f"{path} = {auto(v) if is_number(v) else v}" for path, v in (variant.get("changes") or {}).items())
    intro = t("variant.intro", name=variant.get("name") or "", base=root)
    intro += (": " + variant["description"].rstrip(".") if variant.get("description") else "") + t("summary.end")
    if changes:
        intro += " " + t("variant.changes", changes=changes)
    rows = []
    mine = {c["id"]: c for c in plan.get("channels") or []}
    for c in base.get("channels") or []:
        other = mine.get(c["id"]) or {}
        if not (c.get("on") or other.get("on")):
            continue
        before, after = (c.get("cost") or 0.0) if c.get("on") else None, (other.get("cost") or 0.0) if other.get("on") else None
        delta = (after or 0.0) - (before or 0.0)
        rows.append([c.get("label") or c["id"], money(before) if before is not None else t("off_word"),
                     money(after) if after is not None else t("off_word"), ("+" if delta > 0.5 else "") + num(delta)])
    figures = []
    if is_number(base.get("objective")) and is_number(plan.get("objective")):
        figures.append([t("objective"), auto(base["objective"]), auto(plan["objective"]),
                        ("+" if plan["objective"] > base["objective"] else "") + auto(plan["objective"] - base["objective"])])
    if is_number(base.get("cost")) and is_number(plan.get("cost")):
        figures.append([t("money_spent"), money(base["cost"]), money(plan["cost"]),
                        ("+" if plan["cost"] - base["cost"] > 0.5 else "") + num(plan["cost"] - base["cost"])])
    return {"intro": intro, "head": [t("channel"), t("variant.base"), t("variant.this"), t("variant.change")],
            "rows": figures + rows, "has_base": bool(base)}


__all__ = ["variant_view"]
