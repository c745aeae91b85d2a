"""Independent re-verification: re-simulate each record's circuit on qiskit-aer.

For every record, the returned circuit and angles are re-simulated with the AerBackend under the
record's noise profile (exact expectations, no shots) and compared with the recorded
``best_energy``. The outcome is written beside the records as ``verification/<record name>``
(derived data, recomputed on every call; records themselves are never touched).
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from qasbench import noise as noise_profiles
from qasbench import problems
from qasbench.circuit import Circuit
from qasbench.results import iter_records, versions
from qasbench.sim.aer import AerBackend

TOLERANCE = 1e-8  # Hartree; both simulators agree to ~1e-14 on the test circuits


def verify_record(record: dict, tolerance: float = TOLERANCE) -> dict:
    problem = problems.load(record["problem"])
    model = noise_profiles.get(record["noise"])
    circuit = Circuit.from_dict(record["circuit"])
    energy = float(AerBackend(problem.hamiltonian, model).energies(circuit, np.array(record["angles"]))[0])
    diff = abs(energy - record["best_energy"])
    return {"verified": bool(diff <= tolerance), "aer_energy": energy, "recorded_energy": record["best_energy"],
            "abs_diff": diff, "tolerance": tolerance, "qiskit_aer": versions()["qiskit-aer"],
            "problem_hash_matches": problem.content_hash == record.get("problem_hash")}


def verify_directory(directory: str | Path, tolerance: float = TOLERANCE, on_corrupt=None, log=None) -> dict:
    """Verify every record in ``directory``; return counts of verified and failed records."""
    directory = Path(directory)
    out = directory / "verification"
    out.mkdir(exist_ok=True)
    counts = {"verified": 0, "failed": 0}
    for path, record in iter_records(directory, on_corrupt):
        outcome = verify_record(record, tolerance)
        ok = outcome["verified"] and outcome["problem_hash_matches"]
        counts["verified" if ok else "failed"] += 1
        fd, tmp = tempfile.mkstemp(dir=out, prefix=".tmp-")
        with os.fdopen(fd, "w") as handle:
            json.dump(outcome, handle, indent=1)
        os.replace(tmp, out / path.name)
        if log:
            print(f"{path.name}: {'verified' if ok else 'FAILED'} (|diff| = {outcome['abs_diff']:.1e} Ha)", file=log)
    return counts


def load_verification(directory: str | Path) -> dict[str, bool]:
    """Record file name -> verified, for the records verified so far."""
    out = Path(directory) / "verification"
    found = {}
    for path in sorted(out.glob("*.json")) if out.is_dir() else []:
        try:
            outcome = json.loads(path.read_text())
            found[path.name] = bool(outcome["verified"] and outcome["problem_hash_matches"])
        except (OSError, ValueError, KeyError):
            found[path.name] = False
    return found
