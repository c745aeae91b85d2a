"""The public conformance check for QAS algorithms, in the spirit of scikit-learn's
``check_estimator`` and Gymnasium's ``check_env``.

``check_algorithm(cls)`` raises AssertionError (naming the rule broken) unless the class:

1. is an ``Algorithm`` dataclass whose ``get_params()`` rebuild an equal instance;
2. refuses, by name and before any run, unknown hyperparameters, values of the wrong type,
   and zero for every hyperparameter listed in ``positive``;
3. on two tiny tasks (h2-2q noiseless, and h2-2q under depol-1e-3 with 20 shots per term)
   returns a circuit of the task's search space with one angle per parameter, never spends more
   than the budget, and obtains every energy through the Evaluator it was given (simulators
   called any other way fail the check);
4. gives the same result twice for the same seed;
5. returns, on the noiseless task, an energy equal (1e-9) to a re-evaluation of the returned
   circuit and angles.

``params`` overrides hyperparameters for the check (e.g. a smaller pretraining); ``budget``
is the evaluations of each tiny task.
"""
from __future__ import annotations

import typing
from contextlib import ExitStack, contextmanager
from dataclasses import fields, is_dataclass
from unittest import mock

import numpy as np

from qasbench.evaluator import Evaluator, Task, exact_energy

_TASKS = (("h2-2q", "noiseless", None), ("h2-2q", "depol-1e-3", 20))


def _simulators():
    from qasbench.sim.aer import AerBackend
    from qasbench.sim.ptm import PTMBackend
    from qasbench.sim.statevector import StatevectorBackend

    return (StatevectorBackend, PTMBackend, AerBackend)


@contextmanager
def _only_through(evaluator: Evaluator):
    """Within the block, simulators answer only calls made by ``evaluator.energies``."""
    inside = {"depth": 0}
    original = Evaluator.energies

    def energies(self, *args, **kwargs):
        assert self is evaluator, "the algorithm evaluated energies on an Evaluator it was not given"
        inside["depth"] += 1
        try:
            return original(self, *args, **kwargs)
        finally:
            inside["depth"] -= 1

    def guard(method):
        def guarded(self, *args, **kwargs):
            assert inside["depth"], "the algorithm called a simulator directly, not through the Evaluator"
            return method(self, *args, **kwargs)
        return guarded

    with mock.patch.object(Evaluator, "energies", energies), ExitStack() as stack:
        for cls in _simulators():
            stack.enter_context(mock.patch.object(cls, "expectations", guard(cls.expectations)))
        yield


def _search(cls, params: dict, task: Task, seed: int):
    algorithm = cls.from_params(cls.__name__, params)
    evaluator = Evaluator(task, np.random.default_rng([seed, 1]))
    with _only_through(evaluator):
        result = algorithm.search(task, evaluator, np.random.default_rng([seed, 0]))
    return result, evaluator


def _check_refusals(cls, params: dict) -> None:
    def refused(bad: dict, name: str) -> None:
        try:
            cls.from_params(cls.__name__, {**params, **bad})
        except ValueError as exc:
            assert name in str(exc), f"refusing {bad} did not name {name!r}: {exc}"
            return
        raise AssertionError(f"{cls.__name__} accepted the unusable hyperparameters {bad}")

    refused({"no_such_hyperparameter": 1}, "no_such_hyperparameter")
    hints = typing.get_type_hints(cls)
    for f in fields(cls):
        if f.init and hints.get(f.name) in (int, float, int | None, float | None):
            refused({f.name: "not a number"}, f.name)
    for name in getattr(cls, "positive", ()):
        refused({name: 0}, name)


def check_algorithm(cls, params: dict | None = None, budget: int = 300) -> None:
    """Assert that ``cls`` keeps the algorithm contract (module docstring)."""
    from qasbench.algorithms.base import Algorithm, SearchResult

    params = dict(params or {})
    assert isinstance(cls, type) and issubclass(cls, Algorithm), f"{cls!r} is not an Algorithm subclass"
    assert is_dataclass(cls), f"{cls.__name__} must be a dataclass (hyperparameters as fields)"
    instance = cls.from_params(cls.__name__, params)
    assert cls(**instance.get_params()) == instance, "get_params() does not rebuild an equal instance"
    _check_refusals(cls, params)
    for problem, noise, shots in _TASKS:
        where = f"{cls.__name__} on {problem}/{noise}" + (f"/{shots} shots" if shots else "")
        task = Task.make(problem, noise, budget=budget, shots=shots)
        first, evaluator = _search(cls, params, task, seed=7)
        assert isinstance(first, SearchResult), f"{where}: search returned {type(first).__name__}"
        assert evaluator.evaluations_used <= budget, f"{where}: spent {evaluator.evaluations_used} > {budget}"
        assert task.search_space.contains(first.circuit), f"{where}: the circuit is outside the search space"
        angles = np.asarray(first.params, dtype=float).ravel()
        assert angles.size == first.circuit.n_params, f"{where}: {angles.size} angles for " \
                                                      f"{first.circuit.n_params} parameters"
        again, _ = _search(cls, params, task, seed=7)
        assert (again.circuit == first.circuit and np.array_equal(np.ravel(again.params), angles)
                and again.energy == first.energy), f"{where}: the same seed gave a different result"
        if shots is None and noise == "noiseless":
            rescored = exact_energy(task, first.circuit, angles)
            assert abs(rescored - first.energy) <= 1e-9, (
                f"{where}: returned energy {first.energy} but its circuit and angles evaluate to {rescored}")
