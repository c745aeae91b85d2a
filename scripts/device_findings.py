"""Where a circuit sits on a device, against what a uniform profile says (issue #23, findings).

    python scripts/device_findings.py [ARCHIVE] [--device ibm-mumbai] [--noise mumbai-median]

Takes every unmitigated record of ``--noise`` in a release archive or results directory
(default: lite-v1's archive; ``--noise`` a uniform profile, or the device itself, whose records
sit on its default layout) and re-scores its returned circuit and angles under the device
snapshot ``--device`` (for a uniform profile: the calibration it summarizes) on every
placement of its qubits on a connected set of
physical qubits whose coupled pairs hold all its CNOTs (``Device.placements``), exact
expectations with ptm (= aer to 1e-9, tests/test_device.py). Prints, per problem, the uniform
profile's median error beside the device's median error on the best, the median and the worst
placement of each circuit, the median spread (worst - best), and how many circuits fit the
device at all (a CNOT pattern with a triangle or a qubit of degree 4 does not fit heavy-hex).
"""
from __future__ import annotations

import argparse
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

from qasbench.circuit import Circuit
from qasbench.device import load_device
from qasbench.evaluator import Task
from qasbench.results import iter_records

ARCHIVE = Path(__file__).resolve().parents[1] / "reports" / "lite-v1" / "records.jsonl.gz"


@lru_cache(maxsize=None)
def _backend(problem: str, device, layout: tuple):
    return Task.make(problem, device.on(layout)).backend()


def placement_errors(record: dict, device) -> np.ndarray:
    """The record's circuit's absolute error on every placement that holds its CNOTs."""
    circuit = Circuit.from_dict(record["circuit"])
    pairs = {g.qubits for g in circuit.gates if not g.is_rotation}
    params = np.array(record["angles"])[None, :]
    errors = [_backend(record["problem"], device, layout).energies(circuit, params)[0]
              for layout in device.placements(circuit.n_qubits, pairs)]
    return np.abs(np.array(errors) - record["ground_energy"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", nargs="?", default=ARCHIVE)
    parser.add_argument("--device", default="ibm-mumbai")
    parser.add_argument("--noise", default="mumbai-median")
    args = parser.parse_args(argv)
    device = load_device(args.device)
    rows: dict[str, list] = {}
    for _, record in iter_records(args.archive):
        if record["noise"] == args.noise and not record.get("mitigation"):
            rows.setdefault(record["problem"], []).append((abs(record["error"]), placement_errors(record, device)))
    print(f"| problem | records | fit {args.device} | {args.noise} median error (Ha) | device error, best "
          "placement | median placement | worst placement | median spread (worst - best) |")
    print("|---|---|---|---|---|---|---|---|")
    for problem, found in rows.items():
        fitted = [(uniform, errors) for uniform, errors in found if errors.size]
        if not fitted:
            print(f"| {problem} | {len(found)} | 0 | - | - | - | - | - |")
            continue
        stat = lambda f: float(np.median([f(errors) for _, errors in fitted]))  # noqa: E731
        print(f"| {problem} | {len(found)} | {len(fitted)} | {np.median([u for u, _ in fitted]):.2e} | "
              f"{stat(np.min):.2e} | {stat(np.median):.2e} | {stat(np.max):.2e} | "
              f"{stat(lambda e: e.max() - e.min()):.2e} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
