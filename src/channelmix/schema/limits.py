"""The supported ranges of numbers in a scenario (README: "Supported ranges").

HiGHS reads |values| ≥ 1e20 as infinite and works to tolerances near 1e-7 to 1e-9, so
every number the model holds — and products such as weight × size in the objective —
stays far inside that: amounts up to 1e12 (a trillion: express bigger ones in thousands),
weights up to 1e6, a cell's weight up to 1e13. Beyond these the solver either fails or
returns a plan it cannot vouch for, so the schema rejects them with a fix.
"""

from __future__ import annotations

MAX_AMOUNT = 1e12  # money, segment sizes, resource amounts, penalties, value per customer, curve spends
MAX_WEIGHT = 1e6  # phase and segment weights
MAX_CELL_WEIGHT = 1e13  # phase weight × segment weight × size (or size × value), checked across fields
MAX_LEVEL = 1e15  # objective.level: a weighted reach, summed over cells
MIN_CURVE_SPEND = 1e-6  # a curve's scale or half: smaller ones put slopes above 1e6 into the model
MAX_CURVE_SLOPE = 1.0 / MIN_CURVE_SPEND  # reach per unit of money of a pwl piece: the same bound as a scale of 1e-6
# pwl spends closer than this share of the curve's span (its last spend) are one point to the solver
PWL_RESOLUTION = 1e-6
MIN_ACCURACY = 1e-6  # finer curve pieces multiply the model's size and time without a visible gain
MAX_TIME_LIMIT = 1e7  # seconds (about 116 days)
MAX_COUNT = 1_000_000  # channel counts in rules
MAX_STEPS = 1e9  # payable units (spend_step) in a channel's max_spend: a finer unit is a solver's round-off

RANGE_FIX = (
    "use bigger units (thousands or millions) so the numbers stay within the supported range (README: Supported ranges)"
)

# Why a bound exists, and its fix, by the bound's value (for the messages of schema.problems).
WHY = {MAX_AMOUNT: ("the largest amount the solver handles faithfully", RANGE_FIX),
       MAX_WEIGHT: ("the largest weight the solver handles faithfully",
                    "scale all weights down by the same factor: only their ratios matter"),
       MAX_LEVEL: ("the largest level the solver handles faithfully", RANGE_FIX),
       MAX_TIME_LIMIT: ("about 116 days", "use a time limit in seconds of at most 1e+07")}
WHY_BY_FIELD = {
    "accuracy": ("finer curve pieces multiply the model's size and solve time without a visible gain",
                   "use a value between 1e-06 and 0.1; the default 0.005 keeps every curve within half a percent"),
}
