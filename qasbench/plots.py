"""The report's figures (matplotlib, Agg backend): anytime curves and error-vs-CNOT Pareto plots
per cell, success rates with their Wilson intervals, and the critical-difference diagram. One
colour and marker per method (:func:`method_styles`), the same in every figure of a report; every
figure states the seeds behind it."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from qasbench.labels import CELL, cell_title, seed_range, seeds_text, threshold_label


def _pyplot():
    """matplotlib's pyplot on the file-only Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


MARKERS = "osD^vP*Xh<>p"


def method_styles(algorithms) -> dict:
    """One colour (tab20) and marker per method, the same in every plot of a report."""
    plt = _pyplot()
    colours = plt.get_cmap("tab20").colors
    return {name: {"color": colours[(2 * i) % 20 + (2 * i) // 20 % 2], "marker": MARKERS[i % len(MARKERS)]}
            for i, name in enumerate(sorted(algorithms))}


def plot_anytime(subset: pd.DataFrame, curves: dict, cell: tuple, path: Path, styles: dict) -> None:
    """``subset``: the runs of ``cell`` (problem, noise, shots)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
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
    ax.axhline(subset.success_threshold.iloc[0], color="k", ls="--", lw=0.8, label=threshold_label(subset))
    ax.set(xscale="log", yscale="log", xlabel="evaluations", ylabel=f"best error so far ({subset.energy_unit.iloc[0]})",
           title=f"{cell_title(*cell)}: median and IQR over {seeds_text(subset)}")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_pareto(subset: pd.DataFrame, cell: tuple, path: Path, styles: dict) -> None:
    """``subset``: the runs of ``cell`` (problem, noise, shots)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
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
    ax.axhline(subset.success_threshold.iloc[0], color="k", ls="--", lw=0.8, label=threshold_label(subset))
    ax.set(yscale="log", xlabel="CNOT count", ylabel=f"error ({subset.energy_unit.iloc[0]})",
           title=f"{cell_title(*cell)}: error vs CNOTs, {seeds_text(subset)}")
    ax.xaxis.get_major_locator().set_params(integer=True)  # counts: no -0.04 ticks when all are 0
    left, right = ax.get_xlim()
    ax.set_xlim(min(left, -0.5), max(right, 1.5))
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_success(table: pd.DataFrame, path: Path, styles: dict) -> None:
    """Success rate per cell and method with its Wilson interval; a method that ran and never
    succeeded shows a short hatched stub at zero, a method that did not run the cell a '-'
    below the axis."""
    plt = _pyplot()
    cells = table[CELL].drop_duplicates().sort_values(CELL).values.tolist()
    methods = sorted(table.algorithm.unique())
    width = 0.8 / len(methods)
    fig, ax = plt.subplots(figsize=(max(7, 1.3 * len(cells)), 4.5))
    indexed = table.set_index([*CELL, "algorithm"])
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
    ax.set_xticklabels([cell_title(*c).replace(", ", "\n", 1) for c in cells], fontsize=7)
    seeds = seed_range(table.runs)
    ax.set(ylabel="success rate", ylim=(-0.08, 1.05),
           title=f"runs reaching {threshold_label(table, plural=True)} ({seeds} seeds per bar; 95% Wilson intervals; "
                 "hatched stub = 0 successes; '-' = not run)")
    ax.axhline(0, color="k", lw=0.5)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(facecolor=styles[m]["color"], edgecolor="k", lw=0.4, label=m) for m in methods],
              fontsize=7, loc="upper left", bbox_to_anchor=(1.005, 1))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_critical_difference(result: dict, path: Path) -> None:
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
