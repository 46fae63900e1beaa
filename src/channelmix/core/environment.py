"""Environment variables channelmix reads: named once here, so the command line can set one
without loading the code that reads it."""

SOLVER_LOG = "CHANNELMIX_SOLVER_LOG"  # "1": solver logs on stderr (set by --verbose; inherited by workers)
