"""Error mitigation as a task setting: readout-error mitigation and zero-noise extrapolation.

A task's ``mitigation`` is one of ``none``, ``readout``, ``zne`` and ``readout+zne``. A mitigated
task is another task than the unmitigated one (another configuration hash, record name and
leaderboard cell), and it pays for what it measures:

* ``readout``: per-qubit confusion-matrix inversion in each measured basis. The readout model
  flips each measured bit independently (``p01 = P(1|0)``, ``p10 = P(0|1)``, per physical
  qubit), so applying the inverse of each qubit's 2 x 2 confusion matrix to the measured
  distribution undoes it exactly: with exact expectations the mitigated term expectations are
  those of the same state measured without readout error. The calibration (preparing and
  measuring the basis states) is then exact and costs no evaluation. Under shot noise the
  inversion amplifies the variance and the calibration costs shots; that is not built, and a
  task with both is refused.
* ``zne``: zero-noise extrapolation by local CNOT folding. At scale factor s (odd) every CNOT is
  replaced by s CNOTs (CNOT^s = CNOT, so the ideal circuit and its angles are unchanged while
  the two-qubit gates' noise is applied s times); single-qubit gates are not folded. The energy
  is extrapolated to zero noise by Richardson extrapolation through the scale factors 1, 3, 5:
  ``E = (15 E(1) - 10 E(3) + 3 E(5)) / 8``, the value at 0 of the parabola through the three
  points. Each mitigated energy costs three evaluations of the budget, one per circuit run.
  An extrapolated energy can lie below the exact ground energy, so a run's success is judged by
  the absolute error.

Both simulators (ptm and the aer reference) run the same folded circuits and the same
readout-free measurement, so ``verify`` checks mitigated records like any other.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qasbench.circuit import Circuit
from qasbench.registry import suggestion
from qasbench.sim.base import Backend

ZNE_SCALES = (1, 3, 5)
ZNE_WEIGHTS = (15 / 8, -10 / 8, 3 / 8)  # Lagrange weights at 0 for the nodes 1, 3, 5
NAMES = ("none", "readout", "zne", "readout+zne")


@dataclass(frozen=True)
class Mitigation:
    """Which mitigations a task applies; ``Mitigation.parse("readout+zne")``."""

    readout: bool = False
    zne: bool = False

    @classmethod
    def parse(cls, spec: "str | Mitigation | None") -> "Mitigation":
        """From a name in NAMES (None is ``none``); ValueError with one line for anything else."""
        if isinstance(spec, Mitigation):
            return spec
        if spec is None or spec == "none":
            return cls()
        if spec not in NAMES:
            raise ValueError(f"unknown mitigation {spec!r}{suggestion(spec, NAMES)}; choose from {', '.join(NAMES)}")
        parts = set(spec.split("+"))
        return cls(readout="readout" in parts, zne="zne" in parts)

    @property
    def name(self) -> str:
        return "+".join(part for part, on in (("readout", self.readout), ("zne", self.zne)) if on) or "none"

    @property
    def evaluations_per_energy(self) -> int:
        """Budget evaluations one mitigated energy costs: one per circuit it runs."""
        return len(ZNE_SCALES) if self.zne else 1

    def __bool__(self) -> bool:
        return self.readout or self.zne


NONE = Mitigation()


def fold(circuit: Circuit, scale: int) -> Circuit:
    """``circuit`` with every CNOT repeated ``scale`` (odd) times; angles are unchanged."""
    if scale < 1 or scale % 2 == 0:
        raise ValueError(f"a folding scale factor is an odd positive integer, got {scale}")
    gates = tuple(g for gate in circuit.gates for g in ((gate,) if gate.is_rotation else (gate,) * scale))
    return Circuit(circuit.n_qubits, gates)


class ZNEBackend(Backend):
    """Zero-noise-extrapolated expectations: the Richardson combination of ``inner``'s on the
    circuit folded at each of ZNE_SCALES (each folded circuit built once per circuit)."""

    name = "zne"

    def __init__(self, inner: Backend):
        super().__init__(inner.hamiltonian, inner.noise)
        self.inner = inner

    @staticmethod
    def _folded(circuit: Circuit) -> tuple[Circuit, ...]:
        return circuit.compiled("zne-folds", lambda c: tuple(fold(c, s) for s in ZNE_SCALES))

    def expectations(self, circuit: Circuit, params) -> np.ndarray:
        return sum(w * self.inner.expectations(c, params) for w, c in zip(ZNE_WEIGHTS, self._folded(circuit)))

    def _energies(self, circuit: Circuit, params: np.ndarray) -> np.ndarray:
        return sum(w * self.inner._energies(c, params) for w, c in zip(ZNE_WEIGHTS, self._folded(circuit)))
