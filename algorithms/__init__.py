"""QAS algorithms. Each is a dataclass with ``search(task, evaluator, rng)`` (see :mod:`.base`).

The built-ins are entry points of the group ``qasbench.algorithms`` in pyproject.toml; resolve
them by name with :func:`qasbench.registry.make_algorithm`, as the CLI and workers do.
"""
from __future__ import annotations

from qasbench.algorithms.base import Algorithm, SearchResult, best_result, optimize_angles

__all__ = ["Algorithm", "SearchResult", "best_result", "optimize_angles"]
