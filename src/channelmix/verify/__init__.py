"""The independent evaluation of a plan on the real curves: every rule checked, the plan's
figures, its baseline and its risk over worlds.  Below the model builder and the solver on
purpose: the verifier cannot import them (docs/architecture.md, "Invariants").

``channelmix.verify`` on the public face is the function :func:`channelmix.verify`; this
package is reached by its modules (``channelmix.verify.verifier`` …)."""
