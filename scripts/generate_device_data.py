"""Write the device calibration snapshots shipped in qasbench/noise_data/devices/.

Needs the ``data`` extra (qiskit-ibm-runtime). Run: ``python scripts/generate_device_data.py``.
Sources: the calibration snapshots inside ``qiskit_ibm_runtime.fake_provider`` (FakeMumbaiV2: a
27-qubit Falcon r4; FakeSherbrooke: a 127-qubit Eagle r3; FakeTorino: a 133-qubit Heron r1).
Per qubit: T1, T2, the sx gate's error and duration, the readout probabilities
P(1 | prepared 0) and P(0 | prepared 1); per directed pair of the native two-qubit gate (cx,
ecr or cz): its error and duration. Nothing else is taken; qasbench/device.py states how the
numbers become channels.
"""
import json
from pathlib import Path

import qiskit_ibm_runtime
from qiskit_ibm_runtime.fake_provider import FakeMumbaiV2, FakeSherbrooke, FakeTorino

OUT = Path(__file__).resolve().parents[1] / "qasbench" / "noise_data" / "devices"
DEVICES = {"ibm-mumbai": (FakeMumbaiV2, "Falcon r4"), "ibm-sherbrooke": (FakeSherbrooke, "Eagle r3"),
           "ibm-torino": (FakeTorino, "Heron r1")}
TWO_QUBIT_GATES = ("cx", "ecr", "cz")


def snapshot(backend, processor: str) -> dict:
    target, props = backend.target, backend.properties()
    gate = next(g for g in TWO_QUBIT_GATES if g in target.operation_names)
    qubits = [{
        "t1_us": props.t1(q) * 1e6,
        "t2_us": props.t2(q) * 1e6,
        "error_sx": target["sx"][(q,)].error,
        "time_sx_ns": target["sx"][(q,)].duration * 1e9,
        "readout_p01": props.qubit_property(q, "prob_meas1_prep0")[0],
        "readout_p10": props.qubit_property(q, "prob_meas0_prep1")[0],
    } for q in range(backend.num_qubits)]
    pairs = [{"qubits": list(pair), "error": prop.error, "time_ns": prop.duration * 1e9}
             for pair, prop in sorted(target[gate].items()) if prop is not None]
    return {
        "source": f"qiskit_ibm_runtime.fake_provider.{type(backend).__name__}",
        "qiskit_ibm_runtime": qiskit_ibm_runtime.__version__,
        "processor": processor,
        "calibration_date": str(props.last_update_date),
        "n_qubits": backend.num_qubits,
        "two_qubit_gate": gate,
        "qubits": qubits,
        "pairs": pairs,
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (backend, processor) in DEVICES.items():
        path = OUT / f"{name}.json"
        path.write_text(json.dumps({"name": name, **snapshot(backend(), processor)}, indent=1) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
