"""The ``channelmix`` command line: the only place that uses click.  Each command lives in the
module of its kind (:mod:`.solve`, :mod:`.whatif`, :mod:`.batch`, :mod:`.explain`,
:mod:`.report`, :mod:`.evidence`, :mod:`.init`), the options they share in :mod:`.common`.

Exit codes: 0 every scenario solved; 1 some scenario infeasible or unsolved;
2 bad input (nothing is solved or written).
"""

from __future__ import annotations

import os
from importlib import import_module

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
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (see :data:`COMMANDS`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name]
        command = getattr(import_module(f".{module}", __name__), name)
        assert isinstance(command, click.Command)
        return command


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
