"""QuantumDARTS: differentiable QAS with Gumbel-softmax (Wu, Yan, Lu, Pan, Yan, ICML 2023).

The supernet is a grid of slots, ``layers`` x n_qubits: slot (layer, t) holds one operation
acting on target qubit t, chosen from the paper's macro candidates: an RZ-RY-RZ rotation block
on t (three angles), the identity, or CNOT(c -> t) for every control c the search space allows.
Each slot has architecture logits ``alpha`` over its candidates and its own three angles.
Per epoch:

1. **Sample.** Gumbel noise ``g`` gives the hard architecture ``argmax(alpha + g)`` per slot and
   its relaxation ``softmax((alpha + g) / tau)``, the temperature ``tau`` annealed linearly
   from ``tau_start`` to ``tau_end`` over the epochs the budget pays for.
2. **Angles.** ``inner_steps`` Adam steps on the sampled circuit's angles (learning rate
   ``lr_theta``, cosine-annealed).
3. **Architecture.** One Adam step on ``alpha`` (``lr_arch``, cosine-annealed) along the
   straight-through gradient: the gradient of the energy with respect to the one-hot choice of
   a slot, carried through the relaxation's Jacobian ``(diag p - p p^T) / tau``.

After the search the most likely operation per slot is the architecture; its angles start from
the supernet's and are fine-tuned with the inner optimizer (``finetune_fraction`` of the
budget). **Macro search** (``mode = "macro"``) gives every slot its own logits. **Micro search**
(``mode = "micro"``) searches a cell of ``cell_layers`` layers whose logits every repetition
shares (the circuit is the cell stacked ``layers / cell_layers`` times, each repetition with its
own angles); the paper then transfers the cell to larger problems, which one run on one task
cannot do.

Deviations, because the Evaluator returns energies only (on hardware, under noise and shots), where
the paper differentiates a simulator: the angle gradient is SPSA (two evaluations per step,
perturbation ``spsa_c``), and the straight-through gradient's component for candidate c of a slot
is the energy change of swapping c into that slot, evaluated for ``arch_slots`` random slots per
epoch (one evaluation per candidate; the other slots get no gradient that epoch). A sampled
circuit longer than the search space's gate cap keeps its first ``max_gates`` gates. PSQASBench's
runner factorizes the logits at low rank; here they are full.

Charged: every energy goes through the Evaluator. The record's ``info`` counts the search
phase's evaluations (``search_evaluations``) apart from the final circuit's fine-tuning
(``finetune_evaluations``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qasbench.algorithms.base import Algorithm, SearchResult, best_result, optimize_angles
from qasbench.circuit import CNOT, Circuit, Gate
from qasbench.evaluator import BudgetExhausted, Evaluator, Task

ROTATION_BLOCK, IDENTITY = 0, 1  # candidate indices of every slot; CNOTs follow (one per control)


@dataclass
class QuantumDARTS(Algorithm):
    mode: str = "macro"
    layers: int | None = None  # default: max_gates // (2 n_qubits), at least 1
    cell_layers: int = 1  # micro search: layers of the repeated cell
    inner_steps: int = 5
    arch_slots: int = 4
    tau_start: float = 1.0
    tau_end: float = 0.05
    lr_theta: float = 0.05
    lr_arch: float = 0.1
    spsa_c: float = 0.1
    finetune_fraction: float = 0.2
    optimizer: str = "cobyla"

    name = "quantum-darts"
    positive = ("layers", "cell_layers", "inner_steps", "arch_slots", "tau_start", "tau_end", "lr_theta",
                "lr_arch", "spsa_c")
    unit_interval = ("finetune_fraction",)
    choices = {"mode": ("macro", "micro")}

    def validate(self) -> None:
        super().validate()
        if self.tau_end > self.tau_start:
            raise ValueError(f"{self.name}: tau_end ({self.tau_end}) must not exceed tau_start ({self.tau_start})")

    def search(self, task: Task, evaluator: Evaluator, rng: np.random.Generator) -> SearchResult:
        net = Supernet.new(task, self, rng)
        reserve = int(self.finetune_fraction * task.budget)
        per_epoch = (2 * self.inner_steps + 1 + self.arch_slots * (net.valid.shape[1] - 1)) \
            * evaluator.evaluations_per_energy
        planned = max(1, (task.budget - reserve) // per_epoch)
        epochs, architecture, search_evaluations = 0, None, None
        try:
            while epochs < planned and evaluator.remaining - reserve >= per_epoch:
                self._epoch(evaluator, net, rng, fraction=epochs / planned)
                epochs += 1
            search_evaluations = evaluator.evaluations_used
            choices = net.alpha.argmax(axis=1)
            circuit, angles = net.circuit(choices)
            architecture = [str(g) for g in circuit.gates]
            optimize_angles(evaluator, circuit, angles, self.optimizer, evaluator.remaining, rng)
        except BudgetExhausted:
            pass
        if search_evaluations is None:
            search_evaluations = evaluator.evaluations_used
        return best_result(evaluator, {"epochs": epochs, "planned_epochs": planned, "mode": self.mode,
                                       "slots": net.slots, "final_architecture": architecture,
                                       "search_evaluations": search_evaluations,
                                       "finetune_evaluations": evaluator.evaluations_used - search_evaluations})

    def _epoch(self, evaluator: Evaluator, net: "Supernet", rng, fraction: float) -> None:
        tau = self.tau_end + (self.tau_start - self.tau_end) * (1.0 - fraction)
        schedule = 0.5 * (1.0 + np.cos(np.pi * fraction))  # cosine annealing of both learning rates
        gumbel = -np.log(-np.log(rng.uniform(1e-12, 1.0, net.alpha.shape)))
        perturbed = np.where(net.valid, net.alpha + gumbel, -np.inf)
        choices = perturbed.argmax(axis=1)
        circuit, angles = net.circuit(choices)
        if circuit.n_params:
            for _ in range(self.inner_steps):
                delta = rng.choice([-1.0, 1.0], size=circuit.n_params)
                plus, minus = evaluator.energies(circuit, np.stack([angles + self.spsa_c * delta,
                                                                    angles - self.spsa_c * delta]))
                net.theta_step(choices, (plus - minus) / (2 * self.spsa_c) * delta, self.lr_theta * schedule)
                circuit, angles = net.circuit(choices)
        energy = evaluator.energies(circuit, angles[None])[0]
        grad = np.zeros(net.alpha.shape)
        for slot in rng.choice(net.cell_slots, size=min(self.arch_slots, net.cell_slots), replace=False):
            for candidate in np.flatnonzero(net.valid[slot]):
                if candidate != choices[slot]:
                    swapped = choices.copy()
                    swapped[slot] = candidate
                    other, other_angles = net.circuit(swapped)
                    grad[slot, candidate] = evaluator.energies(other, other_angles[None])[0] - energy
        with np.errstate(invalid="ignore"):  # exp(-inf) = 0 for the invalid candidates
            p = np.exp((perturbed - perturbed.max(axis=1, keepdims=True)) / tau)
        p /= p.sum(axis=1, keepdims=True)
        # straight-through: d softmax(z / tau) / d alpha = (diag p - p p^T) / tau, row by row
        net.alpha_step((p * grad - p * (p * grad).sum(axis=1, keepdims=True)) / tau, self.lr_arch * schedule)


class Supernet:
    """QuantumDARTS's state: ``alpha`` (cell slots x candidates; invalid candidates masked by
    ``valid``), the angles ``theta`` (slots x 3, one RZ-RY-RZ block per slot), and Adam's moments.
    Slot s of the full grid is layer ``s // n``, target ``s % n``, and uses cell slot
    ``s % cell_slots``."""

    def __init__(self, n_qubits: int, layers: int, cell_layers: int, coupling, max_gates: int,
                 rng: np.random.Generator):
        n = n_qubits
        allowed = set(coupling) if coupling else {(c, t) for c in range(n) for t in range(n) if c != t}
        self.n_qubits, self.max_gates = n, max_gates
        self.slots, self.cell_slots = layers * n, cell_layers * n
        self.controls = [[c for c in range(n) if (c, t) in allowed] for t in range(n)]
        width = 2 + max(len(c) for c in self.controls)
        self.valid = np.array([[j < 2 + len(self.controls[s % n]) for j in range(width)]
                               for s in range(self.cell_slots)])
        self.alpha = np.zeros(self.valid.shape)
        self.theta = rng.uniform(-np.pi, np.pi, (self.slots, 3))
        self._adam = {"alpha": [np.zeros_like(self.alpha), np.zeros_like(self.alpha), 0],
                      "theta": [np.zeros_like(self.theta), np.zeros_like(self.theta), 0]}

    @classmethod
    def new(cls, task: Task, settings: QuantumDARTS, rng: np.random.Generator) -> "Supernet":
        n, space = task.problem.n_qubits, task.search_space
        layers = settings.layers or max(1, space.max_gates // (2 * n))
        cell = layers if settings.mode == "macro" else min(settings.cell_layers, layers)
        layers = layers - layers % cell  # whole repetitions of the cell
        return cls(n, layers, cell, space.coupling, space.max_gates, rng)

    def full(self, cell_choices: np.ndarray) -> np.ndarray:
        """The choice of every slot of the grid from the cell's."""
        return np.resize(cell_choices, self.slots)

    def circuit(self, cell_choices: np.ndarray) -> tuple[Circuit, np.ndarray]:
        """The architecture ``cell_choices`` as a circuit (at most ``max_gates`` gates) and its
        angles from ``theta``."""
        gates, angles = [], []
        for slot, choice in enumerate(self.full(cell_choices)):
            target = slot % self.n_qubits
            if choice == ROTATION_BLOCK:
                gates += [Gate("RZ", (target,)), Gate("RY", (target,)), Gate("RZ", (target,))]
                angles += list(self.theta[slot])
            elif choice != IDENTITY:
                gates.append(CNOT(self.controls[target][choice - 2], target))
        gates = gates[: self.max_gates]
        return Circuit(self.n_qubits, tuple(gates)), np.array(angles[: sum(g.is_rotation for g in gates)])

    def theta_step(self, cell_choices: np.ndarray, grad: np.ndarray, lr: float) -> None:
        """Adam on the angles of the rotation blocks in the circuit (``grad`` in circuit order)."""
        full_grad = np.zeros_like(self.theta)
        blocks = np.flatnonzero(self.full(cell_choices) == ROTATION_BLOCK)
        full_grad.ravel()[(blocks[:, None] * 3 + np.arange(3)).ravel()[: len(grad)]] = grad
        self.theta -= self._adam_update("theta", full_grad, lr)

    def alpha_step(self, grad: np.ndarray, lr: float) -> None:
        self.alpha -= self._adam_update("alpha", grad, lr)

    def _adam_update(self, name: str, grad: np.ndarray, lr: float, b1=0.9, b2=0.999, eps=1e-8) -> np.ndarray:
        m, v, t = self._adam[name]
        t += 1
        m[:] = b1 * m + (1 - b1) * grad
        v[:] = b2 * v + (1 - b2) * grad**2
        self._adam[name][2] = t
        return lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
