"""Device snapshots: every qubit's and coupled pair's channel equals qiskit-aer's device model on the same numbers."""
import json

import numpy as np
import pytest

from qasbench.circuit import CNOT, Circuit, Gate
from qasbench.device import available, depolarizing_for, load_device
from qasbench.sim import pauli_basis as pb
from qasbench.sim.aer import AerBackend, device_target
from qasbench.sim.ptm import PTMBackend
from tests.conftest import random_hamiltonian


def _aer_channels(device):
    """qiskit-aer's device gate errors (``basic_device_gate_errors``) for a qiskit Target built
    from the snapshot's numbers: {(gate, qubits): PTM in qiskit's order}."""
    from qiskit.quantum_info import PTM
    from qiskit_aer.noise.device import basic_device_gate_errors

    return {(name, tuple(q)): PTM(error.to_quantumchannel()).data.real
            for name, q, error in basic_device_gate_errors(target=device_target(device))}


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


def _connected_layout(device, n, start):
    """n physical qubits grown breadth-first from ``start`` over the coupling graph."""
    layout, frontier = [start], [start]
    while len(layout) < n:
        q = frontier.pop(0)
        for pair in sorted(device.couplings, key=sorted):
            if q in pair:
                (other,) = pair - {q}
                if other not in layout and len(layout) < n:
                    layout.append(other)
                    frontier.append(other)
    return layout


def _coupled_circuit(rng, noise, n, n_gates):
    """Random rotations and CNOTs (random orientation) on the layout's coupled pairs only."""
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b and noise.coupled(a, b)]
    gates = []
    for _ in range(n_gates):
        if rng.random() < 0.4:
            gates.append(CNOT(*map(int, pairs[rng.integers(len(pairs))])))
        else:
            gates.append(Gate(("RX", "RY", "RZ")[rng.integers(3)], (int(rng.integers(n)),)))
    return Circuit(n, tuple(gates))


@pytest.mark.parametrize("name", available())
@pytest.mark.parametrize("n", [2, 3, 5])
def test_ptm_agrees_with_aer_on_a_device_layout(name, n, rng):
    """Every ptm path (single, batch kernel, torch on the CPU) against aer's device model."""
    device = load_device(name)
    noise = device.on(_connected_layout(device, n, int(rng.integers(device.n_qubits))))
    hamiltonian = random_hamiltonian(rng, n)
    aer = AerBackend(hamiltonian, noise, threads=1)
    backends = [PTMBackend(hamiltonian, noise), PTMBackend(hamiltonian, noise, device="torch-cpu")]
    for _ in range(3):
        circuit = _coupled_circuit(rng, noise, n, 8 * n)
        params = rng.uniform(-np.pi, np.pi, (20, circuit.n_params))  # 20 sets: the batch kernel
        reference = aer.expectations(circuit, params)
        for backend in backends:
            np.testing.assert_allclose(backend.expectations(circuit, params), reference, rtol=0, atol=1e-9)
            np.testing.assert_allclose(backend.expectations(circuit, params[:1]), reference[:1], rtol=0, atol=1e-9)


def test_a_cnot_on_uncoupled_qubits_is_refused():
    noise = load_device("ibm-mumbai").on([0, 1, 4])  # 0-1 and 1-4 coupled, 0-4 not
    backend = PTMBackend(random_hamiltonian(np.random.default_rng(0), 3), noise)
    circuit = Circuit(3, (CNOT(0, 2),))
    with pytest.raises(ValueError, match=r"a CNOT on qubits 0 and 2, which are not coupled \(ibm-mumbai: .* physical qubits \[0, 1, 4\]\)"):
        backend.energies(circuit, np.zeros((1, 0)))


def test_every_algorithm_searches_a_device_task_on_its_coupled_pairs(tmp_path):
    """h2-4q on Torino's default layout, whose coupling is not all-to-all: each registered
    method runs (the ptm backend refuses any CNOT on an uncoupled pair) and returns a circuit of
    the coupled search space; the record names the layout and verifies on aer."""
    from qasbench import registry
    from qasbench.config import RunConfig
    from qasbench.evaluator import Task
    from qasbench.runner import run_grid
    from qasbench.verify import verify_directory

    task = Task.make("h2-4q", "ibm-torino")
    assert task.noise.layout == load_device("ibm-torino").default_layout(4)
    assert 0 < len(task.search_space.coupling) < 4 * 3  # some pairs, not all
    configs = [RunConfig(name, "h2-4q", "ibm-torino", 0, 300) for name in registry.names("algorithm")]
    counts = run_grid(configs, tmp_path)
    assert counts["failed"] == 0 and counts["done"] == len(configs)
    for path in tmp_path.glob("*.json"):
        record = json.loads(path.read_text())
        assert record["layout"] == list(task.noise.layout)
        assert task.search_space.contains(Circuit.from_dict(record["circuit"]))
    assert verify_directory(tmp_path)["verified"] == len(configs)


@pytest.mark.parametrize("name", available())
def test_native_circuits_are_the_same_unitary_in_the_devices_gates_and_directions(name, rng):
    from qiskit.quantum_info import Operator

    from qasbench.evaluator import Task
    from qasbench.native import basis, calibrated_directions, native_circuit, native_counts

    task = Task.make("h2-4q", name)
    directions = {tuple(pair) for pair in calibrated_directions(task.noise)}
    for _ in range(3):
        circuit = task.search_space.sample(rng, 16)
        params = rng.uniform(-np.pi, np.pi, circuit.n_params)
        out = native_circuit(circuit, params, task.noise)
        assert Operator(out).equiv(Operator(circuit.to_qiskit(params[None])))
        assert set(out.count_ops()) <= set(basis(task.noise))
        assert all(len(op.qubits) == 1 or tuple(out.find_bit(q).index for q in op.qubits) in directions
                   for op in out.data)
        counts = native_counts(circuit, params, task.noise)
        assert counts["two_qubit_gates"] == out.count_ops().get(basis(task.noise)[-1], 0)


def test_device_records_carry_native_counts_and_the_report_shows_them(tmp_path):
    import pandas as pd

    from qasbench.cli import main

    assert main(["run", "--algorithm", "hea", "--problem", "h2-2q", "--noise", "ibm-sherbrooke", "--budget", "200",
                 "--out", str(tmp_path)]) == 0
    record = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert record["native"]["two_qubit_gate"] == "ecr" and record["native"]["optimization_level"] == 1
    assert main(["verify", str(tmp_path)]) == 0 and main(["report", str(tmp_path), "--out", str(tmp_path / "r")]) == 0
    table = pd.read_csv(tmp_path / "r" / "leaderboard.csv")
    assert table.median_native_2q.tolist() == [record["native"]["two_qubit_gates"]]
    assert "Native 2q gates" in (tmp_path / "r" / "leaderboard.md").read_text()


def test_placements_are_the_connected_layouts_holding_the_given_pairs_on_couplers():
    device = load_device("ibm-mumbai")
    assert len(device.placements(2)) == 2 * len(device.couplings)  # each coupler, both orientations
    path = [(0, 1), (1, 2), (2, 3)]
    found = device.placements(4, path)
    assert found and len(set(found)) == len(found)
    for layout in found:
        assert all(frozenset((layout[a], layout[b])) in device.couplings for a, b in path)
    # brute force over the 4-qubit layouts grown along the path: the same set
    brute = {(a, b, c, d) for a in range(27) for b in range(27) for c in range(27) for d in range(27)
             if len({a, b, c, d}) == 4 and all(frozenset(p) in device.couplings for p in ((a, b), (b, c), (c, d)))}
    assert set(found) == brute


def test_an_explicit_layout_is_a_cell_of_its_own_and_the_default_one_keeps_the_devices_name(tmp_path):
    import pandas as pd

    from qasbench.cli import main
    from qasbench.evaluator import Task

    default = Task.make("h2-2q", "ibm-torino").noise.layout
    files = {}
    for label, layout in (("default", list(default)), ("other", [0, 1])):
        files[label] = tmp_path / f"{label}.toml"
        files[label].write_text(f'device = "ibm-torino"\nlayout = {layout}\n')
    grid = tmp_path / "grid.toml"
    grid.write_text(f'name = "g"\nproblems = ["h2-2q"]\nnoise = ["ibm-torino", "{files["other"]}"]\nseeds = [0]\n'
                    'budget = 200\n[algorithms.hea]\n')
    assert main(["run", str(grid), "--out", str(tmp_path / "runs")]) == 0 and main(["verify", str(tmp_path / "runs")]) == 0
    assert main(["report", str(tmp_path / "runs"), "--out", str(tmp_path / "report")]) == 0
    assert sorted(pd.read_csv(tmp_path / "report" / "leaderboard.csv").noise) == ["ibm-torino", "ibm-torino@0-1"]
    from qasbench.config import RunConfig

    assert RunConfig("hea", "h2-2q", str(files["default"])).noise_name == "ibm-torino"
