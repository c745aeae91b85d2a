"""Release archives: a suite's finished, verified records in one compressed file.

``records.jsonl.gz`` holds one JSON object per line, in record-name order:
``{"name": <record file name>, "record": <the record>, "verification": <its aer outcome>}``,
everything ``verify``, ``report`` and ``compare`` read (they take the archive wherever they take
a results directory). Packed with sorted keys and a zero gzip timestamp, so the same records
always give the same bytes, and as one gzip member per cell (the records whose names share
``algorithm__problem__noise``; a gzip reader reads the members as one stream), so that new runs
change the bytes of their own cells only and git stores an update of a growing archive as a
small delta (written as one stream, every standard-v1 update cost 25 MB of history: a new
record in the middle of the name order changes every compressed byte after it). Only a clean
set is packed: every record valid, verified on aer,
of one suite and suite hash, and made by committed code (no ``+dirty`` commit).

A suite that contains another's cells (standard-v1 holds every lite-v1 cell) takes those cells'
published records instead of rerunning them (:func:`adopt`): a record is adopted when its
configuration hash is one of the suite's runs and its problem and noise hashes are the ones the
suite names, so the rerun would be the same computation. An adopted record is retagged with the
suite and keeps ``adopted_from`` (the suite and hash it was published in) and its verification.
Packed beside the archive it came from (``reports/<suite>/records.jsonl.gz``), such a record
is written as a reference to it (name, relative path and the file's SHA-256), not a second
copy, and keeps the verification it was published with: verifying it again (on another
machine aer's last bits may differ) must accept it too, but does not replace that outcome.
Reading resolves the reference, and refuses when that archive has changed.
"""
from __future__ import annotations

import gzip
import itertools
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from qasbench.results import (RecordExists, adopted, archive_entries, check_record, file_sha256, iter_records,
                              write_record)
from qasbench.verify import accepted, verification_outcomes, write_outcome

if TYPE_CHECKING:
    from qasbench.suite import Suite


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
    references = _references(records, outcomes, path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as raw:
            for _, cell in itertools.groupby(records, key=lambda item: item[0].name.split("__seed")[0]):
                lines = [json.dumps(references.get(record_path.name) or {
                    "name": record_path.name, "record": record, "verification": outcomes[record_path.name]},
                    sort_keys=True) + "\n" for record_path, record in cell]
                raw.write(gzip.compress("".join(lines).encode(), mtime=0))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return len(records)


def _references(records: list, outcomes: dict, path: Path) -> dict[str, dict]:
    """Record name -> a reference entry, for the adopted records that stand unchanged, accepted
    by their published verification and by this one, in their suite's published archive
    (``<path>/../../<suite>/records.jsonl.gz``, the layout of reports/): the archive then refers
    to them instead of holding a second copy."""
    references, sources = {}, {}
    for record_path, record in records:
        origin = (record.get("adopted_from") or {}).get("suite")
        if not origin:
            continue
        source = path.parent.parent / origin / "records.jsonl.gz"
        if origin not in sources:
            sources[origin] = ({e["name"]: e for e in archive_entries(source)}, file_sha256(source)) \
                if source.is_file() else ({}, None)
        published, digest = sources[origin]
        found = published.get(record_path.name)
        tags = {key: record.get(key) for key in ("suite", "suite_hash")}
        if (found and adopted(found["record"], tags) == record and accepted(found["verification"])
                and accepted(outcomes[record_path.name])):
            references[record_path.name] = {"name": record_path.name, "adopted": {
                "archive": os.path.relpath(source, path.parent), "sha256": digest, "as": tags}}
    return references


def unpack(path: str | Path, directory: str | Path, suite: "Suite | None" = None) -> int:
    """Write an archive's records (and their verification outcomes) into a results directory,
    e.g. to resume a suite's runs; existing records are kept, never replaced. With ``suite``,
    only the records that suite adopts (see :func:`adopt`). Returns how many were written."""
    directory, written = Path(directory), 0
    entries = archive_entries(path)
    records = [check_record(entry["record"], Path(path) / entry["name"]) for entry in entries]  # all valid first
    if suite is not None:
        entries, records = adopt(entries, records, suite, path)
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


def adopt(entries: list[dict], records: list[dict], suite: "Suite", source) -> tuple[list[dict], list[dict]]:
    """The entries of another suite's archive that ``suite`` runs too, with their records
    retagged as ``suite``'s (``adopted_from`` names where they were published). ValueError (one
    line) when the archive is ``suite``'s own or none of its records is one of ``suite``'s runs."""
    runs = {config.hash for config in suite.configs()}
    problems = {p: e["hash"] for p, e in suite.data["problems"].items()}
    noise = suite.data["noise"]
    kept = [(entry, record) for entry, record in zip(entries, records)
            if record["config_hash"] in runs and problems.get(record["problem"]) == record.get("problem_hash")
            and noise.get(record["noise"]) == record.get("noise_hash")]
    theirs = {(r.get("suite"), r.get("suite_hash")) for r in records}
    if (suite.id, suite.hash) in theirs:
        raise ValueError(f"{source} holds {suite.id}'s own records; extract it without --as")
    if not kept:
        raise ValueError(f"none of the {len(records)} records of {source} is a run of {suite.id}")
    return [entry for entry, _ in kept], [adopted(record, suite.tags) for _, record in kept]
