"""TensorRL-QAS: a tensor-network warm start for the CRLQAS agent (arXiv 2505.09371, NeurIPS 2025).

The method: approximate the ground state by a matrix product state (MPS) of small bond dimension,
compile it into a circuit, and let the reinforcement-learning agent build on that circuit
instead of the empty one. Here:

1. **MPS.** The exact ground state of the problem's Hamiltonian (sparse Lanczos, at these sizes
   exact) is compressed to bond dimension ``bond_dimension`` by SVDs swept from the right,
   keeping the largest singular values: the best MPS of that bond dimension by fidelity, to
   within the sweep's truncation. The paper runs DMRG at a small bond dimension, which
   optimizes the energy within the same MPS class; we take the SVD route because the exact
   state is available, and say so.
2. **Warm-start circuit.** A staircase over the search space's entangler (the CNOT ladder, or on
   a device a spanning tree of its coupling): RY on every qubit, then per pair (a, b) of the
   entangler ``CNOT(a, b), RY(a), RY(b), CNOT(a, b)``, repeated ``warm_layers`` times. Its
   angles are fitted classically (BFGS on noiseless state vectors, ``fit_restarts`` random
   starts) to maximize the fidelity with the MPS. This stands in for the paper's exact
   MPS-to-circuit mapping; the fitted fidelity is recorded.
3. **Search.** The CRLQAS agent (preset ``fast`` unless told otherwise) starts every episode from
   the warm-start circuit with its fitted angles and appends gates as in CRLQAS.

Charged: the agent's evaluations (every energy, the warm start's included) go through the
Evaluator. Steps 1 and 2 use the Hamiltonian classically and spend no evaluation; their
cost is recorded beside the budget: ``info.tensor_network`` with the seconds, the bond
dimension, the MPS's fidelity with the exact ground state and the warm start's with the MPS.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse.linalg as sla
from scipy.optimize import minimize

from qasbench.algorithms.crlqas import CRLQAS
from qasbench.circuit import CNOT, Circuit, Gate
from qasbench.evaluator import Task
from qasbench.sim.statevector import states


def truncated_mps_state(state: np.ndarray, n_qubits: int, bond_dimension: int) -> np.ndarray:
    """``state`` compressed to an MPS of bond dimension at most ``bond_dimension`` (SVDs from
    the right, qubit 0 the leftmost site), returned as a normalized state vector."""
    rest, tensors = state.reshape(-1, 1), []
    for _ in range(n_qubits - 1):
        rest = rest.reshape(-1, 2 * rest.shape[1])  # (left sites, this site x right bond)
        u, s, vh = np.linalg.svd(rest, full_matrices=False)
        keep = min(bond_dimension, len(s))
        tensors.append(vh[:keep])  # right-canonical site tensor: (bond, 2 x right bond)
        rest = u[:, :keep] * s[:keep]
    out = rest  # (2, bond) of qubit 0
    for tensor in reversed(tensors):
        out = (out @ tensor).reshape(-1, tensor.shape[1] // 2)
    vector = out.reshape(-1)
    return vector / np.linalg.norm(vector)


def staircase(n_qubits: int, pairs, layers: int) -> Circuit:
    """RY on every qubit, then per layer and pair (a, b): CNOT(a, b), RY(a), RY(b), CNOT(a, b)."""
    gates = [Gate("RY", (q,)) for q in range(n_qubits)]
    for _ in range(layers):
        for a, b in pairs:
            gates += [CNOT(a, b), Gate("RY", (a,)), Gate("RY", (b,)), CNOT(a, b)]
    return Circuit(n_qubits, tuple(gates))


def fit(circuit: Circuit, target: np.ndarray, restarts: int, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """Angles maximizing |<target|circuit(angles)>|^2 (BFGS from ``restarts`` random starts)."""
    def infidelity(x):
        return 1.0 - abs(np.vdot(target, states(circuit, x[None, :])[0])) ** 2

    best = None
    for _ in range(restarts):
        result = minimize(infidelity, rng.uniform(-np.pi, np.pi, circuit.n_params), method="BFGS")
        if best is None or result.fun < best.fun:
            best = result
    return best.x, 1.0 - float(best.fun)


@dataclass
class TensorRLQAS(CRLQAS):
    bond_dimension: int = 2
    warm_layers: int = 1
    fit_restarts: int = 5

    name = "tensorrl-qas"
    positive = CRLQAS.positive + ("bond_dimension", "warm_layers", "fit_restarts")

    def start(self, task: Task) -> tuple[tuple, dict]:
        began = time.perf_counter()
        n = task.problem.n_qubits
        ground = sla.eigsh(task.problem.hamiltonian.sparse_matrix(), k=1, which="SA",
                           v0=np.ones(2**n) / 2 ** (n / 2))[1][:, 0]  # a fixed start: the same state every run
        mps = truncated_mps_state(ground, n, self.bond_dimension)
        circuit = staircase(n, task.search_space.entangler(), self.warm_layers)
        if len(circuit) >= task.search_space.max_gates:
            raise ValueError(f"{self.name}: the warm start has {len(circuit)} gates, the task's cap is "
                             f"{task.search_space.max_gates}; lower warm_layers")
        angles, fidelity = fit(circuit, mps, self.fit_restarts, np.random.default_rng(0))
        return (circuit, angles), {"tensor_network": {
            "bond_dimension": self.bond_dimension, "seconds": time.perf_counter() - began,
            "mps_fidelity": abs(np.vdot(ground, mps)) ** 2, "warm_start_fidelity": fidelity,
            "warm_start_gates": len(circuit)}}
