import json

import numpy as np
import pytest

from qasbench import problems

# DESIGN.md table: pyscf CASCI/FCI energies (Hartree)
EXPECTED = {
    "h2-2q": (2, -1.137270), "h2-3q": (3, -1.137270), "h2-4q": (4, -1.136189),
    "lih-4q": (4, -7.789089), "lih-6q": (6, -7.844879), "h2o-8q": (8, -74.972336),
}


@pytest.mark.parametrize("pid", list(EXPECTED))
def test_chemistry_energies_match_the_design_table(pid):
    problem = problems.load(pid)
    n_qubits, energy = EXPECTED[pid]
    assert problem.n_qubits == n_qubits
    tolerance = 1e-5 if not pid.startswith("h2o") else 1e-6
    assert abs(problem.ground_energy - energy) < tolerance
    # the stored energy is the lowest eigenvalue of the stored operator
    assert abs(problem.hamiltonian.ground_energy() - problem.ground_energy) < 1e-9
    assert problem.metadata["casci_energy"] == pytest.approx(problem.ground_energy, abs=1e-8)


def test_spin_chains():
    tfim = problems.load("tfim-2q")  # -Z0Z1 - X0 - X1: ground energy -sqrt(5)
    assert tfim.ground_energy == pytest.approx(-np.sqrt(5))
    heis = problems.load("heisenberg-2q")  # singlet of XX+YY+ZZ: -3
    assert heis.ground_energy == pytest.approx(-3.0)
    assert problems.load("tfim-12q").n_qubits == 12


@pytest.mark.parametrize("bad", ["h2-5q", "tfim-1q", "tfim-40q", "ising-4q", ""])
def test_unknown_problems_are_rejected(bad):
    with pytest.raises(ValueError):
        problems.load(bad)


def test_corrupt_problem_file_is_detected(tmp_path):
    path = tmp_path / "h2-2q.json"
    data = json.loads((problems.DATA_DIR / "h2-2q.json").read_text())
    data["hamiltonian"]["coeffs"][0] += 0.1
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="content hash"):
        problems.from_file(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="cannot read"):
        problems.from_file(path)


def test_generation_reproduces_committed_files(tmp_path):
    """Regenerating with pyscf gives byte-identical data files."""
    from qasbench.problems import generate

    for pid in ("h2-2q", "h2-3q", "lih-4q"):
        out = tmp_path / f"{pid}.json"
        assert generate.main([pid, "--out", str(out)]) == 0
        assert out.read_text() == (problems.DATA_DIR / f"{pid}.json").read_text()


def test_bond_length_generation(tmp_path):
    from qasbench.problems import generate

    out = tmp_path / "h2-stretched.json"
    assert generate.main(["h2-4q", "--bond-length", "1.5", "--out", str(out)]) == 0
    stretched = problems.from_file(out)
    assert stretched.metadata["bond_length"] == 1.5
    assert stretched.ground_energy > problems.load("h2-4q").ground_energy  # 0.70 A is near equilibrium
