"""Import a saved PyMC-Marketing model (``MMM.save("model.nc")``) as a scenario.

Each media channel becomes PyMC-Marketing's own saturation curve (``logistic``, ``tanh``, …,
see :mod:`channelmix.schema.saturations`) with every posterior sample's parameters, so the
scenario's curve is exactly the posterior-mean steady-state contribution PyMC-Marketing
computes (the same spend every period, after the adstock has built up), in the model's
target units per period of the training data.  Spends are money: a model fitted on media
units (``cost_per_unit``) has its channel scale priced at the mean recorded price over
today's periods — the price that turns today's units into today's money, and the one to
give PyMC-Marketing's optimiser for the weeks planned.

Today's spend is the mean over the last ``recent`` periods (or the periods of ``window``);
the budget is their total.  The posterior samples are the scenario's worlds: every sample
when ``samples × channels ≤`` :data:`WORLDS_BOUND`, else that many, drawn seeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..schema.problems import Problem, ScenarioError
from ..schema.responses import Response
from ..schema.saturations import Saturation
from ..schema.types import id_from_name
from .pymc_file import Saved, read_saved
from .pymc_math import SATURATIONS, in_sample, weight_sum
from .sources import fail
from .writer import Imported, ImportedChannel, period_unit, spend_range

RECENT = 13  # today's spend: the mean of this many last periods, unless a window is given
# samples × channels kept as worlds by default: a CVaR solve over 5 × 400 took 25–48 s on 2 shared cores, under the
WORLDS_BOUND = 2000
# default 60 s limit; over 5 × 800, 73–247 s (benchmarks/bench_mmm.py --parts worlds)
TYPES = {"logistic": "logistic", "inverse_scaled_logistic": "inverse_scaled_logistic", "tanh": "tanh",
         "michaelis_menten": "michaelis_menten", "hill": "hill_saturation"}


@dataclass
class Options:
    """The import's settings (None: the default)."""

    recent: int | None = None
    window: str | None = None  # START:END: today's spend is the mean over these training periods
    bounds: tuple[float, float] | None = None  # min/max spend as multiples of today's spend, when on
    budget: float | None = None
    draws: int | None = None  # posterior samples kept as worlds (None: every one, up to WORLDS_BOUND / channels)
    seed: int = 0


def import_pymc(path: str, options: Options | None = None) -> Imported:
    """The scenario's channels, with the posterior samples as its worlds."""
    options = options or Options()
    saved = read_saved(path)
    rows = _today(saved, options, path)
    money = saved.money
    current = money[rows].mean(axis=0)
    price = saved.prices[rows].mean(axis=0) if saved.prices is not None else np.ones(len(saved.channels))
    problems: list[Problem] = []
    channels: list[ImportedChannel] = []
    skipped: list[str] = []
    ids: dict[str, str] = {}
    for j, name in enumerate(saved.channels):
        if money[:, j].max() <= 0:
            skipped.append(name)
            continue
        cid = id_from_name(name)[0]
        if cid in ids:
            problems.append(Problem(f"channel '{name}'", f"has the same id '{cid}' as '{ids[cid]}'",
                                    "rename one of them in the model"))
            continue
        ids[cid] = name
        response = _response(saved, j, float(price[j]))
        curve = _checked(response, name, problems)
        if curve is None:
            continue
        item = ImportedChannel(id=cid, label=name if name != cid else None, response=response,
                               outcome={"value": saved.target_scale * curve.ceiling,
                                        **({"unit": saved.target} if saved.target else {})},
                               current=float(current[j]))
        if options.bounds is not None:
            today = float(current[j])
            item.min_spend, item.max_spend = options.bounds[0] * today, options.bounds[1] * today
        channels.append(item)
    if not channels and not problems:
        problems.append(Problem("constant_data", "no channel has any spend in the training data",
                                "import a model fitted on spends"))
    if problems:
        raise ScenarioError(path, problems)
    gap = reproduction_gap(saved, path)
    samples = saved.sat[next(iter(saved.sat))].shape[0]
    count = worlds_count(samples, len(channels), options.draws)
    imported = Imported(name=Path(path).stem, description=_description(saved, Path(path).name, rows), channels=channels,
                        notes=_notes(saved, Path(path).name, rows, price, count, samples, skipped, options, gap),
                        budget=options.budget,
                        source=_source(saved, path, money,
                                       [(c.id, saved.channels.index(c.label or c.id)) for c in channels]))
    if count:
        imported.worlds = {"samples": {"count": "all" if count == samples else count, "seed": options.seed}}
    return imported


def worlds_count(samples: int, channels: int, draws: int | None) -> int:
    """How many posterior samples become worlds: ``draws`` when given (at most every one), else
    every sample while samples × channels ≤ WORLDS_BOUND, else WORLDS_BOUND // channels.  One
    sample alone is no spread: 0."""
    if samples <= 1:
        return 0
    if draws is not None:
        return min(draws, samples)
    return min(samples, max(1, WORLDS_BOUND // max(channels, 1)))


# largest relative gap to the model's own in-sample contributions for a file read as the tool reads it
REPRODUCED = 1e-6


def reproduction_gap(saved: Saved, path: str) -> float | None:
    """The largest gap, relative to the largest contribution, between the model's own in-sample
    channel contributions and channelmix's recomputation from the parameters it read (None:
    nothing to compare).  Above :data:`REPRODUCED` the file was not read as PyMC-Marketing
    reads it: refused, rather than a plan on misread curves."""
    if saved.contribution is None or saved.mode != "After":
        return None
    worst = 0.0
    for j, name in enumerate(saved.channels):
        theirs = saved.contribution[:, :, j]
        ours = in_sample(saved.saturation, {k: v[:, j] for k, v in saved.sat.items()}, saved.adstock,
                         {k: v[:, j] for k, v in saved.ad.items()},
                         saved.l_max, saved.normalize, saved.adstock_first, saved.spends[:, j] / saved.channel_scale[j])
        top = float(np.abs(theirs).max())
        gap = float(np.abs(ours - theirs).max()) / top if top > 0 else float(np.abs(ours).max())
        if not gap <= REPRODUCED:
            raise fail(path, f"posterior.channel_contribution, channel '{name}'",
                       f"differs from channelmix's recomputation from the "
                       f"saved parameters by {gap:.2g} of its largest value: the file holds a model channelmix does "
                       "not read as PyMC-Marketing does",
                       "export the model's response curves and use 'channelmix import curves'")
        worst = max(worst, gap)
    return worst


def _source(saved: Saved, path: str, money: np.ndarray, ids: list[tuple[str, int]]) -> dict:
    """The scenario's ``source:`` block: PyMC-Marketing (its version is not in the file), the
    model's id, its training window, per period at steady state, the spends it was fitted on."""
    source: dict = {"tool": "PyMC-Marketing", "model": saved.model_id or Path(path).stem, "file": [Path(path).name]}
    if saved.dates:
        source["window"] = {"start": saved.dates[0][:10], "end": saved.dates[-1][:10], "periods": len(saved.dates)}
        days = np.diff(np.array([d[:10] for d in saved.dates], dtype="datetime64[D]").astype(np.int64))
        unit = period_unit(float(np.median(days)) if len(days) else None)
    else:
        unit = "period"
    source["per"] = {"unit": unit, "flighting": "steady"}
    source["measured"] = {cid: spend_range(money[:, j]) for cid, j in ids}
    return source


def _today(saved: Saved, options: Options, path: str) -> np.ndarray:
    """The training periods today's spend is the mean of."""
    n = len(saved.spends)
    if options.window is None:
        return np.arange(max(0, n - (options.recent or RECENT)), n)
    start, sep, end = options.window.partition(":")
    dates = np.array([d[:10] for d in saved.dates])
    if not sep or not start or not end:
        raise fail(path, "--window", f"'{options.window}' is not START:END",
                   "write the first and last period, e.g. 2024-06-16:2024-09-08")
    rows = np.flatnonzero((dates >= start.strip()) & (dates <= end.strip()))
    if len(rows) == 0:
        raise fail(path, "--window", f"{options.window} holds no training period ({dates[0]} to {dates[-1]})",
                   "pick dates inside the training data")
    return rows


def _response(saved: Saved, j: int, price: float) -> dict:
    """The channel's curve in PyMC-Marketing's own terms: each parameter per posterior sample."""
    ad = {k: v[:, j] for k, v in saved.ad.items()}
    response: dict = {"type": TYPES[saved.saturation], "channel_scale": float(saved.channel_scale[j]) * price,
                      "adstock_sum": _samples(weight_sum(saved.adstock, ad, saved.l_max, saved.normalize)),
                      "adstock_first": saved.adstock_first}
    for name in SATURATIONS[saved.saturation].params:
        response[name] = _samples(saved.sat[name][:, j])
    return response


def _samples(values: np.ndarray) -> float | list[float]:
    """One number when every sample agrees, else one per sample (written exactly)."""
    values = np.asarray(values, dtype=float).reshape(-1)
    return float(values[0]) if np.all(values == values[0]) else [float(v) for v in values]


def _checked(response: dict, name: str, problems: list[Problem]) -> Saturation | None:
    from pydantic import TypeAdapter, ValidationError

    try:
        kind: Any = Response  # a type expression (a union), which mypy's TypeAdapter(type[T]) does not take
        curve = TypeAdapter(kind).validate_python(response)
        assert isinstance(curve, Saturation)  # the response is one of PyMC-Marketing's own curve types
        return curve
    except ValidationError as err:
        first = err.errors()[0]
        problems.append(Problem(f"posterior, channel '{name}'", f"gives a curve channelmix cannot use: {first['msg']}",
                                "check the posterior's saturation and adstock parameters"))
        return None


def _period_text(saved: Saved, rows: np.ndarray) -> str:
    if saved.dates:
        return f"{saved.dates[rows[0]][:10]}..{saved.dates[rows[-1]][:10]} ({len(rows)} periods)"
    return f"the last {len(rows)} periods"


def _description(saved: Saved, source: str, rows: np.ndarray) -> str:
    return (f"Response curves of the PyMC-Marketing model {source}: {saturation_text(saved)}. "
            f"Today's spend is the mean over {_period_text(saved, rows)} of its training data.")


def saturation_text(saved: Saved) -> str:
    norm = "normalised" if saved.normalize else "not normalised"
    order = "adstock, then saturation" if saved.adstock_first else "saturation, then adstock"
    return f"{saved.saturation} saturation, {saved.adstock} adstock (l_max {saved.l_max}, {norm}), {order}"


def _notes(saved: Saved, source: str, rows: np.ndarray, price: np.ndarray, kept: int, samples: int, skipped: list[str],
           options: Options, gap: float | None) -> list[str]:
    notes = [f"Imported from the PyMC-Marketing model {source}" + (f" (id {saved.model_id})" if saved.model_id else "")
             + f", file shape of PyMC-Marketing {saved.family}.",
             f"Model: {saturation_text(saved)}, identity link.",
             "Spend and outcome are per period of the training data (a week for weekly data); the outcome is in the "
             "model's",
             "target units. Each curve is PyMC-Marketing's own saturation with every posterior sample's "
             "parameters: the",
             "posterior-mean steady-state contribution (the same spend every period), target_scale × mean over "
             "samples,",
             f"exactly; current: the mean spend over {_period_text(saved, rows)}."]
    if gap is not None:
        notes.append("Read as PyMC-Marketing reads it: its own in-sample channel_contribution is recomputed from the "
                     f"saved parameters on every training period and sample to {gap:.1e} (relative).")
    if saved.prices is not None:
        priced = ", ".join(f"{c} {p:.6g}" for c, p in zip(saved.channels, price))
        notes.append("Fitted on media units (cost_per_unit): the channel scale is priced at the mean recorded price "
                     f"over those periods ({priced} money per unit), the price that turns today's units into today's "
                     "money.")
    if options.bounds is not None:
        notes.append(f"Bounds: min_spend/max_spend = {options.bounds[0]:g}×/{options.bounds[1]:g}× today's spend when "
                     "a channel is on.")
    if kept:
        how = "every one" if kept == samples else f"{kept}, drawn with seed {options.seed} (the plan reports the " \
                                                  f"Monte-Carlo error)"
        notes.append(f"worlds: the {samples} posterior samples, {how}; each world is one joint draw of every channel's "
                     "curve.")
    if skipped:
        notes.append(f"Left out (no spend in the training data): {', '.join(skipped)}.")
    return notes
