"""QAS algorithms, by registered name. Each is a class with ``search(task, evaluator, rng)``."""
from __future__ import annotations

from qasbench.algorithms.base import Algorithm, SearchResult
from qasbench.algorithms.adapt import QubitADAPT
from qasbench.algorithms.crlqas import CRLQAS, RLQAS
from qasbench.algorithms.dqas import DQAS, DQASPerturbation
from qasbench.algorithms.evolutionary import Evolutionary, EvolutionaryNSGA2
from qasbench.algorithms.hea import HardwareEfficient
from qasbench.algorithms.latent import LatentBO, LatentReinforce
from qasbench.algorithms.random_search import RandomSearch

REGISTRY: dict[str, type[Algorithm]] = {
    cls.name: cls for cls in (RandomSearch, CRLQAS, RLQAS, Evolutionary, EvolutionaryNSGA2, DQAS, DQASPerturbation,
                              HardwareEfficient, QubitADAPT, LatentReinforce, LatentBO)
}


def make_algorithm(name: str, **params) -> Algorithm:
    """Instantiate a registered algorithm, with hyperparameters by keyword."""
    try:
        cls = REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown algorithm {name!r}; choose from {', '.join(REGISTRY)}") from None
    try:
        algorithm = cls(**params)
    except TypeError as exc:
        raise ValueError(f"bad hyperparameters for {name!r}: {exc}") from None
    algorithm.validate()
    return algorithm


__all__ = ["Algorithm", "SearchResult", "REGISTRY", "make_algorithm"]
