"""Circuits as directed acyclic graphs, and back (our reading of the encoding of Sun, Wu, Ma,
Tresp, arXiv 2401.11576, which extends arch2vec's to quantum circuits).

Nodes, in order: START, the gates in sequence order, END, then padding up to
``max_gates + 2`` nodes. Node features = one-hot node type (START, CNOT, RX, RY, RZ, END, PAD)
followed by a qubit vector: +1 on a rotation's qubit, -1 on a CNOT's control and +1 on its
target, +1 on every qubit for START and END. Adjacency ``A[i, j]`` = the number of wires on
which node j directly follows node i (0, 1 or 2), so a CNOT followed by a CNOT on the same pair
weighs 2. The gate sequence fixes the graph, so decoding needs only the node features: each
node's type by argmax, a rotation's qubit by argmax of its qubit vector, a CNOT's target by
argmax and its control by argmin (among allowed pairs); decoding stops at the first END or PAD
node. Every decoded feature array is therefore a valid circuit of the search space.
"""
from __future__ import annotations

import numpy as np

from qasbench.circuit import CNOT, Circuit, Gate
from qasbench.search_space import SearchSpace

NODE_TYPES = ("START", "CNOT", "RX", "RY", "RZ", "END", "PAD")
START, END, PAD = 0, 5, 6
GATE_TYPES = (1, 2, 3, 4)  # the types a gate node may decode to, besides END / PAD


def n_nodes(space: SearchSpace) -> int:
    return space.max_gates + 2


def encode(circuit: Circuit, space: SearchSpace) -> tuple[np.ndarray, np.ndarray]:
    """(node types (L,), qubit vectors (L, n), adjacency (L, L)) of one circuit, L = max_gates + 2."""
    n, length = space.n_qubits, n_nodes(space)
    types = np.full(length, PAD)
    qubits = np.zeros((length, n), np.float32)
    adjacency = np.zeros((length, length), np.float32)
    last = [0] * n  # the node each wire comes from
    types[0], qubits[0] = START, 1.0
    for node, gate in enumerate(circuit.gates, start=1):
        types[node] = NODE_TYPES.index(gate.name)
        if gate.name == "CNOT":
            qubits[node, gate.qubits[0]], qubits[node, gate.qubits[1]] = -1.0, 1.0
        else:
            qubits[node, gate.qubits[0]] = 1.0
        for q in gate.qubits:
            adjacency[last[q], node] += 1.0
            last[q] = node
    end = len(circuit) + 1
    types[end], qubits[end] = END, 1.0
    for q in range(n):
        adjacency[last[q], end] += 1.0
    return types, qubits, adjacency


def encode_batch(circuits, space: SearchSpace) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stacked :func:`encode` of many circuits."""
    return tuple(np.stack(column) for column in zip(*(encode(c, space) for c in circuits)))


def decode(type_scores: np.ndarray, qubit_scores: np.ndarray, space: SearchSpace) -> list[Circuit]:
    """The circuits of a batch of decoder outputs: type scores (B, L, 7), qubit scores (B, L, n).

    A CNOT takes the allowed (control, target) pair maximizing ``score[target] - score[control]``.
    """
    pairs = np.array([g.qubits for g in space.actions if g.name == "CNOT"]).reshape(-1, 2)
    allowed = np.array([t for t in GATE_TYPES if t != 1 or len(pairs)] + [END, PAD])
    kinds = allowed[np.argmax(type_scores[..., allowed], axis=-1)]
    rotation_qubit = np.argmax(qubit_scores, axis=-1)
    cnot_pair = np.argmax(qubit_scores[..., pairs[:, 1]] - qubit_scores[..., pairs[:, 0]], axis=-1) if len(pairs) else None
    cnots = [CNOT(int(c), int(t)) for c, t in pairs]  # each gate built once, shared by every circuit
    rotations = {(kind, q): Gate(NODE_TYPES[kind], (q,)) for kind in GATE_TYPES[1:] for q in range(space.n_qubits)}
    circuits = []
    for b in range(len(kinds)):
        gates = []
        for node in range(1, space.max_gates + 1):
            kind = int(kinds[b, node])
            if kind in (END, PAD):
                break
            gates.append(cnots[cnot_pair[b, node]] if kind == 1 else rotations[kind, int(rotation_qubit[b, node])])
        circuits.append(Circuit(space.n_qubits, tuple(gates)))
    return circuits
