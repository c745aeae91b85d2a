"""Result records: one JSON file per run, written atomically and never overwritten."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path

from qasbench.hashing import json_hash

RECORD_VERSION = 2  # 2: anytime-curve points carry the shots used
_VERSIONED = ("qasbench", "numpy", "scipy", "qiskit", "qiskit-aer", "torch")
REQUIRED_FIELDS = ("algorithm", "problem", "noise", "seed", "budget", "evaluations_used",
                   "best_energy", "ground_energy", "error", "success", "circuit", "angles", "config_hash")


class RecordExists(FileExistsError):
    pass


def config_hash(config: dict) -> str:
    """Content hash of a run's full configuration."""
    return json_hash(config)


def record_name(config: dict) -> str:
    return (f"{config['algorithm']}__{config['problem']}__{config['noise']}__seed{config['seed']}"
            f"__{config_hash(config)[7:19]}.json")


def versions() -> dict:
    found = {"python": platform.python_version()}
    for package in _VERSIONED:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def git_commit(directory: Path = Path(__file__).resolve().parent) -> str | None:
    """HEAD of the checkout holding ``directory``, suffixed ``+dirty`` when tracked files differ
    from it (the record then does not name the code that produced it); None outside git."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=5, cwd=directory)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=5, cwd=directory)
    except (OSError, subprocess.SubprocessError):
        return None
    if head.returncode != 0 or not head.stdout.strip():
        return None
    return head.stdout.strip() + ("+dirty" if status.stdout.strip() else "")


def provenance() -> dict:
    return {"versions": versions(), "git_commit": git_commit(),
            "cpu": platform.processor() or platform.machine(), "platform": platform.platform()}


def _write_history(record: dict, path: Path) -> None:
    """The anytime curve beside the record, as CSV (the record holds it too)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".csv")
    with os.fdopen(fd, "w") as handle:
        handle.write("evaluations,best_error,shots\n")
        handle.writelines(f"{int(e)},{err!r},{int(s)}\n" for e, err, s in record["history"])
    os.replace(tmp, path.with_suffix(".history.csv"))


def write_record(record: dict, directory: Path) -> Path:
    """Write ``record`` (and its anytime curve as ``<name>.history.csv``) under its
    config-derived name; refuse to replace an existing record."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / record_name(record["config"])
    if path.exists():
        raise RecordExists(f"{path} already exists; choose another --out directory or remove it")
    _write_history(record, path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(record, handle, indent=1)
            handle.write("\n")
        os.link(tmp, path)  # atomic and fails if `path` appeared meanwhile
    except FileExistsError:
        raise RecordExists(f"{path} already exists; choose another --out directory or remove it") from None
    finally:
        os.unlink(tmp)
    return path


def read_record(path: Path) -> dict:
    """Load and validate one record; raise ValueError naming the file when it is unusable."""
    try:
        record = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"corrupt record {path}: {exc}") from None
    if record.get("record_version") != RECORD_VERSION:
        raise ValueError(f"{path} is a version-{record.get('record_version')} record; this qasbench reads "
                         f"version {RECORD_VERSION} (re-run it, or read it with the qasbench that wrote it)")
    missing = [k for k in REQUIRED_FIELDS if k not in record]
    if missing:
        raise ValueError(f"corrupt record {path}: missing field {missing[0]!r}")
    if config_hash(record.get("config", {})) != record["config_hash"]:
        raise ValueError(f"corrupt record {path}: config hash does not match its config")
    return record


def iter_records(directory: str | Path, on_corrupt=None):
    """Yield ``(path, record)`` for every valid record file in ``directory``, in name order.

    A corrupt record goes to ``on_corrupt(message)``, or raises ValueError when that is None.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"no results directory {directory}")
    for path in sorted(directory.glob("*.json")):
        try:
            yield path, read_record(path)
        except ValueError as exc:
            if on_corrupt is None:
                raise
            on_corrupt(str(exc))


_TABLE_SKIP = ("config", "circuit", "angles", "history", "info", "algorithm_params", "versions")


def load_results(directory: str | Path, on_corrupt=None):
    """Every valid record in ``directory`` as one pandas DataFrame, one row per run.

    Nested fields (circuit, history, info, ...) stay out of the table; package versions become
    ``version_<package>`` columns. Corrupt records, and records of another record version, are
    passed to ``on_corrupt(message)`` (default: raise) and never counted.
    """
    import pandas as pd

    rows = []
    for path, record in iter_records(directory, on_corrupt):
        row = {k: v for k, v in record.items() if k not in _TABLE_SKIP}
        row.update({f"version_{k}": v for k, v in record.get("versions", {}).items()})
        row["file"] = path.name
        rows.append(row)
    return pd.DataFrame(rows)
