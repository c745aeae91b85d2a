"""Compiled (numba) kernels of the PTM simulator: one parameter set at a time, any qubit pair in place.

The state is a real vector of length 4^n (qubit q is base-4 digit ``n - 1 - q``, qubit 0 the most
significant), evolved in place. A circuit arrives as its fused plan (:class:`qasbench.sim.ptm.Plan`):
per CNOT one operator ``C2 @ kron(L, R)`` on qubits lo < hi, per qubit with rotations after its
last CNOT one 4 x 4 operator. L and R are the products of the fused rotation + 1-qubit-noise PTMs
pending on that qubit (``C + cos t A + sin t B`` each), built here from the angles; a factor with
no rotation pending is the identity and skipped. ``C2`` = (2-qubit noise) @ (CNOT) is sparse (a
signed permutation times a diagonal-plus-relaxation channel) and stored in CSR form.

One pass over the state per operator, touching each entry once, for neighbouring and distant
pairs alike (no transposition of the state). An operator mixes 4^(n-2) sets of 16 entries (the
two qubits' digits varying); where the digits below the pair give runs of at least ``MIN_RUN``
contiguous entries, R, L and C2 are applied to slices of the state itself, ``TILE`` entries at
a time, the run as the innermost, vectorizing loop. An operator on the last qubits (shorter
runs) is gathered tile by tile into a contiguous buffer, transformed there and scattered back;
a tile takes whole runs of the digits below the pair and then consecutive values of the digits
between and above it, so that it reads every cache line it touches once (gathering one entry
per run, as before 2026-12-05, cost 2-9x more for such operators at n = 8). (``MIN_RUN`` 16 and
64 measured within noise of each other at n = 8.) Batches loop over their
parameter sets inside the kernel. Only ``contract`` fast-math (fused multiply-add), never
reassociation.
"""
from __future__ import annotations

import numpy as np
from numba import njit

_FASTMATH = {"contract"}
TILE = 256
MIN_RUN = 64


@njit(fastmath=_FASTMATH, cache=True)
def _factor(out, sequence, axes, parts, cos, sin):
    """out (4, 4) <- product of the fused rotation PTMs of ``sequence`` (parameter indices in
    application order, -1 ends it); returns False when it is the identity (nothing pending)."""
    for i in range(4):
        for j in range(4):
            out[i, j] = 1.0 if i == j else 0.0
    if sequence[0] < 0:
        return False
    for t in range(sequence.shape[0]):
        p = sequence[t]
        if p < 0:
            break
        part = parts[axes[p]]
        c, s = cos[p], sin[p]
        for j in range(4):  # column j of out <- rotation @ column j
            o0, o1, o2, o3 = out[0, j], out[1, j], out[2, j], out[3, j]
            for i in range(4):
                out[i, j] = ((part[0, i, 0] + part[1, i, 0] * c + part[2, i, 0] * s) * o0
                             + (part[0, i, 1] + part[1, i, 1] * c + part[2, i, 1] * s) * o1
                             + (part[0, i, 2] + part[1, i, 2] * c + part[2, i, 2] * s) * o2
                             + (part[0, i, 3] + part[1, i, 3] * c + part[2, i, 3] * s) * o3)
    return True


@njit(fastmath=_FASTMATH, cache=True)
def _mix4(x, o, F, width):
    """In place on four rows of the 1-D array x, row k = ``x[o[k]:o[k] + width]``:
    ``rows <- F @ rows``. Offsets are unsigned so that numba emits no negative-index wraparound
    and the loop vectorizes (views would cost a reference count each)."""
    o0, o1, o2, o3 = o[0], o[1], o[2], o[3]
    for t in range(np.uint64(width)):
        x0, x1, x2, x3 = x[o0 + t], x[o1 + t], x[o2 + t], x[o3 + t]
        x[o0 + t] = F[0, 0] * x0 + F[0, 1] * x1 + F[0, 2] * x2 + F[0, 3] * x3
        x[o1 + t] = F[1, 0] * x0 + F[1, 1] * x1 + F[1, 2] * x2 + F[1, 3] * x3
        x[o2 + t] = F[2, 0] * x0 + F[2, 1] * x1 + F[2, 2] * x2 + F[2, 3] * x3
        x[o3 + t] = F[3, 0] * x0 + F[3, 1] * x1 + F[3, 2] * x2 + F[3, 3] * x3


@njit(fastmath=_FASTMATH, cache=True)
def _block(x, o, width, L, R, use_l, use_r, indptr, cols, vals, out, group):
    """The operator on one block of the 1-D array x: row k is ``x[o[k]:o[k] + width]`` (uint64
    offsets; 4 rows: L alone; 16 rows, index 4 * (lo digit) + (hi digit): ``C2 @ kron(L, R)``, a
    factor skipped unless flagged). ``out`` (16 * width) and ``group`` (4) are scratch."""
    if o.shape[0] == 4:
        _mix4(x, o, L, width)
        return
    if use_r:  # R on the hi digit: rows 4i .. 4i + 3 for each lo digit i
        for i in range(4):
            for j in range(4):
                group[j] = o[4 * i + j]
            _mix4(x, group, R, width)
    if use_l:  # L on the lo digit: rows j, 4 + j, 8 + j, 12 + j for each hi digit j
        for j in range(4):
            for i in range(4):
                group[i] = o[4 * i + j]
            _mix4(x, group, L, width)
    w = np.uint64(width)
    for r in range(16):  # C2 in CSR form into out
        target = np.uint64(r) * w
        first, last = indptr[r], indptr[r + 1]
        if first == last:  # an all-zero row (complete depolarization)
            for t in range(w):
                out[target + t] = 0.0
            continue
        source, v = o[cols[first]], vals[first]
        for t in range(w):
            out[target + t] = v * x[source + t]
        for e in range(first + 1, last):
            source, v = o[cols[e]], vals[e]
            for t in range(w):
                out[target + t] += v * x[source + t]
    for r in range(16):
        target, source = o[r], np.uint64(r) * w
        for t in range(w):
            x[target + t] = out[source + t]


@njit(cache=True)
def _geometry(n, lo, hi):
    """The untouched digits of a pass over the operator on qubit ``lo`` (and ``hi`` > lo; -1 for a
    1-qubit operator) as three blocks, (count, stride) each: above lo, between, below hi; and
    the operator's digit strides (s_lo, s_hi)."""
    s_lo = 4 ** (n - 1 - lo)
    if hi < 0:
        return (4**lo, 4 * s_lo), (1, 0), (s_lo, 1), s_lo, s_lo
    s_hi = 4 ** (n - 1 - hi)
    return (4**lo, 4 * s_lo), (4 ** (hi - lo - 1), 4 * s_hi), (s_hi, 1), s_lo, s_hi


@njit(fastmath=_FASTMATH, cache=True)
def _apply(state, L, R, use_l, use_r, indptr, cols, vals, lo, hi, n, buf, out):
    """In place: ``C2 @ kron(L, R)`` on qubits lo < hi (L, R skipped unless flagged); with ``hi``
    = -1, L alone on qubit lo.

    Where the digits below the operator's give runs of at least ``MIN_RUN`` contiguous entries,
    the blocks are slices of the state itself. Otherwise (hi among the last qubits) tiles of
    about ``TILE`` entries per row are gathered into a contiguous buffer, transformed there and
    scattered back; see the comment below for their shape."""
    above, between, below, s_lo, s_hi = _geometry(n, lo, hi)
    rows = 16 if hi >= 0 else 4
    offsets = np.empty(rows, np.uint64)
    for k in range(rows):
        offsets[k] = (k >> 2) * s_lo + (k & 3) * s_hi if hi >= 0 else k * s_lo
    o = np.empty(rows, np.uint64)
    group = np.empty(4, np.uint64)
    if below[0] >= MIN_RUN:
        width = min(below[0], TILE)
        for a in range(above[0]):
            for m in range(between[0]):
                for s in range(0, below[0], width):
                    base = np.uint64(a * above[1] + m * between[1] + s)
                    for k in range(rows):
                        o[k] = offsets[k] + base
                    _block(state, o, width, L, R, use_l, use_r, indptr, cols, vals, out, group)
        return
    # a tile: every ``run`` (the digits below hi) of c_m consecutive between-values of c_a
    # consecutive above-values, so that it reads whole cache lines (one contiguous stretch of the
    # state once c_a > 1); gathered row by row into the contiguous buffer, transformed, scattered
    u = np.uint64
    run = u(below[0])
    c_m = u(min(between[0], max(1, TILE // below[0])))
    c_a = u(min(above[0], max(1, TILE // (below[0] * between[0]))))
    width = c_a * c_m * run
    s_a, s_m = u(above[1]), u(between[1])
    for k in range(rows):
        o[k] = u(k) * width
    for a0 in range(0, above[0], c_a):
        for m0 in range(0, between[0], c_m):
            base = u(a0 * above[1] + m0 * between[1])
            for k in range(rows):
                _copy(buf, o[k], c_m * run, run, state, base + offsets[k], s_a, s_m, c_a, c_m, run)
            _block(buf, o, width, L, R, use_l, use_r, indptr, cols, vals, out, group)
            for k in range(rows):
                _copy(state, base + offsets[k], s_a, s_m, buf, o[k], c_m * run, run, c_a, c_m, run)


@njit(cache=True, inline="always")
def _copy(target, t0, ta, tm, source, s0, sa, sm, count_a, count_m, run):
    """``target[t0 + a * ta + m * tm + i] = source[s0 + a * sa + m * sm + i]`` for a, m, i below
    count_a, count_m, run (all uint64). Runs of one entry, and a single m, without their inner
    loops."""
    if run == 1 and count_m == 1:
        for a in range(count_a):
            target[t0 + a * ta] = source[s0 + a * sa]
    elif run == 1:
        for a in range(count_a):
            t, s = t0 + a * ta, s0 + a * sa
            for m in range(count_m):
                target[t + m * tm] = source[s + m * sm]
    else:
        for a in range(count_a):
            for m in range(count_m):
                t, s = t0 + a * ta + m * tm, s0 + a * sa + m * sm
                for i in range(run):
                    target[t + i] = source[s + i]


@njit(fastmath=_FASTMATH, cache=True)
def _evolve(state, initial, angles, axes, parts, sides, op_qubits, op_kind, indptr, cols, vals, n,
            work, buf, out):
    """state <- the compiled circuit applied to ``initial`` with ``angles`` (P,); ``work`` (2, 4, 4),
    ``buf`` and ``out`` (16 * TILE each) are scratch."""
    state[:] = initial
    cos, sin = np.cos(angles), np.sin(angles)
    left, right = work[0], work[1]
    f = 0
    for i in range(op_qubits.shape[0]):
        use_l = _factor(left, sides[f], axes, parts, cos, sin)
        single = op_qubits[i, 1] < 0
        use_r = False if single else _factor(right, sides[f + 1], axes, parts, cos, sin)
        k = op_kind[i]
        _apply(state, left, right, use_l, use_r, indptr[k], cols[k], vals[k], op_qubits[i, 0], op_qubits[i, 1],
               n, buf, out)
        f += 1 if single else 2


@njit(fastmath=_FASTMATH, cache=True)
def pauli_vectors(out, initial, params, axes, parts, sides, op_qubits, op_kind, indptr, cols, vals, n):
    """out[b] (4^n,) <- the final Pauli vector of parameter set b (``params`` (B, P))."""
    work, buf, scratch = np.empty((2, 4, 4)), np.empty(16 * TILE), np.empty(16 * TILE)
    for b in range(params.shape[0]):
        _evolve(out[b], initial, params[b], axes, parts, sides, op_qubits, op_kind, indptr, cols, vals, n, work,
                buf, scratch)


@njit(fastmath=_FASTMATH, cache=True)
def energies(out, initial, params, axes, parts, sides, op_qubits, op_kind, indptr, cols, vals, n,
             index, weight, constant):
    """out[b] <- constant + sum_k weight[k] r_b[index[k]]: the energy of parameter set b, with the
    Hamiltonian's coefficients and readout error folded into ``weight``."""
    state = np.empty(initial.shape[0])
    work, buf, scratch = np.empty((2, 4, 4)), np.empty(16 * TILE), np.empty(16 * TILE)
    for b in range(params.shape[0]):
        _evolve(state, initial, params[b], axes, parts, sides, op_qubits, op_kind, indptr, cols, vals, n, work,
                buf, scratch)
        total = 0.0
        for k in range(index.shape[0]):
            total += weight[k] * state[index[k]]
        out[b] = constant + total
