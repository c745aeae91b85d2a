"""TF-QAS: training-free quantum architecture search (He, Deng, Zheng, Li, Situ, AAAI 2024).

Two proxies rank sampled circuits without training them, then only the best few are trained:

1. **Path proxy (zero cost).** ``sampled`` circuits are drawn from the search space (gate count
   uniform in [1, cap], gates uniform over the alphabet, as random search draws them). A circuit
   is read as a directed acyclic graph: a source (every qubit's input), one node per gate, a
   sink (every qubit's output), and an edge along each qubit wire from one node to the next on
   that wire (a two-qubit gate has two incoming and two outgoing wires; two wires between the
   same nodes are two edges). The proxy is the number of source-to-sink paths; the ``kept``
   circuits with the most paths go on.
2. **Expressibility proxy.** For each kept circuit, ``fidelity_pairs`` pairs of uniformly random
   angle vectors give the fidelities ``F = |<psi(a)|psi(b)>|^2`` of its noiseless states; their
   histogram over ``bins`` equal bins of [0, 1] is compared with the Haar distribution
   ``P(F) = (N - 1) (1 - F)^(N - 2)``, N = 2^n: expressibility = -KL(circuit || Haar) (higher is
   more expressive; a circuit without angles has every F = 1).
3. **Training.** The ``trained`` most expressive circuits are trained with the inner optimizer
   through the Evaluator, in turn, each with ``evaluations_per_circuit`` evaluations from a
   uniform random start, round after round (new random starts) until the budget is spent.

What is charged: only step 3 uses the problem (its Hamiltonian) and spends evaluations; steps 1
and 2 use the circuits alone (noiseless states, no Hamiltonian, whatever the task's noise), so
they cost CPU time, which each record states (``info.proxy_seconds``, ``info.statevectors``).
Deviations: the paper samples its own layer-wise space and keeps the top-K by expressibility for
VQE; here the shared search space is sampled (coupled pairs on a device), and the defaults are
sized for the suites' budgets (2000 sampled, 200 kept, 10 trained, 500 fidelity pairs, 75 bins;
PSQASBench runs 10000, 1000, 10 with 2000 pairs).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from qasbench.algorithms.base import Algorithm, SearchResult, best_result, optimize_angles
from qasbench.circuit import Circuit
from qasbench.evaluator import BudgetExhausted, Evaluator, Task
from qasbench.sim.statevector import states


def path_count(circuit: Circuit) -> int:
    """Source-to-sink paths of the circuit's wire graph (see the module docstring)."""
    paths_at = [1] * circuit.n_qubits  # paths reaching the current end of each wire
    for gate in circuit.gates:
        arriving = sum(paths_at[q] for q in gate.qubits)
        for q in gate.qubits:
            paths_at[q] = arriving
    return sum(paths_at)


def expressibility(circuit: Circuit, pairs: int, bins: int, rng: np.random.Generator) -> float:
    """-KL(fidelity histogram || Haar) of ``circuit`` from ``pairs`` random angle pairs of its
    noiseless states."""
    if circuit.n_params:
        angles = rng.uniform(-np.pi, np.pi, (2 * pairs, circuit.n_params))
        psi = states(circuit, angles)
        fidelities = np.abs(np.einsum("ij,ij->i", psi[:pairs].conj(), psi[pairs:])) ** 2
    else:
        fidelities = np.ones(pairs)
    edges = np.linspace(0.0, 1.0, bins + 1)
    observed = np.histogram(np.clip(fidelities, 0.0, 1.0), edges)[0] + 1e-10
    centres, dim = (edges[:-1] + edges[1:]) / 2, 2**circuit.n_qubits
    haar = (dim - 1) * (1 - centres) ** (dim - 2) / bins + 1e-10
    observed, haar = observed / observed.sum(), haar / haar.sum()
    return -float(np.sum(observed * np.log(observed / haar)))


@dataclass
class TrainingFreeQAS(Algorithm):
    optimizer: str = "cobyla"
    sampled: int = 2000
    kept: int = 200
    trained: int = 10
    fidelity_pairs: int = 500
    bins: int = 75
    evaluations_per_circuit: int = 200

    name = "tf-qas"
    positive = ("sampled", "kept", "trained", "fidelity_pairs", "bins", "evaluations_per_circuit")

    def validate(self) -> None:
        super().validate()
        if not self.trained <= self.kept <= self.sampled:
            raise ValueError(f"{self.name}: need trained <= kept <= sampled, got {self.trained}, {self.kept}, "
                             f"{self.sampled}")

    def search(self, task: Task, evaluator: Evaluator, rng: np.random.Generator) -> SearchResult:
        start = time.perf_counter()
        space = task.search_space
        circuits = [space.sample(rng, int(rng.integers(1, space.max_gates + 1))) for _ in range(self.sampled)]
        by_paths = sorted(range(len(circuits)), key=lambda i: -path_count(circuits[i]))[: self.kept]
        scores = {i: expressibility(circuits[i], self.fidelity_pairs, self.bins, rng) for i in by_paths}
        chosen = sorted(by_paths, key=lambda i: -scores[i])[: self.trained]
        proxy_seconds = time.perf_counter() - start
        rounds = 0
        try:
            while evaluator.remaining > 0:
                for i in chosen:
                    circuit = circuits[i]
                    optimize_angles(evaluator, circuit, rng.uniform(-np.pi, np.pi, circuit.n_params), self.optimizer,
                                    self.evaluations_per_circuit, rng)
                rounds += 1
        except BudgetExhausted:
            pass
        return best_result(evaluator, {
            "proxy_seconds": proxy_seconds, "statevectors": 2 * self.fidelity_pairs * len(by_paths),
            "path_counts": [path_count(circuits[i]) for i in chosen],
            "expressibility": [scores[i] for i in chosen], "training_rounds": rounds})
