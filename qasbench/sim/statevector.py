"""Noiseless statevector backend (numpy), batched over parameter sets.

Valid only for profiles without gate noise or readout error (shot noise is applied by the
Evaluator). Amplitudes have shape (batch, 2^n), qubit 0 the most significant bit. Each circuit
is compiled once into gather-and-scale steps: with ``c = cos(t/2)``, ``s = sin(t/2)`` and
``psi_f`` the amplitudes with qubit q flipped, RX: ``c psi - i s psi_f``, RY: ``c psi + s sgn
psi_f`` (sgn = -1 where q is 0, +1 where 1), RZ: ``(c - i s z) psi`` (z = +-1), CNOT: a gather.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from qasbench.circuit import Circuit
from qasbench.hamiltonian import Hamiltonian, _popcount
from qasbench.noise import NoiseModel
from qasbench.sim.base import PLAN_CACHE_SIZE, Backend



class StatevectorBackend(Backend):
    name = "statevector"

    def __init__(self, hamiltonian: Hamiltonian, noise: NoiseModel):
        if noise.has_gate_noise or noise.readout_p01 or noise.readout_p10:
            raise ValueError(
                f"the statevector backend is noiseless; profile {noise.name!r} needs backend 'ptm' or 'aer'"
            )
        super().__init__(hamiltonian, noise)
        n = hamiltonian.n_qubits
        self._basis = np.arange(2**n)
        self._plan = lru_cache(maxsize=PLAN_CACHE_SIZE)(self._compile)
        # terms grouped by x mask: <P> = Re sum_j conj(psi[j ^ x]) psi[j] i^{|x&z|} (-1)^{|j&z|}
        xs, zs = hamiltonian.masks
        self._groups = []
        for x in np.unique(xs):
            terms = np.nonzero(xs == x)[0]
            signs = (-1.0) ** _popcount(self._basis[:, None] & zs[None, terms])
            phases = 1j ** _popcount(x & zs[terms])
            self._groups.append((terms, self._basis ^ x, signs * phases[None, :]))

    def _compile(self, circuit: Circuit) -> list:
        """The circuit as gather-and-scale steps (cached per circuit by ``_plan``)."""
        n, basis, plan = circuit.n_qubits, self._basis, []
        for gate in circuit.gates:
            bit = [1 << (n - 1 - q) for q in gate.qubits]
            if gate.name == "CNOT":
                plan.append(("gather", np.where(basis & bit[0], basis ^ bit[1], basis)))
                continue
            is_one = (basis & bit[0]) != 0
            if gate.name == "RX":
                plan.append(("flip", basis ^ bit[0], np.full(basis.size, -1j)))
            elif gate.name == "RY":
                plan.append(("flip", basis ^ bit[0], np.where(is_one, 1.0, -1.0)))
            else:
                plan.append(("phase", np.where(is_one, 1j, -1j)))
        return plan

    def states(self, circuit: Circuit, params) -> np.ndarray:
        """Final states, shape (B, 2^n)."""
        params = circuit.check_params(params)
        half = params / 2
        cos, sin = np.cos(half), np.sin(half)
        state = np.zeros((params.shape[0], self._basis.size), dtype=complex)
        state[:, 0] = 1.0
        index = 0
        for step in self._plan(circuit):
            if step[0] == "gather":
                state = state[:, step[1]]
                continue
            c, s = cos[:, index, None], sin[:, index, None]
            index += 1
            if step[0] == "flip":
                state = c * state + (s * step[2]) * state[:, step[1]]
            else:
                state = (c + s * step[1]) * state
        return state

    def expectations(self, circuit: Circuit, params) -> np.ndarray:
        self.check_circuit(circuit)
        psi = self.states(circuit, params)
        out = np.empty((psi.shape[0], self.hamiltonian.n_terms))
        for terms, flip, weights in self._groups:
            out[:, terms] = ((psi[:, flip].conj() * psi) @ weights).real
        return out
