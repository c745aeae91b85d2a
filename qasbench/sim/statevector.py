"""Noiseless statevector backend: compiled (numba), one pass per gate, batched over parameter sets.

Valid only for profiles without gate noise or readout error (shot noise is applied by the
Evaluator). Amplitudes are indexed with qubit 0 the most significant bit. A circuit compiles
once (kept on the circuit, ``Circuit.compiled``) into the gate table of :mod:`qasbench.sim.statevector_kernels`; the
Hamiltonian's terms are grouped by X mask at construction, so ``energies`` costs one pass per
X group over the state, whatever the number of terms.
"""
from __future__ import annotations

import numpy as np

from qasbench.circuit import Circuit
from qasbench.hamiltonian import Hamiltonian, _popcount
from qasbench.noise import NoiseModel
from qasbench.sim import statevector_kernels as kernels
from qasbench.sim.base import Backend

_KIND = {"CNOT": kernels.CNOT, "RX": kernels.RX, "RY": kernels.RY, "RZ": kernels.RZ}


class StatevectorBackend(Backend):
    name = "statevector"

    def __init__(self, hamiltonian: Hamiltonian, noise: NoiseModel):
        if not noise.is_noiseless:
            raise ValueError(
                f"the statevector backend is noiseless; profile {noise.name!r} needs backend 'ptm' or 'aer'"
            )
        super().__init__(hamiltonian, noise)
        n = self._n = hamiltonian.n_qubits
        self._size = 2**n
        basis = np.arange(self._size)
        xs, zs = hamiltonian.masks
        self._masks = np.ascontiguousarray(np.stack([xs, zs], axis=1), dtype=np.int64)
        self._phases = (1j ** _popcount(xs & zs)).astype(np.complex128)
        self._group_x = np.unique(xs).astype(np.int64)
        self._weights = np.zeros((len(self._group_x), self._size), np.complex128)
        for g, x in enumerate(self._group_x):
            for t in np.nonzero(xs == x)[0]:
                signs = 1.0 - 2.0 * (_popcount(basis & zs[t]) & 1)
                self._weights[g] += hamiltonian.coeffs[t] * self._phases[t] * signs

    def _ops(self, circuit: Circuit) -> np.ndarray:
        if circuit.n_qubits != self._n:
            self.check_circuit(circuit)  # raises
        return circuit.compiled("statevector", _gate_table)

    def states(self, circuit: Circuit, params) -> np.ndarray:
        """Final states, shape (B, 2^n)."""
        self._ops(circuit)  # checks the width
        return states(circuit, params)

    def expectations(self, circuit: Circuit, params) -> np.ndarray:
        params = circuit.check_params(params)
        out = np.empty((params.shape[0], self.hamiltonian.n_terms))
        kernels.expectations(self._ops(circuit), params, self._masks, self._phases, self._size, out)
        return out

    def _energies(self, circuit: Circuit, params: np.ndarray) -> np.ndarray:
        out = np.empty(params.shape[0])
        kernels.energies(self._ops(circuit), params, self._group_x, self._weights, self.hamiltonian.constant, out)
        return out


def states(circuit: Circuit, params) -> np.ndarray:
    """The noiseless final states of ``circuit`` from |0...0>, shape (B, 2^n), no Hamiltonian needed."""
    params = circuit.check_params(params)
    out = np.empty((params.shape[0], 2**circuit.n_qubits), np.complex128)
    kernels.states(circuit.compiled("statevector", _gate_table), params, 2**circuit.n_qubits, out)
    return out


def _gate_table(circuit: Circuit) -> np.ndarray:
    """The kernels' (G, 3) gate table of ``circuit``."""
    n = circuit.n_qubits
    table = np.zeros((len(circuit.gates), 3), dtype=np.int64)
    for row, gate in zip(table, circuit.gates):
        row[0] = _KIND[gate.name]
        row[1] = 1 << (n - 1 - gate.qubits[0])
        if gate.name == "CNOT":
            row[2] = 1 << (n - 1 - gate.qubits[1])
    return table
