from functools import reduce

import numpy as np
import pytest
from qiskit.quantum_info import SparsePauliOp, Statevector

from qasbench.hamiltonian import Hamiltonian
from qasbench.sim.pauli_basis import PAULI_MATRICES
from tests.conftest import random_circuit, random_hamiltonian


def explicit_matrix(h: Hamiltonian) -> np.ndarray:
    """Kronecker products in string order: character 0 is the leftmost (most significant) factor."""
    out = h.constant * np.eye(2**h.n_qubits, dtype=complex)
    for label, coeff in zip(h.paulis, h.coeffs):
        out += coeff * reduce(np.kron, [PAULI_MATRICES["IXYZ".index(c)] for c in label])
    return out


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_matrix_matches_kronecker_products(rng, n):
    h = random_hamiltonian(rng, n)
    assert np.allclose(h.matrix(), explicit_matrix(h), atol=1e-12)


@pytest.mark.parametrize("n", [1, 3, 4])
def test_pauli_decomposition_round_trip(rng, n):
    a = rng.normal(size=(2**n, 2**n)) + 1j * rng.normal(size=(2**n, 2**n))
    a = a + a.conj().T
    assert np.allclose(Hamiltonian.from_matrix(a).matrix(), a, atol=1e-12)


def test_from_matrix_rejects_non_hermitian():
    with pytest.raises(ValueError, match="Hermitian"):
        Hamiltonian.from_matrix(np.array([[0, 1], [0, 0]], dtype=complex))


def test_qubit_order_agrees_with_qiskit(rng):
    """Our qubit k is qiskit's qubit k; qiskit labels are reversed strings."""
    h = random_hamiltonian(rng, 3)
    circuit = random_circuit(rng, 3, 12)
    params = rng.uniform(-np.pi, np.pi, circuit.n_params)
    qiskit_op = SparsePauliOp([p[::-1] for p in h.paulis], h.coeffs)
    expected = Statevector(circuit.to_qiskit(params)).expectation_value(qiskit_op).real + h.constant
    ours = Statevector(circuit.to_qiskit(params)).data  # little-endian amplitudes
    n = 3
    big_endian = ours.reshape([2] * n).transpose(list(range(n))[::-1]).reshape(-1)
    assert np.isclose(big_endian.conj() @ h.matrix() @ big_endian, expected)


def test_ground_energy_is_lowest_eigenvalue(rng):
    h = random_hamiltonian(rng, 4)
    assert np.isclose(h.ground_energy(), np.linalg.eigvalsh(explicit_matrix(h))[0])


def test_bad_terms_are_rejected():
    with pytest.raises(ValueError, match="IXYZ"):
        Hamiltonian(("XA",), np.ones(1))
    with pytest.raises(ValueError, match="coefficients"):
        Hamiltonian(("XX", "ZZ"), np.ones(1))
    with pytest.raises(ValueError, match="identity"):
        Hamiltonian(("II",), np.ones(1))
