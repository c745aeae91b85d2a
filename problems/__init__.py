"""The qasbench problem suite: ground-state tasks with exact reference energies.

Chemistry problems are read from the JSON files in ``data/`` (generated once by
:mod:`qasbench.problems.generate`; the runtime never imports a chemistry package).
Spin chains are built on the fly: ``tfim-<n>q`` (transverse-field Ising,
``H = -sum Z_i Z_{i+1} - sum X_i``, open chain) and ``heisenberg-<n>q``
(``H = sum X_i X_{i+1} + Y_i Y_{i+1} + Z_i Z_{i+1}``, open chain), 2 <= n <= 14.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from qasbench.hamiltonian import Hamiltonian

DATA_DIR = Path(__file__).parent / "data"
CHEMICAL_ACCURACY = 1.6e-3  # Hartree
CHEMISTRY_IDS = ("h2-2q", "h2-3q", "h2-4q", "lih-4q", "lih-6q", "h2o-8q")
_SPIN_PATTERN = re.compile(r"^(tfim|heisenberg)-(\d+)q$")
_SPIN_MAX_QUBITS = 14


@dataclass(frozen=True)
class Problem:
    """A ground-state problem: find a state of energy close to ``ground_energy``."""

    id: str
    hamiltonian: Hamiltonian
    ground_energy: float
    standard_budget: int
    metadata: dict = field(default_factory=dict, compare=False)

    @property
    def n_qubits(self) -> int:
        return self.hamiltonian.n_qubits

    @property
    def n_terms(self) -> int:
        return self.hamiltonian.n_terms

    @property
    def content_hash(self) -> str:
        return self.hamiltonian.content_hash()

    def summary(self) -> dict:
        return {
            "id": self.id,
            "n_qubits": self.n_qubits,
            "n_terms": self.n_terms,
            "ground_energy": self.ground_energy,
            "standard_budget": self.standard_budget,
            "content_hash": self.content_hash,
        }


def available() -> list[str]:
    """Ids of the shipped problems (spin chains are listed at 4 and 6 qubits)."""
    return [*CHEMISTRY_IDS, "tfim-4q", "tfim-6q", "heisenberg-4q", "heisenberg-6q"]


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
    if not 2 <= n_qubits <= _SPIN_MAX_QUBITS:
        raise ValueError(f"spin chains need 2..{_SPIN_MAX_QUBITS} qubits, got {n_qubits}")
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


def from_file(path: str | Path) -> Problem:
    """Load a problem JSON written by :mod:`qasbench.problems.generate`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
        hamiltonian = Hamiltonian.from_dict(data["hamiltonian"])
        problem_id, ground, budget = data["id"], data["ground_energy"], data["standard_budget"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"cannot read problem file {path}: {exc}") from exc
    if hamiltonian.content_hash() != data.get("content_hash"):
        raise ValueError(f"problem file {path} is corrupt: content hash does not match its terms")
    metadata = {k: v for k, v in data.items() if k not in ("hamiltonian", "id")}
    return Problem(problem_id, hamiltonian, float(ground), int(budget), metadata)


@lru_cache(maxsize=None)
def load(problem_id: str) -> Problem:
    """Return the problem with this id (a chemistry id, ``tfim-<n>q`` or ``heisenberg-<n>q``)."""
    if problem_id in CHEMISTRY_IDS:
        return from_file(DATA_DIR / f"{problem_id}.json")
    match = _SPIN_PATTERN.match(problem_id)
    if match:
        return spin_chain(match.group(1), int(match.group(2)))
    raise ValueError(
        f"unknown problem {problem_id!r}; choose from {', '.join(CHEMISTRY_IDS)}, "
        "tfim-<n>q or heisenberg-<n>q (run `qasbench problems`)"
    )
