"""Number options of every command: finite numbers in a stated range, or a usage error.

click's ``FloatRange`` compares the value with its bounds, and every comparison with NaN is
false, so ``--prior-weight nan`` passed ``FloatRange(min=0)`` and reached scipy; ``inf``
passes any range without a maximum. :class:`Number` refuses both, for every float option
of every command (exit 2, naming the option, the value and what to write instead).
"""

from __future__ import annotations

import math
from typing import Any

import click


class Number(click.FloatRange):
    """A finite float within [min, max] (open ends as click's FloatRange has them)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            wanted = "" if self.min is None and self.max is None else f" in the range {self._describe_range()}"
            self.fail(f"{value!r} is not a finite number; write a number{wanted}", param, ctx)
        return super().convert(number, param, ctx)


def finite(text: str, what: str) -> float:
    """``text`` as a finite float, or click.BadParameter naming ``what`` (for options parsed by hand)."""
    try:
        value = float(text)
    except ValueError:
        raise click.BadParameter(f"'{text}' is not a number; {what}") from None
    if not math.isfinite(value):
        raise click.BadParameter(f"'{text}' is not a finite number; {what}")
    return value
