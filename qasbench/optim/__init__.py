"""Inner-loop optimizers (see :mod:`qasbench.optim.base` for the interface).

Presets are entry points of the group ``qasbench.optimizers`` (resolved by
:func:`qasbench.registry.make_optimizer`): ``cobyla``, ``spsa``, ``adam-spsa``, and
``adam-spsa-h2`` / ``adam-spsa-lih`` with the Adam-SPSA hyperparameters of the released CRLQAS
configs ``lbmt_adam1_H22q0p7414_1e4.cfg`` (one stage, 200 evaluations) and
``lbmt_adam3_LiH4q3p4_1e6.cfg`` (three stages, 1191/357/119 evaluations).
"""
from __future__ import annotations

from qasbench.optim.base import OptimizeResult, Optimizer
from qasbench.optim.cobyla import COBYLA
from qasbench.optim.spsa import SPSA, AdamSPSA

_LIH_STAGES = (1191 / 1667, 357 / 1667, 119 / 1667)


def adam_spsa_lih() -> AdamSPSA:
    return AdamSPSA(a=1.8658, alpha=0.9451, c=0.046, gamma=0.1397, lamda=0.0138,
                    beta1=0.9658, beta2=0.8594, stage_fractions=_LIH_STAGES)


__all__ = ["COBYLA", "SPSA", "AdamSPSA", "Optimizer", "OptimizeResult", "adam_spsa_lih"]
