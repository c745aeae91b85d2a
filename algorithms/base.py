"""The interface every QAS algorithm implements.

An algorithm is a small dataclass: hyperparameters are its fields, with defaults and type
annotations (``get_params`` lists them, scikit-learn style), and
``search(task, evaluator, rng) -> SearchResult`` does the work. All energies come from the
Evaluator; all randomness from ``rng``. ``from_params`` is how every run builds one: it refuses
unknown names (listing the valid ones), values of the wrong type (JSON lists become tuples where
a field is a tuple) and, through ``validate``, values no run could use, all before any work.
``qasbench.testing.check_algorithm`` checks a class against this contract.
"""
from __future__ import annotations

import math
import types
import typing
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, fields, is_dataclass

import numpy as np

from qasbench.circuit import Circuit
from qasbench.evaluator import BudgetExhausted, Evaluator, Task
from qasbench.optim import OptimizeResult
from qasbench.registry import make_optimizer, suggestion


@dataclass
class SearchResult:
    circuit: Circuit
    params: np.ndarray
    energy: float  # the algorithm's own (possibly shot-noisy) estimate
    info: dict = field(default_factory=dict)  # algorithm-specific facts (episodes, circuits tried...)


class Algorithm(ABC):
    name = "algorithm"
    positive: tuple[str, ...] = ()  # hyperparameters that must be > 0 when set (not dataclass fields)
    unit_interval: tuple[str, ...] = ()  # hyperparameters that must lie in [0, 1] when set
    choices: dict[str, tuple] = {}  # hyperparameters limited to a few values

    def get_params(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_params(cls, label: str, params: dict) -> "Algorithm":
        """An instance with ``params`` checked by name and type, then ``validate``-d; ValueError
        (one line naming the algorithm ``label`` and the hyperparameter) otherwise."""
        if not is_dataclass(cls):
            raise ValueError(f"{label}: an algorithm must be a dataclass (hyperparameters as fields)")
        if not isinstance(params, dict):
            raise ValueError(f"{label}: hyperparameters must be a table of name = value, got {params!r}")
        hints = typing.get_type_hints(cls)
        valid = [f.name for f in fields(cls) if f.init]
        checked = {}
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"{label}: unknown hyperparameter {key!r}{suggestion(key, valid)}; "
                                 f"valid: {', '.join(valid)}")
            try:
                checked[key] = _typed(value, hints.get(key, typing.Any))
            except TypeError:
                raise ValueError(f"{label}: hyperparameter {key} must be {_type_name(hints[key])}, "
                                 f"got {value!r}") from None
        algorithm = cls(**checked)
        algorithm.validate()
        return algorithm

    def validate(self) -> None:
        """Raise ValueError, naming the hyperparameter, for a value no run could use."""
        for key in self.positive:
            value = getattr(self, key)
            if value is not None and not value > 0:
                raise ValueError(f"{self.name}: hyperparameter {key} must be positive, got {value!r}")
        for key, value in self.get_params().items():
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"{self.name}: hyperparameter {key} must be finite, got {value!r}")
        for key in self.unit_interval:
            value = getattr(self, key)
            if value is not None and not 0 <= value <= 1:
                raise ValueError(f"{self.name}: hyperparameter {key} must lie in [0, 1], got {value!r}")
        for key, allowed in self.choices.items():
            values = getattr(self, key)
            for value in values if isinstance(values, tuple) else (values,):
                if value not in allowed:
                    raise ValueError(f"{self.name}: hyperparameter {key} must be one of {', '.join(map(str, allowed))}, "
                                     f"got {value!r}{suggestion(value, allowed)}")
        if isinstance(getattr(self, "optimizer", None), str):
            make_optimizer(self.optimizer)

    def prepare(self, task: Task) -> None:
        """Work done before the search that spends no evaluations and is shared by every run on
        the same search space and settings (pretraining a model, say). The runner times it apart
        from the run (``preparation_wall_time_s`` in the record; ``wall_time_s`` excludes it), so
        its cost is not charged to whichever run happened to go first. Default: nothing."""

    def growing_seconds(self, calibration: dict, evaluations: int) -> float:
        """Predicted seconds of this algorithm's own work, in a run that spends ``evaluations``,
        that grow faster than the evaluations (a surrogate refitted on ever more points), given
        ``calibration``, the record of a short run on the same grid. ``qasbench estimate`` adds
        them to its linear model (fixed seconds + seconds per evaluation), which a short
        calibration run cannot show such growth to. Default: none."""
        return 0.0

    @abstractmethod
    def search(self, task: Task, evaluator: Evaluator, rng: np.random.Generator) -> SearchResult:
        """Spend at most ``task.budget`` evaluations and return the best architecture found."""


def _typed(value, hint):
    """``value`` checked against a type annotation (bool is no int; an int is a float; a list is
    a tuple); TypeError when it does not fit."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is typing.Any:
        return value
    if origin in (typing.Union, types.UnionType):
        for option in args:
            try:
                return _typed(value, option)
            except TypeError:
                continue
        raise TypeError
    if hint is type(None):
        if value is None:
            return value
        raise TypeError
    if hint is float and isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    if hint is int and isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if origin is tuple and isinstance(value, (list, tuple)):
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_typed(v, args[0]) for v in value)
        if len(args) != len(value):
            raise TypeError
        return tuple(_typed(v, a) for v, a in zip(value, args))
    if hint in (int, float) or origin is tuple:
        raise TypeError
    if isinstance(value, origin or hint):
        return value
    raise TypeError


def _type_name(hint) -> str:
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a string",
             type(None): "none"}
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(hint))
    if typing.get_origin(hint) is tuple:
        return "a list"
    return names.get(hint, getattr(hint, "__name__", str(hint)))


def optimize_angles(evaluator: Evaluator, circuit: Circuit, x0: np.ndarray, optimizer: str,
                    max_evaluations: int, rng: np.random.Generator,
                    free: np.ndarray | None = None) -> OptimizeResult:
    """Optimize a circuit's angles with a named optimizer, charged to the Evaluator and capped
    by both ``max_evaluations`` and the evaluations left (the optimizer gets as many energies
    as they pay for: a third under ZNE). Parameter-free circuits cost one energy and skip the
    optimizer. ``free`` (boolean mask) keeps the other angles at their ``x0`` values; the
    result's ``x`` is always the full angle vector."""
    budget = min(max_evaluations, evaluator.remaining) // evaluator.evaluations_per_energy
    if budget < 1:
        raise BudgetExhausted("no evaluations left")
    x0 = np.asarray(x0, dtype=float)
    free = np.ones(x0.size, bool) if free is None else np.asarray(free, bool)

    def full(points):
        if free.all():
            return points
        out = np.tile(x0, (len(points), 1))
        out[:, free] = points
        return out

    def objective(points, shot_scale=1.0):
        return evaluator.energies(circuit, full(points), shot_scale=shot_scale)

    result = make_optimizer(optimizer).minimize(objective, x0[free], budget, rng)
    result.x = full(result.x[None, :])[0]
    return result


def best_result(evaluator: Evaluator, info: dict) -> SearchResult:
    """The Evaluator's best estimate as a SearchResult (for algorithms whose state is spent)."""
    if evaluator.best is None:
        raise BudgetExhausted("the search ended before any evaluation")
    circuit, params = evaluator.best
    return SearchResult(circuit, params, evaluator.best_energy, info)
