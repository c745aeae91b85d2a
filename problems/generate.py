"""Regenerate the chemistry problem data (needs the ``data`` extra: pyscf).

    python -m qasbench.problems.generate            # rewrite every file in problems/data
    python -m qasbench.problems.generate --check    # exit 1 if any committed file differs
    python -m qasbench.problems.generate h2-4q --bond-length 0.9 --out h2-4q-0.9.json

Pipeline: pyscf RHF/STO-3G -> CASCI active-space integrals -> second-quantized Hamiltonian on
spin orbitals in block order (all alpha, then all beta; occupied = |1>) -> Jordan-Wigner matrix
-> optional basis permutation (parity map, tapering) -> Pauli decomposition.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from qasbench.hamiltonian import Hamiltonian

DATA_DIR = Path(__file__).parent / "data"
COEFF_DECIMALS = 10  # stored precision of Pauli coefficients (Hartree)
COEFF_DECIMALS_TOL = 0.5 * 10.0**-COEFF_DECIMALS


@dataclass(frozen=True)
class Spec:
    """How one chemistry problem is built. ``orbitals`` are 0-based spatial MO indices."""

    id: str
    system: str
    atoms: tuple[str, ...]  # symbols; geometry from `geometry(bond_length)`
    bond_length: float
    n_electrons: int
    orbitals: tuple[int, ...] | None  # None: pyscf's default CAS around the Fermi level
    n_orbitals: int
    mapping: str  # "jordan_wigner" or "parity"
    tapering: str  # "none", "total-parity" or "two-qubit-reduction"
    standard_budget: int
    reference: str

    def geometry(self, bond_length: float | None = None) -> list[list]:
        d = self.bond_length if bond_length is None else bond_length
        if self.system == "H2O":
            # CRLQAS geometry (arXiv 2402.03500), Angstrom; not parameterized by bond length
            return [["H", -0.021, -0.002, 0.0], ["O", 0.835, 0.452, 0.0], ["H", 1.477, -0.273, 0.0]]
        return [[self.atoms[0], 0.0, 0.0, 0.0], [self.atoms[1], 0.0, 0.0, d]]


SPECS = {
    s.id: s
    for s in [
        Spec("h2-2q", "H2", ("H", "H"), 0.7414, 2, None, 2, "parity", "two-qubit-reduction", 10_000,
             "CRLQAS H2-2q"),
        Spec("h2-3q", "H2", ("H", "H"), 0.7414, 2, None, 2, "jordan_wigner", "total-parity", 20_000,
             "CRLQAS H2-3q"),
        Spec("h2-4q", "H2", ("H", "H"), 0.70, 2, None, 2, "jordan_wigner", "none", 100_000,
             "CRLQAS H2-4q"),
        Spec("lih-4q", "LiH", ("Li", "H"), 3.4, 2, (1, 2, 5), 3, "parity", "two-qubit-reduction",
             100_000, "CRLQAS LiH-4q"),
        Spec("lih-6q", "LiH", ("Li", "H"), 2.2, 2, (1, 2, 5), 3, "jordan_wigner", "none", 200_000,
             "CRLQAS LiH-6q"),
        Spec("h2o-8q", "H2O", ("H", "O", "H"), 0.0, 4, None, 4, "jordan_wigner", "none", 500_000,
             "CRLQAS H2O-8q (different operator than the released 193-term file)"),
    ]
}


def active_space_integrals(spec: Spec, bond_length: float | None = None):
    """Return (core energy, h1[p,q], eri[p,q,r,s] in chemists' notation, CASCI energy)."""
    from pyscf import ao2mo, gto, mcscf, scf

    atoms = [[sym, (x, y, z)] for sym, x, y, z in spec.geometry(bond_length)]
    mol = gto.M(atom=atoms, basis="sto-3g", unit="Angstrom", verbose=0)
    mf = scf.RHF(mol)
    mf.conv_tol = 1e-12
    mf.kernel()
    # fix each MO's arbitrary sign (largest AO coefficient positive) so reruns give equal files
    largest = np.argmax(np.abs(mf.mo_coeff), axis=0)
    mf.mo_coeff = mf.mo_coeff * np.sign(mf.mo_coeff[largest, np.arange(mf.mo_coeff.shape[1])])
    cas = mcscf.CASCI(mf, spec.n_orbitals, spec.n_electrons)
    mo = mf.mo_coeff if spec.orbitals is None else cas.sort_mo([i + 1 for i in spec.orbitals])
    h1, core = cas.get_h1eff(mo)
    eri = ao2mo.restore(1, cas.get_h2eff(mo), spec.n_orbitals)
    casci_energy = cas.kernel(mo)[0]
    return float(core), np.asarray(h1), np.asarray(eri), float(casci_energy)


def _annihilators(n_modes: int) -> list[sp.csr_matrix]:
    """Jordan-Wigner annihilation operators, mode p on qubit p, occupied = |1>."""
    lower = sp.csr_matrix(np.array([[0.0, 1.0], [0.0, 0.0]]))  # |0><1|
    z, eye = sp.diags([1.0, -1.0]), sp.identity(2)
    ops = []
    for p in range(n_modes):
        factors = [z] * p + [lower] + [eye] * (n_modes - p - 1)
        op = factors[0]
        for f in factors[1:]:
            op = sp.kron(op, f, format="csr")
        ops.append(op.tocsr())
    return ops


def fermionic_matrix(core: float, h1: np.ndarray, eri: np.ndarray) -> np.ndarray:
    """Jordan-Wigner matrix of H = core + sum h_pq E_pq + 1/2 sum (pq|rs)(E_pq E_rs - d_qr E_ps).

    E_pq = sum_sigma a+_{p sigma} a_{q sigma}; spin orbital (p, alpha) -> mode p, (p, beta) -> p+M.
    """
    m = h1.shape[0]
    a = _annihilators(2 * m)
    excitation = [
        [a[p].T @ a[q] + a[p + m].T @ a[q + m] for q in range(m)] for p in range(m)
    ]
    dim = 2 ** (2 * m)
    h = sp.identity(dim, format="csr") * core
    for p in range(m):
        for q in range(m):
            h = h + h1[p, q] * excitation[p][q]
            for r in range(m):
                for s in range(m):
                    if eri[p, q, r, s] == 0.0:
                        continue
                    term = excitation[p][q] @ excitation[r][s]
                    if q == r:
                        term = term - excitation[p][s]
                    h = h + 0.5 * eri[p, q, r, s] * term
    return h.toarray()


def _bits(index: np.ndarray, n: int) -> np.ndarray:
    """Big-endian bits of each index: shape (len(index), n), column k = qubit k."""
    return (index[:, None] >> (n - 1 - np.arange(n))[None, :]) & 1


def _from_bits(bits: np.ndarray) -> np.ndarray:
    n = bits.shape[1]
    return bits @ (1 << (n - 1 - np.arange(n)))


def map_and_taper(matrix: np.ndarray, spec: Spec) -> np.ndarray:
    """Apply the qubit basis permutation of ``spec.mapping`` and remove tapered qubits.

    * parity: qubit k holds the parity of modes 0..k.
    * total-parity (after JW): the last qubit is replaced by the parity of all modes, which the
      Hamiltonian conserves, fixed to the parity of ``n_electrons`` and removed (the CNOT-cascade
      Clifford tapering of Z...Z).
    * two-qubit-reduction (after parity, block spin order): qubits M-1 (alpha-number parity) and
      2M-1 (total parity) are fixed to the sector of n_electrons/2 alpha and beta electrons.
    """
    n = int(np.log2(matrix.shape[0]))
    occupations = _bits(np.arange(2**n), n)
    if spec.mapping == "parity":
        new = np.cumsum(occupations, axis=1) % 2
    else:
        new = occupations.copy()
    if spec.tapering == "total-parity":
        new[:, -1] = occupations.sum(axis=1) % 2
    perm = _from_bits(new)  # old basis index -> new basis index
    mapped = np.empty_like(matrix)
    mapped[np.ix_(perm, perm)] = matrix
    m = n // 2
    fixed = {
        "none": {},
        "total-parity": {n - 1: spec.n_electrons % 2},
        "two-qubit-reduction": {m - 1: (spec.n_electrons // 2) % 2, n - 1: spec.n_electrons % 2},
    }[spec.tapering]
    keep = np.ones(2**n, dtype=bool)
    for qubit, value in fixed.items():
        keep &= _bits(np.arange(2**n), n)[:, qubit] == value
    return mapped[np.ix_(keep, keep)]


def build(spec: Spec, bond_length: float | None = None) -> dict:
    """Everything the runtime needs for one problem, as a JSON-ready dict."""
    import pyscf

    core, h1, eri, casci_energy = active_space_integrals(spec, bond_length)
    matrix = map_and_taper(fermionic_matrix(core, h1, eri), spec)
    full = Hamiltonian.from_matrix(matrix, tol=COEFF_DECIMALS_TOL)
    coeffs = np.round(full.coeffs, COEFF_DECIMALS)
    kept = coeffs != 0.0
    hamiltonian = Hamiltonian(
        tuple(np.array(full.paulis)[kept]), coeffs[kept], round(full.constant, COEFF_DECIMALS)
    )
    return {
        "id": spec.id,
        "kind": "chemistry",
        "system": spec.system,
        "geometry": spec.geometry(bond_length),
        "geometry_unit": "Angstrom",
        "bond_length": None if spec.system == "H2O" else (bond_length or spec.bond_length),
        "basis": "sto-3g",
        "active_space": {
            "n_electrons": spec.n_electrons,
            "n_orbitals": spec.n_orbitals,
            "orbitals": list(spec.orbitals) if spec.orbitals else "pyscf default (Fermi level)",
        },
        "spin_order": "block (alpha modes, then beta modes)",
        "mapping": spec.mapping,
        "tapering": spec.tapering,
        "n_qubits": hamiltonian.n_qubits,
        "ground_energy": round(hamiltonian.ground_energy(), 10),
        "casci_energy": round(casci_energy, 10),
        "energy_unit": "Hartree",
        "standard_budget": spec.standard_budget,
        "reference": spec.reference,
        "generator": {"pyscf": pyscf.__version__, "script": "qasbench.problems.generate"},
        "hamiltonian": hamiltonian.to_dict(),
        "content_hash": hamiltonian.content_hash(),
    }


def dump(record: dict) -> str:
    return json.dumps(record, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="problem ids (default: all)")
    parser.add_argument("--bond-length", type=float, help="Angstrom; needs --out")
    parser.add_argument("--out", type=Path, help="write one problem here instead of data/")
    parser.add_argument("--check", action="store_true", help="compare with committed files")
    args = parser.parse_args(argv)
    unknown = [i for i in args.ids if i not in SPECS]
    if unknown:
        parser.error(f"unknown problem {unknown[0]!r}; choose from {', '.join(SPECS)}")
    ids = args.ids or list(SPECS)
    if args.bond_length is not None and (args.out is None or len(ids) != 1):
        parser.error("--bond-length needs exactly one problem id and --out")
    status = 0
    for pid in ids:
        text = dump(build(SPECS[pid], args.bond_length))
        path = args.out or DATA_DIR / f"{pid}.json"
        if args.check:
            same = path.exists() and path.read_text() == text
            print(f"{pid}: {'matches' if same else 'DIFFERS from'} {path}")
            status |= not same
        else:
            path.write_text(text)
            print(f"{pid}: wrote {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
