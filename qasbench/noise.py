"""Noise models: what happens after every gate and at readout.

Conventions (every backend implements exactly these):

* After each gate, in this order: the depolarizing channel on the gate's qubits, then thermal
  relaxation on each of the gate's qubits for the gate's duration. Idle qubits get no noise.
  RX, RY and RZ all count as 1-qubit gates (error ``depol_1q``, duration ``time_1q_ns``).
* Depolarizing, qiskit's parameterization: ``rho -> (1 - l) rho + l I / 2^k`` on k qubits.
  A calibrated gate error ``e`` (average gate infidelity) maps to ``l = e d / (d - 1)``,
  ``d = 2^k``, so the depolarizing part alone reproduces the reported error. (PennyLane and Cirq
  instead give each non-identity Pauli probability p/3 or p/15: ``p = l (d^2 - 1) / d^2``.)
* Thermal relaxation towards |0> (zero excited-state population), qiskit's
  ``thermal_relaxation_error(T1, T2, t)``: ``<X>, <Y>`` decay by ``exp(-t/T2)``; ``<Z>`` relaxes
  as ``<Z> -> 1 - (1 - <Z>) exp(-t/T1)``. Requires ``T2 <= 2 T1``. Times: T1/T2 in microseconds,
  gate durations in nanoseconds.
* Readout error per qubit: ``p01 = P(read 1 | prepared 0)``, ``p10 = P(read 0 | prepared 1)``.
  Every Hamiltonian term is measured in its own product basis, so for a term on qubits S the
  estimate is ``<prod_{q in S} (a + b s_q)>`` with ``a = p10 - p01``, ``b = 1 - p01 - p10``.

Shots are not part of a noise model: they are a task setting (``Task.shots``), sampled by the
Evaluator.

Noise files (a profile without packaging, ``--noise lab.toml``) hold the fields of
:class:`NoiseModel` as TOML or JSON keys (``name`` defaults to the file's stem, the rest to
zero / none); every number is range-checked, NaN and inf are refused. A file with
``device = "ibm-torino"`` and ``layout = [...]`` instead places a device snapshot
(:mod:`qasbench.device`) on those physical qubits.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

from qasbench.tomlfile import read_toml


@dataclass(frozen=True)
class NoiseModel:
    """A compact, qubit-uniform noise model (the same numbers on every qubit and pair)."""

    name: str
    depol_1q: float = 0.0
    depol_2q: float = 0.0
    t1_us: float | None = None
    t2_us: float | None = None
    time_1q_ns: float = 0.0
    time_2q_ns: float = 0.0
    readout_p01: float = 0.0
    readout_p10: float = 0.0
    description: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"noise: name must be a non-empty string, got {self.name!r}")
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("name", "description") or value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"noise {self.name!r}: {f.name} must be a finite number, got {value!r}")
        for field_name, upper in (("depol_1q", 4 / 3), ("depol_2q", 16 / 15),
                                  ("readout_p01", 1.0), ("readout_p10", 1.0)):
            value = getattr(self, field_name)
            if not 0.0 <= value <= upper:
                raise ValueError(f"noise {self.name!r}: {field_name}={value} is outside [0, {upper:.4g}]")
        if (self.t1_us is None) != (self.t2_us is None):
            raise ValueError(f"noise {self.name!r}: give both t1_us and t2_us, or neither")
        if self.t1_us is not None:
            if self.t1_us <= 0 or self.t2_us <= 0 or self.t2_us > 2 * self.t1_us:
                raise ValueError(f"noise {self.name!r}: need 0 < T2 <= 2 T1, got T1={self.t1_us}, T2={self.t2_us}")
        if self.time_1q_ns < 0 or self.time_2q_ns < 0:
            raise ValueError(f"noise {self.name!r}: gate durations must be >= 0")

    @property
    def has_relaxation(self) -> bool:
        return self.t1_us is not None

    @property
    def is_noiseless(self) -> bool:
        """True when the ideal circuit's expectations are returned (no gate or readout noise):
        what the noiseless statevector backend needs."""
        return (self.depol_1q == self.depol_2q == 0.0 and not self.has_relaxation
                and self.readout_p01 == self.readout_p10 == 0.0)

    @property
    def has_gate_noise(self) -> bool:
        return self.depol_1q > 0 or self.depol_2q > 0 or self.has_relaxation

    def relaxation(self, duration_ns: float) -> tuple[float, float]:
        """(exp(-t/T1), exp(-t/T2)) for a gate of this duration; (1, 1) without relaxation."""
        if not self.has_relaxation:
            return 1.0, 1.0
        t_us = duration_ns * 1e-3
        return math.exp(-t_us / self.t1_us), math.exp(-t_us / self.t2_us)

    def to_dict(self) -> dict:
        return asdict(self)

    # -- the channel interface the simulators read (shared with qasbench.device.DeviceNoise) --
    def rotation_noise(self, qubit: int, axis: str):
        """PTM (4 x 4) of the noise after an R<axis> on ``qubit``: the same for every qubit and axis."""
        from qasbench.sim.pauli_basis import gate_noise_ptm

        return gate_noise_ptm(self, 1)

    def cnot_noise(self, control: int, target: int):
        """PTM (16 x 16, the control the most significant digit) of the noise after a CNOT: the
        same for every pair and orientation (all pairs are coupled)."""
        from qasbench.sim.pauli_basis import gate_noise_ptm

        return gate_noise_ptm(self, 2)

    def coupled(self, a: int, b: int) -> bool:
        return True

    def readout(self, qubit: int) -> tuple[float, float]:
        """(p01, p10) of ``qubit``."""
        return self.readout_p01, self.readout_p10

    def without_readout(self) -> "NoiseModel":
        """The same gate noise, measured without readout error (what exact readout-error
        mitigation recovers; see :mod:`qasbench.mitigation`)."""
        return replace(self, readout_p01=0.0, readout_p10=0.0)


def depolarizing_from_error(error: float, n_qubits: int) -> float:
    """qiskit depolarizing parameter whose average gate infidelity equals ``error``."""
    d = 2**n_qubits
    return error * d / (d - 1)


@lru_cache(maxsize=1)
def _mumbai() -> dict:
    return json.loads(resources.files("qasbench").joinpath("noise_data/mumbai.json").read_text())


def _device_profile(name: str, stats: dict, error_scale: float, note: str) -> NoiseModel:
    return NoiseModel(
        name=name,
        depol_1q=depolarizing_from_error(error_scale * stats["error_1q"], 1),
        depol_2q=depolarizing_from_error(error_scale * stats["error_2q"], 2),
        t1_us=stats["t1_us"],
        t2_us=stats["t2_us"],
        time_1q_ns=stats["time_1q_ns"],
        time_2q_ns=stats["time_2q_ns"],
        readout_p01=stats["readout_p01"],
        readout_p10=stats["readout_p10"],
        description=f"IBM Mumbai calibration {_mumbai()['calibration_date'][:10]}: {note}",
    )


def noiseless() -> NoiseModel:
    return NoiseModel("noiseless", description="ideal gates, exact expectations")


def depol_1e_3() -> NoiseModel:
    return NoiseModel("depol-1e-3", depol_1q=1e-3, depol_2q=1e-2,
                      description="depolarizing only: l=1e-3 after 1q gates, l=1e-2 after CNOTs")


def mumbai_median() -> NoiseModel:
    return _device_profile("mumbai-median", _mumbai()["median"], 1.0, "median over qubits and couplings")


def mumbai_max() -> NoiseModel:
    return _device_profile("mumbai-max", _mumbai()["worst"], 1.0,
                           "worst value over qubits and couplings (max errors and durations, min T1/T2)")


def mumbai_10xmax() -> NoiseModel:
    return _device_profile("mumbai-10xmax", _mumbai()["worst"], 10.0,
                           "mumbai-max with both gate errors x10; relaxation and readout as mumbai-max "
                           "(10x the worst readout error would exceed 1)")


def from_file(path: str | Path) -> NoiseModel:
    """A noise profile from a TOML or JSON file (module docstring); ValueError naming the file."""
    path = Path(path)
    if path.suffix.lower() == ".toml":
        data = read_toml(path, "noise file")
    else:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read noise file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"noise file {path}: expected a table of NoiseModel fields")
    if "device" in data:  # a device snapshot on an explicit layout
        from qasbench.device import load_device

        unknown = sorted(set(data) - {"device", "layout"})
        if unknown or not isinstance(data.get("layout"), list):
            raise ValueError(f"noise file {path}: a device layout file holds device = NAME and layout = [physical "
                             f"qubits], got keys {sorted(data)}")
        try:
            return load_device(data["device"]).on(data["layout"])
        except ValueError as exc:
            raise ValueError(f"noise file {path}: {exc}") from None
    allowed = [f.name for f in fields(NoiseModel)]
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValueError(f"noise file {path}: unknown key {unknown[0]!r}; allowed: {', '.join(allowed)}")
    try:
        return NoiseModel(**{"name": path.stem, **data})
    except ValueError as exc:
        raise ValueError(f"noise file {path}: {exc}") from None
