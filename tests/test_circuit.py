import numpy as np
import pytest
from qiskit.quantum_info import Statevector

from qasbench.circuit import CNOT, RX, RY, RZ, Circuit, Gate
from qasbench.sim.statevector import StatevectorBackend
from qasbench.registry import load_noise
from tests.conftest import random_circuit, random_hamiltonian


def test_counts_and_depth():
    c = Circuit(3, (RX(0), RY(1), CNOT(0, 1), RZ(2), CNOT(1, 2), RX(0)))
    assert c.counts() == {"gates": 6, "cnots": 2, "one_qubit": 4, "params": 4, "depth": 3}
    assert c.moments() == [0, 0, 1, 0, 2, 2]
    assert Circuit(2).depth == 0


def test_json_round_trip(rng):
    c = random_circuit(rng, 4, 25)
    again = Circuit.from_json(c.to_json())
    assert again == c and again.content_hash() == c.content_hash()


@pytest.mark.parametrize("bad", [{"gates": []}, {"n_qubits": 2, "gates": [["CZ", 0, 1]]},
                                 {"n_qubits": 2, "gates": [["CNOT", 0, 0]]},
                                 {"n_qubits": 2, "gates": [["RX", 3]]}])
def test_malformed_circuits_are_rejected(bad):
    with pytest.raises(ValueError):
        Circuit.from_dict(bad)


def test_params_shape_is_checked():
    with pytest.raises(ValueError, match="2 parameters"):
        Circuit(1, (RX(0), RY(0))).check_params([0.1])


def test_qiskit_export_matches_our_statevector(rng):
    c = random_circuit(rng, 3, 15)
    params = rng.uniform(-np.pi, np.pi, c.n_params)
    ours = StatevectorBackend(random_hamiltonian(rng, 3), load_noise("noiseless")).states(c, params)[0]
    theirs = Statevector(c.to_qiskit(params)).data.reshape(2, 2, 2).transpose(2, 1, 0).reshape(-1)
    assert np.allclose(ours, theirs, atol=1e-12)


def test_qasm3_and_pennylane_exports(rng):
    import pennylane as qml

    c = Circuit(2, (RY(0), CNOT(0, 1), RZ(1)))
    text = c.to_qasm3([0.1, 0.2])
    assert "OPENQASM 3" in text and "cx q[0], q[1];" in text and "ry(0.1) q[0];" in text
    ops = c.to_pennylane([0.1, 0.2])
    assert [type(op).__name__ for op in ops] == ["RY", "CNOT", "RZ"]
    assert list(ops[1].wires) == [0, 1]
    dev = qml.device("default.qubit", wires=2)

    @qml.qnode(dev)
    def state():
        for op in ops:
            qml.apply(op)
        return qml.state()

    ours = StatevectorBackend(random_hamiltonian(rng, 2), load_noise("noiseless")).states(c, [0.1, 0.2])[0]
    assert np.allclose(state(), ours, atol=1e-12)  # PennyLane is big-endian too


def test_gate_validation():
    with pytest.raises(ValueError, match="unknown gate"):
        Gate("H", (0,))
    with pytest.raises(ValueError, match="outside"):
        Circuit(2, (CNOT(0, 2),))
