"""Regenerate the chemistry problem data (needs the ``data`` extra: pyscf).

    python -m qasbench.problems.generate            # rewrite every file in problems/data
    python -m qasbench.problems.generate --check    # exit 1 if any committed file differs
    python -m qasbench.problems.generate h2-4q --bond-length 0.9 --out h2-4q-0.9.json

Pipeline: pyscf RHF (the spec's basis, STO-3G unless stated) -> CASCI active-space integrals ->
second-quantized Hamiltonian on spin orbitals in block order (all alpha, then all beta;
occupied = |1>) -> Jordan-Wigner matrix -> optional basis permutation (parity map, tapering) ->
Pauli decomposition. Above DENSE_MAX_QUBITS the matrix would not fit: there the Jordan-Wigner
Pauli terms are multiplied out symbolically (:func:`jordan_wigner_paulis`, Jordan-Wigner only,
no tapering; a test checks it against the matrix path at small sizes), and the exact ground
energy comes from sparse diagonalization.
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
DENSE_MAX_QUBITS = 8  # the matrix path up to here (every file of issue #1's suite), symbolic beyond


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
    basis: str = "sto-3g"

    @property
    def n_qubits(self) -> int:
        return 2 * self.n_orbitals - {"none": 0, "total-parity": 1, "two-qubit-reduction": 2}[self.tapering]

    def geometry(self, bond_length: float | None = None) -> list[list]:
        d = self.bond_length if bond_length is None else bond_length
        if self.system == "H2O":
            # CRLQAS geometry (arXiv 2402.03500), Angstrom; not parameterized by bond length
            return [["H", -0.021, -0.002, 0.0], ["O", 0.835, 0.452, 0.0], ["H", 1.477, -0.273, 0.0]]
        if self.system == "BeH2":  # linear, Be at the origin (PSQASBench's geometry at d = 1.326)
            return [["Be", 0.0, 0.0, 0.0], ["H", 0.0, 0.0, d], ["H", 0.0, 0.0, -d]]
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
        # issue #24: past 8 qubits. BeH2 after PSQASBench (github jiayangniu/PSQASBench,
        # BENCHMARK_MOLECULE_DECISIONS.md: linear, Be-H 1.326 A, JW, 2 active electrons; L1 STO-3G
        # 6q, L6 ladder 6-31G 8q, 6-311G 10q, cc-pVDZ 12q, 14q an optional rung); LiH in STO-3G
        # without an active space at PSQASBench's LiH bond length 1.595 A; H2O continuing the
        # h2o-8q ladder at its geometry, each rung one more doubly occupied orbital in the space
        Spec("beh2-6q", "BeH2", ("Be", "H", "H"), 1.326, 2, None, 3, "jordan_wigner", "none", 200_000,
             "PSQASBench L1_BeH2_STO3G_6q"),
        Spec("beh2-8q", "BeH2", ("Be", "H", "H"), 1.326, 2, None, 4, "jordan_wigner", "none", 500_000,
             "PSQASBench L6_BeH2_631G_8q", basis="6-31g"),
        Spec("beh2-10q", "BeH2", ("Be", "H", "H"), 1.326, 2, None, 5, "jordan_wigner", "none", 1_000_000,
             "PSQASBench L6_BeH2_6311G_10q", basis="6-311g"),
        Spec("beh2-12q", "BeH2", ("Be", "H", "H"), 1.326, 2, None, 6, "jordan_wigner", "none", 1_000_000,
             "PSQASBench L6_BeH2_CCPVDZ_12q", basis="cc-pvdz"),
        Spec("beh2-14q", "BeH2", ("Be", "H", "H"), 1.326, 2, None, 7, "jordan_wigner", "none", 1_000_000,
             "PSQASBench L6 optional 14q rung (cc-pVDZ, 7 active orbitals assumed)", basis="cc-pvdz"),
        Spec("lih-12q", "LiH", ("Li", "H"), 1.595, 4, None, 6, "jordan_wigner", "none", 1_000_000,
             "full STO-3G space (TensorRL-QAS LiH-12q; bond length of PSQASBench L2)"),
        Spec("h2o-10q", "H2O", ("H", "O", "H"), 0.0, 6, None, 5, "jordan_wigner", "none", 1_000_000,
             "the h2o-8q ladder, CAS(6e,5o)"),
        Spec("h2o-12q", "H2O", ("H", "O", "H"), 0.0, 8, None, 6, "jordan_wigner", "none", 1_000_000,
             "the h2o-8q ladder, CAS(8e,6o)"),
    ]
}


def active_space_integrals(spec: Spec, bond_length: float | None = None):
    """Return (core energy, h1[p,q], eri[p,q,r,s] in chemists' notation, CASCI energy)."""
    from pyscf import ao2mo, gto, mcscf, scf

    atoms = [[sym, (x, y, z)] for sym, x, y, z in spec.geometry(bond_length)]
    mol = gto.M(atom=atoms, basis=spec.basis, unit="Angstrom", verbose=0)
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


def _ladder(p: int, create: bool) -> dict[tuple[int, int], complex]:
    """Jordan-Wigner a_p (or a+_p) as ``{(x mask, z mask): c}`` for ``c X^x Z^z`` (bit q of a
    mask is qubit q): a Z on every qubit below p, then ``|0><1| = X (I - Z) / 2`` on p
    (``|1><0| = X (I + Z) / 2``; occupied = |1>)."""
    below, bit = (1 << p) - 1, 1 << p
    return {(bit, below): 0.5, (bit, below | bit): 0.5 if create else -0.5}


def _times(a: dict, b: dict) -> dict:
    """The product of two operators in the ``c X^x Z^z`` form: ``Z^z1 X^x2 = (-1)^|z1 & x2| X^x2 Z^z1``."""
    out: dict[tuple[int, int], complex] = {}
    for (x1, z1), c1 in a.items():
        for (x2, z2), c2 in b.items():
            key = (x1 ^ x2, z1 ^ z2)
            out[key] = out.get(key, 0.0) + (-c1 * c2 if bin(z1 & x2).count("1") % 2 else c1 * c2)
    return out


def _add(total: dict, term: dict, scale: float) -> None:
    for key, value in term.items():
        total[key] = total.get(key, 0.0) + scale * value


def jordan_wigner_paulis(core: float, h1: np.ndarray, eri: np.ndarray) -> Hamiltonian:
    """The operator of :func:`fermionic_matrix` as Pauli terms, multiplied out symbolically
    (no 2^n x 2^n matrix); coefficients rounded to COEFF_DECIMALS, zeros dropped."""
    m = h1.shape[0]
    n = 2 * m
    excitation = [[{} for _ in range(m)] for _ in range(m)]
    for p in range(m):
        for q in range(m):
            for spin in (0, m):
                _add(excitation[p][q], _times(_ladder(p + spin, True), _ladder(q + spin, False)), 1.0)
    total: dict[tuple[int, int], complex] = {(0, 0): core}
    for p in range(m):
        for q in range(m):
            _add(total, excitation[p][q], h1[p, q])
            for r in range(m):
                for s in range(m):
                    if eri[p, q, r, s] == 0.0:
                        continue
                    _add(total, _times(excitation[p][q], excitation[r][s]), 0.5 * eri[p, q, r, s])
                    if q == r:
                        _add(total, excitation[p][s], -0.5 * eri[p, q, r, s])
    terms: dict[str, complex] = {}
    for (x, z), c in total.items():
        label = "".join("IXZY"[((x >> q) & 1) + 2 * ((z >> q) & 1)] for q in range(n))
        terms[label] = terms.get(label, 0.0) + c * (-1j) ** bin(x & z).count("1")  # X Z = -i Y
    if max(abs(c.imag) for c in terms.values()) > 1e-10:
        raise ValueError("a Hermitian operator came out with imaginary Pauli coefficients")
    constant = round(terms.pop("I" * n, 0.0).real, COEFF_DECIMALS)
    kept = sorted((label, round(c.real, COEFF_DECIMALS)) for label, c in terms.items())
    kept = [(label, c) for label, c in kept if c != 0.0]
    return Hamiltonian(tuple(label for label, _ in kept), np.array([c for _, c in kept]), constant)


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
    if spec.n_qubits > DENSE_MAX_QUBITS:
        if (spec.mapping, spec.tapering) != ("jordan_wigner", "none"):
            raise ValueError(f"{spec.id}: past {DENSE_MAX_QUBITS} qubits only Jordan-Wigner without tapering is built")
        hamiltonian = jordan_wigner_paulis(core, h1, eri)
    else:
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
        "basis": spec.basis,
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
