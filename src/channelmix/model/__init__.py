"""The scenario as numbers: curves and their pieces, arrays, the horizon of periods, worlds
and their draws, and the plain records the solver and the verifier share (the solver-agnostic
:class:`~channelmix.model.solution.Solution`, the :mod:`~channelmix.model.facts` a plan carries).
No pulp, no scipy (docs/architecture.md, "Packages and layers")."""
