"""Task, budget and Evaluator: the only way an algorithm obtains an energy.

Every row of parameters evaluated costs one evaluation (and, under shot noise,
``shots * n_terms`` shots), or under zero-noise extrapolation one per circuit it runs. Non-finite angles are refused with ValueError, uncharged. The
Evaluator refuses any request that would exceed the budget
(raising :class:`BudgetExhausted` *before* simulating), and records the anytime curve:
after each evaluation that improves the best estimate, ``(evaluations used, best error, shots
used)``. A ``progress`` callback, when given, is called with the Evaluator at most once per
``progress_every_s`` seconds of wall time (for progress lines on long runs; it sees, never
changes, the run).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from qasbench import registry
from qasbench.circuit import Circuit
from qasbench.hashing import json_hash
from qasbench.device import Device, DeviceNoise
from qasbench.mitigation import NONE as NO_MITIGATION, Mitigation, ShotSampler, ZNEBackend, sample_terms
from qasbench.noise import NoiseModel
from qasbench.problem import CHEMICAL_ACCURACY, Problem
from qasbench.search_space import SearchSpace, default_max_gates
from qasbench.sim import check_ptm_size, make_backend


_SHOT_STREAM = 0x5407  # tells reseeded shot streams apart from any other use of the same seed


class BudgetExhausted(RuntimeError):
    """Raised when an evaluation request would exceed the task's budget."""


class RunTimeout(BudgetExhausted):
    """Raised at the first evaluation after the run's wall-clock deadline; algorithms stop as
    they do when the budget runs out."""


@dataclass(frozen=True)
class Task:
    """A problem, a noise profile, a budget (evaluations, optionally shots) and a search space.

    ``shots``: None for exact expectations; otherwise every non-identity term of every
    evaluation is estimated from ``shots`` single-shot +-1 outcomes (binomial sampling around
    the readout-affected expectation), so one evaluation costs ``shots * n_terms`` shots.
    ``mitigation`` (:mod:`qasbench.mitigation`): what every energy of the task is mitigated
    with, and what it costs (never on a noiseless profile). Under shots with readout mitigation
    the Evaluator starts by calibrating: two evaluations and ``2 * shots`` shots.
    """

    problem: Problem
    noise: NoiseModel
    budget: int
    search_space: SearchSpace
    shots: int | None = None
    shot_budget: int | None = None
    success_threshold: float = CHEMICAL_ACCURACY
    mitigation: Mitigation = NO_MITIGATION

    def __post_init__(self):
        if not self.noise.is_noiseless:
            check_ptm_size(self.problem.n_qubits)
        if self.mitigation and self.noise.is_noiseless:
            raise ValueError(f"mitigation {self.mitigation.name!r} on noise {self.noise.name!r}: "
                             "a noiseless profile has nothing to mitigate")
        if not isinstance(self.budget, (int, np.integer)) or self.budget < 1:
            raise ValueError(f"budget must be a positive number of evaluations, got {self.budget!r}")
        if self.shots is not None and (not isinstance(self.shots, (int, np.integer)) or self.shots < 1):
            raise ValueError(f"shots must be a positive integer or None, got {self.shots!r}")
        if self.search_space.n_qubits != self.problem.n_qubits:
            raise ValueError(
                f"search space has {self.search_space.n_qubits} qubits, problem {self.problem.id} has "
                f"{self.problem.n_qubits}"
            )

    @classmethod
    def make(cls, problem: str | Problem, noise: str | NoiseModel = "noiseless",
             budget: int | None = None, max_gates: int | None = None, shots: int | None = None,
             mitigation: str | Mitigation | None = None) -> "Task":
        """Build a task from names (resolved by :mod:`qasbench.registry`), with the problem's
        standard budget and the default gate cap where none is given."""
        problem = registry.load_problem(problem) if isinstance(problem, str) else problem
        noise = task_noise(registry.load_noise(noise) if isinstance(noise, str) else noise, problem.n_qubits)
        gates = default_max_gates(problem.n_qubits) if max_gates is None else max_gates
        n = problem.n_qubits
        coupling = (tuple((c, t) for c in range(n) for t in range(n) if c != t and noise.coupled(c, t))
                    if isinstance(noise, DeviceNoise) else None)
        return cls(problem, noise, problem.standard_budget if budget is None else budget,
                   SearchSpace(n, gates, coupling), shots, success_threshold=problem.success_threshold,
                   mitigation=Mitigation.parse(mitigation))

    def describe(self) -> dict:
        return {
            "problem": self.problem.id,
            "noise": self.noise.name,
            "n_qubits": self.problem.n_qubits,
            "budget": int(self.budget),
            "shots": self.shots,
            "shot_budget": self.shot_budget,
            "max_gates": self.search_space.max_gates,
            "problem_hash": self.problem.content_hash,
            "noise_hash": noise_hash(self.noise),
            **({"layout": list(self.noise.layout)} if isinstance(self.noise, DeviceNoise) else {}),
            **({"mitigation": self.mitigation.name} if self.mitigation else {}),
            **{key: self.problem.metadata[key] for key in ("metric", "energy_unit") if "metric" in self.problem.metadata},
        }

    def backend(self, name: str = "auto", **options):
        """The simulator of this task's energies: ``name`` (see :func:`qasbench.sim.make_backend`)
        on the task's noise, measured without readout error under readout mitigation, and
        extrapolated to zero noise under ZNE."""
        noise = self.noise.without_readout() if self.mitigation.readout else self.noise
        simulator = make_backend(name, self.problem.hamiltonian, noise, **options)
        return ZNEBackend(simulator) if self.mitigation.zne else simulator


def task_noise(noise, n_qubits: int):
    """The noise a task on ``n_qubits`` runs under: a device snapshot placed on its default
    layout (:meth:`qasbench.device.Device.default_layout`), a placed one checked for its width,
    a uniform profile as it is."""
    if isinstance(noise, Device):
        return noise.on(noise.default_layout(n_qubits))
    if isinstance(noise, DeviceNoise) and len(noise.layout) != n_qubits:
        raise ValueError(f"noise {noise.name} is laid out on {len(noise.layout)} qubits, the problem has {n_qubits}")
    return noise


def noise_hash(noise: NoiseModel) -> str:
    return json_hash(noise.to_dict())


@dataclass
class Evaluator:
    """Charges, caps and records every energy estimate of one run.

    ``rng`` drives shot sampling only. ``backend`` names a simulator (see :mod:`qasbench.sim`).
    ``evaluations_per_energy``: what one energy costs (the task's mitigation: 3 under ZNE).
    """

    task: Task
    rng: np.random.Generator
    backend: str = "auto"
    deadline: float | None = None  # time.monotonic() after which evaluations are refused
    evaluations_used: int = 0
    shots_used: int = 0
    gates_evaluated: int = 0  # gates summed over the evaluations (an evaluation's cost grows with them)
    best_energy: float = np.inf
    best: tuple[Circuit, np.ndarray] | None = None
    history: list[tuple[int, float, int]] = field(default_factory=list)  # (evaluations, best error, shots)
    progress: Callable[["Evaluator"], None] | None = None
    progress_every_s: float = 60.0

    def __post_init__(self):
        self._cpu_start = time.thread_time()
        self._next_progress = time.monotonic() + self.progress_every_s
        problem = self.task.problem
        self._simulator = self.task.backend(self.backend)
        self.evaluations_per_energy = self.task.mitigation.evaluations_per_energy
        self._coeffs = problem.hamiltonian.coeffs
        self._constant = problem.hamiltonian.constant
        self._sampler = None
        if self.task.mitigation and self.task.shots is not None:
            mitigation = self.task.mitigation
            self._sampler = ShotSampler(problem.hamiltonian, self.task.noise, mitigation, lambda noise: make_backend(
                "ptm" if mitigation.readout else self.backend, problem.hamiltonian, noise))
            if mitigation.readout:  # the confusion matrices' calibration: two circuits, `shots` shots each
                self._sampler.calibrate(self.task.shots, self.rng)
                self.evaluations_used, self.shots_used = 2, 2 * self.task.shots

    @property
    def cpu_seconds(self) -> float:
        """CPU seconds of the calling thread since this Evaluator was made: the search's, read as
        the search ends (a record's ``cpu_time_s``; ``qasbench estimate`` times its calibration
        runs so)."""
        return time.thread_time() - self._cpu_start

    @property
    def remaining(self) -> int:
        return self.task.budget - self.evaluations_used

    def energies(self, circuit: Circuit, params, shot_scale: float = 1.0) -> np.ndarray:
        """Energy estimates (Hartree) for each row of ``params``; costs one evaluation per row.

        ``shot_scale`` scales the task's shots per term for this call (multi-stage
        optimizers use 1/100 and 1/10); it has no effect on profiles with exact expectations.
        """
        params = circuit.check_params(params)
        # a Python sum is cheaper than numpy's reductions on small arrays; a sum that overflows
        # from finite angles is rechecked element-wise
        total = sum(params.ravel().tolist()) if params.size <= 64 else float(params.sum())
        if not math.isfinite(total) and not np.isfinite(params).all():
            raise ValueError("angles must be finite numbers (got NaN or inf); nothing was charged")
        batch = params.shape[0]
        if batch * self.evaluations_per_energy > self.task.budget - self.evaluations_used:
            raise BudgetExhausted(
                f"{batch * self.evaluations_per_energy} evaluation(s) requested but only {self.remaining} of "
                f"{self.task.budget} remain"
            )
        shots = self.task.shots
        cost_shots = 0
        if shots is not None:
            shots = max(1, int(round(shots * shot_scale)))
            cost_shots = batch * shots * self.task.problem.n_terms * self.evaluations_per_energy
            if self.task.shot_budget is not None and self.shots_used + cost_shots > self.task.shot_budget:
                raise BudgetExhausted(f"shot budget of {self.task.shot_budget} would be exceeded")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise RunTimeout("the run's time limit has passed")
        if shots is None:
            energies = self._simulator._energies(circuit, params)
        elif self._sampler is not None:
            energies = self._sampler.energies(circuit, params, shots, self.rng)
        else:
            energies = self._constant + sample_terms(self._simulator.expectations(circuit, params), shots,
                                                     self.rng) @ self._coeffs
        self.gates_evaluated += len(circuit.gates) * batch * self.evaluations_per_energy
        self._record(circuit, params, energies, cost_shots // batch)
        if self.progress is not None and time.monotonic() >= self._next_progress:
            self._next_progress = time.monotonic() + self.progress_every_s
            self.progress(self)
        return energies

    def reseed_shots(self, seed: int) -> None:
        """Restart shot sampling from ``seed`` (for environments whose ``reset(seed=...)`` must
        reproduce an episode); budget, best and history are untouched."""
        self.rng = np.random.default_rng([int(seed), _SHOT_STREAM])

    def energy(self, circuit: Circuit, params=()) -> float:
        return float(self.energies(circuit, params)[0])

    def _record(self, circuit: Circuit, params: np.ndarray, energies: np.ndarray, shots_per_row: int) -> None:
        batch, per = len(energies), self.evaluations_per_energy
        if (energies[0] if batch == 1 else energies.min()) >= self.best_energy:  # no improvement: count
            self.evaluations_used += batch * per
            self.shots_used += shots_per_row * batch
            return
        ground = self.task.problem.ground_energy
        for row, value in zip(params, energies.tolist()):
            self.evaluations_used += per
            self.shots_used += shots_per_row
            if value < self.best_energy:
                self.best_energy = value
                self.best = (circuit, row.copy())
                self.history.append((self.evaluations_used, value - ground, self.shots_used))


def exact_energy(task: Task, circuit: Circuit, params) -> float:
    """Noise-exact (no shot noise) energy, outside the budget: for scoring results, not search."""
    return float(task.backend().energies(circuit, params)[0])
