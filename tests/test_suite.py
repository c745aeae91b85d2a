"""Frozen suites: hashes checked on load, records tagged, tables never mixing suites."""
import json
import re
from pathlib import Path

import pytest

from qasbench import suite as suites
from qasbench.cli import main
from qasbench.hashing import json_hash
from qasbench.report import load_runs
from qasbench.results import read_record
from qasbench.runner import run_grid
from qasbench.suite import Suite


@pytest.mark.parametrize("name", suites.available())
def test_packaged_suites_load_and_expand_to_their_runs(name):
    suite = Suite.load(name)
    data = suite.data
    assert suite.id == name and suite.hash == json_hash(data)
    assert data["seeds"] == list(range(10))
    configs = suite.configs()
    assert len(configs) == len(data["algorithms"]) * len(data["problems"]) * len(data["noise"]) * len(
        suite.mitigations) * 10
    for config in configs:
        entry = data["problems"][config.problem]
        assert (config.budget, config.max_gates, config.shots) == (entry["budget"], entry["max_gates"], None)
    assert {c.mitigation for c in configs} == set(suite.mitigations)


def test_the_tiers_hold_the_problems_the_issue_names():
    assert list(Suite.load("lite-v1").data["problems"]) == ["h2-2q", "h2-3q", "h2-4q", "lih-4q"]
    assert list(Suite.load("standard-v1").data["problems"]) == ["h2-2q", "h2-3q", "h2-4q", "lih-4q", "lih-6q",
                                                                "h2o-8q"]
    for name in ("lite-v1", "standard-v1"):
        assert list(Suite.load(name).data["noise"]) == ["noiseless", "depol-1e-3", "mumbai-median"]
        assert Suite.load(name).mitigations == ["none"]
    assert list(Suite.load("large-v1").data["problems"]) == ["beh2-10q", "beh2-12q", "beh2-14q", "lih-12q",
                                                             "h2o-10q", "h2o-12q"]
    families = Suite.load("families-v1")
    assert list(families.data["problems"]) == ["maxcut-3reg-6q", "maxcut-er-6q", "mis-6q", "ghz-4q"]
    assert {"sa-qas", "tf-qas"} <= set(families.data["algorithms"]) and "latent-bo" not in families.data["algorithms"]
    device = Suite.load("device-v1")
    assert list(device.data["problems"]) == ["h2-2q", "h2-4q", "lih-4q"] and list(device.data["noise"]) == ["ibm-torino"]
    assert device.mitigations == ["none", "readout", "zne", "readout+zne"]


def _edited_suite(tmp_path, monkeypatch, old, new):
    text = Suite.load("lite-v1").path.read_text()
    assert old in text
    (tmp_path / "lite-v1.toml").write_text(text.replace(old, new, 1))
    monkeypatch.setattr(suites, "_suite_files", lambda: {"lite-v1": tmp_path / "lite-v1.toml"})


@pytest.mark.parametrize("old, new, message", [
    ('hash = "sha256:ee0', 'hash = "sha256:ff0', "problem 'h2-2q' is sha256:ee0"),
    ('noiseless = "sha256:9916', 'noiseless = "sha256:0000', "noise profile 'noiseless' is"),
    ("success_threshold_ha = 0.0016", "success_threshold_ha = 0.001", "success threshold 0.001 Ha"),
    ("version = 1", "version = 2", "its file name 'lite-v1'"),
    ("[ranking]", "[rankings]", "unknown key 'rankings'"),
    ("budget = 10000\n", "budget = 10000\nbugdet = 3\n", "needs exactly budget, hash, max_gates"),
])
def test_a_suite_that_does_not_match_the_installed_tasks_is_refused(old, new, message, tmp_path, monkeypatch,
                                                                    capsys):
    _edited_suite(tmp_path, monkeypatch, old, new)
    assert main(["suite", "show", "lite-v1"]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1, err


def test_suite_show_prints_the_hash_and_an_unknown_suite_gets_one_line(capsys):
    assert main(["suite", "show", "lite-v1"]) == 0
    assert Suite.load("lite-v1").hash in capsys.readouterr().out
    for args in (["suite", "show", "lite-v9"], ["run", "lite-v9"], ["estimate", "lite-v9"]):
        assert main(args) == 2
        err = capsys.readouterr().err.strip()
        assert "unknown suite 'lite-v9' (did you mean 'lite-v1'?)" in err and len(err.splitlines()) == 1


def test_suite_runs_carry_the_suite_and_refuse_other_suites_records(tmp_path):
    suite = Suite.load("lite-v1")
    configs = [c for c in suite.configs({"random": {"evaluations_per_circuit": 20}})
               if c.problem == "h2-2q" and c.noise == "noiseless" and c.seed < 2]
    configs = [c.__class__(**{**c.to_dict(), "budget": 60}) for c in configs]
    counts = run_grid(configs, tmp_path / "a", tags=suite.tags)
    assert counts["done"] == 2
    for path in (tmp_path / "a").glob("*.json"):
        record = read_record(path)
        assert (record["suite"], record["suite_hash"]) == ("lite-v1", suite.hash)
        assert record["machine"]["cpu_model"] and isinstance(record["machine"]["blas"], list)
    with pytest.raises(ValueError, match=re.escape(f"belongs to suite lite-v1 ({suite.hash})")):
        run_grid(configs, tmp_path / "a", tags={})
    run_grid(configs[:1], tmp_path / "a", tags=suite.tags)  # same suite: resumes
    run_grid(configs, tmp_path / "b")  # no suite
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for source in ((tmp_path / "a").glob("*seed0*.json"), (tmp_path / "b").glob("*seed1*.json")):
        for path in source:
            (mixed / path.name).write_text(path.read_text())
    with pytest.raises(ValueError, match="mixes records of different suites"):
        load_runs(mixed)


def test_records_name_the_machine_that_decides_their_rounding(tmp_path):
    run_grid(Suite.load("lite-v1").configs({"hea": {}})[:1], tmp_path)
    record = json.loads(next(tmp_path.glob("*.json")).read_text())
    machine = record["machine"]
    assert {"cpu_model", "cpu_flags", "logical_cpus", "blas"} <= set(machine)
    assert machine.get("torch_threads", 1) == 1 and machine.get("numba_threads", 1) == 1


def test_run_suite_with_one_method_runs_that_method_on_every_cell(tmp_path, monkeypatch, capsys):
    from qasbench import runner

    seen = {}

    def fake_grid(configs, out, **kwargs):
        seen.update(configs=configs, out=out, **kwargs)
        return {"done": len(configs), "skipped": 0, "rerun_corrupt": 0, "failed": 0}

    monkeypatch.setattr(runner, "run_grid", fake_grid)
    assert main(["run", "lite-v1", "--algorithm", "random", "--params", '{"evaluations_per_circuit": 7}',
                 "--out", str(tmp_path / "mine")]) == 0
    suite = Suite.load("lite-v1")
    assert len(seen["configs"]) == 4 * 3 * 10 and seen["tags"] == suite.tags
    assert {c.label for c in seen["configs"]} == {"random[evaluations_per_circuit=7]"}
    assert "qasbench compare" in capsys.readouterr().err
    assert main(["run", "lite-v1", "--algorithm", "random", "--budget", "5"]) == 2
    err = capsys.readouterr().err.strip()
    assert "cannot change a suite's runs" in err and len(err.splitlines()) == 1


def test_run_suite_cells_selects_the_suites_own_problems_and_profiles(tmp_path, monkeypatch, capsys):
    from qasbench import runner

    seen = {}
    monkeypatch.setattr(runner, "run_grid", lambda configs, out, **kwargs: seen.update(configs=configs, out=out)
                        or {"done": len(configs), "skipped": 0, "rerun_corrupt": 0, "failed": 0})
    suite = Suite.load("lite-v1")
    assert main(["run", "lite-v1", "--problem", "h2-2q,h2-3q", "--noise", "noiseless", "--out", str(tmp_path)]) == 0
    assert {(c.problem, c.noise) for c in seen["configs"]} == {("h2-2q", "noiseless"), ("h2-3q", "noiseless")}
    assert len(seen["configs"]) == len(suite.data["algorithms"]) * 2 * 10
    assert [c.hash for c in seen["configs"]] == [c.hash for c in suite.configs()
                                                 if c.problem in ("h2-2q", "h2-3q") and c.noise == "noiseless"]
    assert "qasbench report" in capsys.readouterr().err
    assert main(["run", "lite-v1", "--algorithm", "hea", "--noise", "depol-1e-3", "--out", str(tmp_path)]) == 0
    assert {(c.algorithm, c.noise) for c in seen["configs"]} == {("hea", "depol-1e-3")}
    assert len(seen["configs"]) == 4 * 10 and "qasbench compare" in capsys.readouterr().err
    for args, message in ((["--problem", "h2o-8q"], "--problem 'h2o-8q' is not one of lite-v1's: h2-2q, h2-3q"),
                          (["--noise", "noiseless,mumbai-max"], "--noise 'mumbai-max' is not one of lite-v1's"),
                          (["--params", '{"budget": 3}'], "--params needs --algorithm on a suite")):
        seen.clear()
        assert main(["run", "lite-v1", *args]) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1 and not seen


def test_run_suite_method_and_seeds_select_reference_runs_with_the_suites_settings(tmp_path, monkeypatch, capsys):
    from qasbench import runner

    seen = {}
    monkeypatch.setattr(runner, "run_grid", lambda configs, out, **kwargs: seen.update(configs=configs, out=out)
                        or {"done": len(configs), "skipped": 0, "rerun_corrupt": 0, "failed": 0})
    suite = Suite.load("standard-v1")
    assert main(["run", "standard-v1", "--method", "dqas-pt,hea", "--problem", "h2o-8q", "--noise", "depol-1e-3",
                 "--seeds", "0-2,7", "--out", str(tmp_path)]) == 0
    wanted = [c for c in suite.configs() if c.label in ("dqas-pt", "hea") and c.problem == "h2o-8q"
              and c.noise == "depol-1e-3" and c.seed in (0, 1, 2, 7)]
    assert len(wanted) == 8 and [c.hash for c in seen["configs"]] == [c.hash for c in wanted]
    assert seen["out"] == tmp_path and "qasbench report" in capsys.readouterr().err
    for args, message in ((["--method", "qaoa"], "--method 'qaoa' is not one of standard-v1's: random, crlqas"),
                          (["--seeds", "8-12"], "--seeds: seed 10 is not one of standard-v1's: 0-9"),
                          (["--seeds", "4-2"], "--seeds takes seeds and ranges, e.g. 0-4 or 0,3,7; got '4-2'"),
                          (["--seeds", "a"], "--seeds takes seeds and ranges"),
                          (["--seed", "3"], "the suite fixes them (--seeds selects some of its seeds)"),
                          (["--method", "hea", "--algorithm", "hea"], "give --method (some of the suite's")):
        seen.clear()
        assert main(["run", "standard-v1", *args, "--out", str(tmp_path)]) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1 and not seen
    for args in (["--method", "hea"], ["--seeds", "0"]):
        assert main(["run", "--algorithm", "hea", "--problem", "h2-2q", *args, "--out", str(tmp_path)]) == 2
        err = capsys.readouterr().err.strip()
        assert "--method and --seeds select runs of a suite" in err and len(err.splitlines()) == 1 and not seen


def test_estimate_selects_a_suites_runs_as_run_does(monkeypatch, capsys):
    from qasbench import cli

    seen = {}
    monkeypatch.setattr(cli, "_print_estimate", lambda configs, against, calibration: seen.update(configs=configs))
    selection = ["--problem", "h2-4q,lih-4q", "--method", "latent-bo", "--seeds", "3-4"]
    assert main(["estimate", "lite-v1", *selection]) == 0
    wanted = [c for c in Suite.load("lite-v1").configs() if c.label == "latent-bo" and c.problem in ("h2-4q", "lih-4q")
              and c.seed in (3, 4)]
    assert len(wanted) == 12 and [c.hash for c in seen["configs"]] == [c.hash for c in wanted]
    seen.clear()
    assert main(["estimate", "experiments/quick.toml", "--problem", "h2-2q"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--problem selects runs of a suite" in err and len(err.splitlines()) == 1 and not seen
    assert main(["estimate", "lite-v1", "--seeds", "10"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--seeds: seed 10 is not one of lite-v1's: 0-9" in err and len(err.splitlines()) == 1 and not seen


def test_citation_file_names_every_suite_with_its_hash_and_the_package_version():
    from qasbench import __version__

    text = (Path(__file__).resolve().parents[1] / "CITATION.cff").read_text()
    assert f"\nversion: {__version__}\n" in text
    for name in suites.available():
        assert f"suite {name} {Suite.load(name).hash}" in text
