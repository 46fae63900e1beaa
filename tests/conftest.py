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

if "numpy" not in sys.modules:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
