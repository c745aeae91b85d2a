"""How reports name what they show: a leaderboard cell, the seeds behind a figure, the success
threshold. Shared by the plots (:mod:`qasbench.plots`) and the page (:mod:`qasbench.page`)."""
from __future__ import annotations

import pandas as pd

from qasbench.problem import CHEMICAL_ACCURACY

CELL = ["problem", "noise", "shots"]  # a leaderboard cell; the tables add "algorithm"


def cell_title(problem: str, noise: str, shots: str) -> str:
    """``h2-4q, depol-1e-3``, with ``, 1000 shots`` where the cell is shot-noisy."""
    return f"{problem}, {noise}" + ("" if shots == "exact" else f", {shots} shots")


def seed_range(counts) -> str:
    """Seeds per method and cell as a plot states them: ``10``, or ``6-10`` when they differ."""
    low, high = (int(min(counts)), int(max(counts))) if len(counts) else (0, 0)
    return f"{low}" if low == high else f"{low}-{high}"


def seeds_text(subset: pd.DataFrame) -> str:
    """``10 seeds`` (or ``6-10 seeds``): the runs per method in ``subset``."""
    return f"{seed_range(subset.groupby('algorithm').size())} seeds"


def thresholds(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The success thresholds of ``rows`` and their units; a leaderboard drops the two columns
    where every row has the default (chemical accuracy, in Ha)."""
    return (rows.get("success_threshold", pd.Series(CHEMICAL_ACCURACY, index=rows.index)),
            rows.get("energy_unit", pd.Series("Ha", index=rows.index)))


def chemistry_only(rows: pd.DataFrame) -> bool:
    """Whether every row's success is chemical accuracy in Hartree."""
    threshold, unit = thresholds(rows)
    return bool(((threshold == CHEMICAL_ACCURACY) & (unit == "Ha")).all())


def threshold_label(rows: pd.DataFrame, plural: bool = False) -> str:
    """How plots name the success threshold of ``rows`` (one cell, or with ``plural`` a whole
    table): chemical accuracy where that is the threshold in Hartree, else the problem's own."""
    if chemistry_only(rows):
        return "chemical accuracy"
    if plural:
        return "their problem's success threshold"
    threshold, unit = thresholds(rows)
    return f"success threshold ({threshold.iloc[0]:.3g} {unit.iloc[0]})"
