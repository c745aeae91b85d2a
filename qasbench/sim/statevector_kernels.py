"""Compiled (numba) kernels of the noiseless statevector backend.

A circuit is an int64 array ``ops`` of shape (G, 3): ``(kind, mask_a, mask_b)`` per gate, kind
0 = CNOT (``mask_a`` the control's bit, ``mask_b`` the target's), 1/2/3 = RX/RY/RZ on the qubit
whose bit is ``mask_a``; qubit q's bit is ``1 << (n - 1 - q)`` (qubit 0 most significant).
The i-th rotation takes ``params[b, i]``; ``R_P(t) = exp(-i t P / 2)``. One parameter set at a
time: the state is a length-2^n complex vector, evolved in place, one pass per gate.

Energies: terms are grouped by their X mask x; for group g,
``E_g = sum_j conj(psi[j ^ x_g]) psi[j] w[g, j]`` with ``w[g, j] = sum_t c_t i^{|x&z_t|} (-1)^{|j & z_t|}``
precomputed, so an energy costs (groups x 2^n) complex multiply-adds whatever the term count.
Per-term expectations (for shot sampling) loop over the terms.
"""
from __future__ import annotations

import numpy as np
from numba import njit

CNOT, RX, RY, RZ = 0, 1, 2, 3
_FASTMATH = {"contract"}


@njit(fastmath=_FASTMATH, cache=True)
def _evolve(state, ops, params, b):
    """state <- circuit |0...0> for parameter set b."""
    size = state.shape[0]
    state[:] = 0.0
    state[0] = 1.0
    p = 0
    for g in range(ops.shape[0]):
        kind, ma, mb = ops[g, 0], ops[g, 1], ops[g, 2]
        if kind == CNOT:
            for j in range(size):
                if (j & ma) and not (j & mb):
                    k = j | mb
                    state[j], state[k] = state[k], state[j]
            continue
        half = 0.5 * params[b, p]
        p += 1
        c, s = np.cos(half), np.sin(half)
        for base in range(0, size, 2 * ma):
            for j in range(base, base + ma):
                k = j + ma
                x0, x1 = state[j], state[k]
                if kind == RX:  # [[c, -is], [-is, c]]
                    state[j] = c * x0 - 1j * s * x1
                    state[k] = c * x1 - 1j * s * x0
                elif kind == RY:  # [[c, -s], [s, c]]
                    state[j] = c * x0 - s * x1
                    state[k] = s * x0 + c * x1
                else:  # diag(c - is, c + is)
                    state[j] = (c - 1j * s) * x0
                    state[k] = (c + 1j * s) * x1


@njit(cache=True)
def _parity(v):
    v ^= v >> 32
    v ^= v >> 16
    v ^= v >> 8
    v ^= v >> 4
    return (0x6996 >> (v & 0xF)) & 1


@njit(fastmath=_FASTMATH, cache=True)
def energies(ops, params, group_x, weights, constant, out):
    """out[b] <- energy of parameter set b (see the module docstring for ``weights``)."""
    size = weights.shape[1]
    state = np.empty(size, np.complex128)
    for b in range(params.shape[0]):
        _evolve(state, ops, params, b)
        total = 0.0
        for g in range(group_x.shape[0]):
            x = group_x[g]
            acc = 0.0 + 0.0j
            for j in range(size):
                acc += np.conj(state[j ^ x]) * state[j] * weights[g, j]
            total += acc.real
        out[b] = constant + total


@njit(fastmath=_FASTMATH, cache=True)
def expectations(ops, params, masks, phases, size, out):
    """out[b, t] <- <P_t> for parameter set b; ``masks[t] = (x, z)``, ``phases[t] = i^{|x & z|}``."""
    state = np.empty(size, np.complex128)
    for b in range(params.shape[0]):
        _evolve(state, ops, params, b)
        for t in range(masks.shape[0]):
            x, z = masks[t, 0], masks[t, 1]
            acc = 0.0 + 0.0j
            for j in range(size):
                term = np.conj(state[j ^ x]) * state[j]
                acc += -term if _parity(j & z) else term
            out[b, t] = (phases[t] * acc).real


@njit(cache=True)
def states(ops, params, size, out):
    """out[b] <- the final state of parameter set b."""
    state = np.empty(size, np.complex128)
    for b in range(params.shape[0]):
        _evolve(state, ops, params, b)
        out[b] = state
