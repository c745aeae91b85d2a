"""CRLQAS hyperparameter presets.

``paper``: the published settings. Sources (released configs of arXiv 2402.03500):
``lbmt_adam1_H22q0p7414_1e4.cfg`` (H2: 10000 episodes, lr 1e-4, 1-step DQN, Adam-SPSA with 200
evaluations per step) and ``lbmt_adam3_LiH4q3p4_1e6.cfg`` (LiH-4q: 15000 episodes, lr 3e-4,
5-step DQN, three-stage Adam-SPSA with 1667 evaluations per step). Both: MLP 5 x 1000 LeakyReLU,
batch 1000, buffer 20000, target copy every 500 replays, epsilon decay 0.99995 to 0.05,
gamma = 0.005^(1/max_gates), curriculum delta 5e-4, reset every 500 episodes, 25 successes per
tightening, kappa 10. Wider networks for 6 and 8 qubits (2000, 5000) follow the paper's text;
their episode counts (20000) are our assumption, not a released config.

``fast``: small enough that h2-4q finishes in minutes on two cores: MLP 3 x 256, batch 64, buffer
5000, epsilon decay 0.999 per replay, curriculum reset every 50 episodes, delta 1e-3. Its inner
optimizer: COBYLA when the task has exact expectations, Adam-SPSA under shot noise, as in the
released configs (COBYLA for the exact-noiseless runs, Adam-SPSA for the shot-noise runs), with
``budget // 2000`` evaluations per step, clipped to [100, 3000]: a run affords about 2000 agent
steps (fewer below 200000 evaluations), and a larger budget buys better-converged angles. On h2-4q
(noiseless, budget 100000) Adam-SPSA at 100 evaluations per step reached chemical accuracy in 1 of
10 seeds (two epsilon schedules), COBYLA in 4 of 5 (decay 0.998) and 5 of 5 (decay 0.999, the
preset); these tuning runs used seeds 0-4. On lih-4q every run with 100 per step stopped at or
above a product-state floor 4.4e-3 Ha above the ground, at budgets up to 1000000; 3000 per step was
chosen on seeds 0 and 1 at 3000000 evaluations, and at 100000 evaluations it was worse than 100
(2.2e-2 and 5.8e-2 Ha against 4.6e-3 and 7.1e-3 on seeds 5 and 6). Only the two ends of the rule
have been measured. docs/algorithms.md reports the checks on seeds 5-9.
"""
from __future__ import annotations

_PAPER_COMMON = dict(
    width=1000, depth=5, batch_size=1000, buffer_size=20_000, target_update=500,
    epsilon_decay=0.99995, epsilon_min=0.05, final_gamma=0.005, curriculum_delta=5e-4,
    curriculum_reset_every=500, curriculum_success_thresh=25, curriculum_kappa=10,
)
_PAPER_H2 = dict(episodes=10_000, lr=1e-4, n_step=1, optimizer="adam-spsa-h2", evaluations_per_step=200)
_PAPER_LIH = dict(episodes=15_000, lr=3e-4, n_step=5, optimizer="adam-spsa-lih", evaluations_per_step=1667)

_FAST = dict(
    episodes=400, width=256, depth=3, lr=3e-4,
    n_step=3, batch_size=64, buffer_size=5_000, target_update=100, epsilon_decay=0.999,
    epsilon_min=0.05, final_gamma=0.005, curriculum_delta=1e-3, curriculum_reset_every=50,
    curriculum_success_thresh=5, curriculum_kappa=5,
)


PRESETS = ("fast", "paper")


def check_preset(name: str) -> None:
    """Raise ValueError, naming the choices, unless ``name`` is a preset."""
    if name not in PRESETS:
        raise ValueError(f"unknown CRLQAS preset {name!r}; choose from {', '.join(PRESETS)}")


def preset(name: str, problem_id: str, n_qubits: int, shots: int | None, budget: int) -> dict:
    """Hyperparameters of a named preset for one problem and evaluation budget."""
    check_preset(name)
    if name == "fast":
        return dict(_FAST, optimizer="cobyla" if shots is None else "adam-spsa",
                    evaluations_per_step=min(max(budget // 2000, 100), 3000))
    values = dict(_PAPER_COMMON, **(_PAPER_H2 if problem_id.startswith("h2-") else _PAPER_LIH))
    if n_qubits >= 6:
        values.update(width=2000 if n_qubits < 8 else 5000, episodes=20_000)
    return values
