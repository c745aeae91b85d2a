"""Leaderboard reports from a results directory: tables (Markdown, CSV, LaTeX), plots, HTML.

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

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

from qasbench import __version__, stats
from qasbench.config import cell_noise_name, shots_label
from qasbench.problem import CHEMICAL_ACCURACY, unit_symbol
from qasbench.results import iter_records
from qasbench.verify import load_verification

GROUP = ["problem", "noise", "shots", "algorithm"]


METRICS = {"approximation_ratio": "approximation ratio", "fidelity": "fidelity"}


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
    held = table.set_index(GROUP[:-1] + ["algorithm"])["runs"]
    index = pd.MultiIndex.from_tuples(suite.cells, names=GROUP[:-1])
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
    table["rank"] = pd.concat([stats.cell_ranks(cell, rules) for _, cell in keyed.groupby(GROUP[:-1])])
    return table.sort_values(["problem", "noise", "shots", "rank", "algorithm"]).reset_index(drop=True)


def overall_ranking(table: pd.DataFrame) -> dict:
    """Friedman test and Nemenyi critical difference over the cells every method ran
    (:func:`qasbench.stats.friedman`), with the cells left out counted."""
    ranks = table.pivot_table(index=GROUP[:-1], columns="algorithm", values="rank")
    complete = ranks.dropna()
    result = stats.friedman(complete)
    result["cells_left_out"] = len(ranks) - len(complete)
    result["seeds"] = _seed_range(table.set_index(GROUP[:-1]).loc[complete.index, "runs"] if len(complete)
                                  else table.runs)
    return result


def _plot_critical_difference(result: dict, path: Path) -> None:
    """Demsar's critical-difference diagram: mean ranks on an axis, best on the left; a bar
    joins methods whose mean ranks differ by less than the critical difference."""
    plt = _pyplot()
    mean = result["mean_rank"]
    k, cd = len(mean), result["critical_difference"]
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.28 * k))
    ax.set_xlim(0.5, k + 0.5)
    ax.set_ylim(-(k + 2) * 0.5, 1.5)
    ax.hlines(0, 1, k, color="k", lw=1)
    for r in range(1, k + 1):
        ax.vlines(r, 0, 0.15, color="k", lw=1)
        ax.text(r, 0.3, str(r), ha="center", fontsize=8)
    for i, (name, rank) in enumerate(mean.items()):
        y = -0.5 * (i + 1)
        left = i < (k + 1) // 2
        end = 0.6 if left else k + 0.4
        ax.plot([rank, rank, end], [0, y, y], color="C0", lw=0.8)
        ax.text(end + (-0.05 if left else 0.05), y, f"{name} ({rank:.2f})", ha="right" if left else "left",
                va="center", fontsize=8)
    if np.isfinite(cd):
        ax.plot([1, 1 + cd], [1.0, 1.0], color="k", lw=2)
        ax.text(1 + cd / 2, 1.15, f"CD = {cd:.2f}", ha="center", fontsize=8)
        values = mean.values
        cliques = [(i, j) for i in range(k) for j in range(k - 1, i, -1) if values[j] - values[i] < cd]
        maximal = [(i, j) for i, j in cliques if not any(a <= i and j <= b and (a, b) != (i, j) for a, b in cliques)]
        for level, (i, j) in enumerate(maximal):
            y = -0.15 - 0.12 * level
            ax.plot([values[i] - 0.03, values[j] + 0.03], [y, y], color="k", lw=3)
    ax.set_title(f"mean rank over {result['cells']} cells ({result['methods']} methods, {result['seeds']} seeds "
                 f"per method and cell)\nFriedman p = {result['p_value']:.2g}; Nemenyi CD at alpha = {result['alpha']}",
                 fontsize=9)
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _pyplot():
    """matplotlib's pyplot on the file-only Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


MARKERS = "osD^vP*Xh<>p"


def _styles(algorithms) -> dict:
    """One colour (tab20) and marker per method, the same in every plot of a report."""
    plt = _pyplot()
    colours = plt.get_cmap("tab20").colors
    return {name: {"color": colours[(2 * i) % 20 + (2 * i) // 20 % 2], "marker": MARKERS[i % len(MARKERS)]}
            for i, name in enumerate(sorted(algorithms))}


def _cell_title(problem: str, noise: str, shots: str) -> str:
    return f"{problem}, {noise}" + ("" if shots == "exact" else f", {shots} shots")


def _seed_range(counts) -> str:
    """Seeds per method and cell as a plot states them: ``10``, or ``6-10`` when they differ."""
    low, high = (int(min(counts)), int(max(counts))) if len(counts) else (0, 0)
    return f"{low}" if low == high else f"{low}-{high}"


def _seeds(subset: pd.DataFrame) -> str:
    return f"{_seed_range(subset.groupby('algorithm').size())} seeds"


def _thresholds(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The success thresholds of ``rows`` and their units; a leaderboard drops the two columns
    where every row has the default (chemical accuracy, in Ha)."""
    return (rows.get("success_threshold", pd.Series(CHEMICAL_ACCURACY, index=rows.index)),
            rows.get("energy_unit", pd.Series("Ha", index=rows.index)))


def _chemistry_only(rows: pd.DataFrame) -> bool:
    """Whether every row's success is chemical accuracy in Hartree."""
    threshold, unit = _thresholds(rows)
    return bool(((threshold == CHEMICAL_ACCURACY) & (unit == "Ha")).all())


def _threshold_label(rows: pd.DataFrame, plural: bool = False) -> str:
    """How plots name the success threshold of ``rows`` (one cell, or with ``plural`` a whole
    table): chemical accuracy where that is the threshold in Hartree, else the problem's own."""
    if _chemistry_only(rows):
        return "chemical accuracy"
    if plural:
        return "their problem's success threshold"
    threshold, unit = _thresholds(rows)
    return f"success threshold ({threshold.iloc[0]:.3g} {unit.iloc[0]})"


def _plot_anytime(runs: pd.DataFrame, curves: dict, cell: tuple, path: Path, styles: dict) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    subset = runs[(runs.problem == cell[0]) & (runs.noise == cell[1]) & (runs.shots == cell[2])]
    for algorithm, group in subset.groupby("algorithm"):
        budget = int(group.evaluations_used.max())
        first = min((curves[name][0, 0] for name in group.file if len(curves[name])), default=1)  # 3 under ZNE
        grid = np.unique(np.geomspace(first, max(budget, first + 1), 200).astype(int))
        traces = []
        for name in group.file:
            curve = curves[name]
            index = np.searchsorted(curve[:, 0], grid, side="right") - 1
            traces.append(np.where(index >= 0, np.abs(curve[np.maximum(index, 0), 1]), np.nan))
        traces = np.array(traces)
        median = np.nanmedian(traces, axis=0)
        style = styles[algorithm]
        ax.plot(grid, median, label=algorithm, color=style["color"], marker=style["marker"], markevery=40, ms=4)
        ax.fill_between(grid, np.nanpercentile(traces, 25, axis=0), np.nanpercentile(traces, 75, axis=0),
                        alpha=0.15, color=style["color"])
    ax.axhline(subset.success_threshold.iloc[0], color="k", ls="--", lw=0.8, label=_threshold_label(subset))
    ax.set(xscale="log", yscale="log", xlabel="evaluations", ylabel=f"best error so far ({subset.energy_unit.iloc[0]})",
           title=f"{_cell_title(*cell)}: median and IQR over {_seeds(subset)}")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_pareto(runs: pd.DataFrame, cell: tuple, path: Path, styles: dict) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    subset = runs[(runs.problem == cell[0]) & (runs.noise == cell[1]) & (runs.shots == cell[2])]
    for algorithm, group in subset.groupby("algorithm"):
        ax.scatter(group.cnots, np.abs(group.error), label=algorithm, s=20, **styles[algorithm])
    points = subset.sort_values(["cnots", "error"])
    front, best = [], np.inf
    for cnots, error in zip(points.cnots, np.abs(points.error)):
        if error < best:
            front.append((cnots, error))
            best = error
    if front:
        ax.step(*zip(*front), where="post", color="k", lw=0.8, label="Pareto front")
    ax.axhline(subset.success_threshold.iloc[0], color="k", ls="--", lw=0.8, label=_threshold_label(subset))
    ax.set(yscale="log", xlabel="CNOT count", ylabel=f"error ({subset.energy_unit.iloc[0]})",
           title=f"{_cell_title(*cell)}: error vs CNOTs, {_seeds(subset)}")
    ax.xaxis.get_major_locator().set_params(integer=True)  # counts: no -0.04 ticks when all are 0
    left, right = ax.get_xlim()
    ax.set_xlim(min(left, -0.5), max(right, 1.5))
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_success(table: pd.DataFrame, path: Path, styles: dict) -> None:
    """Success rate per cell and method with its Wilson interval; a method that ran and never
    succeeded shows a short hatched stub at zero, a method that did not run the cell a '-'
    below the axis."""
    plt = _pyplot()
    cells = table[GROUP[:-1]].drop_duplicates().sort_values(GROUP[:-1]).values.tolist()
    methods = sorted(table.algorithm.unique())
    width = 0.8 / len(methods)
    fig, ax = plt.subplots(figsize=(max(7, 1.3 * len(cells)), 4.5))
    indexed = table.set_index(GROUP)
    for j, method in enumerate(methods):
        for i, cell in enumerate(cells):
            key = (*cell, method)
            x = i - 0.4 + (j + 0.5) * width
            if key not in indexed.index:
                ax.text(x, -0.04, "-", ha="center", va="top", fontsize=7, color="grey")
                continue
            row = indexed.loc[key]
            zero = row.success_rate == 0  # ran, never succeeded: a short hatched stub, unlike '-' (not run)
            ax.bar(x, 0.015 if zero else row.success_rate, width, color=styles[method]["color"],
                   hatch="////" if zero else None, edgecolor="k", lw=0.4)
            ax.errorbar(x, row.success_rate, yerr=[[max(row.success_rate - row.success_ci_low, 0)],
                                                   [max(row.success_ci_high - row.success_rate, 0)]],
                        color="k", lw=0.6, capsize=1.5)
    ax.set_xticks(range(len(cells)))
    ax.set_xticklabels([_cell_title(*c).replace(", ", "\n", 1) for c in cells], fontsize=7)
    seeds = _seed_range(table.runs)
    ax.set(ylabel="success rate", ylim=(-0.08, 1.05),
           title=f"runs reaching {_threshold_label(table, plural=True)} ({seeds} seeds per bar; 95% Wilson intervals; "
                 "hatched stub = 0 successes; '-' = not run)")
    ax.axhline(0, color="k", lw=0.5)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(facecolor=styles[m]["color"], edgecolor="k", lw=0.4, label=m) for m in methods],
              fontsize=7, loc="upper left", bbox_to_anchor=(1.005, 1))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


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


_SORT_SCRIPT = """
document.querySelectorAll('table.sortable th').forEach((th, col) => th.addEventListener('click', () => {
  const body = th.closest('table').tBodies[0];
  const rows = Array.from(body.rows);
  const asc = th.dataset.order !== 'asc';
  th.dataset.order = asc ? 'asc' : 'desc';
  const key = r => { const t = r.cells[col].textContent; const x = parseFloat(t); return isNaN(x) ? t : x; };
  rows.sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0) * (asc ? 1 : -1));
  rows.forEach(r => body.appendChild(r));
}));
"""


DISPLAY = {  # leaderboard column -> the page's heading (units in the heading)
    "rank": "Rank", "algorithm": "Method", "runs": "Seeds", "success": "Success rate [95% CI]",
    "median_cnots": "CNOTs", "median_depth": "Depth", "energy_unit": "Unit",
    "median_metric": "Median ratio or fidelity",
    "median_native_2q": "Native 2q gates", "median_native_depth": "Native depth",
    "to_success": "Evals to success (runs)", "median_wall_time_s": "Wall time, s",
    "failed_verification": "Failed verification",
}


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The leaderboard as people read it: intervals beside their values, human headings."""
    def number(x, fmt):
        return "-" if pd.isna(x) else format(x, fmt)

    units = table.energy_unit.unique() if "energy_unit" in table else ["Ha"]
    shown = pd.DataFrame({
        "rank": table["rank"].map(lambda r: f"{r:g}"), "algorithm": table.algorithm, "runs": table.runs,
        "success": [f"{p:.2f} [{lo:.2f}, {hi:.2f}]" for p, lo, hi in
                    zip(table.success_rate, table.success_ci_low, table.success_ci_high)],
        # one unit: in the heading; several (a table over problem families): a column of their own
        f"Median error{f', {units[0]}' if len(units) == 1 else ''} [95% CI]": [
            f"{e:.2e} [{lo:.1e}, {hi:.1e}]" for e, lo, hi in
            zip(table.median_error, table.median_error_ci_low, table.median_error_ci_high)],
        **({"energy_unit": table.energy_unit} if len(units) > 1 else {}),
        **({"median_metric": table.median_metric.map(lambda x: number(x, ".4f"))} if "median_metric" in table else {}),
        "median_cnots": table.median_cnots.map(lambda x: number(x, "g")),
        "median_depth": table.median_depth.map(lambda x: number(x, "g")),
        **{column: table[column].map(lambda x: number(x, "g"))
           for column in ("median_native_2q", "median_native_depth") if column in table},
        "to_success": [f"{number(e, '.3g')} ({int(k)})" for e, k in zip(table.median_evals_to_success, table.successes)],
        "median_wall_time_s": table.median_wall_time_s.map(lambda x: number(x, ".2g")),
        "failed_verification": table.failed_verification,
    })
    return shown.rename(columns=DISPLAY)


def _overall_html(overall: dict) -> str:
    if not (overall["methods"] >= 2 and overall["cells"] >= 2):
        return "<p>Too few complete cells for a ranking across cells.</p>"
    ranks = overall["mean_rank"].rename("Mean rank").rename_axis("Method").reset_index()
    left_out = overall["cells_left_out"]
    return (f"<p>Mean rank over the {overall['cells']} cells every method ran"
            + (f" ({left_out} cells with missing methods left out)" if left_out else "")
            + f". Friedman chi-square {overall['statistic']:.3g}, p = {overall['p_value']:.2g}; "
            f"Nemenyi critical difference {overall['critical_difference']:.2f} at alpha = {overall['alpha']} "
            "(Demsar 2006): methods joined by a bar are not told apart.</p>"
            + ranks.to_html(index=False, float_format="%.2f", border=0)
            + '<img src="critical-difference.png" alt="critical-difference diagram" style="max-width:90%">')


def _citation_html(provenance: dict) -> str:
    suite = provenance.get("suite")
    if not suite:
        return ""
    text = (f"qasbench suite {suite} ({provenance['suite_hash']}), records made by qasbench "
            f"{', '.join(provenance['record_versions'])} at {', '.join(c[:12] for c in provenance['git_commits'])}"
            + "".join(f", {n} of the {provenance['runs']} runs adopted from {source}"
                      for source, n in provenance.get("runs_adopted_from", {}).items())
            + f"; reported with qasbench {__version__}.")
    return ("<h2>How to cite</h2><p>Cite the suite version and hash with the software "
            "(CITATION.cff in the repository):</p><pre>" + html.escape(text) + "</pre>")


RULE_NAMES = {"success_rate": "success rate", "evaluations_to_success": "evaluations to success",
              "median_error": "median error", "median_cnots": "CNOTs"}


def _rules_text(rules: dict) -> str:
    """The ranking rules as the page states them."""
    def order(keys):
        return ", then ".join(RULE_NAMES.get(key, key) for key in keys)

    return (f"{order(rules['keys'])}; where no method succeeds, {order(rules['keys_without_success'])}; "
            f"evaluations to success tie within {rules['evaluations_to_success_rtol']:.0%}, median errors "
            f"within {rules['median_error_atol_ha']:g}, and rows equal on every key share a rank")


def _short_of_plan(held: pd.DataFrame | None, cell: tuple, planned: int) -> str:
    """The sentence under a cell's table naming the methods that hold fewer than the suite's
    ``planned`` seeds there ("" when none do)."""
    if held is None or cell not in held.index:
        return ""
    row = held.loc[cell]
    absent, short = row.index[row == 0], row[(row > 0) & (row < planned)]
    parts = ([f"not run: {', '.join(absent)}"] if len(absent) else []) + (
        [f"fewer seeds: {', '.join(f'{m} ({n})' for m, n in short.items())}"] if len(short) else [])
    return f"Of the suite's {planned} seeds per method, {'; '.join(parts)}." if parts else ""


def _coverage_html(held: pd.DataFrame | None, planned: int) -> str:
    """The seeds-held matrix (cells x methods), its short entries in bold; one sentence when
    every entry holds the suite's ``planned`` seeds."""
    if held is None:
        return ""
    if (held >= planned).all().all():
        return f"<h2>Seeds held</h2><p>Every method holds all {planned} of the suite's seeds in every cell.</p>"
    shown = held.apply(lambda column: column.map(lambda n: str(n) if n >= planned else f"<b>{n}</b>"))
    shown.insert(0, "Cell", [html.escape(_cell_title(*cell)) for cell in held.index])
    return (f"<h2>Seeds held</h2><p>Verified seeds per cell and method, of the suite's {planned}; entries short "
            "of that in bold, 0 = not run (the method has no row in that cell's table). The same in coverage.csv."
            "</p>" + shown.to_html(index=False, border=0, escape=False))


def _html(table: pd.DataFrame, provenance: dict, images: dict, overall: dict, extra_html: str = "",
          rules: dict = stats.DEFAULT_RULES, held: pd.DataFrame | None = None, planned: int = 0) -> str:
    sections = []
    for problem, group in table.groupby("problem", sort=True):
        parts = []
        for (noise, shots), cell in group.groupby(["noise", "shots"], sort=True):
            body = display_table(cell).to_html(index=False, classes="sortable", border=0, escape=True)
            rule = (f" (success: error below {cell.success_threshold.iloc[0]:.3g} {cell.energy_unit.iloc[0]})"
                    if "success_threshold" in cell and cell.success_threshold.iloc[0] != CHEMICAL_ACCURACY else "")
            short = _short_of_plan(held, (problem, noise, shots), planned)
            parts.append(f"<h3>{html.escape(_cell_title(problem, noise, shots) + rule)}</h3>{body}"
                         + (f"<p>{html.escape(short)}</p>" if short else ""))
        pictures = "".join(f'<img src="{html.escape(name)}" alt="{html.escape(name)}">' for name in images[problem])
        sections.append(f'<section id="{html.escape(problem)}"><h2>{html.escape(problem)}</h2>'
                        f'{"".join(parts)}{pictures}</section>')
    title = f"qasbench leaderboard: {provenance['suite']}" if provenance.get("suite") else "qasbench leaderboard"
    success = (f"absolute error below chemical accuracy ({CHEMICAL_ACCURACY} Ha) against the exact ground energy,\n"
               "unless a cell states its problem's own criterion"
               if _chemistry_only(table) else
               "absolute error below each problem's own threshold, in its unit, against its exact optimum (stated\n"
               "with each cell)")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:75em}}table{{border-collapse:collapse;margin:.5em 0 1em}}
th,td{{padding:.2em .5em;border-bottom:1px solid #ddd;text-align:right;font-size:.9em}}td{{white-space:nowrap}}
th{{cursor:pointer;background:#f4f4f4}}img{{max-width:48%;margin:.5em 1%}}
pre{{background:#f8f8f8;padding:1em;overflow:auto}}</style></head>
<body><h1>{html.escape(title)}</h1>
<p>Success: {success}. Errors are the exact noisy (and, in mitigated cells,
mitigated) energy of each run's returned circuit minus the ground energy; only records verified on qiskit-aer
are ranked. Ranks within a cell: {html.escape(_rules_text(rules))}. Intervals: Wilson for success rates,
bootstrap for median errors. Click a column header to sort.</p>
<h2>Across cells</h2>{_overall_html(overall)}
{_coverage_html(held, planned)}
{''.join(sections)}
{extra_html}
{_citation_html(provenance)}
<h2>Provenance</h2><pre>{html.escape(json.dumps(provenance, indent=1))}</pre>
<script>{_SORT_SCRIPT}</script></body></html>
"""


def build_report(directory: str | Path, out: str | Path, on_corrupt=None, suite=None) -> tuple[list[Path], int]:
    """Write leaderboard.md/.csv/.tex, PNG plots and index.html into ``out`` from the verified
    records of ``directory`` (a results directory or an archive), ranked under their suite's
    rules (``suite``: see :func:`records_suite`); return the paths written and the number of
    records not verified yet (left out)."""
    runs, curves = load_runs(directory, on_corrupt)
    if runs.empty:
        raise ValueError(f"no records in {directory}")
    unverified = int(runs["verified"].isna().sum())
    if not (runs["verified"] == True).any():  # noqa: E712
        raise ValueError(f"none of the {len(runs)} records in {directory} is verified on aer; run "
                         f"`qasbench verify {directory}` first (unverified records are never ranked)")
    return write_report(runs, curves, out, suite=suite), unverified


def write_report(runs: pd.DataFrame, curves: dict, out: str | Path, extra_html: str = "", suite=None) -> list[Path]:
    """The files of :func:`build_report` from loaded runs (:func:`load_runs`), ranked under the
    rules of their suite (:func:`records_suite`; the package's defaults outside one), with the
    seeds held per suite cell and method (coverage.csv); ``extra_html`` goes into the page
    before the provenance. Returns the paths written."""
    suite = records_suite(runs, suite)  # refuses records of another suite before anything is written
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rules = suite.data["ranking"] if suite else stats.DEFAULT_RULES
    table = leaderboard(runs, rules)
    held = coverage(table, suite) if suite else None
    runs = runs[runs["verified"] == True]  # noqa: E712
    provenance = _provenance(runs)
    written = []
    shown = pd.concat([table[GROUP[:-1]].rename(columns=str.capitalize), display_table(table)], axis=1)
    for name, text in (("leaderboard.md", shown.to_markdown(index=False)),
                       ("leaderboard.csv", table.to_csv(index=False)),
                       ("leaderboard.tex", shown.to_latex(index=False)),
                       ("provenance.json", json.dumps(provenance, indent=1)),
                       *((("coverage.csv", held.to_csv()),) if suite else ())):
        (out / name).write_text(text)
        written.append(out / name)
    images: dict[str, list[str]] = {}
    styles = _styles(runs.algorithm.unique())
    for cell, _ in runs.groupby(["problem", "noise", "shots"]):
        problem, noise, shots = cell
        suffix = "" if shots == "exact" else f"-{shots}shots"
        for kind in ("anytime", "pareto"):
            name = f"{kind}-{problem}-{noise}{suffix}.png"
            if kind == "anytime":
                _plot_anytime(runs, curves, cell, out / name, styles)
            else:
                _plot_pareto(runs, cell, out / name, styles)
            images.setdefault(problem, []).append(name)
            written.append(out / name)
    _plot_success(table, out / "success-rate.png", styles)
    written.append(out / "success-rate.png")
    overall = overall_ranking(table)
    if overall["methods"] >= 2 and overall["cells"] >= 2:
        _plot_critical_difference(overall, out / "critical-difference.png")
        written.append(out / "critical-difference.png")
    (out / "index.html").write_text(_html(table, provenance, images, overall, extra_html, rules,
                                          held, len(suite.data["seeds"]) if suite else 0))
    written.append(out / "index.html")
    return written

