"""compare: an outside method ranked among a suite's published records, reruns tested, end to end."""
import shutil
from pathlib import Path

import pandas as pd

from qasbench.cli import main
from qasbench.compare import chance_limit, rerun_check
from qasbench.reproduce import verdict
from qasbench.runner import run_grid
from qasbench.verify import verify_directory
from tests.conftest import TINY

PLUGIN = Path(__file__).resolve().parents[1] / "examples" / "plugin"


def test_an_outside_method_joins_the_published_table_without_reruns(tiny_published, tmp_path, monkeypatch, capsys):
    suite, archive, _ = tiny_published
    monkeypatch.syspath_prepend(str(PLUGIN))
    configs = suite.configs({"qasbench_example_plugin:GreedyBuilder": {"evaluations_per_trial": 20}})
    run_grid(configs, tmp_path / "mine", tags=suite.tags)
    assert main(["compare", str(tmp_path / "mine"), "--suite", str(TINY), "--archive", str(archive)]) == 2
    assert "not verified on aer" in capsys.readouterr().err  # verify first
    verify_directory(tmp_path / "mine")
    assert main(["compare", str(tmp_path / "mine"), "--suite", str(TINY), "--archive", str(archive)]) == 0
    err = capsys.readouterr().err
    assert "ranked qasbench_example_plugin:GreedyBuilder[evaluations_per_trial=20] among" in err
    assert "code check: 3 of 3 published methods reproduced bit for bit by this code" in err
    checked = pd.read_csv(tmp_path / "mine" / "compare" / "code-check.csv")
    assert set(checked.method) == {"evolutionary", "hea", "random[evaluations_per_circuit=30]"}
    assert set(checked.seed) == {0} and set(checked.noise) == {"noiseless"} and checked.reproduced.all()
    table = pd.read_csv(tmp_path / "mine" / "compare" / "leaderboard.csv")
    assert len(table) == 2 * 4 and set(table.runs) == {4}  # 2 cells x (3 published + 1 new method)
    assert not (tmp_path / "mine" / "compare" / "rerun-check.csv").exists()
    assert "critical-difference.png" in (tmp_path / "mine" / "compare" / "index.html").read_text()


def test_a_rerun_on_the_same_machine_is_consistent_and_a_changed_one_is_flagged(tiny_published, tmp_path):
    suite, archive, runs = tiny_published
    shutil.copytree(runs, tmp_path / "rerun")
    from qasbench.report import load_runs

    theirs, _ = load_runs(archive)
    mine, _ = load_runs(tmp_path / "rerun")
    same = rerun_check(theirs, mine, 1e-6)
    assert len(same) == 6 and not same.differs.any()
    worse = mine.assign(error=mine.error + 0.5, success=False)
    flagged = rerun_check(theirs, worse[worse.algorithm == "hea"], 1e-6)
    assert len(flagged) == 2 and flagged.p_errors_mann_whitney.max() < 0.05
    assert chance_limit(24) == 3 and chance_limit(0) == 0


def test_records_of_another_suite_are_refused(tiny_published, tmp_path, capsys):
    _, archive, runs = tiny_published
    assert main(["compare", str(runs), "--suite", "lite-v1", "--archive", str(archive)]) == 2
    err = capsys.readouterr().err.strip()
    assert "are not of suite lite-v1" in err and len(err.splitlines()) == 1


def test_a_code_change_that_alters_published_records_is_caught_as_stale(tiny_published, tmp_path, monkeypatch,
                                                                         capsys):
    from qasbench.evaluator import Evaluator

    suite, archive, runs = tiny_published
    shutil.copytree(runs, tmp_path / "rerun")
    energies = Evaluator.energies
    monkeypatch.setattr(Evaluator, "energies", lambda self, *args, **kwargs: energies(self, *args, **kwargs) + 1e-12)
    assert main(["compare", str(tmp_path / "rerun"), "--suite", str(TINY), "--archive", str(archive)]) == 1
    err = capsys.readouterr().err
    assert "0 of 3 published methods reproduced" in err and "STALE on this same machine" in err
    assert "compare with qasbench" in err and (tmp_path / "rerun" / "compare" / "index.html").exists()
    assert main(["compare", str(tmp_path / "rerun"), "--suite", str(TINY), "--archive", str(archive),
                 "--no-code-check"]) == 0
    assert "code check: not checked (--no-code-check)" in capsys.readouterr().err


def test_a_canary_that_differs_on_another_machine_is_no_proof_of_staleness():
    row = {"method": "hea", "reproduced": False, "same_machine": False, "rerun_by": "qasbench 9 at x",
           "published_by": "qasbench 1 at y"}
    text, stale = verdict([row, {**row, "method": "random", "reproduced": True}])
    assert not stale and text.startswith("1 of 2 published methods reproduced")
    assert "not reproduced on this other machine: hea" in text
    assert verdict([{**row, "same_machine": True}])[1]
