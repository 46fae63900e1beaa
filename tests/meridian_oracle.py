"""Meridian's own scoring of a plan, rebuilt for the tests from the fixture's numbers alone.

Independent of channelmix's importer on purpose: the data come from the input CSV the model
was fitted on, the posterior from ``model.binpb`` through a plain protobuf wire walk (no
protobuf library, no channelmix code) and scipy's netCDF-3 reader, and the formula is written
out as Meridian 2.1's Analyzer computes it (the adstock as a convolution).  It is held to Meridian's own figures
(``reference_points.csv``, the optimiser's per-channel outcomes in ``reference.json``) by
``test_the_oracle_reproduces_meridian``; the importer's plans are then scored with it.
"""

from __future__ import annotations

import io
import json
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

FIXTURE = Path(__file__).parent / "data" / "meridian_real"
MAX_LAG = 8  # ModelSpec() default, as the fixture's README and reference.json record


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


def _fields(buf: bytes) -> dict[int, list]:
    """Field number -> values of one protobuf message (ints for varints, bytes otherwise)."""
    out: dict[int, list] = {}
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        kind = key & 7
        if kind == 0:
            value, i = _varint(buf, i)
        elif kind == 1:
            value, i = buf[i:i + 8], i + 8
        elif kind == 2:
            size, i = _varint(buf, i)
            value, i = buf[i:i + size], i + size
        elif kind == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {kind}")
        out.setdefault(key >> 3, []).append(value)
    return out


class Meridian:
    """The fixture's model: ``outcome(channel, spend)`` is Meridian's mean window outcome."""

    def __init__(self, folder: Path = FIXTURE) -> None:
        self.folder = folder
        self.reference = json.loads((folder / "reference.json").read_text(encoding="utf-8"))
        self.channels = self.reference["model"]["channels"]
        data = pd.read_csv(folder / "national_4_channels.csv")
        self.media = data[[f"{c}_impression" for c in self.channels]].to_numpy(float)  # (weeks, channels)
        self.spend = data[[f"{c}_spend" for c in self.channels]].to_numpy(float).sum(axis=0)
        self.rpk = data["revenue_per_conversion"].to_numpy(float)
        self.stdev = float(np.std(data["conversions"].to_numpy(float)))
        self.scale = np.array([np.median(col[col != 0]) for col in self.media.T])

    @cached_property
    def posterior(self) -> dict[str, np.ndarray]:
        from scipy.io import netcdf_file

        kernel = _fields((self.folder / "model.binpb").read_bytes())
        model = _fields(_fields(kernel[2][0])[2][0])  # MmmKernel.model (Any) .value -> MeridianModel
        blob = _fields(model[14][0])[3][0]  # inference_data.posterior
        nc = netcdf_file(io.BytesIO(blob), mmap=False)
        names = [b"".join(row).decode() for row in nc.variables["media_channel"].data]
        order = [names.index(c) for c in self.channels]
        out = {k: np.asarray(nc.variables[k].data, float).reshape(-1, len(names))[:, order]
               for k in ("alpha_m", "ec_m", "slope_m")}
        out["beta_gm"] = np.asarray(nc.variables["beta_gm"].data, float).reshape(-1, len(names))[:, order]  # one geo
        nc.close()
        return out

    def draws(self, channel: str, multiplier: float) -> np.ndarray:
        """Each posterior draw's incremental outcome over the window at ``multiplier`` × the media."""
        c = self.channels.index(channel)
        p = self.posterior
        units = multiplier * self.media[:, c] / self.scale[c]
        window = MAX_LAG + 1
        out = np.empty(len(p["alpha_m"]))
        for d, (alpha, ec, slope, beta) in enumerate(zip(p["alpha_m"][:, c], p["ec_m"][:, c], p["slope_m"][:, c],
                                                         p["beta_gm"][:, c])):
            weights = alpha ** np.arange(window)
            adstock = np.convolve(units, weights / weights.sum())[: len(units)]  # zeros before the first week
            hill = adstock**slope / (adstock**slope + ec**slope)
            out[d] = float(np.sum(self.rpk * beta * self.stdev * hill))
        return out

    def outcome(self, channel: str, spend: float) -> float:
        """Meridian's mean incremental outcome over the window at a window spend."""
        return float(self.draws(channel, spend / self.spend[self.channels.index(channel)]).mean())

    def score(self, spends: dict[str, float]) -> float:
        """A plan's total, as BudgetOptimizer scores it."""
        return sum(self.outcome(c, spends[c]) for c in self.channels)
