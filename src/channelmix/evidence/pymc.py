"""Import a saved PyMC-Marketing model (``MMM.save("model.nc")``) as a scenario.

Each media channel becomes a ``pwl`` curve in outcome units (the model's target: revenue,
or conversions) per period of the training data: the posterior-mean steady-state
contribution (:mod:`.pymc_math`) on a grid of spends from 0 to ``CAP`` × the largest
historical spend per period, with today's spend and that largest spend as exact grid
points. Today's spend is the mean over the last ``recent`` periods; the budget is their
total. ``draws`` posterior samples (thinned, seeded) become the scenario's worlds, written
beside it as ``<output>.draws.csv``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..schema.problems import Problem, ScenarioError
from ..schema.types import id_from_name
from .curve_table import pwl_channel
from .pymc_file import Saved, read_saved
from .pymc_math import ChannelModel
from .writer import Imported, ImportedChannel, spend_range

CAP = 3.0  # the grid reaches this multiple of the largest historical spend per period
GRID = 40  # evenly spaced grid steps (today's spend and the historical maximum are added)


def import_pymc(path: str, recent: int = 13, draws: int = 50, seed: int = 0,
                budget: float | None = None) -> tuple[Imported, pd.DataFrame | None]:
    """The scenario's channels and, when ``draws`` > 0, the posterior draws as a tidy table."""
    saved = read_saved(path)
    samples = saved.sat[next(iter(saved.sat))].shape[0]
    pick = _thin(samples, draws, seed)
    window = saved.spends[-recent:] if recent > 0 else saved.spends
    current = window.mean(axis=0)
    top = saved.spends.max(axis=0)
    problems: list[Problem] = []
    channels: list[ImportedChannel] = []
    rows: list[pd.DataFrame] = []
    skipped: list[str] = []
    ids: dict[str, str] = {}
    for j, name in enumerate(saved.channels):
        if top[j] <= 0:
            skipped.append(name)
            continue
        cid = id_from_name(name)[0]
        if cid in ids:
            problems.append(Problem(f"channel '{name}'", f"has the same id '{cid}' as '{ids[cid]}'", "rename one of them in the model"))
            continue
        ids[cid] = name
        grid = np.unique(np.concatenate([np.linspace(0.0, CAP * top[j], GRID + 1), [current[j], top[j]]]))
        outcome = _model(saved, j).contribution(grid)
        if not np.isfinite(outcome).all():
            problems.append(Problem(f"posterior, channel '{name}'", "gives a response that is not a finite number",
                                    "check the posterior's saturation and adstock parameters"))
            continue
        ch = pwl_channel(cid, name, grid, outcome.mean(axis=0), problems)
        ch.current = float(current[j])
        ch.max_spend = float(grid[-1])
        channels.append(ch)
        if pick is not None:
            rows.append(_draw_rows(cid, grid, outcome[pick], pick))
    if not channels and not problems:
        problems.append(Problem("constant_data", "no channel has any spend in the training data", "import a model fitted on spends"))
    if problems:
        raise ScenarioError(path, problems)
    source = {"tool": "PyMC-Marketing", "model": Path(path).name, "file": [Path(path).name],
              "window": {"periods": int(saved.spends.shape[0])}, "per": {"count": 1, "unit": "period", "flighting": "steady"},
              "measured": {c.id: spend_range(saved.spends[:, saved.channels.index(ids[c.id])]) for c in channels}}
    imported = Imported(name=Path(path).stem, description=_description(saved, Path(path).name, recent), channels=channels,
                        notes=_notes(saved, Path(path).name, recent, len(pick) if pick is not None else 0, samples, skipped),
                        budget=budget, source=source)
    return imported, (pd.concat(rows, ignore_index=True) if rows else None)


def _model(saved: Saved, j: int) -> ChannelModel:
    return ChannelModel(saturation=saved.saturation, sat={k: v[:, j] for k, v in saved.sat.items()}, adstock=saved.adstock,
                        ad={k: v[:, j] for k, v in saved.ad.items()}, l_max=saved.l_max, normalize=saved.normalize,
                        adstock_first=saved.adstock_first, channel_scale=float(saved.channel_scale[j]), target_scale=saved.target_scale)


def _thin(samples: int, draws: int, seed: int) -> np.ndarray | None:
    """Which posterior samples become worlds: all when there are no more than ``draws``,
    else ``draws`` of them drawn without replacement by ``default_rng(seed)``, in order."""
    if draws <= 0:
        return None
    if samples <= draws:
        return np.arange(samples)
    return np.sort(np.random.default_rng(seed).choice(samples, size=draws, replace=False))


def _draw_rows(cid: str, grid: np.ndarray, outcome: np.ndarray, pick: np.ndarray) -> pd.DataFrame:
    k = len(grid)
    return pd.DataFrame({"channel": cid, "draw": np.repeat(pick, k), "spend": np.tile(grid, len(pick)),
                         "outcome": np.maximum(outcome.reshape(-1), 0.0)})


def _description(saved: Saved, source: str, recent: int) -> str:
    return (f"Response curves of the PyMC-Marketing model {source}: {saturation_text(saved)}. "
            f"Today's spend is the mean of the last {recent} periods of its training data.")


def saturation_text(saved: Saved) -> str:
    norm = "normalised" if saved.normalize else "not normalised"
    order = "adstock, then saturation" if saved.adstock_first else "saturation, then adstock"
    return f"{saved.saturation} saturation, {saved.adstock} adstock (l_max {saved.l_max}, {norm}), {order}"


def _notes(saved: Saved, source: str, recent: int, kept: int, samples: int, skipped: list[str]) -> list[str]:
    notes = [f"Imported from the PyMC-Marketing model {source} (file shape of PyMC-Marketing {saved.family}).",
             f"Model: {saturation_text(saved)}.",
             "Spend and outcome are per period of the training data (a week for weekly data); the outcome is in the",
             "model's target units. Each curve is the posterior-mean steady-state contribution (the same spend every",
             f"period), up to {CAP:g}x the largest historical spend per period (max_spend); current: the mean spend of the",
             f"last {recent} periods."]
    if kept:
        notes.append(f"worlds: {kept} of the {samples} posterior draws (seeded), in the .draws.csv beside this file.")
    if skipped:
        notes.append(f"Left out (no spend in the training data): {', '.join(skipped)}.")
    return notes
