"""Session set-up shared by every test module.

OpenBLAS (under numpy and scipy) starts a thread per core and spins them on every small
matrix operation; on a 2-core machine busy with the solver that cost most of the time of
the SLSQP reference in tests/test_polish.py (78 s against 12 s single-threaded at 20
channels). One BLAS thread for this process and the CLI subprocesses it starts, unless
the environment already says otherwise. It must be set before numpy is first imported.
"""

from __future__ import annotations

import os
import sys

import pytest

if "numpy" not in sys.modules:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")



# ---------------------------------------------------------------- how the files share the workers
#
# The suite runs on every core with ``--dist loadfile`` (pyproject's addopts): each test file goes
# to one worker whole, so its module fixtures are solved once. Files that share an expensive
# fixture form one unit here (SHARED): the report pages of every shipped scenario
# (tests/report_pages.py) are solved and explained once a run, for both files that use them.
# (xdist's own ``--dist loadgroup`` cannot do it under pytest 9: it renames ``item._nodeid``,
# which pytest 9 no longer reads.)
#
# Units are handed out in collection order (``--no-loadscope-reorder``), which
# pytest_collection_modifyitems makes longest first, so that the last units to start are short
# and the two workers finish together. FIRST lists the units that took 30 s or more on one
# worker (a full run with --durations), longest first; the rest keep pytest's order. A slower or
# new file missing here costs balance, never a test.
SHARED = {"tests/test_report_browser.py": "report pages", "tests/test_report_pages.py": "report pages"}
FIRST = (
    "report pages",
    "tests/test_fuzz_cli.py",
    "tests/test_readme.py",
    "tests/test_cli_subprocess.py",
    "tests/test_planner.py",
    "tests/test_terminal_fit.py",
    "tests/test_import_meridian_model.py",
    "tests/test_scale_plans.py",
    "tests/test_schedule_output_cli.py",
    "tests/test_notebook.py",
    "tests/test_planner_browser.py",
    "tests/test_terminal.py",
    "tests/test_reports.py",
    "tests/test_claims.py",
)


def unit(nodeid: str) -> str:
    """The unit of work a test belongs to: its file, or the group of files it shares a fixture with."""
    file = nodeid.split("::", 1)[0]
    return SHARED.get(file, file)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadFileScheduling

    if config.getvalue("dist") != "loadfile":
        return None

    class SharedFileScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit(nodeid)

    return SharedFileScheduling(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(FIRST)}
    order = {id(item): i for i, item in enumerate(items)}
    items.sort(key=lambda item: (rank.get(unit(item.nodeid), len(FIRST)), order[id(item)]))
