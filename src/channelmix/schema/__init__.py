"""The schema stage: the one owner of what a valid scenario is."""

from .load import SUFFIXES, Loaded, load, parse, validate
from .models import Channel, Group, Phase, Scenario, Segment
from .problems import Problem, ScenarioError

__all__ = ["SUFFIXES", "Channel", "Group", "Loaded", "Phase", "Problem", "Scenario", "ScenarioError", "Segment", "load",
           "parse", "validate"]
