"""Does the running code still make a published archive's records? Canary reruns, bit for bit.

A suite's published table stays valid only while the code makes the same records from the same
configurations. A change that alters them (a kernel's rounding, an Evaluator rule, an
algorithm's default) makes the table stale, and needs a rerun or a new suite version. A
*canary* is one published run, rerun here with the running code: per method, its published
run of least expected cost (lowest seed first). The rerun reproduces the record when every field
of ``OUTCOME`` (what the run returned and spent, and its anytime curve) equals the published
one exactly; wall times, versions and machine are not compared.

Rounding depends on the machine as well as on the code (BLAS kernels, vector instructions,
torch's kernels), so a canary that differs on another machine than the published record's is
no proof of a code change; one that differs on the same machine (CPU model and instruction
sets) is. Measured (docs/suites.md, "Reproducibility across machines"): the lite-v1 records,
made on an Intel Xeon, rerun on an AMD EPYC with the same vector units (``VECTOR_FLAGS``: both
AVX-512, 2026-12-04), and the published canaries on an AMD EPYC with AVX2 and no AVX-512
(2026-12-07), where every noiseless one reproduced and 11 of the 19 noisy ones did not.
"""
from __future__ import annotations

import json

from qasbench.config import RunConfig
from qasbench.runner import expected_cost, pin_threads, run_one

OUTCOME = ("circuit", "angles", "best_energy", "estimated_energy", "evaluations_used", "shots_used", "history")


def canaries(records: list[dict], methods: set[str] | None = None) -> list[dict]:
    """Per method label (all, or those in ``methods``), its published record of least expected
    cost, the lowest seed among equals."""
    chosen: dict[str, tuple] = {}
    for record in records:
        label = record["algorithm_label"]
        if methods is not None and label not in methods:
            continue
        key = (expected_cost(RunConfig.from_dict(record["config"])), record["seed"], record["config_hash"])
        if label not in chosen or key < chosen[label][0]:
            chosen[label] = (key, record)
    return [record for _, record in sorted(chosen.values(), key=lambda item: item[1]["algorithm_label"])]


def machine_key(machine: dict | None) -> tuple:
    """What of a record's machine block decides rounding: CPU model and instruction sets (BLAS
    libraries choose their kernels by them; which ones a process has loaded varies with what it
    imported, so they are not compared)."""
    machine = machine or {}
    return machine.get("cpu_model"), tuple(machine.get("cpu_flags", ()))


VECTOR_FLAGS = ("avx2", "fma", "avx512f")
"""The instruction sets that decide how wide numba's compiled loops run, which kernels OpenBLAS
picks, and whether products fuse into multiply-adds: the noisy path's rounding follows them."""


def vector_units(machine: dict | None) -> tuple[str, ...]:
    """Which of ``VECTOR_FLAGS`` a record's machine has."""
    flags = set((machine or {}).get("cpu_flags", ()))
    return tuple(flag for flag in VECTOR_FLAGS if flag in flags)


def _normalized(value):
    return json.loads(json.dumps(value))  # as a record file holds it (tuples as lists)


def rerun(record: dict) -> dict:
    """Rerun one published record's configuration here, on one thread, and say what differs."""
    pin_threads()
    fresh = run_one(RunConfig.from_dict(record["config"]))
    differs = [key for key in OUTCOME if _normalized(fresh[key]) != record[key]]
    return {"method": record["algorithm_label"], "problem": record["problem"], "noise": record["noise"],
            "seed": record["seed"], "reproduced": not differs, "differs_in": " ".join(differs),
            "published_error": record["error"], "rerun_error": fresh["error"],
            "same_machine": machine_key(record.get("machine")) == machine_key(fresh["machine"]),
            "published_on": vector_units(record.get("machine")), "rerun_on": vector_units(fresh["machine"]),
            "published_by": f"qasbench {record['qasbench_version']} at {str(record['git_commit'])[:12]}",
            "rerun_by": f"qasbench {fresh['qasbench_version']} at {str(fresh['git_commit'])[:12]}"}


def verdict(rows: list[dict]) -> tuple[str, bool]:
    """One sentence on the canaries, and whether they prove the published table stale for this
    code (a canary that differs on the same machine)."""
    if not rows:
        return "no published method to check", False
    differ = [row for row in rows if not row["reproduced"]]
    stale = [row["method"] for row in differ if row["same_machine"]]
    elsewhere = [row["method"] for row in differ if not row["same_machine"]]
    text = (f"{len(rows) - len(differ)} of {len(rows)} published methods reproduced bit for bit by this code "
            f"({rows[0]['rerun_by']}) on their canary run")
    if stale:
        makers = sorted({row["published_by"] for row in differ if row["same_machine"]})
        text += (f"; STALE on this same machine: {', '.join(stale)} (this code changes their published records: "
                 f"compare with {', '.join(makers)}, or rerun them as a new suite version)")
    if elsewhere:
        text += (f"; not reproduced on this other machine: {', '.join(elsewhere)} (rounding differs across "
                 "machines; the rerun test of `compare` decides)")
    return text, bool(stale)
