"""A small Gaussian-process surrogate and expected improvement (numpy/scipy), for minimization.

Kernel: Matern 5/2 with one length scale, signal variance and noise variance, fitted by
maximizing the log marginal likelihood (L-BFGS-B over their logarithms, from a fixed start) on
targets standardized to zero mean and unit variance.

Cost: one fit evaluates the likelihood some tens of times, each a Cholesky factorization and two
O(k^3) solves of the k x k kernel matrix, so a search that refits after every point pays about
the cube of its points in all; :func:`refit_seconds` predicts it for ``qasbench estimate``.
"""
from __future__ import annotations

import time
from functools import lru_cache

import numpy as np
from scipy.optimize import minimize, nnls
from scipy.spatial.distance import cdist
from scipy.special import ndtr


def matern52(a: np.ndarray, b: np.ndarray, length: float, variance: float) -> np.ndarray:
    return _matern52_scaled(np.sqrt(5.0) * cdist(a, b), length, variance)


def _matern52_scaled(scaled_distances: np.ndarray, length: float, variance: float) -> np.ndarray:
    """The Matern 5/2 kernel of points ``scaled_distances / length`` apart, where
    ``scaled_distances`` is sqrt(5) times the Euclidean distances: the arithmetic of
    ``variance * ((1 + r) + r**2 / 3) * exp(-r)``, operation for operation and in that order (so
    bit for bit), in three arrays instead of seven."""
    r = scaled_distances / length
    square = np.square(r)
    square /= 3.0
    k = r + 1.0
    k += square
    k *= variance
    np.negative(r, out=square)
    np.exp(square, out=square)
    k *= square
    return k


class GaussianProcess:
    def fit(self, x: np.ndarray, y: np.ndarray) -> "GaussianProcess":
        self.x = np.asarray(x, float)
        y = np.asarray(y, float)
        self.offset, self.scale = y.mean(), y.std() or 1.0
        self.y = (y - self.offset) / self.scale
        distances = cdist(self.x, self.x)
        self._scaled_distances = np.sqrt(5.0) * distances  # the same for every likelihood evaluation
        start = np.log([np.median(distances) or 1.0, 1.0, 1e-2])
        bounds = [(-5.0, 5.0), (-5.0, 5.0), (np.log(1e-8), 0.0)]
        self.log_theta = minimize(self._negative_log_likelihood, start, method="L-BFGS-B", bounds=bounds).x
        self._factorize(self.log_theta)
        return self

    def _factorize(self, log_theta):
        length, variance, noise = np.exp(log_theta)
        k = _matern52_scaled(self._scaled_distances, length, variance)
        k.flat[:: len(k) + 1] += noise + 1e-10  # the diagonal: adding 0 elsewhere changes nothing
        self.chol = np.linalg.cholesky(k)
        self.alpha = np.linalg.solve(self.chol.T, np.linalg.solve(self.chol, self.y))

    def _negative_log_likelihood(self, log_theta) -> float:
        try:
            self._factorize(log_theta)
        except np.linalg.LinAlgError:
            return 1e10
        return 0.5 * self.y @ self.alpha + np.log(np.diag(self.chol)).sum()

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation of the latent function, in the targets' units."""
        length, variance, _ = np.exp(self.log_theta)
        k_star = matern52(np.asarray(x, float), self.x, length, variance)
        mean = k_star @ self.alpha
        v = np.linalg.solve(self.chol, k_star.T)
        std = np.sqrt(np.clip(variance - (v**2).sum(0), 1e-18, None))
        return self.offset + self.scale * mean, self.scale * std


def expected_improvement(mean: np.ndarray, std: np.ndarray, best: float) -> np.ndarray:
    """E[max(best - f, 0)] under f ~ N(mean, std^2): the expected gain over ``best`` (minimizing)."""
    z = (best - mean) / std
    return (best - mean) * ndtr(z) + std * np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi)


PROBE_POINTS = (400, 800, 1600)


@lru_cache
def _refit_coefficients(dim: int, candidates: int) -> tuple[float, float]:
    """(a, b) of ``a k^2 + b k^3`` seconds for one fit on k points and one prediction at
    ``candidates`` points, by non-negative least squares on fits timed here at PROBE_POINTS
    (random normal points and targets, one thread as the caller has it; CPU seconds of this
    thread, as ``qasbench estimate`` times its calibration runs)."""
    rng = np.random.default_rng(0)
    seconds = []
    for k in PROBE_POINTS:
        x, y, query = rng.standard_normal((k, dim)), rng.standard_normal(k), rng.standard_normal((candidates, dim))
        start = time.thread_time()
        GaussianProcess().fit(x, y).predict(query)
        seconds.append(time.thread_time() - start)
    k = np.array(PROBE_POINTS, float)
    weights = 1.0 / np.array(seconds)  # relative errors: the small probes count as much as the large
    (a, b), _ = nnls(np.column_stack([k**2, k**3]) * weights[:, None], np.ones(len(k)))
    return float(a), float(b)


def refit_seconds(points: int, dim: int, candidates: int, start: int = 0, cap: int | None = None) -> float:
    """Predicted seconds of refitting the surrogate on k points and querying it at ``candidates``
    points for every k from ``start`` to ``points - 1`` (one refit per scored point, as latent BO
    does), each fit on at most ``cap`` points when one is given. Stated limit: timed on random targets, whose fits take about as many likelihood
    evaluations as latent BO's own (checked against lite-v1's and standard-v1's latent-bo runs in
    docs/suites.md); the number of evaluations an optimizer needs varies 2-4x with the targets."""
    a, b = _refit_coefficients(dim, candidates)
    k = np.arange(start, max(start, points), dtype=float)
    if cap is not None:
        k = np.minimum(k, cap)
    return float((a * k**2 + b * k**3).sum())
