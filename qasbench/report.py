"""Leaderboard reports from a results directory: tables (Markdown, CSV, LaTeX), plots, HTML.

This module loads the records and computes the tables; :mod:`qasbench.plots` draws the figures
and :mod:`qasbench.page` writes index.html (both name things through :mod:`qasbench.labels`).

Per (problem, noise, shots) one row per method, labelled by the record's ``algorithm_label``
(the algorithm with any explicitly set hyperparameters, so two settings of one algorithm are
two rows); a mitigated task is a cell of its own, its noise named with the mitigation
(``ibm-torino+zne``). Per row: runs, success rate (absolute error below chemical accuracy),
median and interquartile range of the absolute error (a mitigated energy can lie below the
ground energy), median CNOTs / depth / parameters, median
evaluations to success (the first point of the anytime curve below the threshold, over the
successful runs; likewise shots), median wall time. Records whose re-verification on qiskit-aer
failed are not ranked, nor are records not verified yet; the ``verified`` column counts the records
ranked.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from qasbench import __version__, stats
from qasbench.config import cell_noise_name, shots_label
from qasbench.labels import CELL, seed_range
from qasbench.page import display_table, index_html
from qasbench.plots import method_styles, plot_anytime, plot_critical_difference, plot_pareto, plot_success
from qasbench.problem import CHEMICAL_ACCURACY, unit_symbol
from qasbench.results import iter_records
from qasbench.verify import load_verification

GROUP = [*CELL, "algorithm"]  # one leaderboard row


def _metric_value(record: dict) -> float:
    """The problem's figure of merit of the scored energy (problems with a ``metric``): the
    approximation ratio E / E0, or the fidelity 1 - E (E the infidelity); NaN otherwise."""
    metric, energy = record.get("metric"), record["best_energy"]
    if metric == "approximation_ratio":
        return energy / record["ground_energy"]
    return 1.0 - energy if metric == "fidelity" else np.nan


def _cost_to_success(record: dict) -> tuple[float, float]:
    """(evaluations, shots) spent when the anytime curve first fell below the threshold."""
    for evaluations, error, shots in record["history"]:
        if abs(error) < record["success_threshold"]:
            return float(evaluations), float(shots)
    return np.nan, np.nan


def cell_noise(record: dict) -> str:
    """The noise a record's leaderboard cell is named by: its profile, with its mitigation
    appended where there is one (``ibm-torino+zne``)."""
    return cell_noise_name(record["noise"], record.get("mitigation") or "none")  # records name no "none"


def load_runs(directory: str | Path, on_corrupt=None) -> tuple[pd.DataFrame, dict]:
    """One row per record with the leaderboard's fields, and the anytime curves by file name."""
    verified = load_verification(directory)
    rows, curves = [], {}
    for path, record in iter_records(directory, on_corrupt):
        rows.append({
            "algorithm": record["algorithm_label"],
            "shots": shots_label(record["shots"]),
            **{k: record[k] for k in ("problem", "n_qubits", "seed", "success", "cnots", "depth", "params",
                                      "evaluations_used", "shots_used", "wall_time_s", "problem_hash",
                                      "noise_hash", "qasbench_version", "git_commit")},
            "noise": cell_noise(record),
            "mitigation": record.get("mitigation", "none"),
            "error": abs(record["error"]),
            "energy_unit": unit_symbol(record.get("energy_unit")),
            "metric": record.get("metric"),
            "metric_value": _metric_value(record),
            "success_threshold": record["success_threshold"],
            **{f"native_{key}": (record.get("native") or {}).get(field, np.nan)
               for key, field in (("2q", "two_qubit_gates"), ("depth", "depth"))},
            **dict(zip(("evaluations_to_success", "shots_to_success"), _cost_to_success(record))),
            "suite": record.get("suite"), "suite_hash": record.get("suite_hash"),
            "adopted_from": (record.get("adopted_from") or {}).get("suite"),
            "cpu_model": record.get("machine", {}).get("cpu_model", record.get("cpu")),
            "verified": verified.get(path.name),
            "file": path.name,
        })
        curves[path.name] = np.abs(np.array(record["history"], dtype=float).reshape(-1, 3)[:, :2])
    runs = pd.DataFrame(rows)
    _one_suite(runs, directory)
    return runs, curves


def _one_suite(runs: pd.DataFrame, directory) -> None:
    """ValueError unless every record belongs to the same suite and suite hash (or to none)."""
    if runs.empty:
        return
    counts = runs[["suite", "suite_hash"]].fillna("none").value_counts()
    if len(counts) > 1:
        names = "; ".join(f"{suite} {digest[:19]}: {n} records" for (suite, digest), n in counts.items())
        raise ValueError(f"{directory} mixes records of different suites or suite versions ({names}); "
                         "one table ranks one suite: report each apart")


def records_suite(runs: pd.DataFrame, suite=None):
    """The suite the records were run under: ``suite`` (a loaded :class:`qasbench.suite.Suite`,
    e.g. from a suite file that is not packaged; ValueError unless the records are its), else the
    packaged suite the records name, else None (records of no suite)."""
    from qasbench.suite import Suite

    theirs = runs[["suite", "suite_hash"]].dropna().drop_duplicates().values.tolist() if "suite" in runs else []
    if suite is not None:
        if theirs != [[suite.id, suite.hash]]:
            raise ValueError(f"the records are of suite {', '.join(t[0] for t in theirs) or 'none'}, not of {suite.id} "
                             f"({suite.hash})")
        return suite
    return Suite.load(theirs[0][0]) if theirs else None


def coverage(table: pd.DataFrame, suite) -> pd.DataFrame:
    """Verified seeds held per cell of ``suite`` (rows, keyed by problem, noise, shots) and method
    (columns: the suite's reference methods, then any other method ``table`` ranks), 0 where a
    method has none; the suite plans ``len(suite.data["seeds"])`` per entry."""
    methods = list(dict.fromkeys(suite.methods + sorted(table.algorithm.unique())))
    held = table.set_index(GROUP)["runs"]
    index = pd.MultiIndex.from_tuples(suite.cells, names=CELL)
    return pd.DataFrame([[int(held.get((*cell, method), 0)) for method in methods] for cell in suite.cells],
                        index=index, columns=methods)


def leaderboard(runs: pd.DataFrame, rules: dict = stats.DEFAULT_RULES) -> pd.DataFrame:
    """One row per (problem, noise, shots, method) over the verified records, with the
    success rate's Wilson interval, the median error's bootstrap interval and the method's
    rank within its cell (:func:`qasbench.stats.cell_ranks` under ``rules``)."""
    ranked = runs[runs["verified"] == True]  # noqa: E712  (None = not verified yet, False = failed)
    grouped = ranked.groupby(GROUP)
    table = grouped.agg(
        runs=("error", "size"),
        successes=("success", "sum"),
        success_rate=("success", "mean"),
        median_error=("error", "median"),
        iqr_error=("error", lambda e: e.quantile(0.75) - e.quantile(0.25)),
        median_cnots=("cnots", "median"),
        median_depth=("depth", "median"),
        median_native_2q=("native_2q", "median"),
        median_native_depth=("native_depth", "median"),
        energy_unit=("energy_unit", "first"),
        metric=("metric", "first"),
        median_metric=("metric_value", "median"),
        success_threshold=("success_threshold", "first"),
        median_params=("params", "median"),
        median_evals_to_success=("evaluations_to_success", "median"),
        median_shots_to_success=("shots_to_success", "median"),
        median_wall_time_s=("wall_time_s", "median"),
        verified=("verified", lambda v: int((v == True).sum())),  # noqa: E712
    ).reset_index()
    optional = {"median_native_2q": table.median_native_2q.isna().all(),  # device tasks only
                "median_native_depth": table.median_native_depth.isna().all(),
                "metric": table.metric.isna().all(), "median_metric": table.median_metric.isna().all(),  # families
                "energy_unit": (table.energy_unit == "Ha").all(),
                "success_threshold": (table.success_threshold == CHEMICAL_ACCURACY).all()}
    table = table.drop(columns=[column for column, absent in optional.items() if absent])
    excluded = runs[runs["verified"] == False].groupby(GROUP).size()  # noqa: E712
    table["failed_verification"] = [int(excluded.get(tuple(k), 0)) for k in table[GROUP].values]
    table[["success_ci_low", "success_ci_high"]] = [stats.wilson_interval(int(k), int(n))
                                                    for k, n in zip(table.successes, table.runs)]
    errors = ranked.groupby(GROUP)["error"]
    table[["median_error_ci_low", "median_error_ci_high"]] = [stats.median_interval(errors.get_group(tuple(k)))
                                                              for k in table[GROUP].values]
    keyed = table.rename(columns={"median_evals_to_success": "evaluations_to_success"})
    table["rank"] = pd.concat([stats.cell_ranks(cell, rules) for _, cell in keyed.groupby(CELL)])
    return table.sort_values(["problem", "noise", "shots", "rank", "algorithm"]).reset_index(drop=True)


def overall_rankings(table: pd.DataFrame) -> list[dict]:
    """Friedman tests and Nemenyi critical differences (:func:`qasbench.stats.friedman`): over the
    cells every method ran, with the cells left out counted; and, where some were left out, a
    second over every cell, of the methods that ran them all, with their ranks renumbered within
    each cell among themselves and the methods left out counted. Each result names the file of
    its critical-difference diagram."""
    ranks = table.pivot_table(index=CELL, columns="algorithm", values="rank")
    scopes = [ranks.dropna()]
    if len(scopes[0]) < len(ranks):
        scopes.append(ranks.dropna(axis=1).rank(axis=1))
    results = []
    for complete, image in zip(scopes, ("critical-difference.png", "critical-difference-every-cell.png")):
        ranked = table[table.set_index(CELL).index.isin(complete.index) & table.algorithm.isin(complete.columns)]
        result = stats.friedman(complete)
        result.update(cells_left_out=len(ranks) - len(complete), methods_left_out=ranks.shape[1] - complete.shape[1],
                      image=image, seeds=seed_range(ranked.runs if len(ranked) else table.runs))
        results.append(result)
    return results


def _noise_hashes(runs: pd.DataFrame) -> dict:
    """Each noise profile's hash; a device profile, whose hash depends on the layout of the
    problem's size, maps each qubit count to its own (``{"2q": ..., "4q": ...}``)."""
    out = {}
    for noise, group in runs.groupby("noise", sort=True):
        sizes = group.drop_duplicates("n_qubits").sort_values("n_qubits")
        out[noise] = (sizes.noise_hash.iloc[0] if sizes.noise_hash.nunique() == 1 else
                      {f"{n}q": digest for n, digest in zip(sizes.n_qubits, sizes.noise_hash)})
    return out


def _provenance(runs: pd.DataFrame) -> dict:
    problems_seen = runs.drop_duplicates("problem")[["problem", "problem_hash"]].values.tolist()
    suites = runs[["suite", "suite_hash"]].dropna().drop_duplicates().values.tolist()
    adopted = runs.adopted_from.dropna().value_counts().sort_index()
    return {
        "suite": suites[0][0] if suites else None,
        "suite_hash": suites[0][1] if suites else None,
        "qasbench_version": __version__,
        "record_versions": sorted(runs.qasbench_version.unique().tolist()),
        "git_commits": sorted(c for c in runs.git_commit.unique().tolist() if c),
        "problems": {p: h for p, h in problems_seen},
        "noise_profiles": _noise_hashes(runs),
        "machines": sorted(runs.cpu_model.dropna().unique().tolist()),
        "runs": int(len(runs)),
        **({"runs_adopted_from": {suite: int(count) for suite, count in adopted.items()}} if len(adopted) else {}),
    }


def build_report(directory: str | Path, out: str | Path, on_corrupt=None, suite=None,
                 note: str = "") -> tuple[list[Path], int]:
    """Write leaderboard.md/.csv/.tex, PNG plots and index.html into ``out`` from the verified
    records of ``directory`` (a results directory or an archive), ranked under their suite's
    rules (``suite``: see :func:`records_suite`), with ``note`` (plain text) as the page's
    "Notes" section where there is one; return the paths written and the number of records not
    verified yet (left out)."""
    runs, curves = load_runs(directory, on_corrupt)
    if runs.empty:
        raise ValueError(f"no records in {directory}")
    unverified = int(runs["verified"].isna().sum())
    if not (runs["verified"] == True).any():  # noqa: E712
        raise ValueError(f"none of the {len(runs)} records in {directory} is verified on aer; run "
                         f"`qasbench verify {directory}` first (unverified records are never ranked)")
    return write_report(runs, curves, out, suite=suite, note=note), unverified


def write_report(runs: pd.DataFrame, curves: dict, out: str | Path, extra_html: str = "", suite=None,
                 note: str = "") -> list[Path]:
    """The files of :func:`build_report` from loaded runs (:func:`load_runs`), ranked under the
    rules of their suite (:func:`records_suite`; the package's defaults outside one), with the
    seeds held per suite cell and method (coverage.csv) and ``note`` (plain text) after them on
    the page; ``extra_html`` goes into the page before the provenance. Returns the paths written."""
    suite = records_suite(runs, suite)  # refuses records of another suite before anything is written
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rules = suite.data["ranking"] if suite else stats.DEFAULT_RULES
    table = leaderboard(runs, rules)
    held = coverage(table, suite) if suite else None
    runs = runs[runs["verified"] == True]  # noqa: E712
    provenance = _provenance(runs)
    written = []
    shown = pd.concat([table[CELL].rename(columns=str.capitalize), display_table(table)], axis=1)
    for name, text in (("leaderboard.md", shown.to_markdown(index=False)),
                       ("leaderboard.csv", table.to_csv(index=False)),
                       ("leaderboard.tex", shown.to_latex(index=False)),
                       ("provenance.json", json.dumps(provenance, indent=1)),
                       *((("coverage.csv", held.to_csv()),) if suite else ())):
        (out / name).write_text(text)
        written.append(out / name)
    images: dict[str, list[str]] = {}
    styles = method_styles(runs.algorithm.unique())
    for cell, subset in runs.groupby(CELL):
        problem, noise, shots = cell
        suffix = "" if shots == "exact" else f"-{shots}shots"
        for kind in ("anytime", "pareto"):
            name = f"{kind}-{problem}-{noise}{suffix}.png"
            if kind == "anytime":
                plot_anytime(subset, curves, cell, out / name, styles)
            else:
                plot_pareto(subset, cell, out / name, styles)
            images.setdefault(problem, []).append(name)
            written.append(out / name)
    plot_success(table, out / "success-rate.png", styles)
    written.append(out / "success-rate.png")
    rankings = overall_rankings(table)
    for overall in filter(stats.rankable, rankings):
        plot_critical_difference(overall, out / overall["image"])
        written.append(out / overall["image"])
    (out / "index.html").write_text(index_html(table, provenance, images, rankings, extra_html, rules, held,
                                               len(suite.data["seeds"]) if suite else 0, note))
    written.append(out / "index.html")
    return written
