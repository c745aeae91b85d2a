"""Release archives: a suite's finished, verified records in one compressed file.

``records.jsonl.gz`` holds one JSON object per line, in record-name order:
``{"name": <record file name>, "record": <the record>, "verification": <its aer outcome>}``,
everything ``verify``, ``report`` and ``compare`` read (they take the archive wherever they take
a results directory). Packed with sorted keys and a zero gzip timestamp, so the same records
always give the same bytes. Only a clean set is packed: every record valid, verified on aer,
of one suite and suite hash, and made by committed code (no ``+dirty`` commit).
"""
from __future__ import annotations

import gzip
import json
import os
import tempfile
from pathlib import Path

from qasbench.results import RecordExists, archive_entries, check_record, iter_records, write_record
from qasbench.verify import accepted, verification_outcomes, write_outcome


def pack(directory: str | Path, path: str | Path) -> int:
    """Write the archive of the records in ``directory`` to ``path``; return how many it holds.
    ValueError (one line) when the set is not clean, before anything is written."""
    directory, path = Path(directory), Path(path)
    records = list(iter_records(directory))
    if not records:
        raise ValueError(f"{directory} holds no records")
    outcomes = verification_outcomes(directory)
    unverified = [p.name for p, _ in records if not accepted(outcomes.get(p.name))]
    if unverified:
        raise ValueError(f"{len(unverified)} record(s) in {directory} are not verified on aer (first: "
                         f"{unverified[0]}); run `qasbench verify {directory}` first")
    suites = {(r.get("suite"), r.get("suite_hash")) for _, r in records}
    if len(suites) != 1 or None in next(iter(suites)):
        raise ValueError(f"{directory}: an archive holds the records of one suite, found {sorted(map(str, suites))}")
    dirty = [p.name for p, r in records if not r.get("git_commit") or r["git_commit"].endswith("+dirty")]
    if dirty:
        raise ValueError(f"{len(dirty)} record(s) were not made by committed code (first: {dirty[0]}); rerun them")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as handle:
            for record_path, record in records:
                entry = {"name": record_path.name, "record": record, "verification": outcomes[record_path.name]}
                handle.write((json.dumps(entry, sort_keys=True) + "\n").encode())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return len(records)


def unpack(path: str | Path, directory: str | Path) -> int:
    """Write an archive's records (and their verification outcomes) into a results directory,
    e.g. to resume a suite's runs; existing records are kept, never replaced. Returns how many
    were written."""
    directory, written = Path(directory), 0
    entries = archive_entries(path)
    records = [check_record(entry["record"], Path(path) / entry["name"]) for entry in entries]  # all valid first
    (directory / "verification").mkdir(parents=True, exist_ok=True)
    for entry, record in zip(entries, records):
        try:
            write_record(record, directory)
            written += 1
        except RecordExists:
            pass
        outcome = directory / "verification" / entry["name"]
        if entry["verification"] is not None and not outcome.exists():
            write_outcome(entry["verification"], outcome)
    return written
