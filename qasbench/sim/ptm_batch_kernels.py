"""Compiled (numba) kernels of the PTM simulator for batches of parameter sets on small states.

The single-state kernel of :mod:`qasbench.sim.ptm_kernels` runs a batch one set at a time; on
states of up to ``BATCH_KERNEL_QUBITS`` qubits, whose passes are too short to vectorize, a
batch of at least ``BATCH_KERNEL_MIN_BATCH`` sets runs faster here, vectorized across the batch
(crossovers measured with ``qasbench bench-sim``, 2-core AMD EPYC).

The state is a real array of shape ``(4^n, B)``: Pauli index first (qubit 0 the most
significant base-4 digit), the batch last, so that every innermost loop runs over the B
parameter sets with per-set coefficients and vectorizes. One pass over the state applies one
fused CNOT operator ``C2 @ kron(L, R)`` in factored form: R on the higher qubit, L on the lower
(4 x 4 each, products of the fused rotation+noise PTMs pending on that qubit), then the sparse
``C2`` = (2-qubit noise) @ (CNOT), stored in CSR form (indptr, cols, vals). That is
4*16 + 4*16 + nnz(C2) multiply-adds per 16 entries instead of 256 for the dense 16 x 16 product,
and a factor with no rotation pending (the identity; in a CNOT ladder, L of every CNOT after the
first) is skipped.
Only ``contract`` fast-math is enabled (fused multiply-add), never reassociation.
"""
from __future__ import annotations

import numpy as np
from numba import njit

_FASTMATH = {"contract"}


@njit(fastmath=_FASTMATH, cache=True)
def _factor(out, sequence, axes, parts, cos, sin):
    """out (4, 4, B) <- the product of the fused rotation PTMs of ``sequence`` (parameter
    indices in application order, -1 ends it); rotation p is ``C + cos A + sin B`` with
    ``parts[axes[p]] = (C, A, B)``."""
    batch = out.shape[2]
    for b in range(batch):
        for i in range(4):
            for j in range(4):
                out[i, j, b] = 1.0 if i == j else 0.0
    for t in range(sequence.shape[0]):
        p = sequence[t]
        if p < 0:
            break
        part = parts[axes[p]]
        for b in range(batch):
            c, s = cos[p, b], sin[p, b]
            for j in range(4):  # column j of out <- rotation @ column j
                o0, o1, o2, o3 = out[0, j, b], out[1, j, b], out[2, j, b], out[3, j, b]
                for i in range(4):
                    out[i, j, b] = ((part[0, i, 0] + part[1, i, 0] * c + part[2, i, 0] * s) * o0
                                    + (part[0, i, 1] + part[1, i, 1] * c + part[2, i, 1] * s) * o1
                                    + (part[0, i, 2] + part[1, i, 2] * c + part[2, i, 2] * s) * o2
                                    + (part[0, i, 3] + part[1, i, 3] * c + part[2, i, 3] * s) * o3)


@njit(fastmath=_FASTMATH, cache=True)
def _apply_single(state, F, q, n):
    """In place: the 4 x 4 operator F (per batch column) on qubit q."""
    batch = state.shape[1]
    stride = 4 ** (n - q - 1)
    for a in range(4**q):
        for s in range(stride):
            r0 = a * 4 * stride + s
            r1, r2, r3 = r0 + stride, r0 + 2 * stride, r0 + 3 * stride
            for b in range(batch):
                x0, x1, x2, x3 = state[r0, b], state[r1, b], state[r2, b], state[r3, b]
                state[r0, b] = F[0, 0, b] * x0 + F[0, 1, b] * x1 + F[0, 2, b] * x2 + F[0, 3, b] * x3
                state[r1, b] = F[1, 0, b] * x0 + F[1, 1, b] * x1 + F[1, 2, b] * x2 + F[1, 3, b] * x3
                state[r2, b] = F[2, 0, b] * x0 + F[2, 1, b] * x1 + F[2, 2, b] * x2 + F[2, 3, b] * x3
                state[r3, b] = F[3, 0, b] * x0 + F[3, 1, b] * x1 + F[3, 2, b] * x2 + F[3, 3, b] * x3


@njit(fastmath=_FASTMATH, cache=True)
def _apply_pair(state, L, R, left_identity, right_identity, indptr, cols, vals, lo, hi, n):
    """In place: ``C2 @ kron(L, R)`` on qubits lo < hi (L on lo, R on hi); a factor flagged as
    the identity (no rotation pending on its qubit) is skipped."""
    batch = state.shape[1]
    s_hi = 4 ** (n - hi - 1)
    s_mid = 4 * s_hi
    s_lo = 4 ** (hi - lo - 1) * s_mid
    t = np.empty((16, batch))  # after R: index 4 * lo_digit + hi_digit
    u = np.empty((16, batch))  # after L
    kron_out = t if left_identity else u  # what C2 reads
    for a in range(4**lo):
        for m in range(4 ** (hi - lo - 1)):
            for s in range(s_hi):
                base = a * 4 * s_lo + m * s_mid + s
                for i in range(4):
                    r0 = base + i * s_lo
                    r1, r2, r3 = r0 + s_hi, r0 + 2 * s_hi, r0 + 3 * s_hi
                    if right_identity:
                        for b in range(batch):
                            t[4 * i, b], t[4 * i + 1, b] = state[r0, b], state[r1, b]
                            t[4 * i + 2, b], t[4 * i + 3, b] = state[r2, b], state[r3, b]
                        continue
                    for b in range(batch):
                        x0, x1, x2, x3 = state[r0, b], state[r1, b], state[r2, b], state[r3, b]
                        t[4 * i, b] = R[0, 0, b] * x0 + R[0, 1, b] * x1 + R[0, 2, b] * x2 + R[0, 3, b] * x3
                        t[4 * i + 1, b] = R[1, 0, b] * x0 + R[1, 1, b] * x1 + R[1, 2, b] * x2 + R[1, 3, b] * x3
                        t[4 * i + 2, b] = R[2, 0, b] * x0 + R[2, 1, b] * x1 + R[2, 2, b] * x2 + R[2, 3, b] * x3
                        t[4 * i + 3, b] = R[3, 0, b] * x0 + R[3, 1, b] * x1 + R[3, 2, b] * x2 + R[3, 3, b] * x3
                if not left_identity:
                    for k in range(4):
                        for b in range(batch):
                            y0, y1, y2, y3 = t[k, b], t[4 + k, b], t[8 + k, b], t[12 + k, b]
                            u[k, b] = L[0, 0, b] * y0 + L[0, 1, b] * y1 + L[0, 2, b] * y2 + L[0, 3, b] * y3
                            u[4 + k, b] = L[1, 0, b] * y0 + L[1, 1, b] * y1 + L[1, 2, b] * y2 + L[1, 3, b] * y3
                            u[8 + k, b] = L[2, 0, b] * y0 + L[2, 1, b] * y1 + L[2, 2, b] * y2 + L[2, 3, b] * y3
                            u[12 + k, b] = L[3, 0, b] * y0 + L[3, 1, b] * y1 + L[3, 2, b] * y2 + L[3, 3, b] * y3
                for r in range(16):  # C2 in CSR form: row r has entries indptr[r]:indptr[r + 1]
                    row = base + (r >> 2) * s_lo + (r & 3) * s_hi
                    for b in range(batch):
                        state[row, b] = 0.0
                    for e in range(indptr[r], indptr[r + 1]):
                        c, v = cols[e], vals[e]
                        for b in range(batch):
                            state[row, b] += v * kron_out[c, b]


@njit(fastmath=_FASTMATH, cache=True)
def evolve(state, angles, axes, parts, sides, op_qubits, op_kind, indptr, cols, vals, n):
    """Apply a compiled circuit to ``state`` (4^n, B) in place.

    ``angles`` (P, B); ``op_qubits`` (K, 2): (lo, hi) of a CNOT operator or (q, -1) of a
    trailing 1-qubit operator; ``op_kind[i]`` selects the CNOT orientation (the CSR matrix indptr/cols/vals[k]);
    ``sides`` lists the rotation sequences of the factors in operator order (L, R per CNOT).
    """
    batch = state.shape[1]
    cos, sin = np.cos(angles), np.sin(angles)
    left, right = np.empty((4, 4, batch)), np.empty((4, 4, batch))
    f = 0
    for i in range(op_qubits.shape[0]):
        if op_qubits[i, 1] < 0:
            _factor(left, sides[f], axes, parts, cos, sin)
            _apply_single(state, left, op_qubits[i, 0], n)
            f += 1
            continue
        _factor(left, sides[f], axes, parts, cos, sin)
        _factor(right, sides[f + 1], axes, parts, cos, sin)
        k = op_kind[i]
        _apply_pair(state, left, right, sides[f, 0] < 0, sides[f + 1, 0] < 0, indptr[k], cols[k], vals[k],
                    op_qubits[i, 0], op_qubits[i, 1], n)
        f += 2
