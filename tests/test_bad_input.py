"""Bad input: one clear line on stderr, exit code 2, before any work, and nothing lost."""
import json
import os

import numpy as np
import pytest

from qasbench.circuit import Circuit
from qasbench.cli import main
from qasbench.evaluator import Evaluator, Task
from qasbench.report import build_report
from qasbench.results import load_results
from qasbench.verify import verify_directory

SINGLE = ["run", "--algorithm", "random", "--problem", "h2-2q", "--budget", "50"]
GRID_HEAD = 'problems = ["h2-2q"]\nnoise = ["noiseless"]\nseeds = [0]\nbudget = 40\n'


def _refused(capsys, args, message):
    code = main(args)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert message in err, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err


@pytest.mark.parametrize("extra, message", [
    (["--params", "[1, 2]"], "must be a JSON object"),
    (["--params", '"spsa"'], "must be a JSON object"),
    (["--params", '{"evaluations_per_circuit": "ten"}'], "evaluations_per_circuit must be an integer"),
    (["--params", '{"evaluations_per_circuit": 0}'], "evaluations_per_circuit must be positive"),
    (["--params", '{"evaluatons_per_circuit": 5}'], "did you mean 'evaluations_per_circuit'"),
    (["--params", '{"optimizer": "cobila"}'], "did you mean 'cobyla'"),
    (["--workers", "0"], "--workers must be at least 1"),
    (["--workers", "-1"], "--workers must be at least 1"),
    (["--timeout", "-1"], "timeout must be a positive, finite number"),
    (["--timeout", "nan"], "timeout must be a positive, finite number"),
    (["--timeout", "inf"], "timeout must be a positive, finite number"),
    (["--max-gates", "0"], "max_gates must be between 1"),
    (["--max-gates", "-3"], "max_gates must be between 1"),
    (["--budget", "10000000000000"], "budget (evaluations) must be between 1"),
    (["--budget", "0"], "budget (evaluations) must be between 1"),
    (["--shots", "0"], "shots must be between 1"),
    (["--seed", "-4"], "seed must be between 0"),
    (["--seed", "x"], "invalid int value"),
    (["--noise", "mumbai-medain"], "did you mean 'mumbai-median'"),
    (["--executor", "dask"], "--executor dask needs --scheduler"),
])
def test_single_run_inputs(extra, message, tmp_path, capsys):
    _refused(capsys, [*SINGLE, *extra, "--out", str(tmp_path / "out")], message)
    assert not list(tmp_path.rglob("*.json"))


def test_unknown_algorithm_suggests_the_closest(tmp_path, capsys):
    _refused(capsys, ["run", "--algorithm", "crlqass", "--problem", "h2-2q", "--out", str(tmp_path)],
             "did you mean 'crlqas'")


def test_out_that_is_a_file_or_unwritable(tmp_path, capsys):
    existing = tmp_path / "results.txt"
    existing.write_text("keep me")
    _refused(capsys, [*SINGLE, "--out", str(existing)], "is an existing file")
    assert existing.read_text() == "keep me"
    _refused(capsys, [*SINGLE, "--out", str(existing / "sub")], "cannot be written")


@pytest.mark.parametrize("body, message", [
    (GRID_HEAD + 'algorithms = ["random"]\n', "'algorithms' must be tables"),
    ('problems = "h2-2q"\nnoise = ["noiseless"]\nseeds = [0]\n[algorithms.random]\n', "'problems' must be a non-empty list"),
    ('problems = ["h2-2q"]\nnoise = ["noiseless"]\nseeds = [0, "1"]\n[algorithms.random]\n', "every entry of 'seeds'"),
    ('problems = ["h2-2q"]\nnoise = "noiseless"\nseeds = [0]\n[algorithms.random]\n', "'noise' must be a non-empty list"),
    ('problems = ["h2-2q"]\nnoise = ["noiseless"]\nseeds = []\n[algorithms.random]\n', "'seeds' must be a non-empty list"),
    (GRID_HEAD.replace("budget = 40", "budget = 0") + "[algorithms.random]\n", "budget (evaluations) must be between"),
    (GRID_HEAD.replace("budget = 40", "budget = 40.5") + "[algorithms.random]\n", "budget (evaluations) must be an integer"),
    (GRID_HEAD + "[algorithms.random]\nspeed = 2\n", "unknown hyperparameter 'speed'"),
    (GRID_HEAD + "[algorithms.randon]\n", "did you mean 'random'"),
    (GRID_HEAD + "buget = 3\n[algorithms.random]\n", "did you mean 'budget'"),
    (GRID_HEAD.replace("seeds = [0]", "seeds = [0, 0]") + "[algorithms.random]\n", "listed twice"),
])
def test_grid_files(body, message, tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text(body)
    _refused(capsys, ["run", str(grid), "--out", str(tmp_path / "out")], message)
    assert not (tmp_path / "out").exists()


def test_single_run_flags_do_not_silently_apply_to_a_grid(tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text(GRID_HEAD + "[algorithms.random]\n")
    _refused(capsys, ["run", str(grid), "--seed", "3", "--out", str(tmp_path / "out")], "--seed applies to a single run")


def test_problem_and_noise_files(tmp_path, capsys):
    corrupt = tmp_path / "p.json"
    data = json.loads((__import__("qasbench.problems").problems.DATA_DIR / "h2-2q.json").read_text())
    data["hamiltonian"]["coeffs"][0] += 0.1
    corrupt.write_text(json.dumps(data))
    _refused(capsys, ["run", "--algorithm", "random", "--problem", str(corrupt), "--out", str(tmp_path)],
             "content hash does not match")
    _refused(capsys, ["run", "--algorithm", "random", "--problem", str(tmp_path / "none.json"), "--out",
                      str(tmp_path)], "no problem file")
    noise = tmp_path / "n.toml"
    noise.write_text("t1_us = nan\nt2_us = 50.0\n")
    _refused(capsys, [*SINGLE, "--noise", str(noise), "--out", str(tmp_path)], "t1_us must be a finite number")


def test_nonfinite_angles_are_refused_without_charging_the_budget():
    task = Task.make("h2-2q", budget=10)
    evaluator = Evaluator(task, np.random.default_rng(0))
    circuit = task.search_space.sample(np.random.default_rng(1), 6)
    for bad in (np.nan, np.inf):
        angles = np.zeros((2, circuit.n_params))
        angles[1, 0] = bad
        with pytest.raises(ValueError, match="finite"):
            evaluator.energies(circuit, angles)
    assert evaluator.evaluations_used == 0 and evaluator.best is None


@pytest.fixture
def one_record(tmp_path):
    out = tmp_path / "out"
    assert main([*SINGLE, "--out", str(out)]) == 0
    [path] = out.glob("*.json")
    return path


@pytest.mark.parametrize("edit, message", [
    (lambda r: r.update(best_energy=float("nan")), "best_energy is nan"),
    (lambda r: r.update(error=None), "error is None"),
    (lambda r: r.update(angles=r["angles"] + [0.1]), "angles for a circuit of"),
    (lambda r: r.update(circuit={**r["circuit"], "n_qubits": 3}), "the circuit has 3 qubits"),
    (lambda r: r.pop("history"), "missing field 'history'"),
    (lambda r: r["config"].update(seed=99), "config hash does not match"),
])
def test_corrupt_records_are_refused_by_results_report_and_verify(edit, message, one_record, tmp_path, capsys):
    record = json.loads(one_record.read_text().replace("NaN", "null"))
    edit(record)
    one_record.write_text(json.dumps(record))
    with pytest.raises(ValueError, match=message):
        load_results(one_record.parent)
    with pytest.raises(ValueError, match=one_record.name):
        build_report(one_record.parent, tmp_path / "report")
    assert main(["verify", str(one_record.parent)]) == 1
    err = capsys.readouterr().err
    assert one_record.name in err and message.split()[0] in err
    assert verify_directory(one_record.parent)["corrupt"] == 1


def test_records_follow_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        assert main([*SINGLE, "--out", str(tmp_path)]) == 0
    finally:
        os.umask(previous)
    modes = {p.suffix: p.stat().st_mode & 0o777 for p in tmp_path.iterdir() if p.is_file()}
    assert modes == {".json": 0o644, ".csv": 0o644}


def test_a_circuit_of_the_wrong_width_is_refused_by_verify_even_if_the_record_agrees(one_record):
    record = json.loads(one_record.read_text())
    record["circuit"] = Circuit(3).to_dict()
    record["angles"] = []
    record["n_qubits"] = 3
    one_record.write_text(json.dumps(record))
    assert verify_directory(one_record.parent) == {"verified": 0, "failed": 0, "corrupt": 1}
