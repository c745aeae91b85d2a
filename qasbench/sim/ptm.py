"""The Pauli-transfer-matrix (PTM) simulator: exact noisy expectations, batched over parameters.

The state is the real vector ``r_P = Tr(P rho)`` over all 4^n Pauli strings, stored with shape
``(batch, 4, ..., 4)`` flattened to ``(batch, 4^n)`` (qubit 0 is the most significant digit).
Every gate is fused with the noise that follows it into one real transfer matrix; 1-qubit
operators are further absorbed into the next CNOT on their qubit, so a circuit becomes a short
list of 4x4 and 16x16 operators, each applied in one pass over the state. Readout error is
folded into the measured-term weights; the energy is a dot product.

Implementations of the same plan: on the CPU (the default) the compiled numba kernel of
:mod:`qasbench.sim.ptm_kernels`, one parameter set at a time with every operator applied in
place whatever its qubits, and for large batches on small states the batch-last kernel of
:mod:`qasbench.sim.ptm_batch_kernels`; on torch tensors (``device="cuda"`` or ``"torch-cpu"``)
a batched reshape + matmul path. All in float64.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, reduce
from itertools import product

import numpy as np

from qasbench.circuit import Circuit
from qasbench.hamiltonian import Hamiltonian
from qasbench.noise import NoiseModel
from qasbench.sim.base import PLAN_CACHE_SIZE, Backend
from qasbench.sim import pauli_basis as pb
from qasbench.sim import check_ptm_size, ptm_batch_kernels, ptm_kernels

_DIGIT = {"I": 0, "X": 1, "Y": 2, "Z": 3}
# batches of at least this many parameter sets on at most this many qubits take the batch-last
# kernel (see qasbench.sim.ptm_batch_kernels)
BATCH_KERNEL_QUBITS, BATCH_KERNEL_MIN_BATCH = 6, 16


def readout_weights(hamiltonian: Hamiltonian, noise: NoiseModel) -> tuple[np.ndarray, np.ndarray]:
    """Sparse map from the Pauli vector to readout-affected term expectations.

    Returns ``(index, weight)`` of shape (n_terms, 2^max_support): term t's expectation is
    ``sum_j weight[t, j] * r[index[t, j]]`` (unused slots have weight 0).
    """
    n = hamiltonian.n_qubits
    ro = [pb.readout_ptm(*noise.readout(q)) for q in range(n)]
    rows = []
    for pauli in hamiltonian.paulis:
        digits = [_DIGIT[c] for c in pauli]
        # each non-identity factor P_q maps to b_q * P_q + a_q * I_q
        options = [[(d, r[d, d])] + ([(0, r[d, 0])] if d and r[d, 0] else []) for d, r in zip(digits, ro)]
        entries = {}
        for choice in product(*options):
            index = sum(d * 4 ** (n - 1 - q) for q, (d, _) in enumerate(choice))
            weight = float(np.prod([w for _, w in choice]))
            entries[index] = entries.get(index, 0.0) + weight
        rows.append(entries)
    width = max(len(r) for r in rows)
    index = np.zeros((len(rows), width), dtype=np.int64)
    weight = np.zeros((len(rows), width))
    for t, entries in enumerate(rows):
        index[t, : len(entries)] = list(entries)
        weight[t, : len(entries)] = list(entries.values())
    return index, weight


def _fused_rotation(axis: str, after: np.ndarray) -> np.ndarray:
    """Stack (C, A, B) of ``after @ PTM(R_axis(t)) = C + cos(t) A + sin(t) B``."""
    return np.stack([after @ part for part in pb.rotation_parts(axis)])


def _fused_cnot(control_first: bool, after: np.ndarray) -> np.ndarray:
    return after @ pb.unitary_ptm(pb.cnot_unitary(control_first))


def _swapped(ptm: np.ndarray) -> np.ndarray:
    """A two-qubit PTM with its qubits' digits exchanged."""
    order = np.arange(16).reshape(4, 4).T.ravel()
    return ptm[np.ix_(order, order)]


def _table(operators: dict) -> tuple[np.ndarray, dict]:
    """The distinct matrices of ``operators`` (key -> matrix) stacked in first-seen order, and
    key -> row. A qubit-uniform profile gives one row per rotation axis and per CNOT
    orientation, whatever the qubits."""
    rows, index = {}, {}
    for key, matrix in operators.items():
        index[key] = rows.setdefault(matrix.tobytes(), (len(rows), matrix))[0]
    return np.stack([matrix for _, matrix in rows.values()]), index


def _csr(matrices: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indptr, cols, vals) of each 16 x 16 matrix in CSR form, cols/vals padded to one width."""
    rows, cols = zip(*(np.nonzero(m) for m in matrices))
    width = max(len(c) for c in cols)
    indptr = np.array([np.searchsorted(r, np.arange(17)) for r in rows])
    vals = [m[r, c] for m, r, c in zip(matrices, rows, cols)]
    return indptr, *(np.array([np.pad(x, (0, width - len(x))) for x in xs]) for xs in (cols, vals))


class _Torch:
    """The few array operations the matmul path needs, on torch tensors of one device."""

    def __init__(self, device: str):
        import torch

        self.torch = torch
        self.device = torch.device(device)
        self.cos, self.sin, self.matmul = torch.cos, torch.sin, torch.matmul

    def asarray(self, x):
        return self.torch.as_tensor(np.asarray(x, dtype=np.float64), device=self.device)

    def permute(self, x, axes):
        return x.permute(*axes)

    def to_numpy(self, x):
        return x.cpu().numpy()


@dataclass(frozen=True)
class Plan:
    """A circuit fused into operators, in application order.

    Operator i acts on ``qubits[i]`` (one qubit, or two in ascending order). Two-qubit operators
    are ``cnot @ kron(L, R)`` where L (R) is the product of the rotations pending on the lower
    (higher) qubit since its last CNOT; rotations left at the end form 1-qubit operators.
    ``sides`` lists, per factor (L and R of each CNOT, then each trailing 1-qubit operator),
    the parameter indices to multiply in application order, padded with -1 (identity).
    ``axes`` (0/1/2 = X/Y/Z per parameter), ``op_qubits`` ((lo, hi), or (q, -1) for 1-qubit
    operators) and ``op_kind`` (CNOT orientation, 1 = control low) are the same plan as arrays,
    for the compiled kernel.
    """

    qubits: tuple[tuple[int, ...], ...]
    control_low: tuple[bool, ...]  # per CNOT: is the control the lower qubit?
    sides: np.ndarray  # (n_factors, max_length) of parameter indices, -1 = identity
    axes: np.ndarray
    op_qubits: np.ndarray
    op_kind: np.ndarray

    @classmethod
    def compile(cls, circuit: Circuit) -> "Plan":
        pending: dict[int, list[int]] = {}
        cnots, control_low, sides, index = [], [], [], 0
        for gate in circuit.gates:
            if gate.is_rotation:
                pending.setdefault(gate.qubits[0], []).append(index)
                index += 1
                continue
            lo, hi = sorted(gate.qubits)
            cnots.append((lo, hi))
            control_low.append(gate.qubits[0] == lo)
            sides += [pending.pop(lo, []), pending.pop(hi, [])]
        singles = sorted(pending.items())
        sides += [indices for _, indices in singles]
        width = max((len(s) for s in sides), default=0) or 1
        padded = np.full((len(sides), width), -1, dtype=np.int64)
        for row, indices in enumerate(sides):
            padded[row, : len(indices)] = indices
        axes = np.array(["XYZ".index(g.name[1]) for g in circuit.gates if g.is_rotation], dtype=np.int64)
        op_qubits = np.array(cnots + [(q, -1) for q, _ in singles], dtype=np.int64).reshape(-1, 2)
        op_kind = np.array(control_low + [False] * len(singles), dtype=np.int64)
        return cls(tuple(cnots) + tuple((q,) for q, _ in singles), tuple(control_low), padded,
                   axes, op_qubits, op_kind)


def _plan(circuit: Circuit) -> Plan:
    """The circuit's plan, compiled once and kept on the circuit (shared by every backend)."""
    return circuit.compiled("ptm-plan", Plan.compile)


class PTMBackend(Backend):
    """Noisy expectation values of a Hamiltonian's terms by Pauli-transfer matrices."""

    name = "ptm"

    def __init__(self, hamiltonian: Hamiltonian, noise: NoiseModel, device: str | None = None):
        check_ptm_size(hamiltonian.n_qubits)
        super().__init__(hamiltonian, noise)
        self.xp = None if device in (None, "cpu") else _Torch("cpu" if device == "torch-cpu" else device)
        index, weight = readout_weights(hamiltonian, noise)
        self._index, self._weight = index, weight
        # the energy as one sparse dot product with the Pauli vector: coefficients folded in
        self._energy_index = np.ascontiguousarray(index.ravel())
        self._energy_weight = np.ascontiguousarray((weight * hamiltonian.coeffs[:, None]).ravel())
        n = hamiltonian.n_qubits
        # every fused operator the noise allows, as tables of distinct matrices; a circuit's
        # rotations and CNOTs index them (a uniform profile: rows X, Y, Z and the two orientations)
        self._parts, rotation_row = _table({(q, a): _fused_rotation(a, noise.rotation_noise(q, a))
                                            for q in range(n) for a in "XYZ"})
        cnots = {(lo, hi, low): _fused_cnot(low, noise.cnot_noise(lo, hi) if low else _swapped(noise.cnot_noise(hi, lo)))
                 for lo in range(n) for hi in range(lo + 1, n) if noise.coupled(lo, hi) for low in (False, True)}
        # without a coupled pair no circuit has a CNOT; the kernels still take a (never read) table
        self._cnots, self._cnot_row = _table(cnots or {low: _fused_cnot(low, np.eye(16)) for low in (False, True)})
        self._rotation_row = np.array([[rotation_row[q, a] for a in "XYZ"] for q in range(n)], dtype=np.int64)
        self._uniform = len(self._parts) == 3 and len(self._cnots) == 2
        self._kernel_cnots = _csr(self._cnots)
        self._rows = lru_cache(maxsize=PLAN_CACHE_SIZE)(self._circuit_rows)
        self._initial = reduce(np.kron, [np.array([1.0, 0.0, 0.0, 1.0])] * n)  # |0><0| = (I+Z)/2 each
        self._compiled = lru_cache(maxsize=PLAN_CACHE_SIZE)(self._compile)

    def _circuit_rows(self, circuit: Circuit) -> tuple[np.ndarray, np.ndarray]:
        """Per rotation its row of the rotation table, per operator its row of the CNOT table;
        cached per circuit by ``_rows``. ValueError for a CNOT on qubits the noise does not couple."""
        self.check_circuit(circuit)
        plan = _plan(circuit)
        if self._uniform:
            return plan.axes, plan.op_kind
        qubits = np.array([g.qubits[0] for g in circuit.gates if g.is_rotation], dtype=np.int64)
        ops = []
        for (lo, hi), low in zip(plan.qubits, plan.control_low):
            if (lo, hi, low) not in self._cnot_row:
                raise ValueError(f"a CNOT on qubits {lo} and {hi}, which are not coupled ({self.noise.description})")
            ops.append(self._cnot_row[lo, hi, low])
        ops += [0] * (len(plan.qubits) - len(ops))  # 1-qubit operators: no CNOT
        return self._rotation_row[qubits, plan.axes], np.array(ops, dtype=np.int64)

    def _compile(self, circuit: Circuit):
        """(plan, rotation parts (3, P+1, 4, 4) with an identity last, CNOT matrices) for the
        matmul path; cached per circuit by ``_compiled``."""
        rotations, ops = self._rows(circuit)
        identity = np.stack([np.eye(4), np.zeros((4, 4)), np.zeros((4, 4))])
        parts = np.concatenate([self._parts[rotations].transpose(1, 0, 2, 3), identity[:, None]], axis=1)
        plan = _plan(circuit)
        cnots = self._cnots[ops[: len(plan.control_low)]]
        return plan, self.xp.asarray(parts), self.xp.asarray(cnots)

    def _operators(self, circuit: Circuit, params: np.ndarray) -> tuple[Plan, object]:
        """All operator matrices at once: shape (B, n_ops, d, d) as a list by arity."""
        xp = self.xp
        plan, parts, cnots = self._compiled(circuit)
        theta = xp.asarray(np.concatenate([params, np.zeros((len(params), 1))], axis=1))[:, :, None, None]
        rotations = parts[0] + xp.cos(theta) * parts[1] + xp.sin(theta) * parts[2]  # (B, P+1, 4, 4)
        factors = rotations[:, plan.sides[:, 0]]
        for column in range(1, plan.sides.shape[1]):
            factors = xp.matmul(rotations[:, plan.sides[:, column]], factors)
        m = len(plan.control_low)
        left, right = factors[:, 0 : 2 * m : 2], factors[:, 1 : 2 * m : 2]
        kron = (left[..., :, None, :, None] * right[..., None, :, None, :]).reshape(len(params), m, 16, 16)
        return plan, xp.matmul(cnots, kron), factors[:, 2 * m :]

    # -- state evolution -------------------------------------------------------------------
    def _apply(self, state, qubits: tuple[int, ...], matrix, n: int):
        """Apply a (B or 1, d, d) operator to the qubits' axes of a (B, 4^n) state."""
        xp, batch = self.xp, state.shape[0]
        shared = matrix.shape[0] == 1
        q, d = qubits[0], 4 ** len(qubits)
        if q + len(qubits) == n:  # last axes: one GEMM from the right, (B, A, d) @ M^T
            transposed = xp.permute(matrix, (0, 2, 1))
            return xp.matmul(state.reshape(batch, -1, d), transposed[0] if shared else transposed
                             ).reshape(batch, -1)
        matrix = matrix[0] if shared else matrix[:, None]
        if len(qubits) == 1 or qubits[1] == q + 1:
            return xp.matmul(matrix, state.reshape(batch, 4**q, d, -1)).reshape(batch, -1)
        lo, hi = qubits  # bring `hi` next to `lo`, apply, move it back
        view = state.reshape(batch, 4**lo, 4, 4 ** (hi - lo - 1), 4, 4 ** (n - hi - 1))
        moved = xp.permute(view, (0, 1, 2, 4, 3, 5)).reshape(batch, 4**lo, 16, -1)
        out = xp.matmul(matrix, moved).reshape(batch, 4**lo, 4, 4, 4 ** (hi - lo - 1), -1)
        return xp.permute(out, (0, 1, 2, 4, 3, 5)).reshape(batch, -1)

    def _kernel_args(self, circuit: Circuit) -> tuple:
        """The circuit as both kernels take it, after the state and the angles."""
        if circuit.n_qubits != self.hamiltonian.n_qubits:
            self.check_circuit(circuit)  # raises
        plan = _plan(circuit)
        rotations, ops = (plan.axes, plan.op_kind) if self._uniform else self._rows(circuit)
        return (rotations, self._parts, plan.sides, plan.op_qubits, ops, *self._kernel_cnots, circuit.n_qubits)

    def pauli_vectors(self, circuit: Circuit, params) -> object:
        """Final Pauli vectors, shape (B, 4^n), before readout error."""
        params = circuit.check_params(params)
        if self.xp is not None:
            return self._matmul_path(circuit, params)
        args = self._kernel_args(circuit)
        if self._batch_kernel(circuit, params):
            state = np.repeat(self._initial[:, None], len(params), axis=1)
            ptm_batch_kernels.evolve(state, np.ascontiguousarray(params.T), *args)
            return state.T
        out = np.empty((params.shape[0], 4**circuit.n_qubits))
        ptm_kernels.pauli_vectors(out, self._initial, params, *args)
        return out

    @staticmethod
    def _batch_kernel(circuit: Circuit, params: np.ndarray) -> bool:
        return circuit.n_qubits <= BATCH_KERNEL_QUBITS and params.shape[0] >= BATCH_KERNEL_MIN_BATCH

    def _matmul_path(self, circuit: Circuit, params: np.ndarray):
        n = circuit.n_qubits
        state = self.xp.asarray(np.broadcast_to(self._initial, (len(params), 4**n)).copy())
        plan, two_qubit, one_qubit = self._operators(circuit, params)
        m = two_qubit.shape[1]
        for i, qubits in enumerate(plan.qubits):
            matrix = two_qubit[:, i] if i < m else one_qubit[:, i - m]
            state = self._apply(state, qubits, matrix, n)
        return state

    def expectations(self, circuit: Circuit, params) -> np.ndarray:
        """Readout-affected expectation of every Hamiltonian term, shape (B, n_terms)."""
        self.check_circuit(circuit)
        state = self.pauli_vectors(circuit, params)
        if self.xp is None:
            return (state[:, self._index] * self._weight).sum(-1)
        values = (state[:, self._index] * self.xp.asarray(self._weight)).sum(-1)
        return np.asarray(self.xp.to_numpy(values))

    def _energies(self, circuit: Circuit, params: np.ndarray) -> np.ndarray:
        if self.xp is not None or self._batch_kernel(circuit, params):
            return super()._energies(circuit, params)
        args = self._kernel_args(circuit)
        out = np.empty(params.shape[0])
        ptm_kernels.energies(out, self._initial, params, *args, self._energy_index, self._energy_weight,
                             self.hamiltonian.constant)
        return out
