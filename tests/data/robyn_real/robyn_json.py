"""The robyn_write() JSON of one fitted model, laid out as Robyn 3.11.0 writes it.

robyn_write (json.R) writes, with jsonlite::write_json(pretty = TRUE, digits = 10):
  InputCollect   every element of robyn_inputs()'s list that is neither a list nor NULL, plus
                 calibration_input, hyperparameters and custom_params (its data frames dt_input,
                 dt_mod, ... are lists, so they are left out)
  ModelsCollect  run facts (ts_validation, timestamps, run times, total_iters, conv_msg,
                 n_clusters) plus OutputCollect's non-list elements (plot_folder, ...)
  ExportedModel  select_model, performance, summary (xDecompAgg of the model: variable, coef,
                 decompPer, decompAgg, performance, mean_response, mean_spend, boot_mean, ci_*),
                 errors (rsq_*, nrmse*, decomp.rssd, mape), hyper_values (thetas / shapes /
                 scales, alphas, gammas, lambda, train_size, sorted by name), hyper_updated,
                 clusters
  Extras         raw_data: as_tibble(InputCollect$dt_input), one object per row
Scalars are one-element arrays; NA fields of a data-frame row are left out.
"""

from __future__ import annotations

import json
import math
from typing import Any


class Rows(list):
    """A data frame: written as a list of row objects whose None fields are dropped."""


def _num(x: float) -> str:
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(float(f"{round(x, 10):.15g}"))


def _scalar(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    return _num(v)


def dumps(value: Any, indent: int = 0) -> str:
    """jsonlite's pretty layout: objects one key a line, atomic vectors inline as [a, b]."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, Rows):
        if not value:
            return "[]"
        items = [dumps({k: v for k, v in row.items() if v is not None}, indent + 1) for row in value]
        return "[\n" + ",\n".join(inner + it for it in items) + "\n" + pad + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {dumps(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return _scalar(value)


def as_written(value: float) -> float:
    """The number a reader gets back from the file."""
    return float(_num(value))


def vec(*values: Any) -> list:
    """An R vector (a scalar is a vector of one)."""
    return list(values)
