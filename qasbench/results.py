"""Result records: one JSON file per run, written atomically and never overwritten.

A record is named by its configuration (:attr:`qasbench.config.RunConfig.record_name`) and
written with the caller's umask. :func:`read_record` refuses a record that cannot be what it
claims: wrong record version, missing fields, a config that does not hash to its
``config_hash``, non-finite energies, a circuit of another width than the problem, or an angle
count that differs from the circuit's parameters.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from qasbench.hashing import json_hash

RECORD_VERSION = 3  # 2: anytime-curve points carry the shots used; 3: RunConfig, shots apart from noise
_VERSIONED = ("qasbench", "numpy", "scipy", "numba", "qiskit", "qiskit-aer", "torch")
REQUIRED_FIELDS = ("config", "config_hash", "algorithm", "algorithm_label", "problem", "noise", "shots",
                   "seed", "budget", "n_qubits", "evaluations_used", "best_energy", "ground_energy", "error",
                   "success", "circuit", "angles", "history", "problem_hash", "noise_hash")
_FINITE = ("best_energy", "ground_energy", "error", "estimated_energy")


class RecordExists(FileExistsError):
    pass


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


def code_identity(record: dict | None = None) -> str:
    """``qasbench <version> at <commit>`` of a record, or of the running code when None."""
    version, commit = ((record.get("qasbench_version"), record.get("git_commit")) if record is not None
                       else (versions()["qasbench"], git_commit()))
    return f"qasbench {version} at {commit or 'no git checkout'}"


_CPU_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512vl", "avx512_bf16", "amx_tile")


def machine() -> dict:
    """What on this machine decides a run's rounding: CPU model and vector instruction sets
    (Linux /proc/cpuinfo), each loaded BLAS with its kernel and threads (threadpoolctl), and
    torch's and numba's thread counts."""
    model, flags = platform.processor() or platform.machine(), []
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        info = ""
    for line in info.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            model = value.strip()
        elif key.strip() == "flags":
            flags = [f for f in _CPU_FLAGS if f in value.split()]
            break
    from threadpoolctl import threadpool_info

    blas = [{k: lib.get(k) for k in ("internal_api", "version", "architecture", "threading_layer", "num_threads")}
            for lib in threadpool_info() if lib.get("user_api") == "blas"]
    found = {"cpu_model": model, "cpu_flags": flags, "logical_cpus": os.cpu_count(), "blas": blas}
    if "torch" in sys.modules:
        found["torch_threads"] = sys.modules["torch"].get_num_threads()
    if "numba" in sys.modules:
        found["numba_threads"] = sys.modules["numba"].get_num_threads()
    return found


def provenance() -> dict:
    return {"versions": versions(), "git_commit": git_commit(),
            "cpu": platform.processor() or platform.machine(), "platform": platform.platform(),
            "machine": machine()}


def _write_history(record: dict, path: Path) -> None:
    """The anytime curve beside the record, as CSV (the record holds it too)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    os.chmod(tmp, _file_mode())
    with os.fdopen(fd, "w") as handle:
        handle.write("evaluations,best_error,shots\n")
        handle.writelines(f"{int(e)},{err!r},{int(s)}\n" for e, err, s in record["history"])
    os.replace(tmp, path.with_suffix(".history.csv"))


def _file_mode() -> int:
    """0666 less the process umask (mkstemp's own 0600 would hide records from other users)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def json_files(directory: Path) -> list[Path]:
    """The ``*.json`` files of ``directory`` in name order, hidden ones left out: a run killed
    while writing a record could leave its temporary copy, named ``.tmp-*.json`` up to
    qasbench 0.4.0 (``.tmp-*.part`` since), which must not count as a second record."""
    return sorted(p for p in Path(directory).glob("*.json") if not p.name.startswith("."))


def write_record(record: dict, directory: Path) -> Path:
    """Write ``record`` (and its anytime curve as ``<name>.history.csv``) under its
    config-derived name; refuse to replace an existing record."""
    directory.mkdir(parents=True, exist_ok=True)
    from qasbench.config import RunConfig

    path = directory / RunConfig.from_dict(record["config"]).record_name
    if path.exists():
        raise RecordExists(f"{path} already exists; choose another --out directory or remove it")
    _write_history(record, path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".part")  # never globbed as a record
    os.chmod(tmp, _file_mode())
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
    return check_record(record, path)


def check_record(record, path) -> dict:
    """``record`` when it is what it claims (see the module docstring); ValueError naming
    ``path`` (a file, or a record inside an archive) otherwise."""
    if not isinstance(record, dict):
        raise ValueError(f"corrupt record {path}: not a JSON object")
    if record.get("record_version") != RECORD_VERSION:
        raise ValueError(f"{path} is a version-{record.get('record_version')} record; this qasbench reads "
                         f"version {RECORD_VERSION} (re-run it, or read it with the qasbench that wrote it)")
    missing = [k for k in REQUIRED_FIELDS if k not in record]
    if missing:
        raise ValueError(f"corrupt record {path}: missing field {missing[0]!r}")
    if json_hash(record["config"]) != record["config_hash"]:
        raise ValueError(f"corrupt record {path}: config hash does not match its config")
    for key in _FINITE:
        value = record.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"corrupt record {path}: {key} is {value!r}, not a finite number")
    from qasbench.circuit import Circuit

    try:
        circuit = Circuit.from_dict(record["circuit"])
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"corrupt record {path}: unreadable circuit ({exc})") from None
    if circuit.n_qubits != record["n_qubits"]:
        raise ValueError(f"corrupt record {path}: the circuit has {circuit.n_qubits} qubits, the problem "
                         f"{record['n_qubits']}")
    angles = record["angles"]
    if not isinstance(angles, list) or len(angles) != circuit.n_params:
        raise ValueError(f"corrupt record {path}: {len(angles) if isinstance(angles, list) else angles!r} "
                         f"angles for a circuit of {circuit.n_params} parameters")
    if not all(isinstance(a, (int, float)) and math.isfinite(a) for a in angles):
        raise ValueError(f"corrupt record {path}: angles must be finite numbers")
    return record


ARCHIVE_SUFFIX = ".jsonl.gz"


def is_archive(source: str | Path) -> bool:
    """Whether ``source`` names a release archive (``records.jsonl.gz``) rather than a directory."""
    return str(source).endswith(ARCHIVE_SUFFIX)


def adopted(record: dict, tags: dict) -> dict:
    """Another suite's published ``record`` as the record of the suite ``tags`` names
    (``{"suite", "suite_hash"}``), saying where it was published (``adopted_from``)."""
    return {**record, **tags, "adopted_from": {key: record.get(key) for key in ("suite", "suite_hash")}}


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes (computed once per file version)."""
    stat = os.stat(path)
    return _sha256(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def archive_entries(path: str | Path) -> list[dict]:
    """The entries of a release archive: ``{"name", "record", "verification"}``, in name order
    (see :mod:`qasbench.archive`); ValueError when it cannot be read. An entry that refers to
    another archive's record (``{"name", "adopted": {"archive", "sha256", "as"}}``: a record
    this suite adopted) is resolved from that archive, which must be the file it was packed
    against. Each file is read once per version (path, size, modification time): the entries
    are shared, read-only."""
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise ValueError(f"cannot read archive {path}: {exc.strerror}") from None
    entries = _read_archive(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)
    if not any("adopted" in entry for entry in entries):
        return entries
    sources: dict[str, dict] = {}
    resolved = []
    for entry in entries:
        if "adopted" in entry:
            entry = _resolve(Path(path), entry, sources)
        resolved.append(entry)
    return resolved


@functools.lru_cache(maxsize=4)
def _read_archive(path: str, size: int, mtime_ns: int) -> list[dict]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            entries = [json.loads(line) for line in handle]
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read archive {path}: {exc}") from None
    if not all(isinstance(e, dict) and ({"name", "record", "verification"} <= set(e) or {"name", "adopted"} <= set(e))
               for e in entries):
        raise ValueError(f"cannot read archive {path}: an entry lacks name, record or verification")
    return entries


def _resolve(path: Path, entry: dict, sources: dict) -> dict:
    """An adopted entry of the archive at ``path``, filled in from the archive it refers to
    (``sources`` caches each referred archive's entries by name for one read)."""
    try:
        reference = entry["adopted"]
        if reference["archive"] not in sources:
            source = (path.parent / reference["archive"]).resolve()
            if not source.is_file() or file_sha256(source) != reference["sha256"]:
                raise ValueError(f"{reference['archive']} (beside it) is missing or is not the archive it was "
                                 f"packed against (sha256 {reference['sha256'][:12]})")
            sources[reference["archive"]] = {e["name"]: e for e in archive_entries(source)}
        found = sources[reference["archive"]][entry["name"]]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"cannot read archive {path}: adopted entry {entry.get('name')!r} does not resolve "
                         f"({exc})") from None
    except ValueError as exc:
        raise ValueError(f"cannot read archive {path}: {exc}") from None
    return {"name": entry["name"], "record": adopted(found["record"], reference["as"]),
            "verification": found["verification"]}


def iter_records(source: str | Path, on_corrupt=None):
    """Yield ``(path, record)`` for every valid record in a results directory (its ``*.json``
    files, in name order) or a release archive (``path`` is then ``archive/<record name>``).

    A corrupt record goes to ``on_corrupt(message)``, or raises ValueError when that is None.
    """
    source = Path(source)
    if is_archive(source):
        items = [(source / e["name"], e["record"]) for e in archive_entries(source)]
    elif source.is_dir():
        items = [(path, None) for path in json_files(source)]
    else:
        raise ValueError(f"no results directory or archive {source}")
    for path, record in items:
        try:
            yield path, read_record(path) if record is None else check_record(record, path)
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
