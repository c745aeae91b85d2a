"""A minimal circuit IR for architecture search: CNOT and parameterized RX / RY / RZ.

A :class:`Circuit` is the *architecture*: an immutable gate sequence on ``n_qubits`` wires,
starting from ``|0...0>``. Angles live outside it, in a parameter vector: the i-th rotation
gate in sequence order uses ``params[i]`` (radians, ``R_P(t) = exp(-i t P / 2)``).
Qubit order and Pauli conventions are those of :mod:`qasbench.hamiltonian`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Sequence

import numpy as np

from qasbench.hashing import json_hash

ROTATIONS = ("RX", "RY", "RZ")
GATE_NAMES = ("CNOT", *ROTATIONS)


@dataclass(frozen=True)
class Gate:
    """``CNOT`` on ``(control, target)`` or a rotation on ``(qubit,)``."""

    name: str
    qubits: tuple[int, ...]

    def __post_init__(self):
        if self.name not in GATE_NAMES:
            raise ValueError(f"unknown gate {self.name!r}; choose from {', '.join(GATE_NAMES)}")
        arity = 2 if self.name == "CNOT" else 1
        qubits = tuple(int(q) for q in self.qubits)
        if len(qubits) != arity or len(set(qubits)) != arity:
            raise ValueError(f"{self.name} needs {arity} distinct qubits, got {self.qubits}")
        object.__setattr__(self, "qubits", qubits)

    @property
    def is_rotation(self) -> bool:
        return self.name != "CNOT"

    def __str__(self) -> str:
        return f"{self.name}({','.join(map(str, self.qubits))})"


def CNOT(control: int, target: int) -> Gate:
    return Gate("CNOT", (control, target))


def RX(qubit: int) -> Gate:
    return Gate("RX", (qubit,))


def RY(qubit: int) -> Gate:
    return Gate("RY", (qubit,))


def RZ(qubit: int) -> Gate:
    return Gate("RZ", (qubit,))


def hardware_efficient(n_qubits: int, layers: int, rotations: tuple[str, ...] = ("RY",),
                       entangler: tuple[tuple[int, int], ...] | None = None) -> "Circuit":
    """``layers`` x (the given rotations on every qubit, then a CNOT on each (control, target)
    pair of ``entangler``, by default the ladder 0->1->...->n-1)."""
    pairs = tuple((q, q + 1) for q in range(n_qubits - 1)) if entangler is None else entangler
    gates = []
    for _ in range(layers):
        gates += [Gate(name, (q,)) for q in range(n_qubits) for name in rotations]
        gates += [CNOT(a, b) for a, b in pairs]
    return Circuit(n_qubits, tuple(gates))


@dataclass(frozen=True)
class Circuit:
    n_qubits: int
    gates: tuple[Gate, ...] = ()

    def __post_init__(self):
        if self.n_qubits < 1:
            raise ValueError("a circuit needs at least one qubit")
        gates = tuple(self.gates)
        for gate in gates:
            if max(gate.qubits) >= self.n_qubits or min(gate.qubits) < 0:
                raise ValueError(f"{gate} acts outside a {self.n_qubits}-qubit circuit")
        object.__setattr__(self, "gates", gates)

    def __hash__(self) -> int:
        """Computed once per circuit (simulators look compiled plans up by circuit)."""
        try:
            return self.__dict__["_hash"]
        except KeyError:
            value = hash((self.n_qubits, self.gates))
            object.__setattr__(self, "_hash", value)
            return value

    def __getstate__(self) -> dict:
        """Pickles without the cached hash (string hashes differ between processes) and without
        compiled forms (rebuilt where needed)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_hash", "_compiled")}

    def compiled(self, key: str, build):
        """``build(self)``, computed once per circuit and key: simulators keep their compiled
        form of a circuit here, so it lives exactly as long as the circuit does."""
        cache = self.__dict__.get("_compiled")
        if cache is None:
            cache = {}
            object.__setattr__(self, "_compiled", cache)
        value = cache.get(key)
        if value is None:
            value = cache[key] = build(self)
        return value

    def __len__(self) -> int:
        return len(self.gates)

    def append(self, gate: Gate) -> "Circuit":
        return Circuit(self.n_qubits, self.gates + (gate,))

    def extend(self, gates: Iterable[Gate]) -> "Circuit":
        return Circuit(self.n_qubits, self.gates + tuple(gates))

    @cached_property
    def n_params(self) -> int:
        return sum(g.is_rotation for g in self.gates)

    def moments(self) -> list[int]:
        """ASAP moment index of every gate (a gate waits for all of its qubits)."""
        free = [0] * self.n_qubits
        out = []
        for gate in self.gates:
            moment = max(free[q] for q in gate.qubits)
            out.append(moment)
            for q in gate.qubits:
                free[q] = moment + 1
        return out

    @property
    def depth(self) -> int:
        return max(self.moments(), default=-1) + 1

    def counts(self) -> dict[str, int]:
        cnots = sum(g.name == "CNOT" for g in self.gates)
        return {
            "gates": len(self.gates),
            "cnots": cnots,
            "one_qubit": len(self.gates) - cnots,
            "params": self.n_params,
            "depth": self.depth,
        }

    def check_params(self, params: Sequence[float] | np.ndarray) -> np.ndarray:
        """Return params as an array of shape (batch, n_params), or raise a clear error."""
        array = params if type(params) is np.ndarray and params.dtype == np.float64 else np.asarray(params, dtype=float)
        if array.ndim == 1:
            array = array.reshape(1, -1)
        if array.ndim != 2 or array.shape[1] != self.n_params:
            raise ValueError(
                f"circuit has {self.n_params} parameters, got an array of shape {np.shape(params)}"
            )
        return array

    # -- serialization ------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"n_qubits": self.n_qubits, "gates": [[g.name, *g.qubits] for g in self.gates]}

    @classmethod
    def from_dict(cls, data: dict) -> "Circuit":
        try:
            return cls(int(data["n_qubits"]), tuple(Gate(g[0], tuple(g[1:])) for g in data["gates"]))
        except (KeyError, TypeError, IndexError) as exc:
            raise ValueError(f"malformed circuit JSON: {exc!r}") from exc

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "Circuit":
        return cls.from_dict(json.loads(text))

    def content_hash(self) -> str:
        return json_hash(self.to_dict())

    def __str__(self) -> str:
        return " ".join(map(str, self.gates)) or "(empty)"

    # -- export -------------------------------------------------------------------------
    def to_qiskit(self, params: Sequence[float] | None = None):
        """A qiskit ``QuantumCircuit`` (our qubit k is qiskit qubit k). Without ``params`` the
        rotations carry free ``Parameter`` objects named ``t[i]``."""
        from qiskit import QuantumCircuit
        from qiskit.circuit import ParameterVector

        values = ParameterVector("t", self.n_params) if params is None else self.check_params(params)[0]
        qc = QuantumCircuit(self.n_qubits)
        index = 0
        for gate in self.gates:
            if gate.name == "CNOT":
                qc.cx(*gate.qubits)
            else:
                getattr(qc, gate.name.lower())(values[index], gate.qubits[0])
                index += 1
        return qc

    def to_qasm3(self, params: Sequence[float]) -> str:
        """OpenQASM 3 text of the bound circuit."""
        from qiskit import qasm3

        return qasm3.dumps(self.to_qiskit(params))

    def to_pennylane(self, params: Sequence[float]) -> list:
        """PennyLane operations (wire k = our qubit k) of the bound circuit."""
        import pennylane as qml

        values = self.check_params(params)[0]
        ops, index = [], 0
        for gate in self.gates:
            if gate.name == "CNOT":
                ops.append(qml.CNOT(wires=list(gate.qubits)))
            else:
                ops.append(getattr(qml, gate.name)(values[index], wires=gate.qubits[0]))
                index += 1
        return ops
