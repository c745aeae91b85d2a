"""A ground-state problem and its file format.

A problem is a qubit Hamiltonian with its exact ground energy and a standard evaluation budget.
Success means an absolute error (energy minus ``ground_energy``) below ``CHEMICAL_ACCURACY``
(Hartree), or below ``metadata["success_threshold"]`` where a problem states its own; problems in
other units state theirs in ``metadata["energy_unit"]``, and a figure of merit other than the
error in ``metadata["metric"]`` (``approximation_ratio``: E / E0; ``fidelity``: 1 - E).

Problem file schema (JSON, what :func:`write_problem` writes and :func:`from_file` reads)::

    {"id": "h2-2q", "n_qubits": 2, "ground_energy": -1.137..., "standard_budget": 10000,
     "hamiltonian": {"paulis": ["IZ", ...], "coeffs": [...], "constant": -0.33...},
     "content_hash": "sha256:...",          # Hamiltonian.content_hash() of the terms above
     ...}                                   # any further keys are metadata (molecule, basis...)

Pauli string character k acts on qubit k (see the README's conventions). ``content_hash`` is
checked on reading, so a file whose terms were edited is refused.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from qasbench.hamiltonian import Hamiltonian

CHEMICAL_ACCURACY = 1.6e-3  # Hartree
_UNIT_SYMBOLS = {"Hartree": "Ha"}


def unit_symbol(unit: str | None = None) -> str:
    """How tables, plots and logs write an energy unit (``metadata["energy_unit"]``; none stated
    means Hartree): ``Ha`` for Hartree, any other unit as it is named."""
    unit = unit or "Hartree"
    return _UNIT_SYMBOLS.get(unit, unit)
REQUIRED_KEYS = ("id", "ground_energy", "standard_budget", "hamiltonian", "content_hash")


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

    @property
    def success_threshold(self) -> float:
        """Success: an absolute energy error below this (``metadata["success_threshold"]``,
        default chemical accuracy)."""
        return float(self.metadata.get("success_threshold", CHEMICAL_ACCURACY))

    def summary(self) -> dict:
        return {
            "id": self.id,
            "n_qubits": self.n_qubits,
            "n_terms": self.n_terms,
            "ground_energy": self.ground_energy,
            "standard_budget": self.standard_budget,
            "content_hash": self.content_hash,
        }

    def to_dict(self) -> dict:
        """The problem file's content (metadata keys first, then the checked fields)."""
        return {**self.metadata, "id": self.id, "n_qubits": self.n_qubits,
                "ground_energy": self.ground_energy, "standard_budget": self.standard_budget,
                "hamiltonian": self.hamiltonian.to_dict(), "content_hash": self.content_hash}


def from_file(path: str | Path) -> Problem:
    """Load a problem file (schema above); ValueError naming the file when it is unusable."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
        missing = [k for k in REQUIRED_KEYS if k not in data]
        if missing:
            raise ValueError(f"missing key {missing[0]!r}")
        hamiltonian = Hamiltonian.from_dict(data["hamiltonian"])
        ground, budget = float(data["ground_energy"]), data["standard_budget"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"cannot read problem file {path}: {exc}") from None
    if hamiltonian.content_hash() != data["content_hash"]:
        raise ValueError(f"problem file {path} is corrupt: content hash does not match its terms")
    if not isinstance(data["id"], str) or not data["id"]:
        raise ValueError(f"problem file {path}: 'id' must be a non-empty string")
    if not math.isfinite(ground) or not all(map(math.isfinite, hamiltonian.coeffs)):
        raise ValueError(f"problem file {path}: energies and coefficients must be finite")
    if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1:
        raise ValueError(f"problem file {path}: standard_budget must be a positive integer")
    metadata = {k: v for k, v in data.items() if k not in ("hamiltonian", "id")}
    return Problem(data["id"], hamiltonian, ground, budget, metadata)


def write_problem(problem: Problem, path: str | Path) -> Path:
    """Write ``problem`` as a problem file that :func:`from_file` reads back unchanged."""
    path = Path(path)
    path.write_text(json.dumps(problem.to_dict(), indent=1) + "\n")
    return path
