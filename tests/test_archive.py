"""Release archives: only clean, verified suite records are packed; report and verify read them."""
import gzip
import json

import pytest

from qasbench.archive import pack, unpack
from qasbench.cli import main
from qasbench.config import RunConfig
from qasbench.report import build_report
from qasbench.results import iter_records
from qasbench.runner import run_grid
from qasbench.suite import Suite
from qasbench.verify import verify_directory


@pytest.fixture(scope="module")
def suite_results(tmp_path_factory):
    """Four cheap lite-v1-tagged runs (budgets cut to 80 evaluations), verified."""
    suite = Suite.load("lite-v1")
    configs = [RunConfig(**{**c.to_dict(), "budget": 80})
               for c in suite.configs({"random": {"evaluations_per_circuit": 20}, "hea": {}})
               if c.problem == "h2-2q" and c.noise in ("noiseless", "depol-1e-3") and c.seed == 0]
    out = tmp_path_factory.mktemp("suite") / "out"
    run_grid(configs, out, tags=suite.tags)
    return out


def _copy(source, target):
    """The records and their verification outcomes of ``source`` copied into ``target``."""
    for path in list(source.glob("*.json")) + list((source / "verification").glob("*.json")):
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(path.read_text())


def _clean_commit(directory, commit="0" * 40):
    """Records as if made by committed code (the test checkout may have local changes)."""
    for path in directory.glob("*.json"):
        record = json.loads(path.read_text())
        record["git_commit"] = commit
        path.write_text(json.dumps(record))


def test_pack_refuses_unverified_dirty_or_suiteless_records(suite_results, tmp_path, capsys):
    assert main(["archive", str(suite_results), str(tmp_path / "a.jsonl.gz")]) == 2
    assert "not verified on aer" in capsys.readouterr().err
    verify_directory(suite_results)
    dirty = tmp_path / "dirty"
    _copy(suite_results, dirty)
    _clean_commit(dirty, "abc+dirty")
    with pytest.raises(ValueError, match="not made by committed code"):
        pack(dirty, tmp_path / "a.jsonl.gz")
    assert not (tmp_path / "a.jsonl.gz").exists()


def test_archive_is_deterministic_and_reports_like_its_directory(suite_results, tmp_path):
    verify_directory(suite_results)
    clean = tmp_path / "clean"
    _copy(suite_results, clean)
    _clean_commit(clean)
    assert pack(clean, tmp_path / "one.jsonl.gz") == 4
    assert pack(clean, tmp_path / "two.jsonl.gz") == 4
    assert (tmp_path / "one.jsonl.gz").read_bytes() == (tmp_path / "two.jsonl.gz").read_bytes()
    archive = tmp_path / "one.jsonl.gz"
    with gzip.open(archive, "rt") as handle:
        entries = [json.loads(line) for line in handle]
    assert [e["name"] for e in entries] == sorted(p.name for p in clean.glob("*.json"))
    assert all(e["verification"]["verified"] for e in entries)
    assert [r for _, r in iter_records(archive)] == [r for _, r in iter_records(clean)]
    build_report(clean, tmp_path / "from-dir")
    build_report(archive, tmp_path / "from-archive")
    for name in ("leaderboard.csv", "leaderboard.md", "leaderboard.tex"):
        assert (tmp_path / "from-dir" / name).read_bytes() == (tmp_path / "from-archive" / name).read_bytes()
    assert verify_directory(archive) == {"verified": 4, "failed": 0, "corrupt": 0}
    assert archive.read_bytes() == (tmp_path / "two.jsonl.gz").read_bytes()  # checked, not written
    assert main(["archive", "--extract", str(archive), str(tmp_path / "resumed")]) == 0  # to resume a suite
    assert pack(tmp_path / "resumed", tmp_path / "three.jsonl.gz") == 4
    assert (tmp_path / "three.jsonl.gz").read_bytes() == archive.read_bytes()
    assert unpack(archive, tmp_path / "resumed") == 0  # existing records are kept


def test_a_corrupt_archive_is_one_line(tmp_path, capsys):
    (tmp_path / "bad.jsonl.gz").write_bytes(b"not gzip")
    assert main(["report", str(tmp_path / "bad.jsonl.gz"), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert "cannot read archive" in err and len(err.splitlines()) == 1
