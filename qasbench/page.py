"""The report's page (index.html): per cell a sortable table with human headings and units, the
ranking across cells, the seeds each method holds (for a suite's records), a "How to cite" block
and the provenance. Static HTML, no external resources."""
from __future__ import annotations

import html
import json
import re

import pandas as pd

from qasbench import __version__, stats
from qasbench.labels import cell_title, chemistry_only
from qasbench.problem import CHEMICAL_ACCURACY


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


def _overall_html(rankings: list[dict]) -> str:
    return "".join(map(_ranking_html, filter(stats.rankable, rankings))) or "<p>Too few complete cells for a ranking across cells.</p>"


def _ranking_html(overall: dict) -> str:
    ranks = overall["mean_rank"].rename("Mean rank").rename_axis("Method").reset_index()
    cells, methods = overall["cells_left_out"], overall["methods_left_out"]
    scope = (f"Mean rank over all {overall['cells']} cells, of the {overall['methods']} methods that ran every one "
             f"({methods} method(s) missing a cell left out; ranks renumbered within each cell among these)"
             if methods else f"Mean rank over the {overall['cells']} cells every method ran"
             + (f" ({cells} cells with missing methods left out)" if cells else ""))
    return (f"<p>{scope}. Friedman chi-square {overall['statistic']:.3g}, p = {overall['p_value']:.2g}; "
            f"Nemenyi critical difference {overall['critical_difference']:.2f} at alpha = {overall['alpha']} "
            "(Demsar 2006): methods joined by a bar are not told apart.</p>"
            + ranks.to_html(index=False, float_format="%.2f", border=0)
            + f'<img src="{overall["image"]}" alt="critical-difference diagram" style="max-width:90%">')


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


def _note_html(text: str) -> str:
    """A hand-written note (plain text, paragraphs separated by blank lines) as the page's "Notes"
    section, escaped: what the records cannot say, e.g. why a suite cell holds no runs ("" for
    no note)."""
    paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text) if block.strip()]
    if not paragraphs:
        return ""
    return "<h2>Notes</h2>" + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


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
    shown.insert(0, "Cell", [html.escape(cell_title(*cell)) for cell in held.index])
    return (f"<h2>Seeds held</h2><p>Verified seeds per cell and method, of the suite's {planned}; entries short "
            "of that in bold, 0 = not run (the method has no row in that cell's table). The same in coverage.csv."
            "</p>" + shown.to_html(index=False, border=0, escape=False))


def index_html(table: pd.DataFrame, provenance: dict, images: dict, rankings: list[dict], extra_html: str = "",
               rules: dict = stats.DEFAULT_RULES, held: pd.DataFrame | None = None, planned: int = 0,
               note: str = "") -> str:
    """The page of a leaderboard ``table`` (:func:`qasbench.report.leaderboard`): ``images`` lists
    each problem's figure files, ``rankings`` is :func:`qasbench.report.overall_rankings`'s result,
    ``held`` the seeds held per suite cell and method (with the suite's ``planned`` seeds per cell;
    None outside a suite), ``note`` a hand-written plain-text note shown after the seeds held;
    ``extra_html`` goes in before the citation block."""
    sections = []
    for problem, group in table.groupby("problem", sort=True):
        parts = []
        for (noise, shots), cell in group.groupby(["noise", "shots"], sort=True):
            body = display_table(cell).to_html(index=False, classes="sortable", border=0, escape=True)
            rule = (f" (success: error below {cell.success_threshold.iloc[0]:.3g} {cell.energy_unit.iloc[0]})"
                    if "success_threshold" in cell and cell.success_threshold.iloc[0] != CHEMICAL_ACCURACY else "")
            short = _short_of_plan(held, (problem, noise, shots), planned)
            parts.append(f"<h3>{html.escape(cell_title(problem, noise, shots) + rule)}</h3>{body}"
                         + (f"<p>{html.escape(short)}</p>" if short else ""))
        pictures = "".join(f'<img src="{html.escape(name)}" alt="{html.escape(name)}">' for name in images[problem])
        sections.append(f'<section id="{html.escape(problem)}"><h2>{html.escape(problem)}</h2>'
                        f'{"".join(parts)}{pictures}</section>')
    title = f"qasbench leaderboard: {provenance['suite']}" if provenance.get("suite") else "qasbench leaderboard"
    success = (f"absolute error below chemical accuracy ({CHEMICAL_ACCURACY} Ha) against the exact ground energy,\n"
               "unless a cell states its problem's own criterion"
               if chemistry_only(table) else
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
<h2>Across cells</h2>{_overall_html(rankings)}
{_coverage_html(held, planned)}{_note_html(note)}
{''.join(sections)}
{extra_html}
{_citation_html(provenance)}
<h2>Provenance</h2><pre>{html.escape(json.dumps(provenance, indent=1))}</pre>
<script>{_SORT_SCRIPT}</script></body></html>
"""
