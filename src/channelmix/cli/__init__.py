"""The ``channelmix`` command line: the only place that uses click."""

from .commands import main

__all__ = ["main"]
