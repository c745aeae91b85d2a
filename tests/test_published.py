"""The published lite-v1 table still holds: this code remakes its records bit for bit.

Canary reruns (:mod:`qasbench.reproduce`) of published lite-v1 runs whose rounding did not depend
on the machine when measured (the Intel Xeon records rerun on an AMD EPYC, 2026-12-04: every run
of these methods on h2-2q reproduced exactly). A change that makes one of them fail alters the
published records (a kernel's rounding, an Evaluator rule, a default): it needs a rerun of the
suite as a new version (lite-v2) with its own archive, never a silently stale table.
"""
from pathlib import Path

import pytest

from qasbench.reproduce import rerun
from qasbench.results import iter_records

ARCHIVE = Path(__file__).resolve().parents[1] / "reports" / "lite-v1" / "records.jsonl.gz"
METHODS = ("random", "hea", "evolutionary", "evolutionary-nsga2", "adapt", "crlqas", "rlqas")
CANARIES = [(method, "h2-2q", noise, 0) for method in METHODS for noise in ("noiseless", "mumbai-median")]


@pytest.fixture(scope="module")
def published() -> dict:
    return {(r["algorithm_label"], r["problem"], r["noise"], r["seed"]): r for _, r in iter_records(ARCHIVE)}


@pytest.mark.parametrize("canary", CANARIES, ids=["-".join(map(str, c)) for c in CANARIES])
def test_this_code_remakes_the_published_lite_v1_record(published, canary):
    outcome = rerun(published[canary])
    assert outcome["reproduced"], (
        f"this code changes the published lite-v1 record of {canary} ({outcome['differs_in']} differ; published "
        f"by {outcome['published_by']}): the change alters published results; rerun the suite as a new version "
        "(lite-v2, its own archive) or undo it")
