"""A first incumbent for a long plan over periods (issue 20): each distinct period planned alone,
then one decision per channel over its window (the "majority start").

Why: on 50 channels × 52 weeks HiGHS's first plan is 1.4 % below its bound and a plan within 1 %
takes it 50 s CPU (18.7 s from this start; memo horizon.md §3.5).  The periods of a horizon are
mostly alike, so the single-period plan of each distinct period — one small MILP per distinct
(money cap, capacities, forced and closed channels), usually one or two — is a good plan run in
every period of each channel's window.  Only the on/off is handed over (a partial start): HiGHS
completes spends, starts and curve pieces with it fixed, or rejects it when nothing completes it;
the search goes on from there, so the start changes no optimum, only how soon a good plan is known.
"""

from __future__ import annotations

import time

from ..formulate import PeriodsFormulation, formulate
from ..model.periods import Horizon
from ..model.solution import SOLVED
from ..schema.models import SolverSettings
from .period_cuts import MIN_PERIODS
from .solvers import PartialStart, run_highs

VIEW_GAP = 1e-3  # each period's MILP needs a good plan, not a proof
VIEW_SHARE = 0.05  # of the time left, for all of them


def horizon_start(formulation: PeriodsFormulation, settings: SolverSettings, deadline: float) -> PartialStart | None:
    """The majority start of a horizon of at least ``MIN_PERIODS`` periods solved by HiGHS, or None."""
    H = formulation.horizon
    if H is None or H.T < MIN_PERIODS or settings.name != "highs":
        return None
    plans = view_plans(H, settings, time.perf_counter() + VIEW_SHARE * max(deadline - time.perf_counter(), 0.0))
    if plans is None:
        return None
    return PartialStart(majority_start(formulation, plans))


def view_plans(H: Horizon, settings: SolverSettings, deadline: float) -> dict[tuple[str, str], bool] | None:
    """(channel, period id) -> on, from the single-period plan of each distinct period; None if one has none."""
    plans: dict[tuple, dict[str, bool]] = {}
    out: dict[tuple[str, str], bool] = {}
    ids = H.ids
    for t, view in enumerate(H.views):
        closed = sorted(ch.id for ch in H.scenario.channels if not H.available(ch.id, t))
        key = (view.budget, tuple(sorted(view.resources.items())), tuple(view.rules.force_on), tuple(closed))
        if key not in plans:
            left = deadline - time.perf_counter()
            if left <= 0.01:
                return None
            rules = view.rules.model_copy(update={"force_off": sorted(set(view.rules.force_off) | set(closed))})
            alone = formulate(view.model_copy(update={"rules": rules}))
            quick = settings.model_copy(update={"gap": max(settings.gap, VIEW_GAP)})
            if run_highs(alone.problem, quick, left)[0] not in SOLVED:
                return None
            plans[key] = {cid: (x.varValue or 0.0) > 0.5 for cid, x in alone.on.items()}
        out.update({(cid, ids[t]): on for cid, on in plans[key].items()})
    return out


def majority_start(formulation: PeriodsFormulation, plans: dict[tuple[str, str], bool]) -> dict[str, float]:
    """Variable name -> on/off of every channel and period: a channel runs its whole window when it
    is on in at least half of it, else never — runs as long as they can be, at most one start; over a
    cardinality limit the channels on least often are dropped (ties in the scenario's order); a
    channel whose window needs more switches than allowed stays off; forced channels keep their bounds."""
    H, sc = formulation.horizon, formulation.scenario
    assert H is not None
    share: dict[str, float] = {}
    ids = H.ids
    order = {pid: t for t, pid in enumerate(ids)}
    for ch in sc.channels:
        first, last = H.window(ch.id)
        votes = [plans.get((ch.id, ids[t]), False) for t in range(first, last + 1)]
        switches = (0 if first == 0 and H.running_before(ch.id) else 1) + (1 if last < H.T - 1 else 0)
        limit = H.max_switches(ch.id)
        share[ch.id] = sum(votes) / len(votes) if votes and (limit is None or switches <= limit) else 0.0
    chosen = [cid for cid, v in share.items() if v >= 0.5]
    card = sc.rules.cardinality
    if card is not None and card.max is not None and len(chosen) > card.max:
        chosen = sorted(chosen, key=lambda cid: -share[cid])[:card.max]  # stable: ties keep the scenario's order
    picked = set(chosen)
    out = {}
    for (cid, pid), x in formulation.on.items():
        value = 1.0 if cid in picked and H.available(cid, order[pid]) else 0.0
        out[x.name] = min(max(value, x.lowBound or 0.0), 1.0 if x.upBound is None else x.upBound)
    return out
