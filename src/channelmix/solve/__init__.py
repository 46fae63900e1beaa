"""The only solver callers: the passes (HiGHS, CBC, tie-break, deadlines, warm starts), the LP
duals, the continuous polish on the exact curves (:mod:`.polish`) and the verified pipeline
(:mod:`.pipeline`: formulate → solve → polish → plan → verify; docs/architecture.md, "Stages")."""
