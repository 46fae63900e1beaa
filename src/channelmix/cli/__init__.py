"""The ``channelmix`` command line: the only place that uses click.  Each command lives in the
module of its kind (:mod:`.solve`, :mod:`.whatif`, :mod:`.batch`, :mod:`.explain`,
:mod:`.report`, :mod:`.evidence`, :mod:`.init`,
:mod:`.serve`), the options they share in :mod:`.common`.

Exit codes: 0 every scenario solved; 1 some scenario infeasible or unsolved;
2 bad input (nothing is solved or written).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, MutableMapping
from importlib import import_module
from typing import Any

import click

from ..core.environment import SOLVER_LOG
from ..core.version import VERSION

# command -> (module, function): a command's module is imported when the command runs (or --help lists
# it), so `channelmix --version` loads no scenario, solver or report code, and `validate` no solver
COMMANDS = {
    "solve": ("solve", "solve"), "validate": ("validate", "validate"), "init": ("init", "init"),
    "sweep": ("whatif", "sweep"), "compare": ("whatif", "compare"), "batch": ("batch", "batch"),
    "import": ("evidence", "import_command"), "calibrate": ("evidence", "calibrate_command"),
    "explain": ("explain", "explain"), "evaluate": ("explain", "evaluate"), "report": ("report", "report"),
    "serve": ("serve", "serve"),
}


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands by name, each imported when first looked up (see :data:`COMMANDS`)."""

    def __init__(self) -> None:
        self.loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self.loaded and name in COMMANDS:
            module, attribute = COMMANDS[name]
            command = getattr(import_module(f".{module}", __name__), attribute)
            assert isinstance(command, click.Command)
            self.loaded[name] = command
        return self.loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self.loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*COMMANDS, *self.loaded}))

    def __len__(self) -> int:
        return len({*COMMANDS, *self.loaded})


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (:class:`LazyCommands`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands()  # click reads it as a mapping: get, iteration, item assignment


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, prog_name="channelmix")
@click.option("--verbose", "-v", is_flag=True, help="Show the solver's own log (on stderr; stdout stays clean).")
def main(verbose: bool) -> None:
    """Pick the channel mix that covers every journey phase and customer segment.

    A mixed-integer program chooses which channels run and how much each gets,
    within the budget, hours and rules of a scenario file; every plan is checked
    by an independent verifier before it is shown.
    """
    # through the environment, so worker processes started later see it too
    os.environ[SOLVER_LOG] = "1" if verbose else "0"


__all__ = ["main"]
