"""RunConfig: one run's settings, defaulted and validated once, used by everything after.

The CLI, grid files, the runner, records, verify and report all hold a :class:`RunConfig`
(records store ``to_dict()``). Building one resolves every name through
:mod:`qasbench.registry`, applies the defaults (budget: the problem's standard budget;
``max_gates``: the search space's default cap for the problem's size) and refuses, with one
ValueError line, anything a run could not mean. Nothing is simulated before that.

Randomness of a run comes from ``SeedSequence([seed, crc32(algorithm), crc32(problem id),
crc32(noise name)])``: child 0 drives the algorithm, child 1 the shot sampling, so a
configuration always gives the same record on the same machine (wall time and provenance aside).
"""
from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass, field

import numpy as np

from qasbench import registry
from qasbench.hashing import json_hash
from qasbench.mitigation import Mitigation
from qasbench.search_space import default_max_gates

MAX_BUDGET = 10**10  # evaluations; at the fastest measured evaluation (~4 us) about 11 CPU-hours
MAX_SHOTS = 10**9  # per term and evaluation
MAX_GATES = 10_000
MAX_SEED = 2**63 - 1


def _integer(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high:.3g}, got {value}")
    return int(value)


def method_entries(tables: dict):
    """(algorithm, explicit hyperparameters) per entry of an ``[algorithms]`` table of a grid or
    suite file: the entry's key names the algorithm unless it sets ``algorithm``."""
    for key, table in tables.items():
        yield table.get("algorithm", key), {k: v for k, v in table.items() if k != "algorithm"}


def cell_noise_name(noise: str, mitigation: str) -> str:
    """How a leaderboard cell names its noise: the profile, with the mitigation when there is one
    (``ibm-torino+zne``; ``"none"``: the profile alone)."""
    return noise if mitigation == "none" else f"{noise}+{mitigation}"


def shots_label(shots: int | None) -> str:
    """How a leaderboard cell names its shots: ``"exact"``, or the number as text."""
    return "exact" if shots is None else str(shots)


def method_label(algorithm: str, params: dict) -> str:
    """How tables name a method: the algorithm, with its explicit hyperparameters sorted by
    name, e.g. ``random[evaluations_per_circuit=20]``."""
    if not params:
        return algorithm
    return f"{algorithm}[{','.join(f'{k}={v}' for k, v in sorted(params.items()))}]"


@dataclass(frozen=True)
class RunConfig:
    """One run. ``algorithm``, ``problem`` and ``noise`` are registry names (files as absolute
    paths); ``budget`` and ``max_gates`` are filled in when given as None; ``algorithm_params``
    holds only the hyperparameters set explicitly (the record stores the full set)."""

    algorithm: str
    problem: str
    noise: str = "noiseless"
    seed: int = 0
    budget: int | None = None
    shots: int | None = None
    max_gates: int | None = None
    algorithm_params: dict = field(default_factory=dict)
    timeout_s: float | None = None
    mitigation: str = "none"

    def __post_init__(self):
        set_ = lambda key, value: object.__setattr__(self, key, value)  # noqa: E731  (frozen)
        for kind in ("algorithm", "problem", "noise"):
            set_(kind, registry.canonical(kind, getattr(self, kind)))
        problem = registry.load_problem(self.problem)
        registry.load_noise(self.noise)
        if not isinstance(self.algorithm_params, dict):
            raise ValueError(f"hyperparameters must be a table of name = value, got {self.algorithm_params!r}")
        registry.make_algorithm(self.algorithm, **self.algorithm_params)
        set_("algorithm_params", dict(self.algorithm_params))
        set_("seed", _integer("seed", self.seed, 0, MAX_SEED))
        budget = problem.standard_budget if self.budget is None else self.budget
        set_("budget", _integer("budget (evaluations)", budget, 1, MAX_BUDGET))
        if self.shots is not None:
            set_("shots", _integer("shots", self.shots, 1, MAX_SHOTS))
        gates = default_max_gates(problem.n_qubits) if self.max_gates is None else self.max_gates
        set_("max_gates", _integer("max_gates", gates, 1, MAX_GATES))
        set_("mitigation", Mitigation.parse(self.mitigation).name)
        self.task()  # what a task refuses (a noisy task too large to simulate, mitigation it cannot mean)
        if self.timeout_s is not None:
            timeout = self.timeout_s
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not (
                    math.isfinite(timeout) and timeout > 0):
                raise ValueError(f"timeout must be a positive, finite number of seconds, got {timeout!r}")
            set_("timeout_s", float(timeout))

    # -- what it stands for ----------------------------------------------------------------
    def to_dict(self) -> dict:
        """The configuration as records store it (``mitigation`` only when there is one, so
        unmitigated configurations keep the hashes they had before mitigation existed)."""
        return {"algorithm": self.algorithm, "algorithm_params": dict(self.algorithm_params),
                "problem": self.problem, "noise": self.noise, "shots": self.shots, "seed": self.seed,
                "budget": self.budget, "max_gates": self.max_gates, "timeout_s": self.timeout_s,
                **({"mitigation": self.mitigation} if self.mitigation != "none" else {})}

    @classmethod
    def from_dict(cls, data: dict) -> "RunConfig":
        """The inverse of ``to_dict`` (validated again); ValueError for anything else."""
        if not isinstance(data, dict):
            raise ValueError(f"a run configuration must be a table, got {data!r}")
        keys = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - keys)
        if unknown:
            raise ValueError(f"unknown configuration key {unknown[0]!r}{registry.suggestion(unknown[0], keys)}")
        return cls(**data)

    @property
    def hash(self) -> str:
        return json_hash(self.to_dict())

    @property
    def problem_id(self) -> str:
        return registry.load_problem(self.problem).id

    @property
    def noise_name(self) -> str:
        return registry.load_noise(self.noise).name

    @property
    def label(self) -> str:
        """How tables name the run's method (:func:`method_label`)."""
        return method_label(self.algorithm, self.algorithm_params)

    @property
    def record_name(self) -> str:
        parts = (self.algorithm, self.problem_id, self.cell_noise)
        safe = [re.sub(r"[^A-Za-z0-9._-]+", "_", part) for part in parts]
        return f"{'__'.join(safe)}__seed{self.seed}__{self.hash[7:19]}.json"

    @property
    def cell_noise(self) -> str:
        """The noise profile's name, with the mitigation when there is one (:func:`cell_noise_name`)."""
        return cell_noise_name(self.noise_name, self.mitigation)

    def describe(self) -> str:
        """How progress lines name the run, e.g. ``crlqas lih-4q noiseless seed=5``."""
        shots = "" if self.shots is None else f" shots={self.shots}"
        return f"{self.label} {self.problem_id} {self.cell_noise}{shots} seed={self.seed}"

    # -- what it builds --------------------------------------------------------------------
    def seed_sequence(self) -> np.random.SeedSequence:
        names = [zlib.crc32(text.encode()) for text in (self.algorithm, self.problem_id, self.noise_name)]
        return np.random.SeedSequence([self.seed, *names])

    def task(self):
        from qasbench.evaluator import Task

        return Task.make(self.problem, self.noise, self.budget, self.max_gates, self.shots, self.mitigation)

    def make_algorithm(self):
        return registry.make_algorithm(self.algorithm, **self.algorithm_params)
