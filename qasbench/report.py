"""Leaderboard reports from a results directory: tables (Markdown, CSV, LaTeX), plots, HTML.

Per (problem, noise, shots) one row per method, labelled by the record's ``algorithm_label``
(the algorithm with any explicitly set hyperparameters, so two settings of one algorithm are
two rows): runs, success rate (error below chemical accuracy),
median and interquartile range of the error, median CNOTs / depth / parameters, median
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

from qasbench import __version__
from qasbench.problem import CHEMICAL_ACCURACY
from qasbench.results import iter_records
from qasbench.verify import load_verification

GROUP = ["problem", "noise", "shots", "algorithm"]


def _cost_to_success(record: dict) -> tuple[float, float]:
    """(evaluations, shots) spent when the anytime curve first fell below the threshold."""
    for evaluations, error, shots in record["history"]:
        if error < record["success_threshold"]:
            return float(evaluations), float(shots)
    return np.nan, np.nan


def load_runs(directory: str | Path, on_corrupt=None) -> tuple[pd.DataFrame, dict]:
    """One row per record with the leaderboard's fields, and the anytime curves by file name."""
    verified = load_verification(directory)
    rows, curves = [], {}
    for path, record in iter_records(directory, on_corrupt):
        rows.append({
            "algorithm": record["algorithm_label"],
            "shots": "exact" if record["shots"] is None else str(record["shots"]),
            **{k: record[k] for k in ("problem", "noise", "seed", "error", "success", "cnots", "depth", "params",
                                      "evaluations_used", "shots_used", "wall_time_s", "problem_hash",
                                      "noise_hash", "qasbench_version", "git_commit")},
            **dict(zip(("evaluations_to_success", "shots_to_success"), _cost_to_success(record))),
            "suite": record.get("suite"), "suite_hash": record.get("suite_hash"),
            "verified": verified.get(path.name),
            "file": path.name,
        })
        curves[path.name] = np.array(record["history"], dtype=float).reshape(-1, 3)[:, :2]
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


def leaderboard(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (problem, noise, shots, method) over the verified records."""
    ranked = runs[runs["verified"] == True]  # noqa: E712  (None = not verified yet, False = failed)
    grouped = ranked.groupby(GROUP)
    table = grouped.agg(
        runs=("error", "size"),
        success_rate=("success", "mean"),
        median_error=("error", "median"),
        iqr_error=("error", lambda e: e.quantile(0.75) - e.quantile(0.25)),
        median_cnots=("cnots", "median"),
        median_depth=("depth", "median"),
        median_params=("params", "median"),
        median_evals_to_success=("evaluations_to_success", "median"),
        median_shots_to_success=("shots_to_success", "median"),
        median_wall_time_s=("wall_time_s", "median"),
        verified=("verified", lambda v: int((v == True).sum())),  # noqa: E712
    ).reset_index()
    excluded = runs[runs["verified"] == False].groupby(GROUP).size()  # noqa: E712
    table["failed_verification"] = [int(excluded.get(tuple(k), 0)) for k in table[GROUP].values]
    return table.sort_values(["problem", "noise", "shots", "success_rate", "median_error"],
                             ascending=[True, True, True, False, True]).reset_index(drop=True)


def _pyplot():
    """matplotlib's pyplot on the file-only Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _cell_title(problem: str, noise: str, shots: str) -> str:
    return f"{problem}, {noise}" + ("" if shots == "exact" else f", {shots} shots")


def _plot_anytime(runs: pd.DataFrame, curves: dict, cell: tuple, path: Path) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    subset = runs[(runs.problem == cell[0]) & (runs.noise == cell[1]) & (runs.shots == cell[2])]
    for algorithm, group in subset.groupby("algorithm"):
        budget = int(group.evaluations_used.max())
        grid = np.unique(np.geomspace(1, max(budget, 2), 200).astype(int))
        traces = []
        for name in group.file:
            curve = curves[name]
            index = np.searchsorted(curve[:, 0], grid, side="right") - 1
            traces.append(np.where(index >= 0, np.abs(curve[np.maximum(index, 0), 1]), np.nan))
        traces = np.array(traces)
        median = np.nanmedian(traces, axis=0)
        ax.plot(grid, median, label=algorithm)
        ax.fill_between(grid, np.nanpercentile(traces, 25, axis=0), np.nanpercentile(traces, 75, axis=0), alpha=0.2)
    ax.axhline(CHEMICAL_ACCURACY, color="k", ls="--", lw=0.8, label="chemical accuracy")
    ax.set(xscale="log", yscale="log", xlabel="evaluations", ylabel="best error so far (Ha)",
           title=f"{_cell_title(*cell)}: median and IQR over seeds")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_pareto(runs: pd.DataFrame, cell: tuple, path: Path) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    subset = runs[(runs.problem == cell[0]) & (runs.noise == cell[1]) & (runs.shots == cell[2])]
    for algorithm, group in subset.groupby("algorithm"):
        ax.scatter(group.cnots, np.abs(group.error), label=algorithm, s=18)
    points = subset.sort_values(["cnots", "error"])
    front, best = [], np.inf
    for cnots, error in zip(points.cnots, np.abs(points.error)):
        if error < best:
            front.append((cnots, error))
            best = error
    if front:
        ax.step(*zip(*front), where="post", color="k", lw=0.8, label="Pareto front")
    ax.axhline(CHEMICAL_ACCURACY, color="k", ls="--", lw=0.8)
    ax.set(yscale="log", xlabel="CNOT count", ylabel="error (Ha)", title=f"{_cell_title(*cell)}: error vs CNOTs")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_success(table: pd.DataFrame, path: Path) -> None:
    plt = _pyplot()
    task = table.problem + "\n" + table.noise + np.where(table.shots == "exact", "", ", " + table.shots + " shots")
    pivot = table.assign(task=task).pivot(index="task", columns="algorithm", values="success_rate")
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(pivot)), 4))
    pivot.plot.bar(ax=ax, rot=0)
    ax.set(ylabel="success rate", ylim=(0, 1.05), title="runs reaching chemical accuracy")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _provenance(runs: pd.DataFrame) -> dict:
    problems_seen = runs.drop_duplicates("problem")[["problem", "problem_hash"]].values.tolist()
    noises_seen = runs.drop_duplicates("noise")[["noise", "noise_hash"]].values.tolist()
    return {
        "suite_version": __version__,
        "record_versions": sorted(runs.qasbench_version.unique().tolist()),
        "git_commits": sorted(c for c in runs.git_commit.unique().tolist() if c),
        "problems": {p: h for p, h in problems_seen},
        "noise_profiles": {n: h for n, h in sorted(noises_seen)},
        "runs": int(len(runs)),
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


def _html(table: pd.DataFrame, provenance: dict, images: dict) -> str:
    sections = []
    for problem, group in table.groupby("problem", sort=True):
        body = group.drop(columns="problem").to_html(index=False, classes="sortable", float_format="%.3g",
                                                     border=0)
        pictures = "".join(f'<img src="{html.escape(name)}" alt="{html.escape(name)}">' for name in images[problem])
        sections.append(f'<section id="{html.escape(problem)}"><h2>{html.escape(problem)}</h2>{body}{pictures}</section>')
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>qasbench leaderboard</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:75em}}table{{border-collapse:collapse;margin:1em 0}}
th,td{{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:right}}th{{cursor:pointer;background:#f4f4f4}}
img{{max-width:48%;margin:.5em 1%}}pre{{background:#f8f8f8;padding:1em;overflow:auto}}</style></head>
<body><h1>qasbench leaderboard</h1>
<p>Success: error below chemical accuracy ({CHEMICAL_ACCURACY} Ha) against the exact ground energy. Errors are the
exact noisy energy of each run's returned circuit. Click a column header to sort.</p>
{''.join(sections)}
<h2>Provenance</h2><pre>{html.escape(json.dumps(provenance, indent=1))}</pre>
<script>{_SORT_SCRIPT}</script></body></html>
"""


def build_report(directory: str | Path, out: str | Path, on_corrupt=None) -> tuple[list[Path], int]:
    """Write leaderboard.md/.csv/.tex, PNG plots and index.html into ``out`` from the verified
    records of ``directory`` (a results directory or an archive); return the paths written and
    the number of records not verified yet (left out)."""
    runs, curves = load_runs(directory, on_corrupt)
    if runs.empty:
        raise ValueError(f"no records in {directory}")
    unverified = int(runs["verified"].isna().sum())
    if not (runs["verified"] == True).any():  # noqa: E712
        raise ValueError(f"none of the {len(runs)} records in {directory} is verified on aer; run "
                         f"`qasbench verify {directory}` first (unverified records are never ranked)")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = leaderboard(runs)
    runs = runs[runs["verified"] == True]  # noqa: E712
    provenance = _provenance(runs)
    written = []
    for name, text in (("leaderboard.md", table.to_markdown(index=False, floatfmt=".3g")),
                       ("leaderboard.csv", table.to_csv(index=False)),
                       ("leaderboard.tex", table.to_latex(index=False, float_format="%.3g")),
                       ("provenance.json", json.dumps(provenance, indent=1))):
        (out / name).write_text(text)
        written.append(out / name)
    images: dict[str, list[str]] = {}
    for cell, _ in runs.groupby(["problem", "noise", "shots"]):
        problem, noise, shots = cell
        suffix = "" if shots == "exact" else f"-{shots}shots"
        for kind in ("anytime", "pareto"):
            name = f"{kind}-{problem}-{noise}{suffix}.png"
            if kind == "anytime":
                _plot_anytime(runs, curves, cell, out / name)
            else:
                _plot_pareto(runs, cell, out / name)
            images.setdefault(problem, []).append(name)
            written.append(out / name)
    _plot_success(table, out / "success-rate.png")
    written.append(out / "success-rate.png")
    (out / "index.html").write_text(_html(table, provenance, images))
    written.append(out / "index.html")
    return written, unverified

