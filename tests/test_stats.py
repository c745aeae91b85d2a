"""Leaderboard statistics against independent references (scipy, published worked examples)."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from qasbench import stats


def test_wilson_interval_matches_statsmodels_reference_values():
    # Wilson score interval, z = 1.96: 0/10 -> (0, 0.2775), 5/10 -> (0.2366, 0.7634), 10/10 -> (0.7225, 1)
    assert stats.wilson_interval(0, 10) == pytest.approx((0.0, 0.27754), abs=1e-5)
    assert stats.wilson_interval(5, 10) == pytest.approx((0.23659, 0.76341), abs=1e-5)
    assert stats.wilson_interval(10, 10) == pytest.approx((0.72246, 1.0), abs=1e-5)
    assert all(math.isnan(v) for v in stats.wilson_interval(0, 0))


def test_bootstrap_median_interval_is_deterministic_and_covers_the_median():
    values = np.random.default_rng(0).lognormal(size=10)
    low, high = stats.median_interval(values)
    assert low <= np.median(values) <= high and (low, high) == stats.median_interval(values)
    assert stats.median_interval([3.0] * 5) == (3.0, 3.0)


def _cell(**columns):
    return pd.DataFrame(columns, index=[f"m{i}" for i in range(len(next(iter(columns.values()))))])


def test_cell_ranks_follow_the_rules_with_ties_within_tolerance():
    cell = _cell(success_rate=[1.0, 1.0, 1.0, 0.5, 0.0],
                 evaluations_to_success=[1000.0, 1050.0, 3000.0, 200.0, np.nan],
                 median_cnots=[4.0, 4.0, 2.0, 1.0, 0.0], median_error=[0, 0, 0, 1e-3, 2e-2])
    ranks = stats.cell_ranks(cell)
    assert ranks.to_dict() == {"m0": 1.5, "m1": 1.5, "m2": 3.0, "m3": 4.0, "m4": 5.0}
    nobody = _cell(success_rate=[0.0, 0.0, 0.0], evaluations_to_success=[np.nan] * 3,
                   median_cnots=[3.0, 0.0, 0.0], median_error=[0.0194, 0.0194 + 5e-7, 0.05])
    assert stats.cell_ranks(nobody).to_dict() == {"m1": 1.0, "m0": 2.0, "m2": 3.0}


def test_friedman_matches_scipy_and_the_nemenyi_cd_matches_demsar():
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(12, 4)) + np.array([0, 0.5, 1, 1.5])
    ranks = pd.DataFrame(scipy_stats.rankdata(scores, axis=1), columns=list("abcd"))
    result = stats.friedman(ranks)
    reference = scipy_stats.friedmanchisquare(*scores.T)
    assert result["statistic"] == pytest.approx(reference.statistic)
    assert result["p_value"] == pytest.approx(reference.pvalue)
    # Demsar 2006, section 3.2.2: k = 4 classifiers on N = 14 data sets, CD = 1.25 at alpha 0.05
    demsar = stats.friedman(pd.DataFrame(np.tile([1.0, 2, 3, 4], (14, 1))))
    assert demsar["critical_difference"] == pytest.approx(1.25, abs=0.005)
