"""Task families beyond molecular ground states: weighted MaxCut, maximum independent set, GHZ.

Each is a ground-state problem like the chemistry ones (same Task, Evaluator and records), with
its unit, metric and success criterion in the problem's metadata (``energy_unit``, ``metric``,
``success_threshold``, absolute energy error):

* ``maxcut-3reg-<n>q`` and ``maxcut-er-<n>q``: weighted MaxCut on a random 3-regular graph or a
  connected Erdos-Renyi graph G(n, 1/2), weights uniform in {0.01, ..., 1.00}. One qubit per
  node, ``H = sum_(i,j) w_ij (Z_i Z_j - 1) / 2``, so a basis state's energy is minus its cut
  weight and the ground energy is minus the maximum cut. Metric: the approximation ratio
  ``E / E0`` (for an exact expectation E); success: ratio >= 0.99, i.e. an error below
  ``0.01 |E0|``.
* ``mis-<n>q``: maximum independent set of a connected G(n, 0.3), penalty form
  ``H = -sum_i n_i + P sum_(i,j) n_i n_j`` with ``n_i = (1 - Z_i) / 2`` (|1> = in the set) and
  penalty P = 2: every ground state is a maximum independent set (dropping one endpoint of a
  violated edge lowers the penalty by at least 2 and the reward by 1), E0 = -(its size). Metric
  and success as for MaxCut.
* ``ghz-<n>q``: GHZ state preparation, ``H = I - |GHZ><GHZ|`` with
  ``|GHZ> = (|0...0> + |1...1>) / sqrt 2``, so the energy is the infidelity ``1 - F`` and E0 = 0.
  In Pauli terms ``|GHZ><GHZ| = 2^-n (sum_(|S| even) Z_S + sum_(|T| even) (-1)^(|T|/2) X_(not T) Y_T)``
  (2^n terms). Metric: the fidelity; success: infidelity below 0.01.

Graph instances are generated once (:func:`generate`, ``python -m qasbench.problems.families``)
with seeds derived from their ids and shipped in ``data/`` with their content hashes; the
runtime reads them. Exact ground energies of the diagonal (MaxCut, MIS) Hamiltonians come from
enumerating all 2^n basis states.
"""
from __future__ import annotations

import argparse
import json
import sys
import zlib
from itertools import combinations, product

import numpy as np

from qasbench.hamiltonian import Hamiltonian
from qasbench.problem import Problem, from_file, write_problem

SIZES = (4, 6, 8, 10, 12, 14)
GHZ_MAX_QUBITS = 10  # 2^n terms
RATIO_TARGET = 0.99
MIS_PENALTY = 2.0
GRAPHS = {"maxcut-3reg": "3-regular", "maxcut-er": "erdos-renyi 0.5", "mis": "erdos-renyi 0.3"}


def _label(n: int, ops: dict[int, str]) -> str:
    return "".join(ops.get(q, "I") for q in range(n))


def maxcut_hamiltonian(n: int, edges: list[tuple[int, int, float]]) -> Hamiltonian:
    """``sum w (Z_i Z_j - 1) / 2`` over the weighted edges (i, j, w)."""
    return Hamiltonian(tuple(_label(n, {i: "Z", j: "Z"}) for i, j, _ in edges),
                       np.array([w / 2 for _, _, w in edges]), -sum(w for _, _, w in edges) / 2)


def mis_hamiltonian(n: int, edges: list[tuple[int, int]], penalty: float = MIS_PENALTY) -> Hamiltonian:
    """``-sum n_i + penalty sum_E n_i n_j`` with ``n_i = (1 - Z_i) / 2``, collected per Pauli term."""
    terms: dict[str, float] = {}
    constant = -n / 2
    for q in range(n):
        terms[_label(n, {q: "Z"})] = 0.5
    for i, j in edges:
        constant += penalty / 4
        for q in (i, j):
            terms[_label(n, {q: "Z"})] -= penalty / 4
        terms[_label(n, {i: "Z", j: "Z"})] = penalty / 4
    labels = sorted(terms)
    return Hamiltonian(tuple(labels), np.array([terms[k] for k in labels]), constant)


def ghz_hamiltonian(n: int) -> Hamiltonian:
    """``I - |GHZ><GHZ|`` in Pauli terms (see the module docstring)."""
    terms: dict[str, float] = {}
    for support in product((0, 1), repeat=n):
        if sum(support) % 2:
            continue
        z = _label(n, {q: "Z" for q in range(n) if support[q]})
        terms[z] = terms.get(z, 0.0) - 2.0**-n
        ys = sum(support)
        xy = "".join("Y" if s else "X" for s in support)
        terms[xy] = terms.get(xy, 0.0) - (-1) ** (ys // 2) * 2.0**-n
    constant = 1.0 + terms.pop("I" * n)
    labels = sorted(terms)
    return Hamiltonian(tuple(labels), np.array([terms[k] for k in labels]), constant)


def diagonal_minimum(hamiltonian: Hamiltonian) -> float:
    """The lowest energy of a Z-only Hamiltonian, by enumerating every basis state."""
    n = hamiltonian.n_qubits
    if any(set(p) - {"I", "Z"} for p in hamiltonian.paulis):
        raise ValueError("diagonal_minimum needs a Hamiltonian of Z and I only")
    bits = (np.arange(2**n)[:, None] >> (n - 1 - np.arange(n))) & 1  # qubit 0 most significant
    signs = 1 - 2 * bits
    energies = np.full(2**n, hamiltonian.constant)
    for pauli, coeff in zip(hamiltonian.paulis, hamiltonian.coeffs):
        support = [q for q, c in enumerate(pauli) if c == "Z"]
        energies += coeff * np.prod(signs[:, support], axis=1)
    return float(energies.min())


# -- instances -------------------------------------------------------------------------------
def _connected(n: int, edges) -> bool:
    seen, frontier = {0}, [0]
    while frontier:
        q = frontier.pop()
        for a, b in edges:
            for u, v in ((a, b), (b, a)):
                if u == q and v not in seen:
                    seen.add(v)
                    frontier.append(v)
    return len(seen) == n


def random_regular(n: int, degree: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """A uniformly paired random ``degree``-regular simple graph (configuration model, redrawn
    until simple and connected)."""
    while True:
        stubs = rng.permutation(np.repeat(np.arange(n), degree))
        edges = {tuple(sorted(map(int, pair))) for pair in stubs.reshape(-1, 2)}
        if len(edges) == n * degree // 2 and all(a != b for a, b in edges) and _connected(n, edges):
            return sorted(edges)


def erdos_renyi(n: int, p: float, rng: np.random.Generator) -> list[tuple[int, int]]:
    """G(n, p), redrawn until connected."""
    while True:
        edges = [pair for pair in combinations(range(n), 2) if rng.random() < p]
        if _connected(n, edges):
            return edges


def build(kind: str, n: int) -> Problem:
    """Generate instance ``<kind>-<n>q`` (kind: maxcut-3reg, maxcut-er or mis) from its seed."""
    if kind not in GRAPHS or n not in SIZES:
        raise ValueError(f"no {kind}-{n}q: kinds {', '.join(GRAPHS)}, sizes {', '.join(map(str, SIZES))}")
    problem_id = f"{kind}-{n}q"
    seed = zlib.crc32(problem_id.encode())
    rng = np.random.default_rng(seed)
    if kind == "maxcut-3reg":
        pairs = random_regular(n, 3, rng)
    else:
        pairs = erdos_renyi(n, 0.5 if kind == "maxcut-er" else 0.3, rng)
    if kind == "mis":
        edges = [[a, b, 1.0] for a, b in pairs]
        hamiltonian = mis_hamiltonian(n, pairs)
        unit, extra = "set size", {"penalty": MIS_PENALTY}
    else:
        edges = [[a, b, int(rng.integers(1, 101)) / 100] for a, b in pairs]
        hamiltonian = maxcut_hamiltonian(n, [tuple(e) for e in edges])
        unit, extra = "cut weight", {}
    ground = diagonal_minimum(hamiltonian)
    return Problem(problem_id, hamiltonian, ground, 25_000 * n, {
        "kind": kind.split("-")[0], "graph": GRAPHS[kind], "n_nodes": n, "edges": edges, "seed": seed,
        "energy_unit": unit, "metric": "approximation_ratio", "success_threshold": (1 - RATIO_TARGET) * abs(ground),
        "success": f"approximation ratio E / E0 >= {RATIO_TARGET}", **extra,
        "generator": "qasbench.problems.families"})


def ghz(n_qubits: int) -> Problem:
    """The family ``ghz-<n>q`` (2 <= n <= GHZ_MAX_QUBITS), built on the fly."""
    if not 2 <= n_qubits <= GHZ_MAX_QUBITS:
        raise ValueError(f"ghz needs 2..{GHZ_MAX_QUBITS} qubits (2^n Pauli terms), got {n_qubits}")
    return Problem(f"ghz-{n_qubits}q", ghz_hamiltonian(n_qubits), 0.0, 25_000 * n_qubits, {
        "kind": "state-preparation", "target": "GHZ (|0...0> + |1...1>) / sqrt 2", "energy_unit": "infidelity",
        "metric": "fidelity", "success_threshold": 1 - RATIO_TARGET, "success": f"fidelity >= {RATIO_TARGET}"})


def _stored(kind: str):
    from qasbench.problems import DATA_DIR

    def load(n_qubits: int) -> Problem:
        path = DATA_DIR / f"{kind}-{n_qubits}q.json"
        if not path.is_file():
            raise ValueError(f"no {kind}-{n_qubits}q; sizes {', '.join(map(str, SIZES))}")
        return from_file(path)
    load.__doc__ = f"The family ``{kind}-<n>q`` (n in {SIZES}), read from the shipped instance files."
    return load


maxcut_3reg, maxcut_er, mis = _stored("maxcut-3reg"), _stored("maxcut-er"), _stored("mis")


def generate(check: bool = False) -> int:
    """Write (or with ``check``, compare) every instance file; the number that differ."""
    from qasbench.problems import DATA_DIR

    differ = 0
    for kind in GRAPHS:
        for n in SIZES:
            path = DATA_DIR / f"{kind}-{n}q.json"
            problem = build(kind, n)
            text = json.dumps(problem.to_dict(), indent=1) + "\n"
            if check:
                differ += not path.is_file() or path.read_text() != text
            else:
                write_problem(problem, path)
    return differ


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the MaxCut and MIS instance files")
    parser.add_argument("--check", action="store_true", help="exit 1 if any committed file differs")
    args = parser.parse_args(argv)
    differ = generate(check=args.check)
    if args.check and differ:
        print(f"{differ} instance file(s) differ from what the generator writes", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
