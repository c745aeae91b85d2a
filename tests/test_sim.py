"""Every simulator path against the independent qiskit-aer reference, on random circuits."""
import numpy as np
import pytest
from qiskit import transpile
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel as AerNoiseModel
from qiskit_aer.noise import ReadoutError

from qasbench import noise
from qasbench.noise import NoiseModel
from qasbench.registry import load_noise, names
from qasbench.circuit import CNOT, RX, Circuit
from qasbench.hamiltonian import Hamiltonian
from qasbench.sim import make_backend
from qasbench.sim.aer import AerBackend
from qasbench.sim import ptm
from qasbench.sim.ptm import PTMBackend
from qasbench.sim.statevector import StatevectorBackend
from tests.conftest import random_circuit, random_hamiltonian

# the uniform profiles on random all-pair circuits (device snapshots couple only some pairs:
# tests/test_device.py runs them on their layouts)
PROFILES = [name for name in names("noise") if isinstance(load_noise(name), NoiseModel)]
# the PTM simulator's implementations: the single-state kernel, the batch-last kernel (forced
# for every batch), and the torch matmul path
PTM_PATHS = {"kernel": ("cpu", {}), "batch-kernel": ("cpu", {"BATCH_KERNEL_QUBITS": 99, "BATCH_KERNEL_MIN_BATCH": 1}),
             "torch": ("torch-cpu", {})}


@pytest.fixture(params=list(PTM_PATHS))
def ptm_device(request, monkeypatch):
    device, thresholds = PTM_PATHS[request.param]
    for name, value in thresholds.items():
        monkeypatch.setattr(ptm, name, value)
    return device


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_ptm_matches_aer_on_random_circuits(profile, n, ptm_device):
    rng = np.random.default_rng(100 * n + PROFILES.index(profile))
    model = load_noise(profile)
    h = random_hamiltonian(rng, n, n_terms=min(20, 4**n - 1))
    ptm, aer = PTMBackend(h, model, device=ptm_device), AerBackend(h, model)
    for n_gates in (1, 7, 4 * n + 6):
        circuit = random_circuit(rng, n, n_gates)
        params = rng.uniform(-np.pi, np.pi, (3, circuit.n_params))
        assert np.max(np.abs(ptm.expectations(circuit, params) - aer.expectations(circuit, params))) < 1e-9


@pytest.mark.parametrize("channel", [
    {"depol_1q": 0.05}, {"depol_2q": 0.2}, {"t1_us": 50.0, "t2_us": 70.0, "time_1q_ns": 500.0},
    {"t1_us": 30.0, "t2_us": 60.0, "time_2q_ns": 2000.0}, {"readout_p01": 0.07},
    {"readout_p10": 0.11}, {"readout_p01": 0.3, "readout_p10": 0.05},
    {"depol_2q": 1.0}, {"depol_1q": 4 / 3, "depol_2q": 16 / 15},  # fully depolarizing and beyond
])
def test_each_channel_alone_matches_aer(channel, rng, ptm_device):
    model = noise.NoiseModel("single-channel", **channel)
    h = random_hamiltonian(rng, 3, n_terms=30)
    circuit = random_circuit(rng, 3, 14)
    params = rng.uniform(-np.pi, np.pi, (2, circuit.n_params))
    expected = AerBackend(h, model).expectations(circuit, params)
    assert np.max(np.abs(PTMBackend(h, model, device=ptm_device).expectations(circuit, params) - expected)) < 1e-9


@pytest.mark.parametrize("n", [1, 2, 4, 6])
def test_noiseless_paths_agree(n, rng, ptm_device):
    h = random_hamiltonian(rng, n, n_terms=min(25, 4**n - 1))
    model = load_noise("noiseless")
    circuit = random_circuit(rng, n, 3 * n + 5)
    params = rng.uniform(-np.pi, np.pi, (4, circuit.n_params))
    sv = StatevectorBackend(h, model).expectations(circuit, params)
    assert np.max(np.abs(sv - AerBackend(h, model).expectations(circuit, params))) < 1e-9
    assert np.max(np.abs(sv - PTMBackend(h, model, device=ptm_device).expectations(circuit, params))) < 1e-9
    energies = StatevectorBackend(h, model).energies(circuit, params)  # the fused energy kernel
    assert np.max(np.abs(energies - AerBackend(h, model).energies(circuit, params))) < 1e-9


@pytest.mark.parametrize("n", [7, 8])
def test_ptm_energies_agree_with_aer_on_larger_states(n, rng):
    """Every qubit pair, the last two qubits included (the kernel's gathered passes), and the
    readout-folded energy dot product, against aer."""
    h = random_hamiltonian(rng, n, n_terms=30)
    model = load_noise("mumbai-median")
    gates = [CNOT(a, b) for a in range(n) for b in range(n) if a != b]
    gates = [g for pair in zip(gates, random_circuit(rng, n, len(gates)).gates) for g in pair]
    circuit = Circuit(n, tuple(gates))
    params = rng.uniform(-np.pi, np.pi, (2, circuit.n_params))
    ptm = PTMBackend(h, model)
    expected = AerBackend(h, model).energies(circuit, params)
    assert np.max(np.abs(ptm.energies(circuit, params) - expected)) < 1e-9
    assert np.max(np.abs(ptm.expectations(circuit, params) @ h.coeffs + h.constant - expected)) < 1e-9


@pytest.mark.parametrize("n", [8, 11, 14, 16])
def test_statevector_energies_agree_with_aer_on_larger_states(n, rng):
    h = random_hamiltonian(rng, n, n_terms=40)
    model = load_noise("noiseless")
    circuit = random_circuit(rng, n, 4 * n)
    params = rng.uniform(-np.pi, np.pi, (2, circuit.n_params))
    expected = AerBackend(h, model).energies(circuit, params)
    assert np.max(np.abs(StatevectorBackend(h, model).energies(circuit, params) - expected)) < 1e-9


def test_ptm_agrees_with_aer_at_ten_qubits_and_refuses_past_its_limit(rng):
    n = 10
    h = random_hamiltonian(rng, n, n_terms=30)
    model = load_noise("mumbai-median")
    circuit = random_circuit(rng, n, 24)
    params = rng.uniform(-np.pi, np.pi, (1, circuit.n_params))
    assert np.max(np.abs(PTMBackend(h, model).energies(circuit, params) - AerBackend(h, model).energies(
        circuit, params))) < 1e-9
    with pytest.raises(ValueError, match=r"14 qubits is refused: .*\(2 GiB per state"):
        PTMBackend(random_hamiltonian(rng, 14, n_terms=3), model)


@pytest.mark.parametrize("profile", ["mumbai-max", "mumbai-10xmax"])
def test_ptm_preserves_trace(profile, rng):
    h = random_hamiltonian(rng, 4)
    circuit = random_circuit(rng, 4, 30)
    vectors = PTMBackend(h, load_noise(profile)).pauli_vectors(circuit, rng.uniform(0, 6, (3, circuit.n_params)))
    assert np.allclose(vectors[:, 0], 1.0, atol=1e-14)  # r_I = Tr(rho)
    # a valid state has purity Tr(rho^2) = sum_P r_P^2 / 2^n <= 1
    assert np.all((vectors**2).sum(axis=1) / 2**4 <= 1 + 1e-12)


def test_torch_path_equals_numpy_path(rng):
    h = random_hamiltonian(rng, 4)
    model = load_noise("mumbai-median")
    circuit = random_circuit(rng, 4, 25)
    params = rng.uniform(-np.pi, np.pi, (5, circuit.n_params))
    numpy_values = PTMBackend(h, model).expectations(circuit, params)
    torch_values = PTMBackend(h, model, device="torch-cpu").expectations(circuit, params)
    assert np.max(np.abs(numpy_values - torch_values)) < 1e-12


def test_readout_error_matches_aer_measured_distribution():
    """Sample aer with its own ReadoutError and compare <Z...Z> parities with our readout model."""
    model = noise.NoiseModel("readout", readout_p01=0.08, readout_p10=0.15)
    circuit = Circuit(3, (RX(0), CNOT(0, 1), RX(2)))
    params = np.array([1.1, 2.2])
    qc = circuit.to_qiskit(params)
    qc.measure_all()
    aer_noise = AerNoiseModel()
    aer_noise.add_all_qubit_readout_error(ReadoutError([[0.92, 0.08], [0.15, 0.85]]))
    shots = 400_000
    counts = AerSimulator(noise_model=aer_noise, seed_simulator=7).run(transpile(qc), shots=shots).result().get_counts()
    labels = ("ZII", "IZI", "IIZ", "ZZI", "ZIZ", "ZZZ")
    h = Hamiltonian(labels, np.ones(len(labels)))
    predicted = PTMBackend(h, model).expectations(circuit, params)[0]
    for label, value in zip(labels, predicted):
        qubits = [q for q, c in enumerate(label) if c == "Z"]
        sampled = sum(n * (-1) ** sum(int(bits[::-1][q]) for q in qubits) for bits, n in counts.items()) / shots
        assert abs(sampled - value) < 5 / np.sqrt(shots)  # 5 standard errors


def test_backend_errors_are_clear(rng):
    h = random_hamiltonian(rng, 3)
    with pytest.raises(ValueError, match="noiseless"):
        StatevectorBackend(h, load_noise("depol-1e-3"))
    with pytest.raises(ValueError, match="unknown backend"):
        make_backend("qulacs", h, load_noise("noiseless"))
    with pytest.raises(ValueError, match="qubits"):
        PTMBackend(h, load_noise("noiseless")).expectations(Circuit(2, (RX(0),)), [0.1])
    assert make_backend("auto", h, load_noise("noiseless")).name == "statevector"
    assert make_backend("auto", h, load_noise("mumbai-median")).name == "ptm"
