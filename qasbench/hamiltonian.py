"""Qubit Hamiltonians as real-weighted sums of Pauli strings.

Conventions (used throughout qasbench):

* A Pauli string is a text of ``I X Y Z`` characters; character ``k`` acts on qubit ``k``
  (PennyLane / OpenFermion wire order, *not* qiskit's reversed labels).
* Computational basis index: qubit 0 is the most significant bit (big-endian), so
  ``|q0 q1 ... q_{n-1}>`` has index ``sum_k q_k 2^(n-1-k)``.
* Energies are in Hartree for chemistry problems; ``constant`` is the identity coefficient
  (nuclear repulsion plus frozen-core energy).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from qasbench.hashing import json_hash

PAULI_CHARS = "IXYZ"


def _popcount(values: np.ndarray) -> np.ndarray:
    """Number of set bits of each (non-negative) integer."""
    values = np.asarray(values, dtype=np.int64)
    count = np.zeros_like(values)
    while np.any(values):
        count += values & 1
        values = values >> 1
    return count


def pauli_masks(pauli: str) -> tuple[int, int]:
    """Return the (x, z) bit masks of a Pauli string (Y sets both), big-endian."""
    n = len(pauli)
    x = z = 0
    for k, char in enumerate(pauli):
        bit = 1 << (n - 1 - k)
        if char in "XY":
            x |= bit
        if char in "ZY":
            z |= bit
    return x, z


def _walsh_hadamard(values: np.ndarray) -> np.ndarray:
    """Unnormalized Walsh-Hadamard transform along the last axis (length 2^n)."""
    out = np.array(values, dtype=complex)
    size = out.shape[-1]
    half = 1
    while half < size:
        view = out.reshape(*out.shape[:-1], size // (2 * half), 2, half)
        a, b = view[..., 0, :].copy(), view[..., 1, :].copy()
        view[..., 0, :] = a + b
        view[..., 1, :] = a - b
        half *= 2
    return out


@dataclass(frozen=True)
class Hamiltonian:
    """``H = constant * I + sum_i coeffs[i] * paulis[i]`` with real coefficients.

    ``paulis`` never contains the all-identity string; it is folded into ``constant``.
    """

    paulis: tuple[str, ...]
    coeffs: np.ndarray
    constant: float = 0.0
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        paulis = tuple(self.paulis)
        coeffs = np.asarray(self.coeffs, dtype=float).reshape(-1)
        if len(paulis) != len(coeffs):
            raise ValueError(f"{len(paulis)} Pauli strings but {len(coeffs)} coefficients")
        if not paulis:
            raise ValueError("a Hamiltonian needs at least one non-identity Pauli term")
        n = len(paulis[0])
        for pauli in paulis:
            if len(pauli) != n or set(pauli) - set(PAULI_CHARS):
                raise ValueError(f"bad Pauli string {pauli!r}: expected {n} characters of IXYZ")
            if set(pauli) == {"I"}:
                raise ValueError("fold the identity term into `constant`")
        object.__setattr__(self, "paulis", paulis)
        object.__setattr__(self, "coeffs", coeffs)
        object.__setattr__(self, "constant", float(self.constant))

    @property
    def n_qubits(self) -> int:
        return len(self.paulis[0])

    @property
    def n_terms(self) -> int:
        return len(self.paulis)

    @cached_property
    def masks(self) -> tuple[np.ndarray, np.ndarray]:
        """Arrays of the x and z bit masks of every term (see :func:`pauli_masks`)."""
        xz = np.array([pauli_masks(p) for p in self.paulis], dtype=np.int64)
        return xz[:, 0], xz[:, 1]

    def sparse_matrix(self) -> sp.csr_matrix:
        """The Hamiltonian as a sparse complex matrix (big-endian basis)."""
        dim = 2**self.n_qubits
        cols = np.arange(dim)
        matrix = sp.identity(dim, dtype=complex, format="csr") * self.constant
        xs, zs = self.masks
        for coeff, x, z in zip(self.coeffs, xs, zs):
            phase = 1j ** _popcount(np.array(x & z))
            values = coeff * phase * (-1.0) ** _popcount(cols & z)
            matrix = matrix + sp.csr_matrix((values, (cols ^ x, cols)), shape=(dim, dim))
        return matrix.tocsr()

    def matrix(self) -> np.ndarray:
        """Dense matrix; meant for n_qubits <= 12."""
        return self.sparse_matrix().toarray()

    def ground_energy(self) -> float:
        """Lowest eigenvalue by exact diagonalization (dense up to 10 qubits, then Lanczos)."""
        if "ground" not in self._cache:
            if self.n_qubits <= 10:
                value = np.linalg.eigvalsh(self.matrix())[0]
            else:
                value = spla.eigsh(self.sparse_matrix(), k=1, which="SA")[0][0]
            self._cache["ground"] = float(value)
        return self._cache["ground"]

    @classmethod
    def from_matrix(cls, matrix: np.ndarray, tol: float = 1e-12) -> "Hamiltonian":
        """Pauli decomposition of a Hermitian matrix in O(n 4^n) by Walsh-Hadamard transforms."""
        matrix = np.asarray(matrix)
        dim = matrix.shape[0]
        n = dim.bit_length() - 1
        if matrix.shape != (dim, dim) or 2**n != dim:
            raise ValueError(f"expected a square 2^n matrix, got shape {matrix.shape}")
        rows = np.arange(dim)
        x_masks = rows[:, None]
        # v[x, j] = M[j, j ^ x]; coefficient(x, z) = i^{|x&z|} WHT_z(v[x]) / 2^n
        v = matrix[rows[None, :], rows[None, :] ^ x_masks]
        w = _walsh_hadamard(v) / dim
        z_masks = rows[None, :]
        coeff = (1j ** _popcount(x_masks & z_masks)) * w
        if np.max(np.abs(coeff.imag)) > 1e-9:
            raise ValueError("matrix is not Hermitian")
        coeff = coeff.real
        paulis, values = [], []
        for x, z in zip(*np.nonzero(np.abs(coeff) > tol)):
            if x == 0 and z == 0:
                continue
            label = "".join(
                "IXZY"[((x >> (n - 1 - k)) & 1) + 2 * ((z >> (n - 1 - k)) & 1)] for k in range(n)
            )
            paulis.append(label)
            values.append(coeff[x, z])
        order = np.argsort(paulis, kind="stable")
        return cls(tuple(paulis[i] for i in order), np.array(values)[order], coeff[0, 0])

    def to_dict(self) -> dict:
        return {
            "paulis": list(self.paulis),
            "coeffs": [float(c) for c in self.coeffs],
            "constant": self.constant,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Hamiltonian":
        return cls(tuple(data["paulis"]), np.array(data["coeffs"], dtype=float), data["constant"])

    def content_hash(self) -> str:
        """sha256 of the canonical JSON of the terms (coefficients to 12 decimals)."""
        canonical = {
            "paulis": list(self.paulis),
            "coeffs": [round(float(c), 12) for c in self.coeffs],
            "constant": round(self.constant, 12),
        }
        return json_hash(canonical)
