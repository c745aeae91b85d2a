import json

import numpy as np
import pytest

from qasbench import problems
from qasbench.problem import from_file
from qasbench.registry import load_problem

CHEMISTRY = ("h2-2q", "h2-3q", "h2-4q", "lih-4q", "lih-6q", "h2o-8q")
LARGE = ("beh2-6q", "beh2-8q", "beh2-10q", "beh2-12q", "beh2-14q", "lih-12q", "h2o-10q", "h2o-12q")


def _casci_energy(metadata: dict) -> float:
    """pyscf RHF + CASCI (FCI for H2) from the geometry, basis and active space the file states:
    a fermionic route that shares nothing with the qubit operator."""
    from pyscf import gto, mcscf, scf

    mol = gto.M(atom=[[a, tuple(xyz)] for a, *xyz in metadata["geometry"]], basis=metadata["basis"],
                unit="Angstrom", verbose=0)
    mf = scf.RHF(mol).run(conv_tol=1e-12)
    space = metadata["active_space"]
    cas = mcscf.CASCI(mf, space["n_orbitals"], space["n_electrons"])
    orbitals = space["orbitals"]
    mo = cas.sort_mo([i + 1 for i in orbitals]) if isinstance(orbitals, list) else mf.mo_coeff
    return float(cas.kernel(mo)[0])


@pytest.mark.parametrize("pid", CHEMISTRY)
def test_chemistry_energies_equal_an_independent_casci(pid):
    """The stored ground energy is the lowest eigenvalue of the stored operator (dense matrix
    built by qiskit, which reads labels little-endian) and equals pyscf's CASCI energy."""
    from qiskit.quantum_info import SparsePauliOp

    problem = load_problem(pid)
    h = problem.hamiltonian
    matrix = SparsePauliOp([p[::-1] for p in h.paulis], h.coeffs).to_matrix() + h.constant * np.eye(2**h.n_qubits)
    lowest = np.linalg.eigvalsh(matrix)[0]
    assert problem.ground_energy == pytest.approx(lowest, abs=1e-9)
    assert problem.ground_energy == pytest.approx(_casci_energy(problem.metadata), abs=1e-6)


@pytest.mark.parametrize("pid", LARGE)
def test_large_chemistry_energies_equal_an_independent_casci(pid):
    """Past 8 qubits (dense matrices would not fit): the stored ground energy is the lowest
    eigenvalue of the operator by sparse Lanczos over the whole Fock space, and equals pyscf's
    CASCI energy to 1e-6 Ha."""
    import scipy.sparse.linalg as sla

    problem = load_problem(pid)
    lowest = sla.eigsh(problem.hamiltonian.sparse_matrix(), k=1, which="SA", tol=1e-12)[0][0]
    assert problem.ground_energy == pytest.approx(lowest, abs=1e-9)
    assert problem.ground_energy == pytest.approx(_casci_energy(problem.metadata), abs=1e-6)
    assert problem.n_qubits == 2 * problem.metadata["active_space"]["n_orbitals"]


def test_the_symbolic_jordan_wigner_path_equals_the_matrix_path():
    """The generator multiplies Pauli terms out symbolically past 8 qubits; on the 4-8 qubit
    Jordan-Wigner problems it gives the matrix path's terms exactly (after the stored rounding)."""
    from qasbench.problems import generate

    for pid in ("h2-4q", "lih-6q"):
        spec = generate.SPECS[pid]
        core, h1, eri, _ = generate.active_space_integrals(spec)
        symbolic = generate.jordan_wigner_paulis(core, h1, eri)
        stored = load_problem(pid).hamiltonian
        assert symbolic.paulis == stored.paulis and symbolic.constant == stored.constant
        np.testing.assert_array_equal(symbolic.coeffs, stored.coeffs)


def test_h2_energy_matches_the_literature():
    """Minimal-basis (STO-3G) H2 at R = 1.4 bohr (0.7408 A): Hartree-Fock -1.117 Ha and
    correlation energy -0.0206 Ha, full CI -1.1373 Ha (Szabo & Ostlund, Modern Quantum Chemistry,
    1996, sections 3.5 and 4.1); ours is at 0.7414 A, where the curve is flat to ~1e-6 Ha."""
    assert load_problem("h2-2q").ground_energy == pytest.approx(-1.1373, abs=2e-4)


def test_spin_chains():
    tfim = load_problem("tfim-2q")  # -Z0Z1 - X0 - X1: ground energy -sqrt(5)
    assert tfim.ground_energy == pytest.approx(-np.sqrt(5))
    heis = load_problem("heisenberg-2q")  # singlet of XX+YY+ZZ: -3
    assert heis.ground_energy == pytest.approx(-3.0)
    assert load_problem("tfim-12q").n_qubits == 12


@pytest.mark.parametrize("bad", ["h2-5q", "tfim-1q", "tfim-40q", "ising-4q", ""])
def test_unknown_problems_are_rejected(bad):
    with pytest.raises(ValueError):
        load_problem(bad)


def test_corrupt_problem_file_is_detected(tmp_path):
    path = tmp_path / "h2-2q.json"
    data = json.loads((problems.DATA_DIR / "h2-2q.json").read_text())
    data["hamiltonian"]["coeffs"][0] += 0.1
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="content hash"):
        from_file(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="cannot read"):
        from_file(path)


def test_generation_reproduces_committed_files(tmp_path):
    """Regenerating with pyscf gives the committed data files, byte for byte but for the pyscf
    version that made them (recorded under ``generator``; the terms' content hash included)."""
    from qasbench.problems import generate

    for pid in ("h2-2q", "h2-3q", "lih-4q", "beh2-8q", "h2o-10q"):
        out = tmp_path / f"{pid}.json"
        assert generate.main([pid, "--out", str(out)]) == 0
        committed = json.loads((problems.DATA_DIR / f"{pid}.json").read_text())
        regenerated = json.loads(out.read_text())
        regenerated["generator"]["pyscf"] = committed["generator"]["pyscf"]
        assert json.dumps(regenerated, indent=1) + "\n" == (problems.DATA_DIR / f"{pid}.json").read_text()


def test_bond_length_generation(tmp_path):
    from qasbench.problems import generate

    out = tmp_path / "h2-stretched.json"
    assert generate.main(["h2-4q", "--bond-length", "1.5", "--out", str(out)]) == 0
    stretched = from_file(out)
    assert stretched.metadata["bond_length"] == 1.5
    assert stretched.ground_energy > load_problem("h2-4q").ground_energy  # 0.70 A is near equilibrium
