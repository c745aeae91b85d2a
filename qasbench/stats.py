"""Statistics of a leaderboard: intervals per cell, ranks within a cell, ranks across cells.

* Success rate: Wilson score interval at 95% (Wilson 1927), exact at 0 and n successes.
* Median error: percentile bootstrap interval at 95%, 2000 resamples from a fixed seed, so a
  table is the same every time it is built from the same records.
* Ranks within a cell follow the suite's ranking rules, lexicographically with tolerances:
  methods are ordered by the first key (success rate higher first, the others lower first, a
  missing value such as the evaluations to success of a method that never succeeded last);
  walking that order, a method joins the current group when its value equals the group's first
  within the key's tolerance; each group is ordered the same way by the next key. Methods left
  together after the last key tie and share the average of their ranks (1 = best).
* Across cells (Demsar 2006, JMLR 7:1-30): the Friedman test on the methods' ranks over the
  cells that every method ran (where a method misses a cell, the report adds a second over every
  cell, of the methods that ran them all), and the Nemenyi critical difference
  ``q_alpha sqrt(k (k + 1) / (6 N))`` with ``q_alpha`` the studentized range quantile over sqrt 2;
  two methods whose mean ranks differ by less than it are not told apart at level alpha.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

Z95 = 1.959963984540054
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20240
DEFAULT_RULES = {  # the rules of the lite-v1 and standard-v1 suites, for grids outside a suite
    "keys": ["success_rate", "evaluations_to_success", "median_cnots"],
    "keys_without_success": ["median_error", "median_cnots"],
    "evaluations_to_success_rtol": 0.1,
    "median_error_atol_ha": 1e-6,
}
HIGHER_IS_BETTER = {"success_rate"}


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion; (nan, nan) when n is 0."""
    if n == 0:
        return math.nan, math.nan
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def median_interval(values, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the median (fixed seed); (nan, nan) when empty."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return math.nan, math.nan
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    medians = np.median(values[rng.integers(values.size, size=(BOOTSTRAP_RESAMPLES, values.size))], axis=1)
    tail = (1 - level) / 2
    return float(np.quantile(medians, tail)), float(np.quantile(medians, 1 - tail))


def _equal(key: str, a: float, b: float, rules: dict) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if key == "evaluations_to_success":
        return abs(a - b) <= rules["evaluations_to_success_rtol"] * max(abs(a), abs(b))
    if key == "median_error":
        return abs(a - b) <= rules["median_error_atol_ha"]
    return a == b


def _tie_groups(cell: pd.DataFrame, keys: list[str], rules: dict) -> list[list]:
    """The rows of ``cell`` as tie groups, best first: ordered by the first key, rows equal to
    their group's first row within tolerance grouped, each group ordered by the next keys."""
    if not keys or len(cell) < 2:
        return [list(cell.index)]
    key, groups, leader = keys[0], [], None
    for index, value in cell[key].sort_values(ascending=key not in HIGHER_IS_BETTER, na_position="last",
                                              kind="stable").items():
        if leader is not None and _equal(key, value, leader, rules):
            groups[-1].append(index)
        else:
            groups.append([index])
            leader = value
    return [tied for group in groups for tied in _tie_groups(cell.loc[group], keys[1:], rules)]


def cell_ranks(cell: pd.DataFrame, rules: dict = DEFAULT_RULES) -> pd.Series:
    """Ranks (1 = best, ties averaged) of the rows of one cell's table (one row per method,
    with the columns the rules name), indexed like ``cell``."""
    keys = rules["keys"] if (cell["success_rate"] > 0).any() else rules["keys_without_success"]
    ranks, first = {}, 1
    for group in _tie_groups(cell, keys, rules):
        for index in group:
            ranks[index] = first + (len(group) - 1) / 2
        first += len(group)
    return pd.Series(ranks).reindex(cell.index)


def rankable(result: dict) -> bool:
    """Whether a :func:`friedman` result ranks anything: at least 2 methods over at least 2 cells."""
    return result["methods"] >= 2 and result["cells"] >= 2


def friedman(ranks: pd.DataFrame, alpha: float = 0.05) -> dict:
    """Friedman test and Nemenyi critical difference over ``ranks`` (cells x methods, no
    missing values): mean rank per method, chi-square statistic, p-value, critical difference."""
    n, k = ranks.shape
    mean = ranks.mean(axis=0)
    if n < 2 or k < 2:
        return {"cells": n, "methods": k, "mean_rank": mean, "statistic": math.nan, "p_value": math.nan,
                "critical_difference": math.nan, "alpha": alpha}
    statistic = 12 * n / (k * (k + 1)) * (float((mean**2).sum()) - k * (k + 1) ** 2 / 4)
    q = stats.studentized_range.ppf(1 - alpha, k, np.inf) / math.sqrt(2)
    return {"cells": n, "methods": k, "mean_rank": mean.sort_values(), "statistic": statistic,
            "p_value": float(stats.chi2.sf(statistic, k - 1)),
            "critical_difference": float(q * math.sqrt(k * (k + 1) / (6 * n))), "alpha": alpha}
