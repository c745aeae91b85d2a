"""What mitigation changes in a suite's leaderboard (issue #23, findings), from its verified records.

    python scripts/mitigation_findings.py RESULTS [--suite device-v1]

RESULTS is a results directory or release archive of a suite whose cells differ by mitigation
(device-v1). Per problem and mitigation, over the suite's methods: how many methods succeed in
at least one seed, the best success rate (with its Wilson interval and method), the median over
methods of their median absolute error, and Kendall's tau between the methods' ranks in this
cell and in the unmitigated cell of the same problem (1: the same order; ranks under the
suite's rules, ties shared). Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np
from scipy import stats as scipy_stats

from qasbench.report import leaderboard, load_runs, records_suite
from qasbench.suite import Suite


def findings(table) -> list[dict]:
    """One row per (problem, mitigated noise) of a leaderboard (:func:`qasbench.report.leaderboard`)."""
    rows = []
    for (problem, noise), cell in table.groupby(["problem", "noise"], sort=True):
        plain = table[(table.problem == problem) & (table.noise == noise.split("+")[0])]
        shared = cell.merge(plain[["algorithm", "rank"]], on="algorithm", suffixes=("", "_unmitigated"))
        tau = scipy_stats.kendalltau(shared["rank"], shared["rank_unmitigated"]).statistic if len(shared) > 1 else np.nan
        best = cell.sort_values(["success_rate", "median_error"], ascending=[False, True]).iloc[0]
        rows.append({"problem": problem, "cell": noise, "methods": len(cell),
                     "methods_succeeding": int((cell.successes > 0).sum()),
                     "best_success": f"{best.success_rate:.1f} [{best.success_ci_low:.2f}, {best.success_ci_high:.2f}] "
                                     f"({best.algorithm})",
                     "median_of_median_errors": float(cell.median_error.median()),
                     "kendall_tau_vs_unmitigated": float(tau)})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--suite", default="device-v1")
    args = parser.parse_args(argv)
    runs, _ = load_runs(args.results)
    table = leaderboard(runs, records_suite(runs, Suite.load(args.suite)).data["ranking"])
    print("| problem | cell | methods | methods with a success | best success rate [95% CI] (method) | "
          "median of the methods' median errors (Ha) | Kendall tau of the ranks vs unmitigated |")
    print("|---|---|---|---|---|---|---|")
    for row in findings(table):
        print(f"| {row['problem']} | {row['cell']} | {row['methods']} | {row['methods_succeeding']} | "
              f"{row['best_success']} | {row['median_of_median_errors']:.2e} | {row['kendall_tau_vs_unmitigated']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
