"""A small Gaussian-process surrogate and expected improvement (numpy/scipy), for minimization.

Kernel: Matern 5/2 with one length scale, signal variance and noise variance, fitted by
maximizing the log marginal likelihood (L-BFGS-B over their logarithms, from a fixed start) on
targets standardized to zero mean and unit variance.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.spatial.distance import cdist
from scipy.special import ndtr


def matern52(a: np.ndarray, b: np.ndarray, length: float, variance: float) -> np.ndarray:
    r = np.sqrt(5.0) * cdist(a, b) / length
    return variance * (1.0 + r + r**2 / 3.0) * np.exp(-r)


class GaussianProcess:
    def fit(self, x: np.ndarray, y: np.ndarray) -> "GaussianProcess":
        self.x = np.asarray(x, float)
        y = np.asarray(y, float)
        self.offset, self.scale = y.mean(), y.std() or 1.0
        self.y = (y - self.offset) / self.scale
        start = np.log([np.median(cdist(self.x, self.x)) or 1.0, 1.0, 1e-2])
        bounds = [(-5.0, 5.0), (-5.0, 5.0), (np.log(1e-8), 0.0)]
        self.log_theta = minimize(self._negative_log_likelihood, start, method="L-BFGS-B", bounds=bounds).x
        self._factorize(self.log_theta)
        return self

    def _factorize(self, log_theta):
        length, variance, noise = np.exp(log_theta)
        k = matern52(self.x, self.x, length, variance) + (noise + 1e-10) * np.eye(len(self.x))
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
