"""The formulation stage: the only PuLP model builders (see :mod:`.builder` for the hooks a
plan over periods and the robust model use), one dispatch by the scenario's kind
(:func:`formulate`), and the public ways to edit a built model by its named rows (:mod:`.rows`)."""

from .builder import Builder
from .dispatch import formulate
from .formulation import Formulation
from .periods import PeriodsFormulation
from .worlds import WorldsFormulation

__all__ = ["Builder", "Formulation", "PeriodsFormulation", "WorldsFormulation", "formulate"]
