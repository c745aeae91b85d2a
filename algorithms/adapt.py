"""qubit-ADAPT-VQE (Tang et al., PRX Quantum 2, 020310, 2021) on the shared gate set.

Pools: ``qubit`` (default), Tang et al.'s pool of X/Y strings of weight 2 and 4 with an odd
number of Y (JW excitations without their Z strings); and ``minimal``, ``{Y_q, Z_q Y_(q+1) :
q = 0..n-2}``, 2n - 2 strings, the minimal size of a complete pool, whose completeness for real
states the tests check numerically (the Lie algebra it generates acts transitively on the real
unit sphere). From the Hartree-Fock reference every gradient of the minimal pool vanishes on
the chemistry problems here (h2-2q, h2-4q, lih-4q: ADAPT stops at once), the symmetry roadblock
of Shkolnikov et al. (2021); hence the default. Each iteration measures, for
every pool operator P, the energy gradient of appending ``exp(-i t P / 2)`` at t = 0 by the
parameter-shift rule (two evaluations per operator, charged), appends the operator with the
largest |gradient|, and re-optimizes all its angles with the inner optimizer. ADAPT grows from a
reference state, here the computational basis state of lowest energy (2^n evaluations, charged;
|0...0> itself is a stationary point of this pool for real Hamiltonians). It stops when the
largest gradient falls below ``gradient_tol``, the gate cap would be exceeded, or the budget ends.

Compilation of ``exp(-i t P / 2)``: a fixed basis change per qubit (RX or RY by +-pi/2, whose
angle is frozen, never optimized), a CNOT ladder over the support, RZ(t) on its last qubit, and
the inverse. Under a device's coupling the pool keeps only the elements whose ladder uses
coupled pairs. The gate set has no fixed-angle gates, so the basis changes are rotations whose
angles the optimizer does not touch (``free`` mask).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from qasbench.algorithms.base import Algorithm, SearchResult, best_result, optimize_angles
from qasbench.circuit import CNOT, Circuit, Gate
from qasbench.evaluator import BudgetExhausted, Evaluator, Task
from qasbench.sim.pauli_basis import PAULI_MATRICES, rotation_unitary

HALF_PI = np.pi / 2


def qubit_pool(n_qubits: int) -> list[str]:
    """Tang et al.'s qubit pool: the Pauli strings of Jordan-Wigner single and double
    excitations with their Z strings dropped, i.e. X/Y words of weight 2 and 4 with an odd
    number of Y."""
    from itertools import combinations, product

    pool = []
    for weight in (2, 4):
        words = ["".join(w) for w in product("XY", repeat=weight) if w.count("Y") % 2 == 1]
        for support in combinations(range(n_qubits), weight):
            for word in words:
                label = ["I"] * n_qubits
                for q, c in zip(support, word):
                    label[q] = c
                pool.append("".join(label))
    return pool


def minimal_pool(n_qubits: int) -> list[str]:
    pool = []
    for q in range(n_qubits - 1):
        pool.append("I" * q + "Y" + "I" * (n_qubits - q - 1))
        pool.append("I" * q + "ZY" + "I" * (n_qubits - q - 2))
    return pool


@lru_cache(maxsize=None)
def basis_change(pauli: str) -> tuple[str, float] | None:
    """(axis, angle) of the rotation V with ``V P V^dag = Z`` for a single-qubit Pauli P."""
    if pauli == "Z":
        return None
    target = PAULI_MATRICES[3]
    for axis in "XY":
        for angle in (HALF_PI, -HALF_PI):
            v = rotation_unitary(axis, angle)
            if np.allclose(v @ PAULI_MATRICES["IXYZ".index(pauli)] @ v.conj().T, target):
                return axis, angle
    raise ValueError(f"no basis change for {pauli}")


def pauli_rotation(pauli: str) -> tuple[list[Gate], list[float | None]]:
    """Gates of ``exp(-i t P / 2)`` and their angles: fixed values, or None for t itself."""
    support = [q for q, c in enumerate(pauli) if c != "I"]
    changes = [(q, basis_change(pauli[q])) for q in support]
    changes = [(q, c) for q, c in changes if c is not None]
    ladder = [CNOT(a, b) for a, b in zip(support, support[1:])]
    gates = [Gate("R" + axis, (q,)) for q, (axis, _) in changes] + ladder + [Gate("RZ", (support[-1],))]
    gates += ladder[::-1] + [Gate("R" + axis, (q,)) for q, (axis, _) in changes]
    angles = [a for _, (_, a) in changes] + [None] + [-a for _, (_, a) in changes]
    return gates, angles


POOLS = {"qubit": qubit_pool, "minimal": minimal_pool}


@dataclass
class QubitADAPT(Algorithm):
    pool: str = "qubit"  # "qubit" or "minimal"
    gradient_tol: float = 1e-4
    optimizer: str = "cobyla"
    evaluations_per_iteration: int = 300

    name = "adapt"
    positive = ("evaluations_per_iteration",)
    choices = {"pool": ("qubit", "minimal")}

    @staticmethod
    def reference(task: Task, evaluator: Evaluator) -> tuple[Circuit, np.ndarray]:
        """The lowest-energy computational basis state (Hartree-Fock for JW problems), prepared
        by RX(pi) on its 1 bits; all 2^n states are evaluated through the Evaluator."""
        n = task.problem.n_qubits
        best = None
        for index in range(2**n):
            qubits = [q for q in range(n) if index >> (n - 1 - q) & 1]
            circuit = Circuit(n, tuple(Gate("RX", (q,)) for q in qubits))
            angles = np.full(len(qubits), np.pi)
            energy = evaluator.energy(circuit, angles)
            if best is None or energy < best[0]:
                best = (energy, circuit, angles)
        return best[1], best[2]

    def search(self, task: Task, evaluator: Evaluator, rng: np.random.Generator) -> SearchResult:
        n = task.problem.n_qubits
        if self.pool not in POOLS:
            raise ValueError(f"unknown ADAPT pool {self.pool!r}; choose from {', '.join(POOLS)}")
        pool = {p: pauli_rotation(p) for p in POOLS[self.pool](n)}
        # under a device's coupling, only the pool elements whose CNOT ladder it allows
        pool = {p: element for p, element in pool.items() if all(map(task.search_space.allows, element[0]))}
        chosen = []
        try:
            circuit, angles = self.reference(task, evaluator)
            free = np.zeros(angles.size, bool)
            while True:
                gradients = {}
                for pauli, (gates, op_angles) in pool.items():
                    if len(circuit) + len(gates) > task.search_space.max_gates:
                        continue
                    trial = circuit.extend(gates)
                    shifted = [np.concatenate([angles, [t if a is None else a for a in op_angles]])
                               for t in (HALF_PI, -HALF_PI)]
                    plus, minus = evaluator.energies(trial, np.array(shifted))
                    gradients[pauli] = (plus - minus) / 2
                if not gradients or max(abs(g) for g in gradients.values()) < self.gradient_tol:
                    break
                pauli = max(gradients, key=lambda p: abs(gradients[p]))
                gates, op_angles = pool[pauli]
                chosen.append(pauli)
                circuit = circuit.extend(gates)
                angles = np.concatenate([angles, [0.0 if a is None else a for a in op_angles]])
                free = np.concatenate([free, [a is None for a in op_angles]])
                angles = optimize_angles(evaluator, circuit, angles, self.optimizer,
                                         self.evaluations_per_iteration, rng, free=free).x
        except BudgetExhausted:
            pass
        return best_result(evaluator, {"operators": chosen})
