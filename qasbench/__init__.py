"""qasbench: a benchmark suite for quantum architecture search.

Problems (:mod:`qasbench.problems`), noise profiles (:mod:`qasbench.noise`), a circuit IR
(:mod:`qasbench.circuit`), simulators (:mod:`qasbench.sim`), the Evaluator
(:mod:`qasbench.evaluator`), inner optimizers (:mod:`qasbench.optim`) and algorithms
(:mod:`qasbench.algorithms`).
"""
__version__ = "0.5.0"  # moves with each release of a suite's published table (README, Releases)
