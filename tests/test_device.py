"""Device snapshots: every qubit's and coupled pair's channel equals qiskit-aer's device model on the same numbers."""
import numpy as np
import pytest

from qasbench.device import available, depolarizing_for, load_device
from qasbench.sim import pauli_basis as pb


def _aer_channels(device):
    """qiskit-aer's device gate errors (``basic_device_gate_errors``) for a qiskit Target built
    from the snapshot's numbers: {(gate, qubits): PTM in qiskit's order}."""
    from qiskit.circuit.library import CXGate, CZGate, ECRGate, SXGate
    from qiskit.quantum_info import PTM
    from qiskit.transpiler import InstructionProperties, QubitProperties, Target
    from qiskit_aer.noise.device import basic_device_gate_errors

    qubits = device.data["qubits"]
    target = Target(num_qubits=device.n_qubits,
                    qubit_properties=[QubitProperties(t1=q["t1_us"] * 1e-6, t2=q["t2_us"] * 1e-6) for q in qubits])
    target.add_instruction(SXGate(), {(i,): InstructionProperties(duration=q["time_sx_ns"] * 1e-9, error=q["error_sx"])
                                      for i, q in enumerate(qubits)})
    gate = {"cx": CXGate, "ecr": ECRGate, "cz": CZGate}[device.data["two_qubit_gate"]]()
    target.add_instruction(gate, {tuple(p["qubits"]): InstructionProperties(duration=p["time_ns"] * 1e-9, error=p["error"])
                                  for p in device.data["pairs"]})
    return {(name, tuple(q)): PTM(error.to_quantumchannel()).data.real
            for name, q, error in basic_device_gate_errors(target=target)}


def _ours_in_qiskit_order(ptm):
    """Our two-qubit PTM (first qubit most significant) in qiskit's order (first qubit least)."""
    swap = np.arange(16).reshape(4, 4).T.ravel()
    return ptm[np.ix_(swap, swap)]


@pytest.mark.parametrize("name", available())
def test_every_channel_is_aers_device_model(name):
    device = load_device(name)
    reference = _aer_channels(device)
    gate = device.data["two_qubit_gate"]
    for q in range(device.n_qubits):
        np.testing.assert_allclose(device.one_qubit_channel(q), reference["sx", (q,)], rtol=0, atol=1e-12)
    for pair in device.data["pairs"]:
        a, b = pair["qubits"]
        np.testing.assert_allclose(_ours_in_qiskit_order(device.two_qubit_channel(a, b)), reference[gate, (a, b)],
                                   rtol=0, atol=1e-12)


def _infidelity_and_relaxation_infidelity(channel, relaxation):
    return 1 - pb.average_gate_fidelity(channel), 1 - pb.average_gate_fidelity(relaxation)


@pytest.mark.parametrize("name", available())
def test_each_gate_infidelity_is_its_calibrated_error(name):
    """Equal to the calibrated error wherever the relaxation alone stays below it (and the
    error is physical); elsewhere the channel is the relaxation alone."""
    device, matched = load_device(name), 0
    gates = [(device.one_qubit_channel(q), device.relaxation_channel(q, c["time_sx_ns"]), c["error_sx"])
             for q, c in enumerate(device.data["qubits"])]
    for pair in device.data["pairs"]:
        a, b = pair["qubits"]
        relax = np.kron(device.relaxation_channel(a, pair["time_ns"]), device.relaxation_channel(b, pair["time_ns"]))
        gates.append((device.two_qubit_channel(a, b), relax, pair["error"]))
    for channel, relax, error in gates:
        infidelity, relax_infidelity = _infidelity_and_relaxation_infidelity(channel, relax)
        if relax_infidelity < error < 0.5:
            assert infidelity == pytest.approx(error, rel=1e-9)
            matched += 1
        elif error <= relax_infidelity:
            np.testing.assert_array_equal(channel, relax)
    assert matched >= 0.6 * len(gates)


def test_relaxation_beyond_the_error_and_broken_couplers():
    relax = pb.relaxation_ptm(0.99, 0.98)
    assert depolarizing_for(1e-4, relax) == 0.0  # relaxation alone exceeds the reported error
    assert depolarizing_for(1.0, np.eye(16)) == pytest.approx(16 / 15)  # capped: fully depolarizing
    with pytest.raises(ValueError, match="not coupled"):
        load_device("ibm-mumbai").two_qubit_channel(0, 5)
    with pytest.raises(ValueError, match="unknown device 'ibm-nowhere'; available: ibm-mumbai"):
        load_device("ibm-nowhere")


def test_the_snapshots_are_what_the_script_wrote():
    """Facts of the qiskit-ibm-runtime 0.51 snapshots, independent of how they are stored."""
    facts = {name: (load_device(name).n_qubits, load_device(name).data["two_qubit_gate"], len(load_device(name).couplings))
             for name in available()}
    assert facts == {"ibm-mumbai": (27, "cx", 28), "ibm-sherbrooke": (127, "ecr", 144), "ibm-torino": (133, "cz", 150)}
