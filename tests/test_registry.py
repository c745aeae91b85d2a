"""The registry: built-ins through entry points, names without packaging (module:Class, problem
and noise files), Hamiltonian import, and the conformance check failing where it must."""
import json
from dataclasses import dataclass

import numpy as np
import pytest

from qasbench import registry
from qasbench.algorithms import Algorithm, SearchResult, best_result, optimize_angles
from qasbench.cli import main
from qasbench.evaluator import Task
from qasbench.problem import from_file, write_problem
from qasbench.problem_import import hamiltonian_from_operator, parse_openfermion, problem_from_operator
from qasbench.sim.statevector import StatevectorBackend
from qasbench.testing import check_algorithm


@dataclass
class TwoRotations(Algorithm):
    """A tiny outside algorithm: RY on qubit 0 then CNOT(0, 1), angle optimized."""

    optimizer: str = "cobyla"
    evaluations: int = 100

    name = "two-rotations"
    positive = ("evaluations",)

    def search(self, task, evaluator, rng):
        from qasbench.circuit import CNOT, RY, Circuit

        circuit = Circuit(task.problem.n_qubits, (RY(0), CNOT(0, 1)))
        try:
            optimize_angles(evaluator, circuit, rng.uniform(-1, 1, 1), self.optimizer, self.evaluations, rng)
        except Exception:  # noqa: BLE001
            pass
        return best_result(evaluator, {})


@dataclass
class PeeksAtTheSimulator(TwoRotations):
    def search(self, task, evaluator, rng):
        from qasbench.circuit import RY, Circuit

        circuit = Circuit(task.problem.n_qubits, (RY(0),))
        StatevectorBackend(task.problem.hamiltonian, task.noise).expectations(circuit, [[0.3]])
        return super().search(task, evaluator, rng)


@dataclass
class IgnoresItsSeed(TwoRotations):
    def search(self, task, evaluator, rng):
        return super().search(task, evaluator, np.random.default_rng())


@dataclass
class ClaimsABetterEnergy(TwoRotations):
    def search(self, task, evaluator, rng):
        result = super().search(task, evaluator, rng)
        return SearchResult(result.circuit, result.params, result.energy - 0.1, {})


@dataclass
class TakesAnything(TwoRotations):
    def validate(self):  # never refuses a count of zero
        pass


def test_builtins_come_from_entry_points_with_their_distribution():
    for kind, expected in (("algorithm", "random"), ("problem", "h2-2q"), ("noise", "mumbai-median"),
                           ("optimizer", "adam-spsa-lih")):
        entry = registry.entries(kind)[expected]
        assert entry.distribution == "qasbench" and entry.version
    assert registry.load_problem("tfim-5q").n_qubits == 5  # a family member


def test_unknown_names_suggest_the_closest():
    with pytest.raises(ValueError, match="did you mean 'random'"):
        registry.make_algorithm("randm")
    with pytest.raises(ValueError, match="did you mean 'mumbai-median'"):
        registry.load_noise("mumbai-medain")
    with pytest.raises(ValueError, match="did you mean 'evaluations_per_circuit'.*valid: optimizer"):
        registry.make_algorithm("random", evaluatons_per_circuit=5)


@pytest.mark.parametrize("params, message", [
    ({"evaluations_per_circuit": "ten"}, "must be an integer"),
    ({"evaluations_per_circuit": 2.5}, "must be an integer"),
    ({"evaluations_per_circuit": True}, "must be an integer"),
    ({"optimizer": 3}, "must be a string"),
    ({"optimizer": "newton"}, "unknown optimizer 'newton'"),
])
def test_hyperparameters_are_checked_by_type(params, message):
    with pytest.raises(ValueError, match=message):
        registry.make_algorithm("random", **params)


def test_json_lists_become_tuples_where_a_field_is_a_tuple():
    assert registry.make_algorithm("hea", rotations=["RY"]).rotations == ("RY",)
    with pytest.raises(ValueError, match="rotations must be a list"):
        registry.make_algorithm("hea", rotations="RY")


def test_the_conformance_check_passes_a_correct_algorithm_and_fails_broken_ones():
    check_algorithm(TwoRotations, budget=100)
    for broken, message in ((PeeksAtTheSimulator, "called a simulator directly"),
                            (IgnoresItsSeed, "same seed gave a different result"),
                            (ClaimsABetterEnergy, "evaluate to"),
                            (TakesAnything, "accepted the unusable hyperparameters")):
        with pytest.raises(AssertionError, match=message):
            check_algorithm(broken, budget=100)


def _problem_file(tmp_path):
    return write_problem(problem_from_operator([("ZZ", -1.0), ("XI", -0.7), ("IX", -0.7)], "pair-2q",
                                               standard_budget=500, metadata={"model": "two spins"}),
                         tmp_path / "pair.json")


def test_outside_names_run_verify_and_report(tmp_path, capsys):
    """module:Class, a problem file and a noise file, through the CLI end to end."""
    problem = _problem_file(tmp_path)
    noise = tmp_path / "lab.toml"
    noise.write_text("depol_1q = 2e-3\ndepol_2q = 2e-2\nreadout_p01 = 0.01\nreadout_p10 = 0.02\n")
    out = tmp_path / "out"
    assert main(["run", "--algorithm", "tests.test_registry:TwoRotations", "--problem", str(problem),
                 "--noise", str(noise), "--budget", "80", "--out", str(out)]) == 0
    [path] = out.glob("*.json")
    record = json.loads(path.read_text())
    assert (record["problem"], record["noise"], record["algorithm"]) == ("pair-2q", "lab", "tests.test_registry:TwoRotations")
    assert record["config"]["problem"] == str(problem.resolve())
    assert record["problem_hash"] == from_file(problem).content_hash
    assert record["providers"] == {kind: {"distribution": None, "version": None} for kind in ("problem", "noise")} | {
        "algorithm": {"distribution": None, "version": None}}  # unpackaged code and files
    assert main(["verify", str(out)]) == 0
    assert main(["report", str(out), "--out", str(tmp_path / "report")]) == 0
    assert "tests.test_registry:TwoRotations" in (tmp_path / "report" / "index.html").read_text()
    problem.write_text(problem.read_text().replace('"coeffs": [\n   -0.7', '"coeffs": [\n   -0.8'))
    registry.reload()
    capsys.readouterr()
    assert main(["verify", str(out)]) == 1  # the file changed under the record
    assert "content hash" in capsys.readouterr().err


def test_import_from_qiskit_openfermion_text_and_pennylane():
    from qiskit.quantum_info import SparsePauliOp

    h2 = registry.load_problem("h2-2q")
    qiskit_op = SparsePauliOp([p[::-1] for p in h2.hamiltonian.paulis] + ["II"],
                              [*h2.hamiltonian.coeffs, h2.hamiltonian.constant])
    imported = problem_from_operator(qiskit_op, "h2-copy", metadata={"molecule": "H2"})
    assert imported.content_hash == h2.content_hash
    assert imported.ground_energy == pytest.approx(h2.hamiltonian.ground_energy(), abs=1e-12)
    assert imported.metadata["molecule"] == "H2"

    text = "-0.5 [] +\n0.25 [X0 Y2] +\n(0.5+0j) [Z1] +\n0.25 [X0 Y2]"
    hamiltonian = hamiltonian_from_operator(text)
    assert hamiltonian.paulis == ("IZI", "XIY") and list(hamiltonian.coeffs) == [0.5, 0.5]
    assert hamiltonian.constant == -0.5
    assert parse_openfermion("1.0 [Z0]", n_qubits=3) == [("ZII", 1.0)]

    import pennylane as qml

    op = qml.Hamiltonian([0.4, -1.1, 0.3], [qml.PauliZ(0) @ qml.PauliZ(1), qml.PauliX(1), qml.PauliY(0)])
    from_pl = problem_from_operator(op, "pl-2q")
    assert from_pl.hamiltonian.paulis == ("IX", "YI", "ZZ")
    assert from_pl.ground_energy == pytest.approx(np.linalg.eigvalsh(qml.matrix(op, wire_order=[0, 1]))[0])


def test_import_refuses_what_no_problem_can_mean():
    for operator, message in (([("XY", 1j)], "not Hermitian"), ([("II", 1.0)], "no non-identity"),
                              ("0.5 [Q0]", "cannot read"), ([("XY", float("nan"))], "finite"),
                              (object(), "cannot import")):
        with pytest.raises(ValueError, match=message):
            hamiltonian_from_operator(operator)
    with pytest.raises(ValueError, match="problem id"):
        problem_from_operator([("ZZ", 1.0)], "bad id/../x")


def test_import_beyond_12_qubits_uses_the_sparse_solver():
    """13-qubit TFIM ring: our ground energy against scipy's eigsh on qiskit's sparse matrix."""
    from qiskit.quantum_info import SparsePauliOp
    from scipy.sparse.linalg import eigsh

    n = 13
    terms = [(("Z", i), ("Z", (i + 1) % n)) for i in range(n)]
    text = " + ".join(f"-1.0 [Z{i} Z{(i + 1) % n}] + -0.8 [X{i}]" for i in range(n))
    problem = problem_from_operator(text, "ring-13q")
    assert problem.metadata["ground_energy_method"] == "sparse Lanczos" and len(terms) == n
    h = problem.hamiltonian
    matrix = SparsePauliOp([p[::-1] for p in h.paulis], h.coeffs).to_matrix(sparse=True)
    assert problem.ground_energy == pytest.approx(eigsh(matrix, k=1, which="SA")[0][0], abs=1e-8)


def test_import_problem_cli(tmp_path, capsys):
    source = tmp_path / "op.json"
    source.write_text(json.dumps({"qiskit": [["ZI", 0.5], ["XX", [0.3, 0.0]]]}))
    out = tmp_path / "mine.json"
    assert main(["import-problem", str(source), "--id", "mine-2q", "--out", str(out),
                 "--metadata", "mapping=jordan_wigner"]) == 0
    problem = from_file(out)
    assert problem.hamiltonian.paulis == ("IZ", "XX") and problem.metadata["mapping"] == "jordan_wigner"
    assert main(["import-problem", str(source), "--id", "mine-2q", "--out", str(out)]) == 2  # exists
    assert "already exists" in capsys.readouterr().err
    assert Task.make(str(out)).problem.id == "mine-2q"
