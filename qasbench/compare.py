"""Join a suite's published table without rerunning it: ``qasbench compare MYDIR --suite NAME``.

The published archive (:mod:`qasbench.archive`) and the user's results directory must both
belong to the suite (name and hash) and be verified on aer. A method of the user's that is not
in the archive joins the published ones in one leaderboard (ranks, intervals, critical
difference). A method that is in the archive is a *rerun*: per cell, its records are tested
against the published ones, Mann-Whitney U on the errors and Fisher's exact test on the
successes, each at alpha / 2 so a cell is flagged at level alpha; errors are first rounded to
the suite's error tolerance (``median_error_atol_ha``), so float noise below it (runs that
reached the exact ground energy to 1e-11 on one machine and 3e-11 on another) is no
difference. Across the C cells compared, chance alone flags about alpha * C of them; the
rerun counts as consistent while the flagged count stays within the 95% quantile of
Binomial(C, alpha).
"""
from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from qasbench.report import GROUP, load_runs, write_report
from qasbench.reproduce import canaries, rerun, verdict
from qasbench.results import iter_records
from qasbench.suite import Suite

ALPHA = 0.05


def _check(runs: pd.DataFrame, suite: Suite, where) -> None:
    wrong = runs[(runs.suite != suite.id) | (runs.suite_hash != suite.hash)]
    if len(wrong):
        row = wrong.iloc[0]
        raise ValueError(f"{where}: {len(wrong)} record(s) are not of suite {suite.id} ({suite.hash}); e.g. "
                         f"{row.file} names {row.suite} ({row.suite_hash})")
    unverified = runs[runs.verified != True]  # noqa: E712
    if len(unverified):
        raise ValueError(f"{where}: {len(unverified)} record(s) are not verified on aer (e.g. "
                         f"{unverified.iloc[0].file}); run `qasbench verify {where}` first")


def rerun_check(published: pd.DataFrame, rerun: pd.DataFrame, tolerance: float, alpha: float = ALPHA) -> pd.DataFrame:
    """One row per (cell, method) present on both sides: seeds, success counts, medians, the
    two p-values and whether the cell differs at ``alpha``."""
    rows, cells = [], dict(list(published.groupby(GROUP)))
    for key, mine in rerun.groupby(GROUP):
        if key not in cells:
            continue
        theirs = cells[key]
        a = np.round(theirs.error.to_numpy(float) / tolerance) * tolerance
        b = np.round(mine.error.to_numpy(float) / tolerance) * tolerance
        p_errors = 1.0 if np.ptp(np.r_[a, b]) == 0 else float(
            scipy_stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
        k1, k2 = int(theirs.success.sum()), int(mine.success.sum())
        p_success = float(scipy_stats.fisher_exact([[k1, len(a) - k1], [k2, len(b) - k2]]).pvalue)
        rows.append({**dict(zip(GROUP, key)), "published_seeds": len(a), "rerun_seeds": len(b),
                     "published_successes": k1, "rerun_successes": k2,
                     "published_median_error": float(np.median(theirs.error)),
                     "rerun_median_error": float(np.median(mine.error)),
                     "p_errors_mann_whitney": p_errors, "p_successes_fisher": p_success,
                     "differs": min(p_errors, p_success) < alpha / 2})
    return pd.DataFrame(rows)


def chance_limit(cells: int, alpha: float = ALPHA) -> int:
    """The most flagged cells chance allows (95% quantile of Binomial(cells, alpha))."""
    return int(scipy_stats.binom.ppf(0.95, cells, alpha)) if cells else 0


def compare(mine: str | Path, suite: Suite, archive: str | Path, out: str | Path, check_code: bool = True,
            log=None) -> dict:
    """Write the joint leaderboard (and the rerun check, if any) into ``out``; return a summary:
    the new methods, the rerun methods, cells compared and flagged, the chance limit, and (with
    ``check_code``) whether the running code still makes the published records: one canary run
    per published method (:mod:`qasbench.reproduce`), its sentence and whether it proves the
    table stale."""
    archive = Path(archive)
    if not archive.is_file():
        raise ValueError(f"no published archive {archive} (give --archive PATH)")
    published, published_curves = load_runs(archive)
    own, own_curves = load_runs(mine)
    if own.empty:
        raise ValueError(f"no records in {mine}")
    _check(published, suite, archive)
    _check(own, suite, mine)
    known = set(published.algorithm)
    new = own[~own.algorithm.isin(known)]
    checked = rerun_check(published, own[own.algorithm.isin(known)], suite.data["ranking"]["median_error_atol_ha"])
    joint = pd.concat([published, new], ignore_index=True)
    curves = {**published_curves, **{name: own_curves[name] for name in new.file}}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    extra = ""
    flagged = int(checked.differs.sum()) if len(checked) else 0
    if len(checked):
        checked.to_csv(out / "rerun-check.csv", index=False)
        extra = (f"<h2>Reruns of published methods</h2><p>{flagged} of {len(checked)} cells differ at alpha = "
                 f"{ALPHA} (Mann-Whitney on errors, Fisher on successes, each at alpha/2); chance alone "
                 f"allows up to {chance_limit(len(checked))}.</p>"
                 + checked.to_html(index=False, float_format="%.3g", border=0))
    code, stale = "not checked (--no-code-check)", False
    if check_code:
        rows = []
        for record in canaries([record for _, record in iter_records(archive)]):
            if log:
                log(f"code check: rerunning {record['algorithm_label']} {record['problem']} {record['noise']} "
                    f"seed {record['seed']}")
            rows.append(rerun(record))
        code, stale = verdict(rows)
        pd.DataFrame(rows).to_csv(out / "code-check.csv", index=False)
        extra = (f"<h2>Does this code make the published records?</h2><p>{html.escape(code)}.</p>"
                 + pd.DataFrame(rows).to_html(index=False, float_format="%.3g", border=0) + extra)
    write_report(joint, curves, out, extra, suite)
    return {"new_methods": sorted(new.algorithm.unique()),
            "rerun_methods": sorted(set(own.algorithm) & known), "cells_compared": len(checked),
            "cells_flagged": flagged, "chance_limit": chance_limit(len(checked)), "out": out,
            "code_check": code, "stale": stale}
