"""Simulation backends. Each is built from ``(hamiltonian, noise)`` and offers
``expectations(circuit, params) -> ndarray (batch, n_terms)``: the exact, readout-affected
expectation of every Hamiltonian term (no shot noise; the Evaluator samples shots).

* ``statevector`` — numpy, noiseless profiles only; fastest where it applies.
* ``ptm`` — Pauli-transfer-matrix simulator, any profile (numpy, or torch on a GPU).
* ``aer`` — qiskit-aer density matrix, the independent reference.
"""
from __future__ import annotations

from qasbench.hamiltonian import Hamiltonian
from qasbench.noise import NoiseModel

BACKENDS = ("auto", "statevector", "ptm", "aer")
PTM_MAX_QUBITS = 12  # a Pauli vector holds 4^n doubles: 128 MiB per state at 12 qubits, 512 MiB at 13


def check_ptm_size(n_qubits: int) -> None:
    """ValueError past PTM_MAX_QUBITS, saying what the state would take."""
    if n_qubits > PTM_MAX_QUBITS:
        raise ValueError(f"noisy simulation of {n_qubits} qubits is refused: ptm's state holds 4^n doubles "
                         f"({8 * 4**n_qubits / 2**30:.3g} GiB per state, more in batches); at most "
                         f"{PTM_MAX_QUBITS} qubits ({8 * 4**PTM_MAX_QUBITS / 2**20:.0f} MiB per state)")


def make_backend(name: str, hamiltonian: Hamiltonian, noise: NoiseModel, **options):
    """Build a backend by name; ``auto`` picks statevector when it is exact, else ptm."""
    if name == "auto":
        name = "statevector" if noise.is_noiseless else "ptm"
    if name == "statevector":
        from qasbench.sim.statevector import StatevectorBackend

        return StatevectorBackend(hamiltonian, noise)
    if name == "ptm":
        from qasbench.sim.ptm import PTMBackend

        return PTMBackend(hamiltonian, noise, **options)
    if name == "aer":
        from qasbench.sim.aer import AerBackend

        return AerBackend(hamiltonian, noise, **options)
    raise ValueError(f"unknown backend {name!r}; choose from {', '.join(BACKENDS)}")
