"""What every backend shares: construction from (hamiltonian, noise) and energies from terms."""
from __future__ import annotations

import numpy as np

from qasbench.circuit import Circuit
from qasbench.hamiltonian import Hamiltonian
from qasbench.noise import NoiseModel


PLAN_CACHE_SIZE = 512  # compiled circuits kept per backend (least recently used dropped)


class Backend:
    name = "backend"

    def __init__(self, hamiltonian: Hamiltonian, noise: NoiseModel):
        self.hamiltonian = hamiltonian
        self.noise = noise

    def check_circuit(self, circuit: Circuit) -> None:
        if circuit.n_qubits != self.hamiltonian.n_qubits:
            raise ValueError(
                f"circuit has {circuit.n_qubits} qubits but the Hamiltonian has {self.hamiltonian.n_qubits}"
            )

    def expectations(self, circuit: Circuit, params) -> np.ndarray:
        """Exact, readout-affected expectation of every term: shape (batch, n_terms)."""
        raise NotImplementedError

    def energies(self, circuit: Circuit, params) -> np.ndarray:
        """Exact (shot-free) energies, shape (batch,)."""
        return self._energies(circuit, circuit.check_params(params))

    def _energies(self, circuit: Circuit, params: np.ndarray) -> np.ndarray:
        """``energies`` for params already checked (shape (batch, n_params), finite): the
        Evaluator's call, which has validated them itself."""
        return self.hamiltonian.constant + self.expectations(circuit, params) @ self.hamiltonian.coeffs
