"""The words and numbers every report shares: objective, penalty and status names from the
locale files, numbers formatted for people (the report language's separators and digits), and
the columns of a table of many plans.  (One plan's whole view is :mod:`.view`.)

Everything here reads the *plan dict* (the JSON of ``channelmix solve --format json``)
and tolerates what a batch result may lack (an error row has no channels, no coverage).
Figures are rounded for reading, so the reports carry no solver noise.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from .i18n import DEFAULT, catalogue, current, t

SENSES = ("max_reach", "max_value", "max_outcome", "min_cost", "target")
MAXIMISE = ("max_reach", "max_value", "max_outcome")
PENALTIES = ("coverage_shortfall", "breadth_shortfall", "redundancy_shortfall", "channel_count")
STATUSES = ("optimal", "feasible", "infeasible", "unbounded", "no_solution", "invalid", "error")


def sense_title(sense: str) -> str:
    """The objective's name (``Weighted reach``): the one table of objective words is the locale files."""
    return t(f"sense.{sense}.title") if sense in SENSES else t("objective")


def sense_meaning(sense: str) -> str:
    return t(f"sense.{sense}.meaning") if sense in SENSES else ""


def penalty_words(name: str) -> str:
    return t(f"penalty.{name}") if name in PENALTIES else name.replace("_", " ")


def resource_name(resource: str) -> str:
    """A resource's name in the report language when it is a word the catalogue knows ("hours"
    → "timmar"), else as the user wrote it."""
    key = f"resource.{resource.casefold()}"
    return t(key) if key in catalogue(DEFAULT).words else resource


def status_text(status: str) -> str:
    return t(f"status.{status}") if status in STATUSES else status


# ---------------------------------------------------------------- numbers


def is_number(value: Any) -> bool:
    """A finite real number (numpy's included), not a bool."""
    if isinstance(value, bool) or type(value).__name__ == "bool_" or not isinstance(value, numbers.Real):
        return False
    return math.isfinite(value)


def num(value: Any, decimals: int = 0) -> str:
    """``12,345`` with thousands separators; ``—`` for nothing; never ``-0``."""
    if not is_number(value):
        return "—"
    text = f"{value:,.{decimals}f}"
    text = text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text
    return current().number(text)


def auto(value: Any) -> str:
    """A quantity of any size: whole above 100, else at most two decimals, trailing zeros dropped."""
    if not is_number(value):
        return "—"
    if abs(value) >= 100:
        return num(value, 0)
    text = f"{value:,.2f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    text = text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text
    return current().number(text)


def qty(value: Any) -> str:
    """A resource quantity (hours): one decimal, none when whole."""
    if not is_number(value):
        return "—"
    rounded = round(value, 1)
    return num(rounded, 0 if rounded == int(rounded) else 1)


def pct(value: Any, decimals: int = 0) -> str:
    """A share as ``34%``."""
    if not is_number(value):
        return "—"
    return num(value * 100, decimals) + current().percent


def money_decimals(plan: dict[str, Any]) -> int:
    """Amounts are shown in whole currency units (nobody pays 134.82 rand); display only:
    the plan's own figures are never changed."""
    return 0


def gap_text(plan: dict[str, Any]) -> str:
    gap = plan.get("gap")
    status = plan.get("status")
    if status == "optimal":
        return t("gap.proven") if not is_number(gap) or gap < 5e-5 else t("gap.within", gap=pct(gap, 2))
    if status == "feasible":
        return t("gap.feasible", gap=pct(gap, 2)) if is_number(gap) else t("gap.no_bound")
    return "—"


# ---------------------------------------------------------------- many plans


def spend_columns(columns: Iterable[str]) -> list[str]:
    return [c for c in columns if str(c).startswith("spend_")]


def channel_labels(plans: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for plan in plans:
        for c in plan.get("channels") or []:
            out.setdefault(c["id"], c.get("label") or c["id"])
    return out


def shown_columns(columns: Iterable[str]) -> list[str]:
    """The summary columns worth showing in a table: not the spends (drawn apart), not the long lists."""
    hidden = {"on", "overrides", "traceback", "input_hash", "resumed", "source",
              "weighted_reach"}  # before penalties: a second objective-like figure confuses (the CSV keeps it)
    return [c for c in columns if not str(c).startswith("spend_") and c not in hidden]


def without_single_periods(columns: list[str], table: Any) -> list[str]:
    """``columns`` less ``periods`` when no plan in ``table`` runs over more than one period."""
    if "periods" not in columns or "periods" not in getattr(table, "columns", ()):
        return columns
    many = (table["periods"].fillna(1).astype(float) > 1).any()
    return columns if many else [c for c in columns if c != "periods"]


def cell_text(column: str, value: Any, decimals: int = 0) -> str:
    """A summary-table value for reading."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—" if column not in ("entering", "leaving", "message", "variant") else ""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "✓" if value else ""
    if column == "sense":
        return sense_title(str(value))
    if column == "status":
        return status_text(str(value))
    if column in ("gap",):
        return pct(float(value), 2)
    if column in ("weakest_cell",):
        return pct(float(value))
    if column in ("cost",) or column.startswith("spend_"):
        return num(float(value), decimals)
    if column == "marginal":
        return num(float(value), 2)
    if is_number(value):
        return auto(float(value)) if isinstance(value, float) else num(value, 0)
    return str(value)


def column_title(column: str) -> str:
    known = ("scenario", "variant", "status", "verified", "objective", "cost", "currency", "sense", "weighted_reach",
             "channels_on", "weakest_cell", "marginal", "knee", "entering", "leaving", "gap", "budget", "message",
             "seconds", "periods")
    return t(f"column.{column}") if column in known else column.replace("_", " ")
