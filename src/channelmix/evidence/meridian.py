"""Import Meridian: its response-curve table (CSV or Parquet) and/or its saved model (.binpb).

Units.  Meridian's response curves are totals over the model's window — spend over every
week of it, outcome over every week with the historical flighting scaled — so by default the
scenario is too (``per: {count: 156, unit: week, flighting: historical}``, budget today's
window spend).  ``--per week`` gives weekly figures: from the table alone, the window's
totals ÷ the number of weeks (the average week *under the historical flighting*, not what a
steady weekly spend buys); from the model, the exact steady weekly curve
(:func:`~.meridian_math.steady_outcome`).

Curves.  From the table: the mean rows as ``pwl`` points, its interval (ci_lo/ci_hi) kept as
a band beside the scenario.  From the model: exact points of the posterior-mean curve
(:mod:`.exact_grid`), each posterior draw a world — for a national model per week one
``hill`` curve per draw, exact; otherwise that draw's exact points.  Past the table's end (or
``CAP`` × today's spend for a model) nothing is extrapolated: that is ``max_spend``.

Bounds.  ``--bounds meridian`` reproduces ``BudgetOptimizer.optimize()``'s defaults
(:func:`~.meridian_math.meridian_bounds`); ``--bounds LO:HI`` are multiples of today's spend.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..schema.problems import Problem, ScenarioError
from ..schema.types import id_from_name
from . import meridian_math as mm
from .curve_table import pwl_channel
from .exact_grid import exact_grid
from .meridian_file import MeridianModel, read_model
from .meridian_table import ChannelCurve, read_curve_table
from .writer import Imported, ImportedChannel, period_unit, spend_range

CAP = 3.0  # a model's curves reach this multiple of each channel's window spend (Meridian's own table: 2)
TOLERANCE = 1e-6  # exact curves: the chords stay within this share of the curve's largest value
WORLD_TOLERANCE = 1e-4  # …and a world's (a posterior draw): risk figures need less, and there are many worlds
STEADY_NOTE = ("On Meridian's sample national data (2.1.0), a steady weekly spend buys 1.6–9.3 % more per week than "
               "the window ÷ 156, the more the more uneven a channel's flighting")


@dataclass(frozen=True)
class Options:
    per: str = "window"  # window | week
    weeks: int | None = None  # the window's length in weeks, for a table alone
    bounds: str | None = None  # "meridian" or "LO:HI"
    budget: float | None = None
    draws: int | None = None  # posterior draws kept as worlds (None: all)
    seed: int | None = None  # thins the draws (None: not given; 0 then)


@dataclass
class Inputs:
    model: MeridianModel | None
    table: dict[str, ChannelCurve] | None
    files: list[str]
    weeks: int | None  # the window's length in weeks, when known


@dataclass(frozen=True)
class Run:
    """One import: what was read and how it is converted."""

    inputs: Inputs
    options: Options
    divisor: float  # window totals ÷ this = the scenario's units (1, or the window's weeks)
    pick: np.ndarray | None  # posterior draws kept as worlds
    hill_worlds: bool  # every draw of every channel is one exact hill curve


def import_meridian(paths: list[str], options: Options) -> tuple[Imported, pd.DataFrame | None, pd.DataFrame | None]:
    """The scenario's channels, the posterior draws (tidy table, or None) and the table's band (or None)."""
    inputs = _inputs(paths, options)
    m = inputs.model
    divisor = 1.0
    if options.per == "week":
        assert inputs.weeks is not None  # _inputs refuses --per week without the window's weeks
        divisor = float(inputs.weeks)
    run = Run(inputs, options, divisor,
              _thin(m.alpha.shape[0], options.draws, options.seed or 0) if m is not None else None,
              m is not None and options.per == "week"
              and all(mm.steady_hills(m, c) is not None for c in range(len(m.channels))))
    history = _history(inputs)
    ids = {name: id_from_name(name)[0] for name in history}
    bounds = _bounds(history, options, run.divisor)
    channels, rows = [], []
    for name, spend in history.items():
        channel, draws = _channel(run, name, ids[name], spend / run.divisor, bounds.get(name, (None, None)))
        channels.append(channel)
        rows += [draws] if draws is not None else []
    imported = Imported(name=_name(inputs), description=_description(inputs, options), channels=channels,
                        currency=m.currency if m is not None else "", budget=_budget(history, options, run.divisor),
                        notes=_notes(run), source=_source(inputs, options, channels),
                        force_on=[ids[n] for n in bounds] if options.bounds == "meridian" else [],
                        check_note=_check_note(run, channels))
    return imported, (pd.concat(rows, ignore_index=True) if rows else None), _band(inputs, ids, run.divisor)


def _inputs(paths: list[str], options: Options) -> Inputs:
    models = [p for p in paths if Path(p).suffix.lower() == ".binpb"]
    tables = [p for p in paths if p not in models]
    if len(models) > 1 or len(tables) > 1 or not paths:
        raise ScenarioError(", ".join(paths) or "channelmix import meridian", [Problem(
            "", "takes a saved model (.binpb), a response-curve table (.csv or .parquet), or one of each",
            "pass model.binpb and/or response_curves.csv")])
    model = read_model(models[0]) if models else None
    table = read_curve_table(tables[0]) if tables else None
    _draw_options(model, options)
    if model is not None and options.weeks is not None:
        raise ScenarioError("--weeks", [Problem("",
                                                f"is for a table alone: the model says its window has {model.n_weeks} "
                                                "weeks",
                                                "leave --weeks out")])
    if model is not None and options.per == "week" and model.period_days != 7:
        raise ScenarioError(models[0], [Problem("marketing_data",
                                                f"has periods of {model.period_days or 'uneven'} days, not weeks",
                                                "import with --per window")])
    weeks = model.n_weeks if model is not None else options.weeks
    if options.per == "week" and weeks is None:
        raise ScenarioError(tables[0], [Problem("--per week",
                                                "needs the number of weeks in the model's window: the table does not "
                                                "say",
                                                "add --weeks N (Meridian's n_times), or import the model file too")])
    if model is not None and table is not None:
        _same_model(model, table, tables[0])
    return Inputs(model, table, [Path(p).name for p in paths], weeks)


def _draw_options(model: MeridianModel | None, options: Options) -> None:
    """--draws and --seed act on a model's posterior; where they would change nothing they are refused."""
    if model is None and options.draws is not None:
        raise ScenarioError("--draws", [Problem("", "needs the model file: the table has no posterior draws",
                                                "pass model.binpb too, or leave --draws out")])
    samples = model.alpha.shape[0] if model is not None else 0
    if options.seed is not None and (options.draws is None or not 0 < options.draws < samples):
        raise ScenarioError("--seed", [Problem("", f"only thins the draws, and every one of the {samples} is kept"
                                               if model is not None else "only thins a model's posterior draws",
                                               f"add --draws N with N below {samples}, or leave --seed out"
                                               if model is not None
                                               else "leave --seed out")])


def _same_model(model: MeridianModel, table: dict[str, ChannelCurve], path: str) -> None:
    problems = []
    for name, curve in table.items():
        if name not in model.channels:
            problems.append(Problem(f"channel '{name}'", "is not a paid channel of the model",
                                    "import the table of the same model"))
        elif not np.isclose(curve.history, model.spend_total[model.channels.index(name)], rtol=1e-9):
            problems.append(Problem(f"channel '{name}'", f"has today's spend {curve.history:,.2f}, the model "
                                    f"{model.spend_total[model.channels.index(name)]:,.2f}",
                                    "import the table of the same model"))
    if problems:
        raise ScenarioError(path, problems)


def _history(inputs: Inputs) -> dict[str, float]:
    """Each paid channel's spend over the window (today's spend, in window units)."""
    if inputs.model is not None:
        return {name: float(inputs.model.spend_total[c]) for c, name in enumerate(inputs.model.channels)}
    assert inputs.table is not None  # no model: a table
    return {name: curve.history for name, curve in inputs.table.items()}


def _bounds(history: dict[str, float], options: Options, divisor: float) -> dict[str, tuple[float, float]]:
    """Per channel (min_spend, max_spend) in the scenario's units; {} without --bounds."""
    if options.bounds is None:
        return {}
    spends = np.array(list(history.values()))
    if options.bounds == "meridian":
        budget = None if options.budget is None else options.budget * divisor
        _, lower, upper = mm.meridian_bounds(spends, budget)
        return {name: (lower[i] / divisor, upper[i] / divisor) for i, name in enumerate(history)}
    low, _, high = options.bounds.partition(":")
    return {name: (float(low) * s / divisor, float(high) * s / divisor) for name, s in history.items()}


def _budget(history: dict[str, float], options: Options, divisor: float) -> float:
    """--budget, else today's total; with Meridian's bounds the budget Meridian enforces: the sum
    of the rounded shares (139,900,000 when 140,000,000 is asked for)."""
    if options.bounds == "meridian":
        asked = None if options.budget is None else options.budget * divisor
        return mm.meridian_bounds(np.array(list(history.values())), asked)[0] / divisor
    if options.budget is not None:
        return options.budget
    return sum(history.values()) / divisor


def _thin(samples: int, draws: int | None, seed: int) -> np.ndarray | None:
    """Posterior draws kept as worlds: all unless ``draws`` asks for fewer (seeded, in order)."""
    if draws == 0:
        return None
    if draws is None or draws >= samples:
        return np.arange(samples)
    return np.sort(np.random.default_rng(seed).choice(samples, size=draws, replace=False))


def _channel(run: Run, name: str, cid: str, today: float, bounds: tuple) -> tuple[ImportedChannel, pd.DataFrame | None]:
    inputs = run.inputs
    curve = inputs.table.get(name) if inputs.table is not None else None
    tool = curve.at_history() if curve is not None else None
    lo, hi = bounds
    if inputs.model is None:
        assert curve is not None  # no model: the channels are the table's
        spends, outcomes, rows = curve.spend / run.divisor, curve.mean / run.divisor, None
    else:
        spends, outcomes, rows = _exact(run, name, cid, today, bounds, curve)
    problems: list[Problem] = []
    channel = pwl_channel(cid, name, spends, outcomes, problems)
    if problems:
        raise ScenarioError(", ".join(inputs.files), problems)
    channel.current, channel.tool = today, None if tool is None else tool / run.divisor
    top = float(spends[-1])
    channel.max_spend = min(top, hi) if hi is not None else top
    channel.min_spend = min(lo, channel.max_spend) if lo is not None else 0.0
    channel.outcome["unit"] = inputs.model.outcome_unit if inputs.model is not None else "revenue"
    return channel, rows


def _exact(run: Run, name: str, cid: str, today: float, bounds: tuple,
           curve: ChannelCurve | None) -> tuple[np.ndarray, np.ndarray, pd.DataFrame | None]:
    """Exact points of the model's posterior-mean curve (in the scenario's units), and the draws."""
    m = run.inputs.model
    assert m is not None  # the model's curves
    c = m.channels.index(name)
    facts = mm.Channel.of(m, c)
    total = float(m.spend_total[c])
    if run.options.per == "week":
        def draws(spend: np.ndarray) -> np.ndarray:
            return mm.steady_outcome(m, c, spend, facts)
    else:
        def draws(spend: np.ndarray) -> np.ndarray:
            return mm.window_outcome(m, c, spend * run.divisor / total, facts) / run.divisor
    table = list(curve.spend / run.divisor) if curve is not None else []
    include = [today, *(b for b in bounds if b is not None)] + table
    grid = exact_grid(lambda s: draws(s).mean(axis=0), CAP * today, TOLERANCE, np.array(include))
    if run.pick is None:
        return grid.spends, grid.values, None
    if run.hill_worlds:
        hills = mm.steady_hills(m, c, facts)
        assert hills is not None  # hill_worlds: every channel's draws are Hill curves
        return grid.spends, grid.values, _hill_rows(cid, hills, run.pick)
    coarse = exact_grid(lambda s: draws(s).mean(axis=0), CAP * today, WORLD_TOLERANCE, np.array(include)).spends
    return grid.spends, grid.values, _point_rows(cid, coarse, draws(coarse)[run.pick], run.pick)


def _point_rows(cid: str, spends: np.ndarray, values: np.ndarray, pick: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"channel": cid, "draw": np.repeat(pick, len(spends)), "spend": np.tile(spends, len(pick)),
                         "outcome": np.maximum(values.reshape(-1), 0.0)})


def _hill_rows(cid: str, hills: tuple[np.ndarray, np.ndarray, np.ndarray], pick: np.ndarray) -> pd.DataFrame:
    half, shape, value = hills
    return pd.DataFrame({"channel": cid, "draw": pick, "half": half[pick], "shape": shape[pick], "value": value[pick]})


def _name(inputs: Inputs) -> str:
    m = inputs.model
    return f"Meridian {m.model_id}" if m is not None and m.model_id else f"Meridian {Path(inputs.files[0]).stem}"


def _window_text(inputs: Inputs) -> str:
    m = inputs.model
    if m is None:
        return f"a window of {inputs.weeks} weeks" if inputs.weeks else "the model's window"
    weeks = [w for w, inside in zip(m.weeks, m.kpi_week) if inside]
    return f"{weeks[0]} .. {weeks[-1]} ({m.n_weeks} weeks)"


def _description(inputs: Inputs, options: Options) -> str:
    version = f" {inputs.model.version}" if inputs.model is not None and inputs.model.version else ""
    units = "per week" if options.per == "week" else "totals over the window"
    return (f"Response curves of the Meridian{version} model {', '.join(inputs.files)}, fit on {_window_text(inputs)}; "
            f"spends and outcomes {units}.")


def _source(inputs: Inputs, options: Options, channels: list[ImportedChannel]) -> dict:
    m = inputs.model
    source: dict = {"tool": "Meridian"}
    if m is not None and m.version:
        source["version"] = m.version
    source["model"] = m.model_id if m is not None and m.model_id else inputs.files[0]
    source["file"] = list(inputs.files)
    if m is not None:
        weeks = [w.isoformat() for w, inside in zip(m.weeks, m.kpi_week) if inside]
        source["window"] = {"start": weeks[0], "end": weeks[-1], "periods": m.n_weeks}
    elif inputs.weeks:
        source["window"] = {"periods": inputs.weeks}
    if options.per == "week":
        source["per"] = {"count": 1, "unit": "week", "flighting": "steady" if m is not None else "historical"}
    elif inputs.weeks:
        unit = period_unit(m.period_days) if m is not None else "week"
        source["per"] = {"count": inputs.weeks, "unit": unit, "flighting": "historical"}
    else:
        source["per"] = {"count": 1, "unit": "window", "flighting": "historical"}
    source["measured"] = _measured(inputs, options, channels)
    return source


def _measured(inputs: Inputs, options: Options, channels: list[ImportedChannel]) -> dict[str, list[float]]:
    """Where the source knows the response: a table's points; a model's data (its window spend,
    or per week its weekly spends)."""
    m = inputs.model
    out = {}
    for ch, name in zip(channels, _history(inputs)):
        if m is None:
            assert inputs.table is not None  # no model: a table
            out[ch.id] = spend_range(inputs.table[name].spend / (inputs.weeks if options.per == "week" else 1))
        elif options.per == "week":
            out[ch.id] = spend_range(m.spend[:, m.kpi_week, m.channels.index(name)].sum(axis=0))
        else:
            out[ch.id] = spend_range([m.spend_total[m.channels.index(name)]])
    return out


def _check_note(run: Run, channels: list[ImportedChannel]) -> str:
    """Under the check table: with a table, the largest gap at every one of its points; per week
    from the model, why Meridian's figure (the table's window ÷ weeks) differs."""
    table = run.inputs.table
    if table is None:
        return ""
    if run.options.per == "week" and run.inputs.model is not None:
        return (f"Meridian's figure is its table's window total ÷ {run.inputs.weeks} (an average week of its "
                "historical flighting); channelmix's is a steady weekly spend: the difference is the flighting, not an "
                "error.")
    gaps = []
    for ch, curve in zip(channels, table.values()):
        points = np.array(ch.response["points"])
        on_curve = np.interp(curve.spend / run.divisor, points[:, 0], points[:, 1])
        mine = ch.outcome["value"] * on_curve + ch.outcome["baseline"]
        theirs = curve.mean / run.divisor
        gaps.append(np.max(np.abs(mine - theirs) / np.maximum(np.abs(theirs), 1e-300), where=theirs != 0, initial=0.0))
    count = sum(len(c.spend) for c in table.values())
    return f"At all {count} points of Meridian's table: largest relative gap {max(gaps):.1e}."


def _band(inputs: Inputs, ids: dict[str, str], divisor: float) -> pd.DataFrame | None:
    """The table's interval (Meridian's ci_lo / ci_hi, 90 % by default) per point, in the scenario's units."""
    if inputs.table is None:
        return None
    frames = [pd.DataFrame({"channel": ids[name], "spend": c.spend / divisor, "mean": c.mean / divisor,
                            "low": c.low / divisor, "high": c.high / divisor})
              for name, c in inputs.table.items() if c.low is not None and c.high is not None and name in ids]
    return pd.concat(frames, ignore_index=True) if frames else None


def _notes(run: Run) -> list[str]:
    inputs, options, pick = run.inputs, run.options, run.pick
    m = inputs.model
    notes = [f"Imported from Meridian ({', '.join(inputs.files)}), fit on {_window_text(inputs)}."]
    if options.per == "week" and m is None:
        notes += [f"Spends and outcomes per week: the table's window totals ÷ {inputs.weeks}, i.e. an average week of "
                  "Meridian's",
                  "historical flighting (each week's media scaled alike), not what a steady weekly spend buys.",
                  STEADY_NOTE + "; import the model file (.binpb) for the steady weekly curve."]
    elif options.per == "week":
        notes += ["Spends and outcomes per week at a steady weekly spend, once the adstock has built up: exactly",
                  "revenue per KPI × β·σ·Hill(spend / (cost per unit · media scale)) per posterior draw, with the "
                  "window's",
                  "mean revenue per KPI; the curve here is the mean over draws."]
    else:
        notes += ["Spends and outcomes are totals over the window, as Meridian's response curves: every week's media "
                  "scaled",
                  "by the same factor (its historical flighting); the budget is for the whole window."]
    if m is not None:
        notes.append(f"Curves: exact points of the posterior-mean curve (chords within {TOLERANCE:g} of its largest "
                     f"value), up to {CAP:g}x today's spend (max_spend).")
    else:
        notes.append("Curves: the table's mean rows; max_spend is its last spend (channelmix does not extrapolate past "
                     "it).")
    if pick is not None:
        assert m is not None  # draws come from a model
        kind = "one exact hill curve each" if run.hill_worlds else "exact points on the same spends"
        notes.append(f"worlds: {len(pick)} of the {m.alpha.shape[0]} posterior draws ({kind}), in the .draws.csv "
                     "beside this file.")
    if options.bounds == "meridian":
        notes += ["Bounds as BudgetOptimizer.optimize(): each channel within ±30 % of its historical share of the "
                  "budget, rounded",
                  "to Meridian's grid (10^-round_factor); the budget is what Meridian enforces, the sum of the rounded "
                  "shares",
                  "(so --budget 140000000 plans 139,900,000 on Meridian's sample model); every channel on."]
    elif options.bounds:
        notes.append(f"Bounds: min_spend/max_spend = {options.bounds.replace(':', 'x/')}x today's spend (at most "
                     "max_spend).")
    return notes
