"""qiskit-aer density-matrix backend: the independent reference for every noise profile.

The circuit becomes a qiskit ``QuantumCircuit`` (our qubit k = qiskit qubit k) and the profile a
compact n-qubit ``NoiseModel``: ``depolarizing_error(l, k).compose(thermal_relaxation_error)``
after each rx/ry/rz and cx, as in :mod:`qasbench.noise`; a device snapshot's noise
(:mod:`qasbench.device`) is qiskit-aer's own device model (``basic_device_gate_errors``) of the
same numbers, placed on the layout. Readout error enters through the
measured observable: a term P measured in its product basis reads as
``prod_{q in supp P} (a I + b P_q)`` (see :mod:`qasbench.noise`), built with qiskit's operator
algebra and evaluated by aer's ``save_expectation_value``.
"""
from __future__ import annotations

from functools import lru_cache, reduce
from itertools import permutations

import numpy as np

from qasbench.circuit import Circuit
from qasbench.device import Device, DeviceNoise, load_device
from qasbench.hamiltonian import Hamiltonian
from qasbench.noise import NoiseModel
from qasbench.sim.base import PLAN_CACHE_SIZE, Backend


def device_target(device: Device, both_directions: bool = False):
    """A qiskit ``Target`` holding a snapshot's numbers: per qubit T1, T2 and the sx gate, per
    calibrated directed pair the native two-qubit gate; ``both_directions`` adds the reverse of
    a pair calibrated one way with the same numbers (how :mod:`qasbench.device` charges a CNOT)."""
    from qiskit.circuit.library import CXGate, CZGate, ECRGate, SXGate
    from qiskit.transpiler import InstructionProperties, QubitProperties, Target

    qubits = device.data["qubits"]
    target = Target(num_qubits=device.n_qubits,
                    qubit_properties=[QubitProperties(t1=q["t1_us"] * 1e-6, t2=q["t2_us"] * 1e-6) for q in qubits])
    target.add_instruction(SXGate(), {(i,): InstructionProperties(duration=q["time_sx_ns"] * 1e-9, error=q["error_sx"])
                                      for i, q in enumerate(qubits)})
    pairs = {tuple(p["qubits"]): p for p in device.data["pairs"]}
    if both_directions:
        pairs = {**{(b, a): p for (a, b), p in pairs.items()}, **pairs}
    gate = {"cx": CXGate, "ecr": ECRGate, "cz": CZGate}[device.data["two_qubit_gate"]]()
    target.add_instruction(gate, {q: InstructionProperties(duration=p["time_ns"] * 1e-9, error=p["error"])
                                  for q, p in pairs.items()})
    return target


@lru_cache(maxsize=None)
def _device_errors(name: str) -> dict:
    """qiskit-aer's own device-model errors (``basic_device_gate_errors``) of a shipped
    snapshot, both directions of every coupled pair: {(gate, physical qubits): QuantumError}.

    Each is handed to the simulator as one Kraus channel (the same channel): in the mixture form
    ``basic_device_gate_errors`` returns (up to 144 Pauli and reset terms, some with probability
    below 1e-10), aer's simulator shifted the expectations after a single Torino CZ by up to
    1.8e-9 from that error's own channel (measured); as one Kraus channel they agree to 1e-15."""
    from qiskit.quantum_info import Kraus
    from qiskit_aer.noise import QuantumError
    from qiskit_aer.noise.device import basic_device_gate_errors

    target = device_target(load_device(name), both_directions=True)
    return {(gate, tuple(qubits)): QuantumError(Kraus(error.to_quantumchannel()))
            for gate, qubits, error in basic_device_gate_errors(target=target)}


def _device_noise_model(noise: DeviceNoise):
    """aer's device errors placed on the layout: the physical qubit's sx error after every rx
    and ry, none after rz (virtual), the pair's native-gate error after every cx."""
    from qiskit_aer.noise import NoiseModel as AerNoiseModel

    errors, gate = _device_errors(noise.device.name), noise.device.data["two_qubit_gate"]
    model = AerNoiseModel(basis_gates=["rx", "ry", "rz", "cx"])
    for q, physical in enumerate(noise.layout):
        model.add_quantum_error(errors["sx", (physical,)], ["rx", "ry"], [q])
    for c, t in permutations(range(len(noise.layout)), 2):
        pair = (gate, (noise.layout[c], noise.layout[t]))
        if pair in errors:
            model.add_quantum_error(errors[pair], ["cx"], [c, t])
    return model


def aer_noise_model(noise: NoiseModel | DeviceNoise):
    """qiskit-aer ``NoiseModel`` with the gate channels of ``noise`` (None when noiseless)."""
    from qiskit_aer.noise import NoiseModel as AerNoiseModel
    from qiskit_aer.noise import depolarizing_error, thermal_relaxation_error

    if isinstance(noise, DeviceNoise):
        return _device_noise_model(noise)
    if not noise.has_gate_noise:
        return None
    model = AerNoiseModel(basis_gates=["rx", "ry", "rz", "cx"])
    for k, lam, duration, gates in ((1, noise.depol_1q, noise.time_1q_ns, ["rx", "ry", "rz"]),
                                    (2, noise.depol_2q, noise.time_2q_ns, ["cx"])):
        error = depolarizing_error(lam, k)
        if noise.has_relaxation:
            relax = thermal_relaxation_error(noise.t1_us * 1e3, noise.t2_us * 1e3, duration)
            error = error.compose(reduce(lambda a, b: a.tensor(b), [relax] * k))
        model.add_all_qubit_quantum_error(error, gates)
    return model


def measured_observables(hamiltonian: Hamiltonian, noise: NoiseModel) -> list:
    """One qiskit ``SparsePauliOp`` per term, with readout error folded in."""
    from qiskit.quantum_info import SparsePauliOp

    n = hamiltonian.n_qubits
    readout = [noise.readout(q) for q in range(n)]
    observables = []
    for pauli in hamiltonian.paulis:
        op = SparsePauliOp("I" * n)
        for q, char in enumerate(pauli):
            if char == "I":
                continue
            factor = ["I"] * n
            factor[n - 1 - q] = char  # qiskit labels are little-endian
            p01, p10 = readout[q]
            op = op.compose(SparsePauliOp(["I" * n, "".join(factor)], [p10 - p01, 1.0 - p01 - p10]))
        observables.append(op.simplify(atol=0.0))
    return observables


class AerBackend(Backend):
    """Term expectations (or energies) from qiskit-aer's density-matrix simulator (its state
    vector simulator where there is no gate noise: readout error alone is folded into the
    measured observables, so the state stays pure).

    ``threads``: aer's ``max_parallel_threads`` (0 lets aer use every core).
    """

    name = "aer"

    def __init__(self, hamiltonian: Hamiltonian, noise: NoiseModel, threads: int = 0):
        from qiskit.quantum_info import SparsePauliOp
        from qiskit_aer import AerSimulator

        super().__init__(hamiltonian, noise)
        model = aer_noise_model(noise)  # None without gate noise: a state vector is exact and 2^n times smaller
        self.simulator = AerSimulator(method="density_matrix" if model is not None else "statevector",
                                      noise_model=model, max_parallel_threads=threads)
        self.observables = measured_observables(hamiltonian, noise)
        total = sum((c * o for c, o in zip(hamiltonian.coeffs, self.observables)), start=SparsePauliOp("I" * hamiltonian.n_qubits, 0.0))
        self.energy_observable = total.simplify(atol=0.0)
        self._template = lru_cache(maxsize=PLAN_CACHE_SIZE)(self._build_template)

    def _build_template(self, circuit: Circuit, per_term: bool):
        """Parameterized qiskit circuit saving each term's (or the total) expectation; cached
        per (circuit, per_term) by ``_template``."""
        qc = circuit.to_qiskit()
        observables = self.observables if per_term else [self.energy_observable]
        for i, observable in enumerate(observables):
            qc.save_expectation_value(observable, range(circuit.n_qubits), label=f"t{i}")
        return qc, len(observables)

    def _run(self, circuit: Circuit, params, per_term: bool) -> np.ndarray:
        self.check_circuit(circuit)
        params = circuit.check_params(params)
        qc, count = self._template(circuit, per_term)
        binds = [{p: params[:, i] for i, p in enumerate(qc.parameters)}] if circuit.n_params else None
        result = self.simulator.run(qc, parameter_binds=binds).result()
        rows = [result.data(i) for i in range(params.shape[0])] if circuit.n_params else [result.data(0)]
        return np.array([[row[f"t{t}"] for t in range(count)] for row in rows]).real

    def expectations(self, circuit: Circuit, params) -> np.ndarray:
        return self._run(circuit, params, per_term=True)

    def energies(self, circuit: Circuit, params) -> np.ndarray:
        """One saved expectation of the whole (readout-folded) Hamiltonian per parameter set."""
        return self.hamiltonian.constant + self._run(circuit, params, per_term=False)[:, 0]
