"""The shared search space: which gates an architecture may use, and how many."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qasbench.circuit import ROTATIONS, Circuit, Gate

# CRLQAS's gate caps (arXiv 2402.03500): 40 gates up to 4 qubits, 70 at 6, 250 at 8
_PAPER_MAX_GATES = ((4, 40), (6, 70), (8, 250))


def default_max_gates(n_qubits: int) -> int:
    for limit, gates in _PAPER_MAX_GATES:
        if n_qubits <= limit:
            return gates
    return 250


@dataclass(frozen=True)
class SearchSpace:
    """Gate alphabet = CNOT on every allowed directed pair + RX/RY/RZ on every qubit.

    ``coupling``: allowed (control, target) pairs; None means all ordered pairs.
    """

    n_qubits: int
    max_gates: int
    coupling: tuple[tuple[int, int], ...] | None = None

    def __post_init__(self):
        if self.max_gates < 1:
            raise ValueError(f"max_gates must be >= 1, got {self.max_gates}")

    @property
    def actions(self) -> tuple[Gate, ...]:
        """Every gate of the alphabet, CNOTs first (in (control, target) order), then rotations."""
        n = self.n_qubits
        pairs = self.coupling or tuple((c, t) for c in range(n) for t in range(n) if c != t)
        cnots = tuple(Gate("CNOT", pair) for pair in pairs)
        return cnots + tuple(Gate(name, (q,)) for q in range(n) for name in ROTATIONS)

    def allows(self, gate: Gate) -> bool:
        """Whether ``gate`` is in the alphabet (a CNOT on an allowed pair, or any rotation)."""
        return gate.name != "CNOT" or self.coupling is None or tuple(gate.qubits) in self.coupling

    def entangler(self) -> tuple[tuple[int, int], ...]:
        """The (control, target) pairs of one entangling layer over every qubit: the ladder
        0->1->...->n-1 on all pairs; under a coupling, a breadth-first spanning tree from qubit
        0 (each qubit's CNOT from the qubit that reached it first, lower indices first).
        ValueError when the coupling leaves qubits unconnected."""
        if self.coupling is None:
            return tuple((q, q + 1) for q in range(self.n_qubits - 1))
        reached, pairs = [0], []
        for parent in reached:
            for child in range(self.n_qubits):
                if child not in reached and (parent, child) in self.coupling:
                    reached.append(child)
                    pairs.append((parent, child))
        if len(reached) < self.n_qubits:
            raise ValueError(f"the coupling {list(self.coupling)} does not connect all {self.n_qubits} qubits")
        return tuple(pairs)

    def empty(self) -> Circuit:
        return Circuit(self.n_qubits)

    def sample(self, rng: np.random.Generator, n_gates: int | None = None) -> Circuit:
        """A uniformly random gate sequence; length uniform in [1, max_gates] unless given."""
        actions = self.actions
        length = int(rng.integers(1, self.max_gates + 1)) if n_gates is None else n_gates
        return Circuit(self.n_qubits, tuple(actions[i] for i in rng.integers(len(actions), size=length)))

    def contains(self, circuit: Circuit) -> bool:
        allowed = set(self.actions)
        return (circuit.n_qubits == self.n_qubits and len(circuit) <= self.max_gates
                and all(g in allowed for g in circuit.gates))
