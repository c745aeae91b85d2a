import json
from pathlib import Path

import pandas as pd
import pytest

from qasbench.cli import main
from qasbench.report import build_report, leaderboard, load_runs
from qasbench.verify import verify_directory


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    root = tmp_path_factory.mktemp("grid")
    grid = root / "grid.toml"
    grid.write_text('problems = ["h2-2q"]\nnoise = ["noiseless", "depol-1e-3"]\nseeds = [0, 1]\nbudget = 300\n'
                    '[algorithms.random]\nevaluations_per_circuit = 60\n[algorithms.hea]\n')
    assert main(["run", str(grid), "--out", str(root / "out")]) == 0
    return root / "out"


def test_verify_marks_agreeing_records_and_catches_tampering(results, tmp_path):
    assert verify_directory(results) == {"verified": 8, "failed": 0, "corrupt": 0}
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    for path in results.glob("*.json"):
        (tampered / path.name).write_text(path.read_text())
    victim = sorted(tampered.glob("*.json"))[0]
    record = json.loads(victim.read_text())
    record["best_energy"] -= 0.01
    victim.write_text(json.dumps(record))
    assert main(["verify", str(tampered)]) == 1
    runs, _ = load_runs(tampered)
    table = leaderboard(runs)
    assert table.failed_verification.sum() == 1 and table.runs.sum() == 7  # not ranked


def test_report_files_and_leaderboard(results, tmp_path):
    verify_directory(results)
    written, unverified = build_report(results, tmp_path / "report")
    assert unverified == 0
    names = {p.name for p in written}
    assert {"leaderboard.md", "leaderboard.csv", "leaderboard.tex", "index.html", "success-rate.png",
            "anytime-h2-2q-noiseless.png", "pareto-h2-2q-depol-1e-3.png"} <= names
    table = pd.read_csv(tmp_path / "report" / "leaderboard.csv")
    assert set(table.algorithm) == {"random[evaluations_per_circuit=60]", "hea"} and (table.runs == 2).all() and (table.verified == 2).all()
    for column in ("success_rate", "median_error", "iqr_error", "median_cnots", "median_evals_to_success",
                   "median_shots_to_success"):
        assert column in table
    noiseless = table[table.noise == "noiseless"]
    assert list(noiseless.success_rate) == sorted(noiseless.success_rate, reverse=True)
    page = (tmp_path / "report" / "index.html").read_text()
    # one table per cell and one across cells, with its critical-difference diagram
    assert page.count("<table") == 3 and "sha256:" in page and "anytime-h2-2q-noiseless.png" in page
    assert "critical-difference.png" in names and "Friedman" in page and "Success rate [95% CI]" in page
    assert list(table["rank"][table.noise == "noiseless"]) == sorted(table["rank"][table.noise == "noiseless"])


def test_shot_noise_grid_verifies_and_reports_with_the_records_hashes(tmp_path):
    """Shots are a task setting: the record's noise names the profile, and two settings of one
    algorithm are two labelled rows."""
    grid = tmp_path / "grid.toml"
    grid.write_text('problems = ["h2-2q"]\nnoise = ["depol-1e-3"]\nseeds = [0]\nbudget = 200\nshots = 50\n'
                    '[algorithms.random]\nevaluations_per_circuit = 40\n'
                    '[algorithms.random-long]\nalgorithm = "random"\nevaluations_per_circuit = 100\n')
    out = tmp_path / "out"
    assert main(["run", str(grid), "--out", str(out)]) == 0
    records = [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]
    assert {(r["noise"], r["shots"]) for r in records} == {("depol-1e-3", 50)}
    assert main(["verify", str(out)]) == 0
    build_report(out, tmp_path / "report")
    provenance = json.loads((tmp_path / "report" / "provenance.json").read_text())
    assert provenance["problems"] == {"h2-2q": records[0]["problem_hash"]}
    assert provenance["noise_profiles"] == {"depol-1e-3": records[0]["noise_hash"]}
    table = pd.read_csv(tmp_path / "report" / "leaderboard.csv")
    assert sorted(table.algorithm) == ["random[evaluations_per_circuit=100]", "random[evaluations_per_circuit=40]"]
    assert (table.shots == 50).all() and (table.verified == 1).all()


def test_report_of_an_empty_directory_is_a_clear_error(tmp_path, capsys):
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    assert "no records" in capsys.readouterr().err


def test_unverified_records_are_never_ranked_and_the_report_says_to_verify(results, tmp_path, capsys):
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    paths = sorted(results.glob("*.json"))
    for path in paths:
        (fresh / path.name).write_text(path.read_text())
    assert main(["report", str(fresh)]) == 2
    err = capsys.readouterr().err.strip()
    assert f"run `qasbench verify {fresh}` first" in err and len(err.splitlines()) == 1
    assert not (fresh / "report").exists()
    (fresh / "verification").mkdir()
    name = paths[0].name
    (fresh / "verification" / name).write_text((results / "verification" / name).read_text())
    assert main(["report", str(fresh)]) == 0  # default --out: beside the records, never reports/
    assert f"{len(paths) - 1} record(s) not verified on aer are not ranked" in capsys.readouterr().err
    table = pd.read_csv(fresh / "report" / "leaderboard.csv")
    assert table.runs.sum() == 1


def test_html_page_loads_in_headless_chromium_without_console_errors(results, tmp_path):
    """Needs Debian's chromium (`.ci/run` installs it when missing)."""
    import shutil
    import subprocess

    browser = shutil.which("chromium")
    assert browser, "chromium is not installed: apt-get install chromium (see .ci/run)"
    verify_directory(results)
    build_report(results, tmp_path / "report")
    page = tmp_path / "report" / "index.html"
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, console
    dom = done.stdout
    assert dom.count("<table") == 3 and 'id="h2-2q"' in dom  # a table per cell, and one across cells
    for algorithm in ("random[evaluations_per_circuit=60]", "hea"):
        assert f"<td>{algorithm}</td>" in dom


def test_provenance_names_each_layouts_noise_hash_of_a_device_profile():
    """A device profile's hash depends on the layout of the problem's size: device-v1's archive
    holds two for ibm-torino (2 and 4 qubits), and the provenance names both."""
    from qasbench.report import _provenance, load_runs

    runs, _ = load_runs(Path(__file__).resolve().parents[1] / "reports" / "device-v1" / "records.jsonl.gz")
    hashes = _provenance(runs)["noise_profiles"]["ibm-torino"]
    expected = {f"{n}q": h for n, h in runs[runs.noise == "ibm-torino"][["n_qubits", "noise_hash"]].drop_duplicates().values}
    assert hashes == expected and len(set(hashes.values())) == 2


def test_a_suite_page_states_the_seeds_each_method_holds_per_cell(tiny_published, tmp_path):
    """A method that did not run a cell has no row in its table: the page and coverage.csv say
    so (0 = not run), and name the methods short of the suite's seeds."""
    import shutil

    from tests.conftest import TINY

    suite, _, runs = tiny_published
    partial = tmp_path / "partial"
    shutil.copytree(runs, partial)
    for pattern in ("hea__h2-2q__depol-1e-3__*", "evolutionary__h2-2q__noiseless__seed3__*"):
        for path in partial.glob(pattern):
            path.unlink()
    assert main(["report", str(partial), "--suite", str(TINY), "--out", str(tmp_path / "report")]) == 0
    held = pd.read_csv(tmp_path / "report" / "coverage.csv").set_index(["problem", "noise"])
    assert held.columns.tolist()[1:] == ["random[evaluations_per_circuit=30]", "hea", "evolutionary"]
    assert held.loc[("h2-2q", "depol-1e-3"), "hea"] == 0 and held.loc[("h2-2q", "noiseless"), "evolutionary"] == 3
    assert held.drop(columns="shots").sum().sum() == 3 * 2 * 4 - 4 - 1
    page = (tmp_path / "report" / "index.html").read_text()
    assert "Of the suite&#x27;s 4 seeds per method, not run: hea." in page
    assert "Of the suite&#x27;s 4 seeds per method, fewer seeds: evolutionary (3)." in page
    assert "<td><b>0</b></td>" in page and "<h2>Seeds held</h2>" in page
    assert main(["report", str(runs), "--suite", str(TINY), "--out", str(tmp_path / "full")]) == 0
    full = (tmp_path / "full" / "index.html").read_text()
    assert "Every method holds all 4 of the suite's seeds in every cell." in full


def test_a_note_goes_on_the_page_escaped_and_a_bad_one_is_refused_before_any_work(results, tmp_path, capsys):
    verify_directory(results)
    note = tmp_path / "note.txt"
    note.write_text("latent-bo does not run h2o-8q:\r\nits exact GP <grows> too fast.\r\n \r\nSecond paragraph.\n")
    assert main(["report", str(results), "--out", str(tmp_path / "page"), "--note", str(note)]) == 0
    page = (tmp_path / "page" / "index.html").read_text()
    assert ("<h2>Notes</h2><p>latent-bo does not run h2o-8q: its exact GP &lt;grows&gt; too fast.</p>"
            "<p>Second paragraph.</p>") in page
    assert page.index("<h2>Across cells</h2>") < page.index("<h2>Notes</h2>") < page.index("<h3>")
    (tmp_path / "empty.txt").write_text(" \n\n")
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00bad")
    for bad, message in ((tmp_path / "missing.txt", "cannot be read"), (tmp_path / "empty.txt", "is empty"),
                         (tmp_path / "binary.txt", "cannot be read as UTF-8")):
        capsys.readouterr()
        assert main(["report", str(results), "--out", str(tmp_path / "refused"), "--note", str(bad)]) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1
        assert not (tmp_path / "refused").exists()


def test_across_cells_a_method_missing_a_cell_leaves_that_cell_out_then_a_second_ranking_keeps_it():
    """Three methods, three cells, c missing the third: the first ranking is over the two cells
    all three ran; the second over all three cells, of a and b, ranked afresh among themselves."""
    from qasbench.page import _overall_html
    from qasbench.report import overall_rankings

    ranks = {("p1", "a"): 1, ("p1", "b"): 2, ("p1", "c"): 3, ("p2", "a"): 2, ("p2", "b"): 1, ("p2", "c"): 3,
             ("p3", "a"): 1, ("p3", "b"): 3}
    table = pd.DataFrame([{"problem": p, "noise": "noiseless", "shots": "exact", "algorithm": a, "rank": r,
                           "runs": 10 if p != "p3" else 4} for (p, a), r in ranks.items()])
    common, every_cell = overall_rankings(table)
    assert (common["cells"], common["methods"], common["cells_left_out"], common["methods_left_out"]) == (2, 3, 1, 0)
    assert common["mean_rank"].to_dict() == {"a": 1.5, "b": 1.5, "c": 3.0} and common["seeds"] == "10"
    assert (every_cell["cells"], every_cell["methods"], every_cell["methods_left_out"]) == (3, 2, 1)
    assert every_cell["mean_rank"].to_dict() == pytest.approx({"a": 4 / 3, "b": 5 / 3}) and every_cell["seeds"] == "4-10"
    assert common["image"] != every_cell["image"]
    page = _overall_html([common, every_cell])
    assert "over the 2 cells every method ran (1 cells with missing methods left out)" in page
    assert "over all 3 cells, of the 2 methods that ran every one (1 method(s) missing a cell left out" in page
    assert common["image"] in page and every_cell["image"] in page
    assert len(overall_rankings(table[table.algorithm != "c"])) == 1  # nothing left out: one ranking
