"""Pauli-transfer matrices (PTMs) of gates and noise channels.

Single-qubit Pauli basis order is ``(I, X, Y, Z)``; k-qubit bases are Kronecker products with
qubit order as in :mod:`qasbench.hamiltonian` (first qubit most significant). A state is the
real vector ``r_P = Tr(P rho)``; a channel E has ``R[P, Q] = Tr(P E(Q)) / 2^k`` so that
``r' = R r``.
"""
from __future__ import annotations

from functools import lru_cache, reduce

import numpy as np

from qasbench.noise import NoiseModel

PAULI_MATRICES = (
    np.eye(2, dtype=complex),
    np.array([[0, 1], [1, 0]], dtype=complex),
    np.array([[0, -1j], [1j, 0]]),
    np.array([[1, 0], [0, -1]], dtype=complex),
)


@lru_cache(maxsize=None)
def pauli_basis(k: int) -> np.ndarray:
    """All 4^k k-qubit Pauli matrices, shape (4^k, 2^k, 2^k), in PTM index order."""
    if k == 1:
        return np.stack(PAULI_MATRICES)
    smaller = pauli_basis(k - 1)
    return np.stack([np.kron(a, b) for a in smaller for b in PAULI_MATRICES])


def unitary_ptm(op: np.ndarray) -> np.ndarray:
    """PTM ``Tr(P U Q U^dag) / 2^k`` of the map ``rho -> U rho U^dag``."""
    k = op.shape[0].bit_length() - 1
    basis = pauli_basis(k)
    images = op @ basis @ op.conj().T
    return np.einsum("pij,qji->pq", basis, images).real / 2**k


def rotation_unitary(axis: str, theta: float) -> np.ndarray:
    pauli = PAULI_MATRICES["IXYZ".index(axis)]
    return np.cos(theta / 2) * np.eye(2) - 1j * np.sin(theta / 2) * pauli


@lru_cache(maxsize=None)
def rotation_parts(axis: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(C, A, B)`` with ``PTM(R_axis(t)) = C + cos(t) A + sin(t) B`` exactly."""
    at = {t: unitary_ptm(rotation_unitary(axis, t)) for t in (0.0, np.pi / 2, np.pi)}
    constant = (at[0.0] + at[np.pi]) / 2
    cosine = (at[0.0] - at[np.pi]) / 2
    sine = at[np.pi / 2] - constant
    return constant, cosine, sine


def cnot_unitary(control_first: bool) -> np.ndarray:
    """CNOT on two qubits in ascending order; ``control_first``: control is the lower qubit."""
    u = np.eye(4, dtype=complex)
    rows = [2, 3] if control_first else [1, 3]
    u[rows] = u[rows[::-1]]
    return u


def depolarizing_ptm(lam: float, k: int) -> np.ndarray:
    """qiskit convention ``rho -> (1 - lam) rho + lam I/2^k``: non-identity Paulis scale by 1-lam."""
    diag = np.full(4**k, 1.0 - lam)
    diag[0] = 1.0
    return np.diag(diag)


def relaxation_ptm(decay_t1: float, decay_t2: float) -> np.ndarray:
    """Thermal relaxation towards |0> with ``decay_t1 = exp(-t/T1)``, ``decay_t2 = exp(-t/T2)``."""
    ptm = np.diag([1.0, decay_t2, decay_t2, decay_t1])
    ptm[3, 0] = 1.0 - decay_t1
    return ptm


def gate_noise_ptm(noise: NoiseModel, k: int) -> np.ndarray:
    """The noise channel applied after every k-qubit gate (depolarizing, then relaxation)."""
    lam, duration = (noise.depol_1q, noise.time_1q_ns) if k == 1 else (noise.depol_2q, noise.time_2q_ns)
    relax = relaxation_ptm(*noise.relaxation(duration))
    return reduce(np.kron, [relax] * k) @ depolarizing_ptm(lam, k)


def average_gate_fidelity(ptm: np.ndarray) -> float:
    """Average gate fidelity of a channel from its PTM on k qubits: ``(d F + 1) / (d + 1)``,
    with ``d = 2^k`` and the process fidelity ``F = Tr(R) / d^2``."""
    d = int(round(np.sqrt(ptm.shape[0])))
    return float((np.trace(ptm) / d + 1) / (d + 1))


def readout_ptm(p01: float, p10: float) -> np.ndarray:
    """Classical readout error (``p01 = P(1 | 0)``, ``p10 = P(0 | 1)``) as a 1-qubit PTM acting
    just before measurement.

    Measured in its product basis, each non-identity Pauli P_q yields ``a + b <P_q>`` with
    ``a = p10 - p01``, ``b = 1 - p01 - p10`` (see :mod:`qasbench.noise`).
    """
    a = p10 - p01
    b = 1.0 - p01 - p10
    ptm = np.diag([1.0, b, b, b])
    ptm[1:, 0] = a
    return ptm
