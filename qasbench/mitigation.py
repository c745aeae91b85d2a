"""Error mitigation as a task setting: readout-error mitigation and zero-noise extrapolation.

A task's ``mitigation`` is one of ``none``, ``readout``, ``zne`` and ``readout+zne``. A mitigated
task is another task than the unmitigated one (another configuration hash, record name and
leaderboard cell), and it pays for what it measures:

* ``readout``: per-qubit confusion-matrix inversion in each measured basis. The readout model
  flips each measured bit independently (``p01 = P(1|0)``, ``p10 = P(0|1)``, per physical
  qubit), so applying the inverse of each qubit's 2 x 2 confusion matrix to the measured
  distribution undoes it exactly: with exact expectations the mitigated term expectations are
  those of the same state measured without readout error, and the calibration is exact and
  free. Under shot noise (:class:`ShotSampler`) a run first calibrates: it prepares |0...0>
  and |1...1> and measures each ``shots`` times, charged as two evaluations and ``2 * shots``
  shots, and estimates every qubit's p01 and p10 from those counts. Each term is then measured
  ``shots`` times on its support Q: outcomes are drawn from the readout-affected distribution
  of the state's bits on Q (built from the Pauli vector's sub-string expectations), and each
  shot contributes ``prod_q (x_q - a_q) / b_q`` (x_q = +-1, ``a = p10 - p01``,
  ``b = 1 - p01 - p10`` from the calibration estimates): unbiased up to the calibration's own
  error, with the variance the inversion costs.
* ``zne``: zero-noise extrapolation by local CNOT folding. At scale factor s (odd) every CNOT is
  replaced by s CNOTs (CNOT^s = CNOT, so the ideal circuit and its angles are unchanged while
  the two-qubit gates' noise is applied s times); single-qubit gates are not folded. The energy
  is extrapolated to zero noise by Richardson extrapolation through the scale factors 1, 3, 5:
  ``E = (15 E(1) - 10 E(3) + 3 E(5)) / 8``, the value at 0 of the parabola through the three
  points. Each mitigated energy costs three evaluations of the budget, one per circuit run.
  An extrapolated energy can lie below the exact ground energy, so a run's success is judged by
  the absolute error. Under shot noise each folded circuit's terms are sampled on their own
  (``shots`` per term each) and the sampled energies extrapolated, so the variance is
  ``sum w^2 = 5.4`` times a single circuit's.

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


def sample_terms(expectations: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
    """Each term's mean of ``shots`` single-shot +-1 outcomes around its exact expectation."""
    return 2.0 * rng.binomial(shots, np.clip((1.0 + expectations) / 2.0, 0.0, 1.0)) / shots - 1.0


class ShotSampler:
    """Shot-noise energies of a mitigated task (see the module docstring): ``energies(circuit,
    params, shots, rng)`` for a batch; ``calibrate(shots, rng)`` draws the readout calibration
    (call once, before any energy, when the task mitigates readout). ``exact`` is
    ``make_backend(noise)`` for the task's noise (readout included) or, under readout
    mitigation, ``make_backend(noise without readout)``, which must offer ``pauli_vectors``
    (ptm: they give the bits' distributions)."""

    def __init__(self, hamiltonian, noise, mitigation: Mitigation, make_backend):
        self.mitigation, self.hamiltonian = mitigation, hamiltonian
        self.noise = noise
        self.exact = make_backend(noise.without_readout() if mitigation.readout else noise)
        n = hamiltonian.n_qubits
        self.probabilities = np.array([noise.readout(q) for q in range(n)])  # (n, [p01, p10]) true values
        self.estimated = self.probabilities  # replaced by calibrate()
        self._terms = [self._term_tables(pauli) for pauli in hamiltonian.paulis]

    def calibrate(self, shots: int, rng: np.random.Generator) -> None:
        """Estimate each qubit's p01 (from |0...0>) and p10 (from |1...1>) from ``shots`` shots."""
        self.estimated = rng.binomial(shots, self.probabilities) / shots

    @staticmethod
    def _term_tables(pauli: str):
        """Support, the Pauli-vector index of every sub-string (subset T of the support, as a
        bit mask), and the characters prod_(q in T) x_q over the support's outcomes."""
        digits = {"X": 1, "Y": 2, "Z": 3}
        support = [q for q, c in enumerate(pauli) if c != "I"]
        n, k = len(pauli), len(support)
        subsets = np.arange(2**k)
        index = np.array([sum(digits[pauli[q]] * 4 ** (n - 1 - q) for j, q in enumerate(support) if t >> j & 1)
                          for t in subsets])
        signs = 1 - 2 * ((subsets[:, None] >> np.arange(k)) & 1)  # outcome o: x_j = signs[o, j]
        characters = np.array([[np.prod(signs[o][[j for j in range(k) if t >> j & 1]]) for t in subsets]
                               for o in subsets])
        return np.array(support), index, signs, characters

    def _readout_mitigated(self, vectors: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
        """Mitigated term estimates (B, n_terms) from Pauli vectors without readout error."""
        true_b = 1 - self.probabilities.sum(axis=1)
        true_a = self.probabilities[:, 1] - self.probabilities[:, 0]
        est_b = 1 - self.estimated.sum(axis=1)
        est_a = self.estimated[:, 1] - self.estimated[:, 0]
        out = np.empty((len(vectors), len(self._terms)))
        for t, (support, index, signs, characters) in enumerate(self._terms):
            k = len(support)
            # readout-affected moments: E[prod_T x] = sum over U in T of prod_U b prod_(T-U) a <P_U>
            moments = vectors[:, index]  # (B, 2^k), <P_T> for every subset T (T = 0: 1)
            for j in range(k):  # one qubit's channel at a time: x_j -> b x_j + a
                bit = 1 << j
                with_j = np.arange(2**k)[(np.arange(2**k) & bit) != 0]
                moments[:, with_j] = true_b[support[j]] * moments[:, with_j] + true_a[support[j]] * moments[:, with_j ^ bit]
            probabilities = np.clip(moments @ characters.T / 2**k, 0.0, None)
            probabilities /= probabilities.sum(axis=1, keepdims=True)
            estimator = np.prod((signs - est_a[support]) / est_b[support], axis=1)  # per outcome
            counts = np.array([rng.multinomial(shots, p) for p in probabilities])
            out[:, t] = counts @ estimator / shots
        return out

    def _sampled(self, circuit: Circuit, params: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
        if self.mitigation.readout:
            return self._readout_mitigated(np.asarray(self.exact.pauli_vectors(circuit, params)), shots, rng)
        return sample_terms(self.exact.expectations(circuit, params), shots, rng)

    def energies(self, circuit: Circuit, params: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
        folds = ZNEBackend._folded(circuit) if self.mitigation.zne else (circuit,)
        weights = ZNE_WEIGHTS if self.mitigation.zne else (1.0,)
        values = sum(w * self._sampled(c, params, shots, rng) for w, c in zip(weights, folds))
        return self.hamiltonian.constant + values @ self.hamiltonian.coeffs
