"""The QAS methods of issue #25: their own pieces checked against independent definitions."""
import numpy as np
import pytest

from qasbench.circuit import CNOT, Circuit, Gate
from qasbench.algorithms.training_free import expressibility, path_count
from tests.conftest import random_circuit


def _paths_by_enumeration(circuit: Circuit) -> int:
    """Every source-to-sink walk of the wire graph, listed edge by edge (depth-first)."""
    edges, last = [], ["source"] * circuit.n_qubits  # one edge per wire segment
    for index, gate in enumerate(circuit.gates):
        for q in gate.qubits:
            edges.append((last[q], index))
            last[q] = index
    edges += [(node, "sink") for node in last]

    def walks(node):
        return 1 if node == "sink" else sum(walks(b) for a, b in edges if a == node)
    return walks("source")


def test_path_count_is_the_number_of_source_to_sink_walks(rng):
    assert path_count(Circuit(2, ())) == 2 and path_count(Circuit(2, (CNOT(0, 1),))) == 4
    for n in (2, 3, 4):
        for _ in range(5):
            circuit = random_circuit(rng, n, 12)
            assert path_count(circuit) == _paths_by_enumeration(circuit)


def test_expressibility_ranks_a_fixed_state_last_and_a_rich_circuit_near_haar(rng):
    fixed = Circuit(2, (CNOT(0, 1),))  # no angles: F = 1 always
    single = Circuit(2, (Gate("RZ", (0,)),))  # a phase on |00>: F = 1 always
    rich = Circuit(2, tuple(g for _ in range(6) for g in (Gate("RY", (0,)), Gate("RZ", (0,)), Gate("RY", (1,)),
                                                          Gate("RZ", (1,)), CNOT(0, 1))))
    scores = [expressibility(c, 2000, 75, np.random.default_rng(0)) for c in (fixed, single, rich)]
    assert scores[0] == pytest.approx(scores[1]) and scores[2] > scores[0] + 3
    assert -0.2 < scores[2] <= 0  # random two-qubit states: close to Haar


def test_the_mps_compression_keeps_what_its_bond_dimension_can_hold(rng):
    from qasbench.algorithms.tensorrl import truncated_mps_state

    ghz = np.zeros(16)
    ghz[[0, 15]] = 2**-0.5  # Schmidt rank 2 across every cut
    assert abs(ghz @ truncated_mps_state(ghz, 4, 2)) ** 2 == pytest.approx(1.0)
    assert abs(ghz @ truncated_mps_state(ghz, 4, 1)) ** 2 == pytest.approx(0.5)  # one branch of the cat
    state = rng.normal(size=32) + 1j * rng.normal(size=32)
    state /= np.linalg.norm(state)
    assert abs(np.vdot(state, truncated_mps_state(state, 5, 4))) ** 2 == pytest.approx(1.0)  # 4 = full rank
    product = np.kron(np.kron([0.6, 0.8], [1.0, 0.0]), [2**-0.5, 2**-0.5])
    assert abs(product @ truncated_mps_state(product, 3, 1)) ** 2 == pytest.approx(1.0)


def test_tensorrl_starts_every_episode_from_the_fitted_warm_start():
    from qasbench.config import RunConfig
    from qasbench.runner import run_one

    record = run_one(RunConfig("tensorrl-qas", "h2-4q", budget=3000))
    network = record["info"]["tensor_network"]
    assert network["mps_fidelity"] == pytest.approx(1.0) and network["warm_start_fidelity"] > 0.999
    assert network["warm_start_gates"] == 4 + 3 * 4 and all(
        episode["gates"] >= network["warm_start_gates"] for episode in record["info"]["learning_curve"])


def _supernet(n=3, layers=2, cell_layers=2, coupling=None, max_gates=40, seed=0):
    from qasbench.algorithms.quantum_darts import Supernet

    return Supernet(n, layers, cell_layers, coupling, max_gates, np.random.default_rng(seed))


def test_quantum_darts_slots_build_the_papers_macro_candidates():
    from qasbench.algorithms.quantum_darts import IDENTITY, ROTATION_BLOCK

    net = _supernet(coupling=((0, 1), (1, 2), (2, 1)))  # qubit 0 is nobody's target
    assert net.valid.sum(axis=1).tolist() == [2, 4, 3] * 2  # block, identity, one CNOT per allowed control
    choices = np.array([ROTATION_BLOCK, 3, 2, IDENTITY, ROTATION_BLOCK, 2])
    circuit, angles = net.circuit(choices)
    assert [str(g) for g in circuit.gates] == [str(g) for g in (
        Gate("RZ", (0,)), Gate("RY", (0,)), Gate("RZ", (0,)), CNOT(2, 1), CNOT(1, 2),
        Gate("RZ", (1,)), Gate("RY", (1,)), Gate("RZ", (1,)), CNOT(1, 2))]
    assert np.array_equal(angles, np.r_[net.theta[0], net.theta[4]])
    capped, capped_angles = _supernet(coupling=((0, 1), (1, 2), (2, 1)), max_gates=5).circuit(choices)
    assert len(capped) == 5 and len(capped_angles) == 3  # the first max_gates gates


def test_quantum_darts_micro_search_repeats_one_cell_with_its_own_angles():
    from qasbench.algorithms.quantum_darts import ROTATION_BLOCK

    net = _supernet(n=2, layers=3, cell_layers=1)
    assert net.alpha.shape[0] == 2 and net.slots == 6
    circuit, angles = net.circuit(np.array([ROTATION_BLOCK, 2]))  # block on 0, CNOT(0 -> 1), three times
    assert [g.name for g in circuit.gates] == ["RZ", "RY", "RZ", "CNOT"] * 3
    assert np.array_equal(angles, net.theta[[0, 2, 4]].ravel())
    grad = np.zeros(6)
    grad[[0, 1, 2, 5]] = [1.0, 2.0, 3.0, 4.0]  # the first repetition's block and the second's last angle
    before = net.theta.copy()
    net.theta_step(np.array([ROTATION_BLOCK, 2]), grad, lr=0.1)
    moved = np.flatnonzero(np.any(net.theta != before, axis=1))
    assert moved.tolist() == [0, 2]  # circuit order maps onto the repetitions' own angles


def test_quantum_darts_straight_through_gradient_is_the_relaxations_chain_rule():
    """The step on alpha is J^T g with J the Jacobian of softmax((alpha + gumbel) / tau), checked
    against central differences of that softmax."""
    rng = np.random.default_rng(3)
    z, g, tau = rng.normal(size=5), rng.normal(size=5), 0.7
    softmax = lambda x: np.exp(x / tau - (x / tau).max()) / np.exp(x / tau - (x / tau).max()).sum()  # noqa: E731
    p = softmax(z)
    ours = (p * g - p * (p * g).sum()) / tau
    numeric = np.array([(softmax(z + 1e-6 * e) - softmax(z - 1e-6 * e)) @ g / 2e-6 for e in np.eye(5)])
    assert np.allclose(ours, numeric, atol=1e-8)


def test_quantum_darts_counts_search_and_final_evaluations_apart():
    from qasbench.config import RunConfig
    from qasbench.runner import run_one

    for mode in ("macro", "micro"):
        record = run_one(RunConfig("quantum-darts", "h2-2q", budget=3000, algorithm_params={"mode": mode}))
        info = record["info"]
        assert info["epochs"] == info["planned_epochs"] > 0 and info["mode"] == mode
        assert info["search_evaluations"] + info["finetune_evaluations"] == record["evaluations_used"]
        assert info["search_evaluations"] <= 3000 - int(0.2 * 3000)  # the fine-tuning's reserve is kept
