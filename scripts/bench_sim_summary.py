"""Summarize saved `qasbench bench-sim --json` outputs against issue #4's goal, as markdown.

    python scripts/bench_sim_summary.py reports/bench-sim/*.json
"""
import json
import sys

from qasbench.bench_sim import summarize

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python scripts/bench_sim_summary.py RUN.json [RUN.json ...]")
    print(summarize([json.load(open(path)) for path in sys.argv[1:]]))
