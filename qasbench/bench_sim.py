"""``qasbench bench-sim``: the ptm simulator against qiskit-aer on the same noisy work.

Workloads per n, each with the ``mumbai-median`` profile (depolarizing + thermal relaxation +
readout error) and the transverse-field Ising Hamiltonian on n qubits (2n - 1 terms); one
evaluation is one energy:

* ``ladder``: 5 layers of (RY on every qubit, then a CNOT ladder 0->1->...->n-1);
* ``random-pairs``: 12n gates, each a CNOT on a uniformly random ordered pair with probability
  0.4, else RX, RY or RZ on a random qubit (what QAS search spaces produce);
* ``matchings``: 5 layers of (RY and RZ on every qubit, then CNOTs on a random perfect matching).

Both simulators run in this process, alternating: ptm on one thread (numba, one BLAS thread),
aer on one thread (``ratio``, ``batch_ratio``: the like-for-like comparison) and with its
default OpenMP threads (``ratio_aer_default``); times are medians over ``repeats``.
``fused_2q_gbps``: bytes read + written by one fused CNOT operator of the kernel on two middle
qubits, divided by its median time; ``copy_gbps``: the same for a plain copy of a state of that
size, the machine's bandwidth for that working set.
``summarize`` condenses several runs' rows (``scripts/bench_sim_summary.py``) against the goals
of ``meets_goal``.
"""
from __future__ import annotations

import time
from functools import partial

import numpy as np

from qasbench.circuit import CNOT, Circuit, Gate, ROTATIONS, hardware_efficient
from qasbench.device import DeviceNoise
from qasbench.evaluator import task_noise
from qasbench.registry import load_noise, load_problem
from qasbench.sim import ptm_kernels
from qasbench.sim.aer import AerBackend
from qasbench.sim.ptm import PTMBackend

LAYERS = 5
BATCH = 64
FAMILIES = ("ladder", "random-pairs", "matchings")


def random_pairs(n_qubits: int, rng: np.random.Generator, gates_per_qubit: int = 12,
                 cnot_fraction: float = 0.4, pairs: list | None = None) -> Circuit:
    """``gates_per_qubit * n`` gates: a CNOT on a uniformly random ordered pair (of ``pairs``
    when given, e.g. a device layout's coupled ones) with probability ``cnot_fraction``, else a
    rotation of random axis on a random qubit."""
    gates = []
    for _ in range(gates_per_qubit * n_qubits):
        if rng.random() < cnot_fraction:
            control, target = (pairs[rng.integers(len(pairs))] if pairs
                               else rng.choice(n_qubits, 2, replace=False))
            gates.append(CNOT(int(control), int(target)))
        else:
            gates.append(Gate(ROTATIONS[rng.integers(3)], (int(rng.integers(n_qubits)),)))
    return Circuit(n_qubits, tuple(gates))


def matching_layers(n_qubits: int, rng: np.random.Generator, layers: int = LAYERS) -> Circuit:
    """``layers`` x (RY and RZ on every qubit, then CNOTs on a random perfect matching, each of
    random orientation; one qubit left out when n is odd)."""
    gates = []
    for _ in range(layers):
        gates += [Gate(name, (q,)) for q in range(n_qubits) for name in ("RY", "RZ")]
        order = rng.permutation(n_qubits)
        gates += [CNOT(int(a), int(b)) for a, b in zip(order[0::2], order[1::2])]
    return Circuit(n_qubits, tuple(gates))


def workload(family: str, n_qubits: int, pairs: list | None = None) -> Circuit:
    """The benchmark circuit of ``family`` at n qubits (seeded by n: the same on every run);
    ``pairs``: the ordered pairs a CNOT may take (``random-pairs`` only; default all)."""
    rng = np.random.default_rng(n_qubits)
    if family == "random-pairs":
        return random_pairs(n_qubits, rng, pairs=pairs)
    if pairs is not None:
        raise ValueError(f"circuit family {family!r} uses every pair; on a device use random-pairs")
    if family == "ladder":
        return hardware_efficient(n_qubits, LAYERS)
    if family == "matchings":
        return matching_layers(n_qubits, rng)
    raise ValueError(f"unknown circuit family {family!r}; choose from {', '.join(FAMILIES)}")


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


def fused_pass(n_qubits: int, at_end: bool = False):
    """A call that applies one fused CNOT operator of the kernel (random 4 x 4 factors, the
    ``mumbai-median`` noisy CNOT) on two middle qubits of a random 4^n Pauli vector, in place
    (``at_end``: on a middle qubit and the last one, the kernel's gathered path); and that
    vector."""
    from qasbench.sim.ptm import _csr, _fused_cnot

    state = np.random.default_rng(0).random(4**n_qubits)
    factor = np.random.default_rng(1).random((4, 4))
    indptr, cols, vals = _csr(_fused_cnot(True, load_noise("mumbai-median").cnot_noise(0, 1))[None])
    scratch = np.empty(16 * ptm_kernels.TILE), np.empty(16 * ptm_kernels.TILE)
    lo = max(0, n_qubits // 2 - 1)
    hi = n_qubits - 1 if at_end else lo + 1
    return partial(ptm_kernels._apply, state, factor, factor, True, True, indptr[0], cols[0], vals[0], lo, hi,
                   n_qubits, *scratch), state


def fused_op_bandwidth(n_qubits: int, repeats: int = 7) -> tuple[float, float]:
    """GB/s of one fused CNOT operator of the kernel on a 4^n Pauli vector, and of a plain copy."""
    apply, state = fused_pass(n_qubits)
    seconds = _median_time(apply, repeats)
    copy_seconds = _median_time(partial(np.copyto, np.empty_like(state), state), repeats)
    return 2 * state.nbytes / seconds / 1e9, 2 * state.nbytes / copy_seconds / 1e9


def coupled_pairs(noise, n: int) -> list[tuple[int, int]]:
    """The ordered logical pairs ``noise`` couples."""
    return [(c, t) for c in range(n) for t in range(n) if c != t and noise.coupled(c, t)]


def bench_sim(qubits: list[int], repeats: int = 7, profile: str = "mumbai-median",
              families: tuple[str, ...] = FAMILIES) -> list[dict]:
    """One row per (n, circuit family): see the module docstring for the columns. On a device
    snapshot (``profile`` e.g. ``ibm-torino``, on its default layout per n) only the
    ``random-pairs`` family runs, its CNOTs drawn from the layout's coupled pairs."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
    rows = []
    for n in qubits:
        if not 2 <= n <= 12:
            raise ValueError(f"bench-sim supports 2..12 qubits, got {n}")
        noise = task_noise(load_noise(profile), n)
        pairs = coupled_pairs(noise, n) if isinstance(noise, DeviceNoise) else None
        hamiltonian = load_problem(f"tfim-{n}q").hamiltonian
        fused_gbps, copy_gbps = fused_op_bandwidth(n, repeats)
        backends = {"ptm": PTMBackend(hamiltonian, noise), "aer": AerBackend(hamiltonian, noise, threads=1),
                    "aer_default": AerBackend(hamiltonian, noise)}
        for family in (families if pairs is None else ("random-pairs",)):
            circuit = workload(family, n, pairs)
            rng = np.random.default_rng(n)
            single = rng.uniform(-np.pi, np.pi, (1, circuit.n_params))
            batch = rng.uniform(-np.pi, np.pi, (BATCH, circuit.n_params))
            slow = n >= 9  # aer takes seconds per batch there: fewer repeats
            times = _alternating({k: partial(b.energies, circuit, single) for k, b in backends.items()}, repeats)
            pair = {k: backends[k] for k in ("ptm", "aer")}
            batch_times = _alternating({k: partial(b.energies, circuit, batch) for k, b in pair.items()},
                                       1 if slow else max(1, repeats // 2))
            ptm_energies, aer_energies = (b.energies(circuit, batch[:4]) for b in pair.values())
            rows.append({
                "n_qubits": n,
                "family": family,
                "ptm_ms": times["ptm"] * 1e3,
                "aer_ms": times["aer"] * 1e3,
                "aer_default_ms": times["aer_default"] * 1e3,
                "ratio": times["aer"] / times["ptm"],
                "ratio_aer_default": times["aer_default"] / times["ptm"],
                "batch_ptm_ms_per_circuit": batch_times["ptm"] * 1e3 / BATCH,
                "batch_aer_ms_per_circuit": batch_times["aer"] * 1e3 / BATCH,
                "batch_ratio": batch_times["aer"] / batch_times["ptm"],
                "max_abs_diff": float(np.max(np.abs(ptm_energies - aer_energies))),
                "fused_2q_gbps": fused_gbps,
                "copy_gbps": copy_gbps,
            })
    return rows


def bench_device(qubits: list[int], device: str, repeats: int = 3, profile: str = "mumbai-median",
                 family: str = "random-pairs", reference_qubits: int = 8) -> list[dict]:
    """ptm on a torch ``device`` (its matmul path, e.g. ``cuda``) against ptm's compiled CPU kernel
    on one thread, on ``family`` circuits: one row per n with the median seconds of one energy on
    each, of a batch of BATCH on the device (per circuit), the largest energy difference between
    the two (4 parameter sets), against aer (default threads) up to ``reference_qubits``, and
    the device memory the batch took (torch's peak allocation, CUDA only)."""
    import torch
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
    rows = []
    for n in qubits:
        noise = task_noise(load_noise(profile), n)
        hamiltonian = load_problem(f"tfim-{n}q").hamiltonian
        cpu, gpu = PTMBackend(hamiltonian, noise), PTMBackend(hamiltonian, noise, device=device)
        pairs = coupled_pairs(noise, n) if isinstance(noise, DeviceNoise) else None
        circuit, rng = workload(family, n, pairs), np.random.default_rng(n)
        single = rng.uniform(-np.pi, np.pi, (1, circuit.n_params))
        batch = rng.uniform(-np.pi, np.pi, (BATCH, circuit.n_params))
        times = _alternating({"cpu": partial(cpu.energies, circuit, single),
                              "device": partial(gpu.energies, circuit, single)}, repeats)
        if device.startswith("cuda"):
            torch.cuda.reset_peak_memory_stats()
        batch_s = _alternating({"device": partial(gpu.energies, circuit, batch)}, repeats)["device"]
        checked = batch[:4]
        device_energies = gpu.energies(circuit, checked)
        row = {"n_qubits": n, "family": family, "device": device, "cpu_kernel_ms": times["cpu"] * 1e3,
               "device_ms": times["device"] * 1e3, "speedup": times["cpu"] / times["device"],
               "device_batch_ms_per_circuit": batch_s * 1e3 / BATCH,
               "batch_speedup": times["cpu"] / (batch_s / BATCH),
               "max_abs_diff_cpu": float(np.max(np.abs(device_energies - cpu.energies(circuit, checked)))),
               "max_abs_diff_aer": (float(np.max(np.abs(device_energies - AerBackend(hamiltonian, noise).energies(
                   circuit, checked)))) if n <= reference_qubits else None),
               "device_peak_gib": (torch.cuda.max_memory_allocated() / 2**30 if device.startswith("cuda") else None)}
        rows.append(row)
    return rows


def meets_goal(row: dict) -> bool:
    """The goals at one (n, family), ptm against aer on one thread: issue #4's for every family
    (ratio >= 10; batch ratio >= 30 at n <= 6; at n >= 10 the fused operator at no less than half
    the copy bandwidth) and, on the random families, issue #21's (ratio and batch ratio >= 30
    at n = 8, ratio >= 20 at n >= 10). Rows without a family (older runs) are ladders."""
    n, random = row["n_qubits"], row.get("family", "ladder") != "ladder"
    issue_4 = (row["ratio"] >= 10 and (n > 6 or row["batch_ratio"] >= 30)
               and (n < 10 or row["fused_2q_gbps"] >= row["copy_gbps"] / 2))
    issue_21 = (not random or (n != 8 or min(row["ratio"], row["batch_ratio"]) >= 30)
                and (n < 10 or row["ratio"] >= 20))
    return issue_4 and issue_21


def summarize(runs: list[list[dict]]) -> str:
    """Markdown: per (n, family), min-max (median) of the single and batch ratios over the runs
    and how many runs meet the goal there; then how many runs meet it everywhere."""
    def spread(values):
        return f"{min(values):.1f}-{max(values):.1f} ({np.median(values):.1f})"

    def key(row):
        return row["n_qubits"], row.get("family", "ladder")

    lines = ["| n | family | single ratio, min-max (median) | batch ratio, min-max (median) | runs meeting the goal |",
             "|---|---|---|---|---|"]
    for n, family in sorted({key(row) for run in runs for row in run}):
        rows = [row for run in runs for row in run if key(row) == (n, family)]
        lines.append(f"| {n} | {family} | {spread([r['ratio'] for r in rows])} | "
                     f"{spread([r['batch_ratio'] for r in rows])} | {sum(map(meets_goal, rows))} of {len(rows)} |")
    lines.append(f"\nRuns meeting the goal everywhere: {sum(all(map(meets_goal, run)) for run in runs)} of {len(runs)}.")
    return "\n".join(lines)
