"""Independent re-verification: re-simulate each record's circuit on qiskit-aer.

For every record, the returned circuit and angles are re-simulated with the AerBackend under the
record's noise profile and mitigation (exact expectations: shots are a task setting and never enter the score)
and compared with the recorded ``best_energy``; the problem and noise profile are resolved from
the record's configuration through the registry and must hash as the record says. The outcome is written beside the records as ``verification/<record name>``
(derived data, recomputed on every call; records themselves are never touched). An archive
is re-verified in memory and left as it is.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from qasbench.circuit import Circuit
from qasbench.evaluator import Task, noise_hash
from qasbench.problem import unit_symbol
from qasbench.results import archive_entries, is_archive, iter_records, json_files, versions

TOLERANCE = 1e-8  # Hartree; both simulators agree to ~1e-14 on the test circuits


def verify_record(record: dict, tolerance: float = TOLERANCE) -> dict:
    config = record["config"]
    task = Task.make(config["problem"], config["noise"], mitigation=config.get("mitigation"))
    problem, model = task.problem, task.noise
    circuit = Circuit.from_dict(record["circuit"])
    if circuit.n_qubits != problem.n_qubits:
        raise ValueError(f"the circuit has {circuit.n_qubits} qubits, problem {problem.id} {problem.n_qubits}")
    energy = float(task.backend("aer").energies(circuit, np.array(record["angles"]))[0])
    diff = abs(energy - record["best_energy"])
    return {"verified": bool(diff <= tolerance), "aer_energy": energy, "recorded_energy": record["best_energy"],
            "abs_diff": diff, "tolerance": tolerance, "qiskit_aer": versions()["qiskit-aer"],
            "problem_hash_matches": problem.content_hash == record.get("problem_hash"),
            "noise_hash_matches": noise_hash(model) == record.get("noise_hash")}


def accepted(outcome: dict | None) -> bool:
    """Whether a verification outcome accepts its record (energies agree, hashes match); False
    for a missing or unreadable outcome."""
    try:
        return bool(outcome["verified"] and outcome["problem_hash_matches"]
                    and outcome.get("noise_hash_matches", True))
    except (TypeError, KeyError):
        return False


def verify_directory(directory: str | Path, tolerance: float = TOLERANCE, on_corrupt=None, log=None) -> dict:
    """Verify every record in ``directory``; return counts of verified, failed and corrupt
    records (corrupt ones, and records whose problem or noise cannot be resolved, go to
    ``on_corrupt(message)`` and count as corrupt)."""
    if not isinstance(tolerance, (int, float)) or not 0 <= tolerance < float("inf"):
        raise ValueError(f"tolerance must be a finite number >= 0, got {tolerance!r}")
    directory = Path(directory)
    counts = {"verified": 0, "failed": 0, "corrupt": 0}

    def corrupt(message: str) -> None:
        counts["corrupt"] += 1
        if on_corrupt is not None:
            on_corrupt(message)

    records = list(iter_records(directory, corrupt))
    out = None if is_archive(directory) else directory / "verification"  # an archive is only checked
    if out is not None:
        out.mkdir(exist_ok=True)
    for path, record in records:
        try:
            outcome = verify_record(record, tolerance)
        except ValueError as exc:
            corrupt(f"{path}: cannot verify: {exc}")
            continue
        ok = accepted(outcome)
        counts["verified" if ok else "failed"] += 1
        if out is not None:
            write_outcome(outcome, out / path.name)
        if log:
            print(f"{path.name}: {'verified' if ok else 'FAILED'} (|diff| = {outcome['abs_diff']:.1e} "
                  f"{unit_symbol(record.get('energy_unit'))})", file=log)
    return counts


def write_outcome(outcome: dict, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w") as handle:
        json.dump(outcome, handle, indent=1)
    os.replace(tmp, path)


def verification_outcomes(source: str | Path) -> dict[str, dict | None]:
    """Record file name -> its verification outcome (None where unreadable), for the records
    verified so far: ``verification/`` beside a directory's records, or inside an archive."""
    if is_archive(source):
        return {e["name"]: e["verification"] for e in archive_entries(source) if e["verification"] is not None}
    out = Path(source) / "verification"
    found = {}
    for path in json_files(out) if out.is_dir() else []:
        try:
            found[path.name] = json.loads(path.read_text())
        except (OSError, ValueError):
            found[path.name] = None
    return found


def load_verification(source: str | Path) -> dict[str, bool]:
    """Record file name -> verified (and hashes matching), for the records verified so far."""
    return {name: accepted(outcome) for name, outcome in verification_outcomes(source).items()}
