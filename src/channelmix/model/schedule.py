"""A multi-period plan's schedule: the data contract between the solver side and the outputs.

A plan over periods (``periods:`` in the scenario) carries a :class:`Schedule`: the
periods, one :class:`ChannelPeriod` per channel and period (channel-major, periods in
order), the cash of every period (:class:`PeriodCash`) and the coverage of every cell
in every period (:class:`CellPeriod`).  Every figure is recomputed from the scenario
and the plan's on/off and spends (see :mod:`channelmix.verify.evaluate_periods`), never
copied from the solver.  ``Plan.to_dict()["schedule"]`` is ``dataclasses.asdict`` of
it; :meth:`Schedule.from_dict` reads that back (saved plans, ``channelmix report``).

No pulp here: reports and the verifier import this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PeriodInfo:
    """One period of the horizon: its id, its readable label (in the scenario's language),
    its weight in the objective, its own budget (None: only the total binds) and, for a
    period made from a count (``{count: 6, unit: month}``), its number, from which an
    output in another language labels it again (None: the user listed the periods, and
    their labels are kept as written; also None in plans saved before numbers were kept)."""

    id: str
    label: str
    weight: float
    budget: float | None
    number: int | None = None


@dataclass(frozen=True)
class ChannelPeriod:
    """One channel in one period."""

    channel: str
    period: str
    on: bool
    started: bool  # on now, and off (or not yet available) in the period before: the set-up cost is paid
    spend: float
    effective_spend: float  # spend plus the carried-over part of earlier spend (adstock), what the curve sees
    reach: float  # f(effective spend) on the real curve, 0 when off
    fixed_cost: float  # the running fixed cost of this period (0 when off)
    setup_cost: float  # paid when the channel starts in this period (0 otherwise)
    cost: float  # spend + fixed_cost + setup_cost
    uses: dict[str, float]  # resource -> amount used in this period


@dataclass(frozen=True)
class PeriodCash:
    """Money, objective and resources of one period."""

    period: str
    budget: float | None  # the period's own budget (None: no per-period cap)
    # budget + money carried in from earlier periods (carry_over of unspent money); None without a budget
    available: float | None
    spend: float
    fixed: float
    setup: float
    cost: float  # spend + fixed + setup
    cumulative: float  # cost of this period and every earlier one
    objective: float  # the single-period objective of this period (unweighted)
    weighted_reach: float
    channels_on: int
    resources: dict[str, dict[str, float]]  # resource -> {used, capacity}


@dataclass(frozen=True)
class CellPeriod:
    """Coverage of one (phase, segment) cell in one period."""

    period: str
    phase: str
    segment: str
    level: float
    target: float | None
    channels: list[str]  # channels on in this period that serve the cell


@dataclass(frozen=True)
class Schedule:
    """The plan over time (see the module docstring)."""

    unit: str | None  # "month", "week", … or None when the periods were listed
    periods: list[PeriodInfo]
    rows: list[ChannelPeriod]  # channel-major, period order
    cash: list[PeriodCash]
    coverage: list[CellPeriod]  # period-major, cells in the scenario's order

    def row(self, channel: str, period: str) -> ChannelPeriod:
        """The row of one channel in one period."""
        return next(r for r in self.rows if r.channel == channel and r.period == period)

    def channel_rows(self, channel: str) -> list[ChannelPeriod]:
        """One channel's rows, in period order."""
        return [r for r in self.rows if r.channel == channel]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Schedule":
        """The inverse of ``dataclasses.asdict``: a schedule read back from a saved plan."""
        return cls(unit=data.get("unit"), periods=[PeriodInfo(**p) for p in data["periods"]],
                   rows=[ChannelPeriod(**{**r, "uses": dict(r.get("uses") or {})}) for r in data["rows"]],
                   cash=[PeriodCash(**{**c, "resources": {k: dict(v) for k, v in (c.get("resources") or {}).items()}})
                         for c in data["cash"]],
                   coverage=[CellPeriod(**{**c, "channels": list(c.get("channels") or [])}) for c in data["coverage"]])
