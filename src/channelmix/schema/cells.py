"""The cells of a scenario as the format defines them: every cell's affinity to every channel
(``*`` rows and segments filled in, named ones over them) and which rule of a family governs
each cell (later entries override earlier ones).

The checks read these to find impossible rules; the model's arrays
(:mod:`channelmix.model.arrays`) build on them.  Cells are numbered phase-major,
``k = phase_index · len(segments) + segment_index``, as :attr:`Scenario.cells` lists them.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..core.sparse import Csr
from .models import Channel
from .vocabulary import WILDCARD

_LAST_AFFINITY: list[tuple[tuple[Channel, ...], tuple[str, ...], tuple[str, ...], "Csr"]] = []  # the last matrix built


def affinity_matrix(channels: Sequence[Channel], phases: Sequence[str], segments: Sequence[str]) -> Csr:
    """a[k, c] for every cell k and channel c, as ``Channel.affinity_for`` defines it.

    Per channel: the '*' row first, then each named phase row over it ('*' in a row
    fills that phase's segments, named segments override), the same precedence as
    ``affinity_for``.  The checks, the warnings and the arrays ask for the same channels
    (or a subset, e.g. those not forced off) in turn: the last matrix is kept, and the
    same channel objects (frozen) are answered from it."""
    phases, segments = tuple(phases), tuple(segments)
    for known, p, g, matrix in _LAST_AFFINITY:
        if p == phases and g == segments:
            position = {id(ch): c for c, ch in enumerate(known)}
            cols = [position.get(id(ch), -1) for ch in channels]
            if cols == list(range(len(known))):
                return matrix
            if -1 not in cols and all(a < b for a, b in zip(cols, cols[1:])):
                return matrix.columns(np.array(cols, dtype=np.int64))
    matrix = _affinity_matrix(channels, phases, segments)
    _LAST_AFFINITY[:] = [(tuple(channels), phases, segments, matrix)]
    return matrix


def scenario_affinity(parts_or_scenario: Any, channels: Sequence[Channel]) -> Csr:
    """:func:`affinity_matrix` over a scenario's (or its checked parts') phases and segments."""
    return affinity_matrix(channels, [p.id for p in parts_or_scenario.phases],
                           [g.id for g in parts_or_scenario.segments])


def _affinity_matrix(channels: Sequence[Channel], phases: Sequence[str], segments: Sequence[str]) -> Csr:
    p_index = {p: i for i, p in enumerate(phases)}
    g_index = {g: j for j, g in enumerate(segments)}
    n_p, n_g = len(phases), len(segments)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    block = np.zeros((n_p, n_g))
    for c, ch in enumerate(channels):
        if not ch.affinity:
            continue
        block[:] = 0.0
        wild = ch.affinity.get(WILDCARD)
        if wild is not None:
            _fill(block, slice(None), wild, g_index)
        for phase, row in ch.affinity.items():
            if phase != WILDCARD and phase in p_index:
                _fill(block, p_index[phase], row, g_index)
        cells = np.flatnonzero(block)
        rows.append(cells)
        cols.append(np.full(len(cells), c))
        vals.append(block.ravel()[cells])
    if rows:
        r, cs, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    else:
        r = cs = np.zeros(0, dtype=np.int64)
        v = np.zeros(0)
    return Csr.from_entries(r, cs, v, (n_p * n_g, len(channels)))


def _fill(block: np.ndarray, at: Any, row: dict[str, float], g_index: dict[str, int]) -> None:
    if WILDCARD in row:
        block[at] = row[WILDCARD]
    for g, a in row.items():
        if g != WILDCARD and g in g_index:
            block[at, g_index[g]] = a


def governing_rule(rules: Sequence[Any], phases: Sequence[str], segments: Sequence[str]) -> np.ndarray:
    """For every cell the index of the rule of a family that governs it (later rules
    override earlier ones, as ``rule_for_cell``), or -1."""
    out = np.full((len(phases), len(segments)), -1)
    for j, rule in enumerate(rules):
        p_mask = (
            np.ones(len(phases), bool) if rule.phase is None else np.isin(np.array(phases, dtype=object), rule.phase))
        g_mask = (np.ones(len(segments), bool) if rule.segment is None
                  else np.isin(np.array(segments, dtype=object), rule.segment))
        out[np.ix_(p_mask, g_mask)] = j
    return out.ravel()
