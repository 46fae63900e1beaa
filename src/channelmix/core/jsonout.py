"""The one way channelmix writes JSON: strict (never NaN or Infinity, which JSON does not
have and ``jq``, browsers and most parsers reject), names in their own script.

A number that is not finite becomes ``null``, and it is said so: in the object's own
``warnings`` list when it has one, else on the ``channelmix`` logger (stderr)."""

from __future__ import annotations

import json
import logging
import math
from typing import Any

log = logging.getLogger("channelmix")


def dumps(data: Any, **options: Any) -> str:
    """``json.dumps`` with ``ensure_ascii=False, allow_nan=False``; non-finite numbers as null."""
    options.setdefault("ensure_ascii", False)
    try:
        return json.dumps(data, allow_nan=False, **options)
    except ValueError:  # "Out of range float values are not JSON compliant"
        pass
    where: list[str] = []
    clean = _finite(data, "", where)
    note = f"not a finite number, written as null: {', '.join(where[:10])}{', …' if len(where) > 10 else ''}"
    if isinstance(clean, dict) and isinstance(clean.get("warnings"), list):
        clean["warnings"] = [*clean["warnings"], note]
    else:
        log.warning(note)
    return json.dumps(clean, allow_nan=False, **options)


def _finite(value: Any, path: str, where: list[str]) -> Any:
    """A copy of ``value`` with every non-finite float replaced by None (paths noted in ``where``)."""
    if isinstance(value, float) and not math.isfinite(value):
        where.append(path or "(the value)")
        return None
    if isinstance(value, dict):
        return {k: _finite(v, f"{path}.{k}" if path else str(k), where) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v, f"{path}[{i}]", where) for i, v in enumerate(value)]
    return value
