"""Extract the IBM Mumbai calibration summary shipped in qasbench/noise_data/mumbai.json.

Needs the ``data`` extra (qiskit-ibm-runtime). Run: ``python scripts/generate_noise_data.py``.
Source: ``qiskit_ibm_runtime.fake_provider.FakeMumbaiV2`` (calibration snapshot of 2021-03-13).
"""
import json
from pathlib import Path

import numpy as np
import qiskit_ibm_runtime
from qiskit_ibm_runtime.fake_provider import FakeMumbaiV2

OUT = Path(__file__).resolve().parents[1] / "qasbench" / "noise_data" / "mumbai.json"


def main() -> None:
    backend = FakeMumbaiV2()
    props = backend.properties()
    qubits = range(backend.num_qubits)
    pairs = [g.qubits for g in props.gates if g.gate == "cx"]
    samples = {
        "error_1q": [props.gate_error("sx", [q]) for q in qubits],
        "error_2q": [props.gate_error("cx", p) for p in pairs],
        "time_1q_ns": [props.gate_length("sx", [q]) * 1e9 for q in qubits],
        "time_2q_ns": [props.gate_length("cx", p) * 1e9 for p in pairs],
        "readout_p01": [props.qubit_property(q, "prob_meas1_prep0")[0] for q in qubits],
        "readout_p10": [props.qubit_property(q, "prob_meas0_prep1")[0] for q in qubits],
        "t1_us": [props.t1(q) * 1e6 for q in qubits],
        "t2_us": [props.t2(q) * 1e6 for q in qubits],
    }
    # "worst" is max for error rates and durations, min for coherence times
    worst = {k: float(np.min(v) if k.startswith("t") and k.endswith("_us") else np.max(v))
             for k, v in samples.items()}
    summary = {
        "source": "qiskit_ibm_runtime.fake_provider.FakeMumbaiV2",
        "qiskit_ibm_runtime": qiskit_ibm_runtime.__version__,
        "calibration_date": str(props.last_update_date),
        "n_qubits": backend.num_qubits,
        "median": {k: float(np.median(v)) for k, v in samples.items()},
        "worst": worst,
    }
    OUT.write_text(json.dumps(summary, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
