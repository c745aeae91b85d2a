"""The built-in problems: chemistry ground states and spin chains, registered by name.

Chemistry problems are read from the JSON files in ``data/`` (generated once by
:mod:`qasbench.problems.generate`; the runtime never imports a chemistry package).
Spin chains are built on the fly: ``tfim-<n>q`` (transverse-field Ising,
``H = -sum Z_i Z_{i+1} - sum X_i``, open chain) and ``heisenberg-<n>q``
(``H = sum X_i X_{i+1} + Y_i Y_{i+1} + Z_i Z_{i+1}``, open chain), 2 <= n <= 16.
Each is an entry point of the group ``qasbench.problems`` in pyproject.toml; names resolve
through :mod:`qasbench.registry`, never by importing this module.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from qasbench.hamiltonian import Hamiltonian
from qasbench.problem import Problem, from_file

DATA_DIR = Path(__file__).parent / "data"
SPIN_MAX_QUBITS = 16


def _chemistry(problem_id: str):
    def load() -> Problem:
        return from_file(DATA_DIR / f"{problem_id}.json")
    load.__doc__ = f"The {problem_id} problem file shipped in qasbench/problems/data."
    return load


h2_2q, h2_3q, h2_4q = _chemistry("h2-2q"), _chemistry("h2-3q"), _chemistry("h2-4q")
lih_4q, lih_6q, h2o_8q = _chemistry("lih-4q"), _chemistry("lih-6q"), _chemistry("h2o-8q")
beh2_6q, beh2_8q, beh2_10q = _chemistry("beh2-6q"), _chemistry("beh2-8q"), _chemistry("beh2-10q")
beh2_12q, beh2_14q, lih_12q = _chemistry("beh2-12q"), _chemistry("beh2-14q"), _chemistry("lih-12q")
h2o_10q, h2o_12q = _chemistry("h2o-10q"), _chemistry("h2o-12q")


def _chain(n: int, couplings: dict[str, float], field_terms: dict[str, float]) -> Hamiltonian:
    paulis, coeffs = [], []
    for i in range(n - 1):
        for pair, value in couplings.items():
            label = ["I"] * n
            label[i] = label[i + 1] = pair
            paulis.append("".join(label))
            coeffs.append(value)
    for i in range(n):
        for char, value in field_terms.items():
            label = ["I"] * n
            label[i] = char
            paulis.append("".join(label))
            coeffs.append(value)
    return Hamiltonian(tuple(paulis), np.array(coeffs), 0.0)


def spin_chain(kind: str, n_qubits: int) -> Problem:
    """Transverse-field Ising (J = h = 1) or Heisenberg (J = 1) open chain."""
    if not 2 <= n_qubits <= SPIN_MAX_QUBITS:
        raise ValueError(f"spin chains need 2..{SPIN_MAX_QUBITS} qubits, got {n_qubits}")
    if kind == "tfim":
        hamiltonian = _chain(n_qubits, {"Z": -1.0}, {"X": -1.0})
    elif kind == "heisenberg":
        hamiltonian = _chain(n_qubits, {"X": 1.0, "Y": 1.0, "Z": 1.0}, {})
    else:
        raise ValueError(f"unknown spin chain {kind!r}; choose tfim or heisenberg")
    return Problem(
        id=f"{kind}-{n_qubits}q",
        hamiltonian=hamiltonian,
        ground_energy=hamiltonian.ground_energy(),
        standard_budget=25_000 * n_qubits,
        metadata={"kind": "spin-chain", "model": kind, "boundary": "open", "energy_unit": "J"},
    )


def tfim(n_qubits: int) -> Problem:
    """The family ``tfim-<n>q``."""
    return spin_chain("tfim", n_qubits)


def heisenberg(n_qubits: int) -> Problem:
    """The family ``heisenberg-<n>q``."""
    return spin_chain("heisenberg", n_qubits)
