"""Summarize saved `qasbench bench-sim --json` outputs against issue #4's goal, as markdown.

    python scripts/bench_sim_summary.py reports/bench-sim/*.json

A file that is not such an output stops it with one line naming the file.
"""
import json
import sys

from qasbench.bench_sim import summarize

KEYS = {"n_qubits", "ratio", "batch_ratio", "fused_2q_gbps", "copy_gbps"}


def load_run(path: str) -> list[dict]:
    try:
        with open(path) as f:
            rows = json.load(f)
        if not isinstance(rows, list) or not all(isinstance(r, dict) and KEYS <= r.keys() for r in rows):
            raise ValueError(f"expected a list of rows with keys {', '.join(sorted(KEYS))}")
    except (OSError, ValueError) as error:
        sys.exit(f"bench_sim_summary: {path}: not a `qasbench bench-sim --json` output ({error})")
    return rows


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python scripts/bench_sim_summary.py RUN.json [RUN.json ...]")
    print(summarize([load_run(path) for path in sys.argv[1:]]))
