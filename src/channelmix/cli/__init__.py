"""The ``channelmix`` command line: the only place that uses click.  Each command lives in the
module of its kind (:mod:`.solve`, :mod:`.whatif`, :mod:`.batch`, :mod:`.explain`,
:mod:`.report`, :mod:`.evidence`, :mod:`.init`,
:mod:`.serve`), the options they share in :mod:`.common`.

Exit codes: 0 every scenario solved; 1 some scenario infeasible or unsolved;
2 bad input (nothing is solved or written).
"""

from __future__ import annotations

import os

import click

from ..core.version import VERSION
from .batch import batch
from .evidence import calibrate_command, import_command
from .explain import evaluate, explain
from .init import init
from .report import report
from .serve import serve
from .solve import solve, validate
from .whatif import compare, sweep


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, prog_name="channelmix")
@click.option("--verbose", "-v", is_flag=True, help="Show the solver's own log (on stderr; stdout stays clean).")
def main(verbose: bool) -> None:
    """Pick the channel mix that covers every journey phase and customer segment.

    A mixed-integer program chooses which channels run and how much each gets,
    within the budget, hours and rules of a scenario file; every plan is checked
    by an independent verifier before it is shown.
    """
    from ..solve.solvers import SOLVER_LOG

    # through the environment, so worker processes started later see it too
    os.environ[SOLVER_LOG] = "1" if verbose else "0"


for _command in (solve, validate, init, sweep, compare, batch, import_command, calibrate_command, explain, evaluate,
                 report, serve):
    main.add_command(_command)

__all__ = ["main"]
