"""Release archives: only clean, verified suite records are packed; report and verify read them."""
import gzip
import json
import zlib

import pytest

from qasbench import __version__
from qasbench.archive import pack, unpack
from qasbench.cli import main
from qasbench.config import RunConfig
from qasbench.report import build_report
from qasbench.results import iter_records
from qasbench.runner import run_grid
from qasbench.suite import Suite
from qasbench.verify import load_verification, verification_outcomes, verify_directory, write_outcome
from tests.conftest import TINY, as_committed

TINY_PLUS = TINY.with_name("tiny-plus-v1.toml")


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


def test_pack_refuses_unverified_dirty_or_suiteless_records(suite_results, tmp_path, capsys):
    assert main(["archive", str(suite_results), str(tmp_path / "a.jsonl.gz")]) == 2
    assert "not verified on aer" in capsys.readouterr().err
    verify_directory(suite_results)
    dirty = tmp_path / "dirty"
    _copy(suite_results, dirty)
    as_committed(dirty, "abc+dirty")
    with pytest.raises(ValueError, match="not made by committed code"):
        pack(dirty, tmp_path / "a.jsonl.gz")
    assert not (tmp_path / "a.jsonl.gz").exists()


def test_archive_is_deterministic_and_reports_like_its_directory(suite_results, tmp_path):
    verify_directory(suite_results)
    clean = tmp_path / "clean"
    _copy(suite_results, clean)
    as_committed(clean)
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


def _gzip_members(data: bytes) -> list[bytes]:
    members = []
    while data:
        stream = zlib.decompressobj(wbits=31)
        stream.decompress(data)
        members.append(data[: len(data) - len(stream.unused_data)])
        data = stream.unused_data
    return members


def test_archive_packs_each_cell_apart(suite_results, tmp_path):
    """One gzip member per cell: a cell's new record leaves every other cell's bytes as they
    were, which is what lets git store a growing archive's update as a small delta."""
    verify_directory(suite_results)
    clean = tmp_path / "clean"
    _copy(suite_results, clean)
    as_committed(clean)
    names = sorted(p.name for p in clean.glob("*.json"))
    cells = sorted({name.split("__seed")[0] for name in names})
    first = names[0]
    held = tmp_path / "held"
    held.mkdir()
    for path in clean.glob(first.removesuffix(".json") + ".*"):  # one run of the first cell, not made yet
        path.rename(held / path.name)
    pack(clean, tmp_path / "before.jsonl.gz")
    for path in held.iterdir():
        path.rename(clean / path.name)
    pack(clean, tmp_path / "after.jsonl.gz")
    before, after = (_gzip_members((tmp_path / f"{n}.jsonl.gz").read_bytes()) for n in ("before", "after"))
    assert len(after) == len(cells) >= 2
    assert all(member in after for member in before) and len(set(after) - set(before)) == 1  # the first cell's


def test_a_corrupt_archive_is_one_line(tmp_path, capsys):
    (tmp_path / "bad.jsonl.gz").write_bytes(b"not gzip")
    assert main(["report", str(tmp_path / "bad.jsonl.gz"), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert "cannot read archive" in err and len(err.splitlines()) == 1


def test_a_suite_adopts_the_published_records_of_the_runs_it_shares(tiny_published, tmp_path, capsys):
    tiny, archive, _ = tiny_published
    plus, out = Suite.load(TINY_PLUS), tmp_path / "plus"
    assert main(["archive", "--extract", str(archive), str(out), "--as", str(TINY_PLUS)]) == 0
    records = dict(iter_records(out))
    assert len(records) == 2 * 2 * 4  # hea and evolutionary x 2 shared cells x 4 seeds; random's settings differ
    assert all(r["suite"] == plus.id and r["adopted_from"] == tiny.tags for r in records.values())
    assert load_verification(out) == {path.name: True for path in records}
    counts = run_grid(plus.configs(), out, tags=plus.tags)  # adopted records, made at another commit, are kept
    assert (counts["skipped"], counts["done"]) == (16, 3 * 3 * 4 - 16)
    as_committed(out)
    verify_directory(out)
    assert pack(out, tmp_path / "plus.jsonl.gz") == 36
    assert main(["report", str(out), "--out", str(tmp_path / "report"), "--suite", str(TINY_PLUS)]) == 0
    assert json.loads((tmp_path / "report" / "provenance.json").read_text())["runs_adopted_from"] == {"tiny-v1": 16}
    cite = (tmp_path / "report" / "index.html").read_text()
    assert f"records made by qasbench {__version__} at " in cite and "16 of the 36 runs adopted from tiny-v1" in cite
    capsys.readouterr()
    for args, message in (([str(TINY)], "extract it without --as"), (["lite-v1"], "is a run of lite-v1")):
        assert main(["archive", "--extract", str(archive), str(tmp_path / "other"), "--as", *args]) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1
    assert main(["report", str(out), "--out", str(tmp_path / "other"), "--suite", str(TINY)]) == 2
    assert "not of tiny-v1" in capsys.readouterr().err
    assert main(["archive", str(out), str(tmp_path / "x.jsonl.gz"), "--as", "lite-v1"]) == 2
    assert "goes with --extract" in capsys.readouterr().err
    assert not (tmp_path / "other").exists() and not (tmp_path / "x.jsonl.gz").exists()


def test_an_adopting_archive_refers_to_the_published_records_instead_of_copying_them(tiny_published, tmp_path,
                                                                                      capsys):
    tiny, archive, _ = tiny_published
    plus, out, reports = Suite.load(TINY_PLUS), tmp_path / "plus", tmp_path / "reports"
    (reports / tiny.id).mkdir(parents=True)
    source = reports / tiny.id / "records.jsonl.gz"
    source.write_bytes(archive.read_bytes())
    unpack(source, out, plus)
    run_grid(plus.configs(), out, tags=plus.tags)
    as_committed(out)
    verify_directory(out)
    packed = reports / plus.id / "records.jsonl.gz"
    assert pack(out, packed) == 36 and pack(out, tmp_path / "elsewhere.jsonl.gz") == 36
    with gzip.open(packed, "rt") as handle:
        lines = [json.loads(line) for line in handle]
    references = [e for e in lines if "adopted" in e]
    assert len(references) == 16 and all(e["adopted"]["archive"] == "../tiny-v1/records.jsonl.gz" for e in references)
    assert packed.stat().st_size < (tmp_path / "elsewhere.jsonl.gz").stat().st_size  # no sibling: full copies
    assert dict((p.name, r) for p, r in iter_records(packed)) == dict((p.name, r) for p, r in iter_records(out))
    assert load_verification(packed) == load_verification(out)
    for name in [e["name"] for e in references]:  # verified again elsewhere: aer's last bits moved
        outcome = json.loads((out / "verification" / name).read_text())
        write_outcome({**outcome, "aer_energy": outcome["aer_energy"] + 1e-15}, out / "verification" / name)
    assert pack(out, packed) == 36
    with gzip.open(packed, "rt") as handle:
        assert sum("adopted" in json.loads(line) for line in handle) == 16  # still references
    published, repacked = verification_outcomes(source), verification_outcomes(packed)
    assert all(repacked[e["name"]] == published[e["name"]] for e in references)  # the published outcome
    source.write_bytes(gzip.compress(b""))  # the published archive changed under it
    capsys.readouterr()
    assert main(["report", str(packed), "--out", str(tmp_path / "r"), "--suite", str(TINY_PLUS)]) == 2
    err = capsys.readouterr().err.strip()
    assert "is not the archive it was packed against" in err and len(err.splitlines()) == 1
