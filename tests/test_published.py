"""The published tables still hold: this code remakes their records bit for bit.

Canary reruns (:mod:`qasbench.reproduce`) of published runs whose rounding did not depend
on the machine when measured (the Intel Xeon records rerun on an AMD EPYC, 2026-12-04: every run
of these methods on h2-2q reproduced exactly). A change that makes one of them fail alters the
published records (a kernel's rounding, an Evaluator rule, a default): it needs a rerun of the
suite as a new version (lite-v2) with its own archive, never a silently stale table.

Both of those machines had AVX-512. On one without it (an AMD EPYC with AVX2, 2026-12-07) every
noiseless canary reproduced but 11 of the 19 noisy ones did not: with other vector units (numba's
compiled loops, OpenBLAS's kernels) the noisy path rounds differently. So where a canary differs and this machine's vector
units (:data:`qasbench.reproduce.VECTOR_FLAGS`) are not the published record's, the test is
skipped, saying why (pytest runs with ``-ra``, so the reason is printed): there the difference
proves nothing.
"""
from pathlib import Path

import pytest

from qasbench.report import cell_noise
from qasbench.reproduce import rerun
from qasbench.results import iter_records

REPORTS = Path(__file__).resolve().parents[1] / "reports"
METHODS = ("random", "hea", "evolutionary", "evolutionary-nsga2", "adapt", "crlqas", "rlqas")
CANARIES = [("lite-v1", method, "h2-2q", noise, 0) for method in METHODS for noise in ("noiseless", "mumbai-median")]
# device-v1 (made on an AMD EPYC): the methods whose lite-v1 records crossed machines bit for bit
CANARIES += [("device-v1", method, "h2-2q", noise, 0) for method in ("random", "hea", "evolutionary", "adapt")
             for noise in ("ibm-torino", "ibm-torino+readout+zne")]
# families-v1 (made on the same AMD EPYC): methods whose arithmetic is numpy, scipy and our kernels only
CANARIES += [("families-v1", method, problem, noise, 0) for method in ("random", "hea", "adapt", "sa-qas")
             for problem, noise in (("mis-6q", "noiseless"), ("maxcut-3reg-6q", "depol-1e-3"))]
# large-v1 (made on the same AMD EPYC at 3146c1e): the 10-qubit cell's cheapest reruns (about 2 s each)
CANARIES += [("large-v1", method, "beh2-10q", "noiseless", 0)
             for method in ("evolutionary", "evolutionary-nsga2", "adapt")]


@pytest.fixture(scope="module")
def published() -> dict:
    return {(suite, r["algorithm_label"], r["problem"], cell_noise(r), r["seed"]): r
            for suite in ("lite-v1", "device-v1", "families-v1", "large-v1")
            for _, r in iter_records(REPORTS / suite / "records.jsonl.gz")}


@pytest.mark.parametrize("canary", CANARIES, ids=["-".join(map(str, c)) for c in CANARIES])
def test_this_code_remakes_the_published_record(published, canary):
    outcome = rerun(published[canary])
    if not outcome["reproduced"] and outcome["published_on"] != outcome["rerun_on"]:
        pytest.skip(f"{outcome['differs_in']} differ, but this CPU's vector units ({', '.join(outcome['rerun_on'])}) "
                    f"are not those the record was made on ({', '.join(outcome['published_on'])}): rounding "
                    "differs, so no bit-for-bit check here")
    assert outcome["reproduced"], (
        f"this code changes the published {canary[0]} record of {canary[1:]} ({outcome['differs_in']} differ; "
        f"published by {outcome['published_by']}): the change alters published results; rerun the suite as a new "
        "version (its own archive) or undo it")
