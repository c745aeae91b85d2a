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
