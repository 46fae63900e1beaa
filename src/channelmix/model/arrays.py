"""One numeric view of a validated scenario: channel arrays, the cell × channel affinity
matrix, cell weights and rule index sets, built once and shared.

The checks, the formulation, the evaluation (and so the verifier) and plan building all
read the scenario through this view, so no hot path loops over channels × cells in
Python.  It holds numbers derived from the scenario only, never anything of a model:
the verifier may share it and stay independent of the formulation.

Cells are numbered phase-major, ``k = phase_index · len(segments) + segment_index``,
as :attr:`Scenario.cells` lists them.
"""

from __future__ import annotations

import dataclasses
import math
import weakref
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..core.sparse import Csr
from ..schema.cells import affinity_matrix, governing_rule
from ..schema.models import Constant, Hill, Linear, Pwl, Saturating, Scenario
from ..schema.saturations import Saturation

KINK = 1e-12  # relative: a spend this close to a curve's kink is at it (for the right derivative)

_CACHE: dict[int, "ScenarioArrays"] = {}


def at_least(matrix: Csr, threshold: np.ndarray) -> Csr:
    """The 0/1 matrix of entries a[k, c] ≥ threshold[k] (a threshold per row)."""
    rows = matrix.row_of_entries()
    keep = matrix.data >= threshold[rows]
    return Csr.from_entries(rows[keep], matrix.indices[keep], np.ones(int(keep.sum())), matrix.shape)


@dataclass(frozen=True, eq=False)
class CellRules:
    """A cell-rule family (coverage, breadth, redundancy) as arrays over cells."""

    rule: np.ndarray  # governing rule index, -1 for none
    hard: np.ndarray  # bool
    penalty: np.ndarray  # 0 where none
    level: np.ndarray  # target (coverage) or min_channels (breadth, redundancy); 0 where none
    threshold: np.ndarray  # breadth and redundancy: affinity threshold; 0 otherwise

    @classmethod
    def of(cls, rules: Sequence[Any], phases: Sequence[str], segments: Sequence[str], level: str) -> "CellRules":
        rule = governing_rule(rules, phases, segments)
        pick = [r for r in rules]

        def column(get) -> np.ndarray:
            values = np.array([float(get(r)) for r in pick] + [0.0])
            return values[rule]  # -1 picks the trailing 0

        return cls(rule, column(lambda r: getattr(r, "hard", False)).astype(bool) & (rule >= 0),
                   column(lambda r: r.penalty or 0.0), column(lambda r: getattr(r, level)),
                   column(lambda r: getattr(r, "threshold", 0.0)))


@dataclass(frozen=True, eq=False)
class ScenarioArrays:
    """The numbers of one scenario, channel-indexed in file order and cell-indexed phase-major."""

    ids: tuple[str, ...]
    index: dict[str, int]
    cells: list[tuple[str, str]]
    affinity: Csr  # cells × channels
    fixed: np.ndarray
    min_spend: np.ndarray
    max_spend: np.ndarray  # nan where not given
    spend_dependent: np.ndarray  # bool: the response depends on spend
    resources: tuple[str, ...]
    use_fixed: np.ndarray  # resources × channels
    use_per_unit: np.ndarray
    weight: np.ndarray  # W_k
    outcome_value: np.ndarray  # outcome.value per unit of reach (0 without an outcome)
    coverage: CellRules
    breadth: CellRules
    redundancy: CellRules
    force_on: np.ndarray  # bool
    force_off: np.ndarray
    groups: np.ndarray  # groups × channels, bool membership
    curves: "CurveTable"

    def vector(self, by_id: dict[str, float], default: float = 0.0) -> np.ndarray:
        """A channel-indexed array from a dict by channel id."""
        return np.array([float(by_id.get(cid, default)) for cid in self.ids])


def arrays(scenario: Scenario) -> ScenarioArrays:
    """The scenario's numeric view, built once per scenario object (scenarios are frozen)."""
    key = id(scenario)
    found = _CACHE.get(key)
    if found is None:
        found = _build(scenario)
        _CACHE[key] = found
        weakref.finalize(scenario, _CACHE.pop, key, None)
    return found


def _build(sc: Scenario) -> ScenarioArrays:
    phases = [p.id for p in sc.phases]
    segments = [g.id for g in sc.segments]
    channels = sc.channels
    resources = tuple(sc.resources)
    use_fixed = np.zeros((len(resources), len(channels)))
    use_per_unit = np.zeros((len(resources), len(channels)))
    r_index = {r: i for i, r in enumerate(resources)}
    for c, ch in enumerate(channels):
        for r, use in ch.uses.items():
            if r in r_index:
                use_fixed[r_index[r], c] = use.fixed
                use_per_unit[r_index[r], c] = use.per_unit
    weight = np.array([sc.cell_weight(p, g) for p in sc.phases for g in sc.segments])
    ids = tuple(ch.id for ch in channels)
    rules = sc.rules
    return ScenarioArrays(ids=ids, index={cid: i for i, cid in enumerate(ids)}, cells=sc.cells,
                          affinity=affinity_matrix(channels, phases, segments),
                          fixed=np.array([ch.fixed_cost for ch in channels]),
                          min_spend=np.array([ch.min_spend for ch in channels]),
                          max_spend=np.array([math.nan if ch.max_spend is None else ch.max_spend for ch in channels]),
                          spend_dependent=np.array([not isinstance(ch.response, Constant) for ch in channels]),
                          resources=resources, use_fixed=use_fixed, use_per_unit=use_per_unit, weight=weight,
                          outcome_value=np.array(
                              [ch.outcome.value if ch.outcome is not None else 0.0 for ch in channels]),
                          coverage=CellRules.of(rules.coverage, phases, segments, "target"),
                          breadth=CellRules.of(rules.breadth, phases, segments, "min_channels"),
                          redundancy=CellRules.of(rules.redundancy, phases, segments, "min_channels"),
                          force_on=np.isin(np.array(ids, dtype=object), rules.force_on),
                          force_off=np.isin(np.array(ids, dtype=object), rules.force_off),
                          groups=np.array([g.selects(channels) for g in rules.groups],
                                          dtype=bool).reshape(len(rules.groups), len(channels)),
                          curves=CurveTable.of([ch.response for ch in channels]))


@dataclass(frozen=True, eq=False)
class CurveTable:
    """Every channel's response curve as arrays, to evaluate all of them at once.

    ``reach(spend)`` equals :func:`channelmix.model.curves.reach` channel by channel (the same
    formulas, vectorised); ``slope(spend)`` is its derivative (for the polish)."""

    # 0 constant, 1 linear, 2 saturating, 3 hill, 4 pwl, 5 a PyMC-Marketing saturation (see schema.saturations)
    kind: np.ndarray
    p1: np.ndarray  # constant value | linear slope | saturating scale | hill half
    p2: np.ndarray  # hill shape
    p3: np.ndarray  # hill carry-over offset c: f(s) = h(s + c) − h(c)
    pwl: dict[int, tuple[np.ndarray, np.ndarray]]
    saturation: dict[int, Saturation] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, responses: Sequence[Any]) -> "CurveTable":
        n = len(responses)
        kind, p1, p2, p3 = np.zeros(n, dtype=int), np.zeros(n), np.ones(n), np.zeros(n)
        pwl, saturation = {}, {}
        for c, r in enumerate(responses):
            if isinstance(r, Constant):
                p1[c] = r.value
            elif isinstance(r, Linear):
                kind[c], p1[c] = 1, r.slope
            elif isinstance(r, Saturating):
                kind[c], p1[c] = 2, r.scale
            elif isinstance(r, Hill):
                kind[c], p1[c], p2[c], p3[c] = 3, r.half, r.shape, r.offset
            elif isinstance(r, Pwl):
                kind[c] = 4
                pwl[c] = (np.array([p[0] for p in r.points]), np.array([p[1] for p in r.points]))
            elif isinstance(r, Saturation):
                kind[c] = 5
                saturation[c] = r
        return cls(kind, p1, p2, p3, pwl, saturation)

    def reach(self, spend: np.ndarray) -> np.ndarray:
        s = np.maximum(np.asarray(spend, dtype=float), 0.0)
        out = np.zeros_like(s)
        k = self.kind
        m = k == 0
        out[m] = self.p1[m]
        m = k == 1
        out[m] = np.minimum(1.0, self.p1[m] * s[m])
        m = k == 2
        out[m] = -np.expm1(-s[m] / self.p1[m])
        m = (k == 3) & (s > 0)
        c = self.p3[m]
        out[m] = np.maximum(self._hill(m, s[m] + c) - self._hill(m, c), 0.0)
        for c, (xs, ys) in self.pwl.items():
            out[c] = float(np.interp(s[c], xs, ys))
        for c, curve in self.saturation.items():
            out[c] = curve.reach_at(s[c])
        return out

    def _hill(self, m: np.ndarray, s: np.ndarray) -> np.ndarray:
        """h(s) = s^a / (s^a + K^a) = 1 / (1 + (K/s)^a) for the hill channels ``m`` (0 at s ≤ 0)."""
        with np.errstate(divide="ignore"):
            power = self.p2[m] * (np.log(self.p1[m]) - np.log(np.maximum(s, 0.0)))
        return np.where(power > 700.0, 0.0, 1.0 / (1.0 + np.exp(np.minimum(power, 700.0))))

    def slope(self, spend: np.ndarray) -> np.ndarray:
        """f'(s) (the right derivative at kinks, a spend within round-off (1e-12, relative) of a
        kink counting as at it: a MILP's spend at a linear curve's knee is there in any currency;
        0 for constant curves)."""
        s = np.maximum(np.asarray(spend, dtype=float), 0.0)
        out = np.zeros_like(s)
        k = self.kind
        m = k == 1
        out[m] = np.where(self.p1[m] * s[m] < 1.0 - KINK, self.p1[m], 0.0)
        m = k == 2
        out[m] = np.exp(-s[m] / self.p1[m]) / self.p1[m]
        m = (k == 3) & (s > 0)
        t = s[m] + self.p3[m]  # the slope of h(s + c) − h(c) is h'(s + c)
        h = self._hill(m, t)
        out[m] = self.p2[m] * h * (1.0 - h) / t
        for c, (xs, ys) in self.pwl.items():
            j = int(np.searchsorted(xs, s[c] * (1.0 + KINK), side="right")) - 1
            out[c] = 0.0 if j >= len(xs) - 1 else (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j])
        for c, curve in self.saturation.items():
            out[c] = float(curve.values([s[c]], 1)[0])
        return out
