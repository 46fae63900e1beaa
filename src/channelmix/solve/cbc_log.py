"""CBC's closing summary read back: the relative gap and best bound it proved (plain text
parsing, no solver here)."""

from __future__ import annotations

import math
import re

_CBC_OBJECTIVE = re.compile(r"^Objective value:\s+(\S+)", re.M)
_CBC_BOUND = re.compile(r"^(?:Upper|Lower) bound:\s+(\S+)", re.M)
_CBC_OPTIMAL = re.compile(r"^Result - Optimal solution found\s*$", re.M)


def cbc_gap(log: str, maximise: bool) -> tuple[float | None, float | None]:
    """(relative gap, best bound) from CBC's closing summary, as CBC proved them.

    CBC prints the bound only when it stopped short of proving optimality (a time limit,
    a gap tolerance); a plain "Optimal solution found" proves a gap of 0.  The bound is on
    the model's objective without its constant term, like HiGHS's dual bound."""
    found = _CBC_OBJECTIVE.findall(log)
    if not found:
        return None, None
    objective = float(found[-1])
    bounds = _CBC_BOUND.findall(log)
    if bounds:
        bound = float(bounds[-1])
    elif _CBC_OPTIMAL.search(log):
        bound = objective
    else:
        return None, None
    if not (math.isfinite(bound) and math.isfinite(objective)):
        return None, None
    if maximise:
        bound = max(bound, objective)
    else:
        bound = min(bound, objective)
    # HiGHS's definition: |primal - dual| / |primal|, 0 when they agree
    distance = abs(bound - objective)
    gap = 0.0 if distance == 0 else (distance / abs(objective) if objective else None)
    return gap, bound
