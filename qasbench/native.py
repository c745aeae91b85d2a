"""Native-gate counts: a result circuit transpiled to its device's gates on its layout.

A record of a task on a device snapshot (:class:`qasbench.device.DeviceNoise`) carries, beside
its CNOT count and depth in the search's gate set, ``native``: the circuit with its angles
bound, transpiled by qiskit to the device's basis (``rz``, ``sx``, ``x`` and its two-qubit gate:
``cx`` on Mumbai, ``ecr`` on Sherbrooke, ``cz`` on Torino) on the layout's coupled pairs in
their calibrated directions, at OPTIMIZATION_LEVEL with SEED. ``two_qubit_gates`` counts the
native two-qubit gates; ``depth`` is qiskit's depth of the transpiled circuit, every gate
counted (RZ, which the device applies virtually, included). The logical qubits stay on their
physical qubits (no routing is needed: the search space holds coupled CNOTs only). Uniform
profiles have no native gate set, and their records no ``native``.
"""
from __future__ import annotations

import numpy as np

from qasbench.circuit import Circuit
from qasbench.device import DeviceNoise

OPTIMIZATION_LEVEL = 1
SEED = 0


def basis(noise: DeviceNoise) -> list[str]:
    return ["rz", "sx", "x", noise.device.data["two_qubit_gate"]]


def calibrated_directions(noise: DeviceNoise) -> list[list[int]]:
    """The layout's coupled pairs, as logical (control, target), in their calibrated directions."""
    directed = {tuple(pair["qubits"]) for pair in noise.device.data["pairs"]}
    n, layout = len(noise.layout), noise.layout
    return [[c, t] for c in range(n) for t in range(n) if (layout[c], layout[t]) in directed]


def native_circuit(circuit: Circuit, params, noise: DeviceNoise):
    """``circuit`` at ``params`` as qiskit transpiles it to ``noise``'s device and layout."""
    import qiskit
    from qiskit.transpiler import CouplingMap

    edges = calibrated_directions(noise)
    bound = circuit.to_qiskit(np.atleast_2d(np.asarray(params, dtype=float)) if circuit.n_params else None)
    return qiskit.transpile(bound, basis_gates=basis(noise), coupling_map=CouplingMap(edges) if edges else None,
                            initial_layout=list(range(circuit.n_qubits)), optimization_level=OPTIMIZATION_LEVEL,
                            seed_transpiler=SEED)


def native_counts(circuit: Circuit, params, noise: DeviceNoise) -> dict:
    """The native two-qubit gate count and depth of ``circuit`` at ``params`` on ``noise``'s
    device and layout, with what decides them."""
    import qiskit

    out, gate = native_circuit(circuit, params, noise), noise.device.data["two_qubit_gate"]
    return {"two_qubit_gate": gate, "two_qubit_gates": int(out.count_ops().get(gate, 0)), "depth": int(out.depth()),
            "basis": basis(noise), "optimization_level": OPTIMIZATION_LEVEL, "seed_transpiler": SEED,
            "qiskit": qiskit.__version__}
