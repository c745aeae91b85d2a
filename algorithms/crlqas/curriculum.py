"""CRLQAS's moving-threshold curriculum (Patel et al., ICLR 2024, sec. 3 and appendix).

All quantities are errors ``E - E_ground`` in Hartree against the *exact* ground energy. An
episode succeeds when its error drops below ``threshold``. After ``success_thresh`` successes
the threshold tightens by ``delta / kappa`` (at most ``kappa`` times between resets); every
``reset_every`` episodes (after the first 10) it is reset to ``lowest error seen + delta``.
The threshold never drops below ``floor`` (the released configs could make it negative, which
makes success impossible).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MovingThreshold:
    start: float  # initial threshold (Ha)
    delta: float = 5e-4  # "shift_threshold_ball"
    reset_every: int = 500  # G, "shift_threshold_time" (episodes)
    success_thresh: int = 25  # successes before each tightening
    kappa: int = 10  # "succ_radius_shift": tightenings between resets
    floor: float = 1e-6
    threshold: float = field(init=False)
    lowest_error: float = field(init=False, default=float("inf"))
    _successes: int = field(init=False, default=0)
    _tightenings: int = field(init=False, default=0)
    _episodes: int = field(init=False, default=0)

    def __post_init__(self):
        if self.start <= 0 or self.delta < 0 or self.reset_every < 1 or self.kappa < 1:
            raise ValueError("curriculum needs start > 0, delta >= 0, reset_every >= 1, kappa >= 1")
        self.threshold = self.start

    def observe(self, error: float) -> None:
        """Record an error reached during training (the lowest feeds the resets)."""
        self.lowest_error = min(self.lowest_error, error)

    def end_episode(self, success: bool) -> float:
        """Update after an episode; return the threshold for the next one."""
        self._episodes += 1
        if success:
            self._successes += 1
            if self._successes >= self.success_thresh and self._tightenings < self.kappa:
                self.threshold -= self.delta / self.kappa
                self._successes, self._tightenings = 0, self._tightenings + 1
        if self._episodes > 10 and self._episodes % self.reset_every == 0 and self.lowest_error < float("inf"):
            self.threshold = self.lowest_error + self.delta
            self._successes = self._tightenings = 0
        self.threshold = max(self.threshold, self.floor)
        return self.threshold
