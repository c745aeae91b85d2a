"""``qasbench bench-sim``: the ptm simulator against qiskit-aer on the same noisy work.

Workload per n: 5 layers of (RY on every qubit, then a CNOT ladder 0->1->...->n-1), the
``mumbai-median`` profile (depolarizing + thermal relaxation + readout error), and the
transverse-field Ising Hamiltonian on n qubits (2n - 1 terms); one evaluation is one energy.
Both simulators run in this process, alternating: ptm with one BLAS thread (threading only
slows its small products), aer with its default OpenMP threads (all cores); times are medians
over ``repeats``. ``fused_2q_gbps``: bytes read + written by one fused 16x16 operator on
two middle qubits (batch 1), divided by its median time; ``copy_gbps``: the same for a plain
copy of a state of that size, the machine's bandwidth for that working set.
``summarize`` condenses several runs' rows (``scripts/bench_sim_summary.py``) against the goal
of issue #4, ``meets_goal``.
"""
from __future__ import annotations

import time
from functools import partial

import numpy as np

from qasbench.circuit import hardware_efficient
from qasbench.registry import load_noise, load_problem
from qasbench.sim.aer import AerBackend
from qasbench.sim.ptm import PTMBackend

LAYERS = 5
BATCH = 64


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _alternating(fns: dict, repeats: int) -> dict:
    """Median seconds per function, measured round-robin so drift hits all equally."""
    for fn in fns.values():
        fn()  # warm-up (plan compilation, aer start-up)
    samples = {k: [] for k in fns}
    for _ in range(repeats):
        for key, fn in fns.items():
            samples[key].append(_median_time(fn, 1))
    return {k: float(np.median(v)) for k, v in samples.items()}


def fused_op_bandwidth(n_qubits: int, repeats: int = 7) -> tuple[float, float]:
    """GB/s of one fused 2-qubit operator applied to a 4^n Pauli vector, and of a plain copy."""
    backend = PTMBackend(load_problem(f"tfim-{n_qubits}q").hamiltonian, load_noise("mumbai-median"))
    state = np.random.default_rng(0).random((1, 4**n_qubits))
    matrix = np.random.default_rng(1).random((1, 16, 16))
    lo = max(0, n_qubits // 2 - 1)
    seconds = _median_time(partial(backend._apply, state, (lo, lo + 1), matrix, n_qubits), repeats)
    copy_seconds = _median_time(partial(np.copyto, np.empty_like(state), state), repeats)
    return 2 * state.nbytes / seconds / 1e9, 2 * state.nbytes / copy_seconds / 1e9


def bench_sim(qubits: list[int], repeats: int = 7, profile: str = "mumbai-median") -> list[dict]:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
    noise = load_noise(profile)
    rows = []
    for n in qubits:
        if not 2 <= n <= 12:
            raise ValueError(f"bench-sim supports 2..12 qubits, got {n}")
        hamiltonian = load_problem(f"tfim-{n}q").hamiltonian
        circuit = hardware_efficient(n, LAYERS)
        rng = np.random.default_rng(n)
        single = rng.uniform(-np.pi, np.pi, (1, circuit.n_params))
        batch = rng.uniform(-np.pi, np.pi, (BATCH, circuit.n_params))
        backends = {"ptm": PTMBackend(hamiltonian, noise), "aer": AerBackend(hamiltonian, noise)}
        slow = n >= 9  # aer takes seconds per batch there: fewer repeats
        times = _alternating({k: partial(b.energies, circuit, single) for k, b in backends.items()}, repeats)
        batch_times = _alternating({k: partial(b.energies, circuit, batch) for k, b in backends.items()},
                                   1 if slow else max(1, repeats // 2))
        ptm_energies, aer_energies = (b.energies(circuit, batch[:4]) for b in backends.values())
        diff = np.max(np.abs(ptm_energies - aer_energies))
        fused_gbps, copy_gbps = fused_op_bandwidth(n, repeats)
        rows.append({
            "n_qubits": n,
            "ptm_ms": times["ptm"] * 1e3,
            "aer_ms": times["aer"] * 1e3,
            "ratio": times["aer"] / times["ptm"],
            "batch_ptm_ms_per_circuit": batch_times["ptm"] * 1e3 / BATCH,
            "batch_aer_ms_per_circuit": batch_times["aer"] * 1e3 / BATCH,
            "batch_ratio": batch_times["aer"] / batch_times["ptm"],
            "max_abs_diff": float(diff),
            "fused_2q_gbps": fused_gbps,
            "copy_gbps": copy_gbps,
        })
    return rows


def meets_goal(row: dict) -> bool:
    """Issue #4's goal at one n: ratio >= 10; batch ratio >= 30 at n <= 6; at n >= 10 the fused
    2-qubit operator at no less than half the copy bandwidth."""
    n = row["n_qubits"]
    return (row["ratio"] >= 10
            and (n > 6 or row["batch_ratio"] >= 30)
            and (n < 10 or row["fused_2q_gbps"] >= row["copy_gbps"] / 2))


def summarize(runs: list[list[dict]]) -> str:
    """Markdown: per n, min-max (median) of the single and batch ratios over the runs and how many
    runs meet the goal there; then how many runs meet it at every n."""
    def spread(values):
        return f"{min(values):.1f}-{max(values):.1f} ({np.median(values):.1f})"

    lines = ["| n | single ratio, min-max (median) | batch ratio, min-max (median) | runs meeting the goal |",
             "|---|---|---|---|"]
    for n in sorted({row["n_qubits"] for run in runs for row in run}):
        rows = [row for run in runs for row in run if row["n_qubits"] == n]
        lines.append(f"| {n} | {spread([r['ratio'] for r in rows])} | {spread([r['batch_ratio'] for r in rows])} "
                     f"| {sum(map(meets_goal, rows))} of {len(rows)} |")
    lines.append(f"\nRuns meeting the goal at every n: {sum(all(map(meets_goal, run)) for run in runs)} of {len(runs)}.")
    return "\n".join(lines)
