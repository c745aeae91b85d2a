"""Problems from Hamiltonians made elsewhere: qiskit, OpenFermion, PennyLane, or plain text.

:func:`problem_from_operator` turns an operator into a :class:`~qasbench.problem.Problem` whose
exact ground energy is computed here (dense diagonalization up to 10 qubits, a sparse Lanczos
solver beyond), ready for :func:`~qasbench.problem.write_problem`; ``qasbench import-problem``
does the same from a file. Accepted operators, each mapped to qasbench's qubit order (Pauli
string character k acts on qubit k):

* qiskit ``SparsePauliOp``: qiskit labels are little-endian, so each label is reversed;
* OpenFermion ``QubitOperator`` (its ``terms`` dict), or its text form
  ``0.5 [X0 Y1] + -0.2 [Z3] + 0.1 []``: index k is qubit k;
* a PennyLane operator with a Pauli representation (``Hamiltonian``, ``Sum``, ``LinearCombination``):
  wire labels are sorted when they are integers, else taken in the operator's wire order;
* a list of ``(label, coefficient)`` pairs in qasbench's order.

Coefficients must be real up to 1e-10 (the operator Hermitian); repeated terms are summed, the
identity becomes the constant. Nothing here imports qiskit, OpenFermion or PennyLane: operators
are recognised by their attributes.
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import numpy as np

from qasbench.hamiltonian import Hamiltonian
from qasbench.problem import Problem

IMAGINARY_TOLERANCE = 1e-10
_OPENFERMION_TERM = re.compile(r"\s*([-+0-9.eEj()]+)\s*\[([^\]]*)\]\s*")


def default_budget(n_qubits: int) -> int:
    """Evaluations for an imported problem without a stated budget (as for the spin chains)."""
    return 25_000 * n_qubits


def _from_terms(terms: dict[tuple[tuple[int, str], ...], complex], n_qubits: int | None) -> list:
    indices = [q for term in terms for q, _ in term]
    n = n_qubits if n_qubits is not None else (max(indices) + 1 if indices else 1)
    if indices and max(indices) >= n:
        raise ValueError(f"a term acts on qubit {max(indices)} but the problem has {n} qubits")
    pairs = []
    for term, coeff in terms.items():
        label = ["I"] * n
        for qubit, pauli in term:
            label[qubit] = pauli
        pairs.append(("".join(label), coeff))
    return pairs


def parse_openfermion(text: str, n_qubits: int | None = None) -> list:
    """``(label, coefficient)`` pairs from OpenFermion's ``str(QubitOperator)``."""
    terms: dict = defaultdict(complex)
    body = text.strip()
    if not body:
        raise ValueError("empty operator text")
    for chunk in re.split(r"\]\s*\+", body):
        chunk = chunk.strip()
        if not chunk:
            continue
        match = _OPENFERMION_TERM.fullmatch(chunk if chunk.endswith("]") else chunk + "]")
        if not match:
            raise ValueError(f"cannot read operator term {chunk[:60]!r} (expected e.g. '0.5 [X0 Y1]')")
        coeff = complex(match.group(1).replace("(", "").replace(")", ""))
        factors = []
        for factor in match.group(2).split():
            if not re.fullmatch(r"[XYZ]\d+", factor):
                raise ValueError(f"cannot read Pauli factor {factor!r} (expected e.g. X0)")
            factors.append((int(factor[1:]), factor[0]))
        terms[tuple(sorted(factors))] += coeff
    return _from_terms(terms, n_qubits)


def _pairs(operator, n_qubits: int | None) -> list:
    if isinstance(operator, str):
        return parse_openfermion(operator, n_qubits)
    if hasattr(operator, "to_list") and hasattr(operator, "num_qubits"):  # qiskit SparsePauliOp
        return [(label[::-1], coeff) for label, coeff in operator.to_list()]
    if isinstance(getattr(operator, "terms", None), dict):  # OpenFermion QubitOperator
        return _from_terms({tuple((int(q), p) for q, p in term): c for term, c in operator.terms.items()},
                           n_qubits)
    if getattr(operator, "pauli_rep", None) is not None:  # PennyLane
        wires = list(operator.wires)
        order = sorted(wires) if all(isinstance(w, int) for w in wires) else wires
        index = {w: i for i, w in enumerate(order)}
        terms: dict = defaultdict(complex)
        for word, coeff in operator.pauli_rep.items():
            terms[tuple(sorted((index[w], p) for w, p in word.items()))] += coeff
        return _from_terms(terms, n_qubits if n_qubits is not None else len(order))
    if isinstance(operator, (list, tuple)):
        return [(str(label), coeff) for label, coeff in operator]
    raise ValueError(f"cannot import a {type(operator).__name__}: expected a qiskit SparsePauliOp, an "
                     "OpenFermion QubitOperator or its text, a PennyLane operator, or (label, coeff) pairs")


def hamiltonian_from_operator(operator, n_qubits: int | None = None) -> Hamiltonian:
    """The operator as a qasbench Hamiltonian (see the module docstring for the conventions)."""
    summed: dict[str, complex] = defaultdict(complex)
    for label, coeff in _pairs(operator, n_qubits):
        summed[label.upper()] += complex(coeff)
    if len({len(label) for label in summed}) > 1:
        raise ValueError("the operator's terms act on different numbers of qubits")
    worst = max(abs(c.imag) for c in summed.values())
    if worst > IMAGINARY_TOLERANCE:
        raise ValueError(f"the operator is not Hermitian: a coefficient has imaginary part {worst:.3g}")
    constant = sum(c.real for label, c in summed.items() if set(label) <= {"I"})
    terms = sorted((label, c.real) for label, c in summed.items() if not set(label) <= {"I"} and c.real != 0.0)
    if not terms:
        raise ValueError("the operator has no non-identity term")
    if not all(np.isfinite(c) for _, c in terms) or not np.isfinite(constant):
        raise ValueError("the operator's coefficients must be finite")
    return Hamiltonian(tuple(t[0] for t in terms), np.array([t[1] for t in terms]), float(constant))


def problem_from_operator(operator, problem_id: str, standard_budget: int | None = None,
                          metadata: dict | None = None, n_qubits: int | None = None) -> Problem:
    """A Problem from ``operator`` with its exact ground energy computed here.

    ``metadata``: whatever is known (molecule, basis, active space, mapping...), kept in the
    problem file. ``standard_budget`` defaults to :func:`default_budget`."""
    if not isinstance(problem_id, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", problem_id):
        raise ValueError(f"a problem id is letters, digits, '.', '_' and '-', got {problem_id!r}")
    hamiltonian = hamiltonian_from_operator(operator, n_qubits)
    budget = default_budget(hamiltonian.n_qubits) if standard_budget is None else standard_budget
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise ValueError(f"standard_budget must be a positive integer, got {budget!r}")
    info = {"kind": "imported", **(metadata or {}),
            "ground_energy_method": "dense diagonalization" if hamiltonian.n_qubits <= 10 else "sparse Lanczos"}
    return Problem(problem_id, hamiltonian, hamiltonian.ground_energy(), budget, info)


def read_operator_file(path: str | Path) -> list | str:
    """The operator in a file: OpenFermion text (any suffix but .json), or JSON pairs
    ``[["XZI", 0.5], ...]`` in qasbench's order or ``{"qiskit": [["IZX", 0.5], ...]}`` in qiskit's
    (a complex coefficient as ``[re, im]``)."""
    import json

    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ValueError(f"cannot read operator file {path}: {exc.strerror}") from None
    if path.suffix.lower() != ".json":
        return text
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"operator file {path} is not valid JSON: {exc}") from None
    qiskit = isinstance(data, dict) and set(data) == {"qiskit"}
    pairs = data["qiskit"] if qiskit else data
    if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise ValueError(f"operator file {path}: expected a list of [label, coefficient] pairs")
    out = []
    for label, coeff in pairs:
        value = complex(*coeff) if isinstance(coeff, list) else coeff
        if not isinstance(label, str) or isinstance(value, bool) or not isinstance(value, (int, float, complex)):
            raise ValueError(f"operator file {path}: bad pair {[label, coeff]!r}")
        out.append((label[::-1] if qiskit else label, value))
    return out
