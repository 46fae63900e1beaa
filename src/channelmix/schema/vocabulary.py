"""The fixed words of the scenario format: the curve types (the format's one tagged union),
a channel's functions, and the wildcard that stands for every phase or segment."""

from __future__ import annotations

WILDCARD = "*"
RESPONSE_TYPES = ("constant", "linear", "pwl", "saturating", "hill", "logistic", "inverse_scaled_logistic", "tanh",
                  "michaelis_menten", "hill_saturation")
FUNCTIONS = ("communication", "sales", "distribution")
