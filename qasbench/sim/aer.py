"""qiskit-aer density-matrix backend: the independent reference for every noise profile.

The circuit becomes a qiskit ``QuantumCircuit`` (our qubit k = qiskit qubit k) and the profile a
compact n-qubit ``NoiseModel``: ``depolarizing_error(l, k).compose(thermal_relaxation_error)``
after each rx/ry/rz and cx, as in :mod:`qasbench.noise`. Readout error enters through the
measured observable: a term P measured in its product basis reads as
``prod_{q in supp P} (a I + b P_q)`` (see :mod:`qasbench.noise`), built with qiskit's operator
algebra and evaluated by aer's ``save_expectation_value``.
"""
from __future__ import annotations

from functools import lru_cache, reduce

import numpy as np

from qasbench.circuit import Circuit
from qasbench.hamiltonian import Hamiltonian
from qasbench.noise import NoiseModel
from qasbench.sim.base import PLAN_CACHE_SIZE, Backend


def aer_noise_model(noise: NoiseModel):
    """qiskit-aer ``NoiseModel`` with the gate channels of ``noise`` (None when noiseless)."""
    from qiskit_aer.noise import NoiseModel as AerNoiseModel
    from qiskit_aer.noise import depolarizing_error, thermal_relaxation_error

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

    a = noise.readout_p10 - noise.readout_p01
    b = 1.0 - noise.readout_p01 - noise.readout_p10
    n = hamiltonian.n_qubits
    observables = []
    for pauli in hamiltonian.paulis:
        op = SparsePauliOp("I" * n)
        for q, char in enumerate(pauli):
            if char == "I":
                continue
            factor = ["I"] * n
            factor[n - 1 - q] = char  # qiskit labels are little-endian
            op = op.compose(SparsePauliOp(["I" * n, "".join(factor)], [a, b]))
        observables.append(op.simplify(atol=0.0))
    return observables


class AerBackend(Backend):
    """Term expectations (or energies) from qiskit-aer's density-matrix simulator.

    ``threads``: aer's ``max_parallel_threads`` (0 lets aer use every core).
    """

    name = "aer"

    def __init__(self, hamiltonian: Hamiltonian, noise: NoiseModel, threads: int = 0):
        from qiskit.quantum_info import SparsePauliOp
        from qiskit_aer import AerSimulator

        super().__init__(hamiltonian, noise)
        self.simulator = AerSimulator(
            method="density_matrix", noise_model=aer_noise_model(noise), max_parallel_threads=threads
        )
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
