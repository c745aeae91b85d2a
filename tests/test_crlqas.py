import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

from qasbench import registry
from qasbench.registry import make_algorithm, names
from qasbench.algorithms.crlqas.agent import DoubleDQN, DQNConfig, SparseInputLinear, SparseRows
from qasbench.algorithms.crlqas.curriculum import MovingThreshold
from qasbench.algorithms.crlqas.env import CAP_REWARD, SUCCESS_REWARD, CircuitEnv
from qasbench.circuit import CNOT, RX, RY
from qasbench.evaluator import Evaluator, Task


def make_env(problem="h2-2q", max_gates=6, **kwargs):
    task = Task.make(problem, budget=100_000, max_gates=max_gates)
    evaluator = Evaluator(task, np.random.default_rng(0))
    return CircuitEnv(task, evaluator, evaluations_per_step=30, **kwargs)


def test_is_a_valid_gymnasium_env():
    env = make_env()
    check_env(env, skip_render_check=True)
    assert env.action_space.n == 2 * 1 + 3 * 2  # directed CNOTs + RX/RY/RZ per qubit


@pytest.mark.parametrize("noise", names("noise"))
@pytest.mark.parametrize("shots", [None, 50])
def test_check_env_passes_under_every_profile_and_shots(noise, shots):
    """check_env's determinism checks reset(seed=...) twice: shot sampling must be reseeded."""
    import warnings

    task = Task.make("h2-2q", noise, budget=100_000, max_gates=6, shots=shots)
    env = CircuitEnv(task, Evaluator(task, np.random.default_rng(0)), evaluations_per_step=20,
                     optimizer="cobyla" if shots is None else "adam-spsa")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # gymnasium's warnings (e.g. unbounded spaces) fail the test
        check_env(env, skip_render_check=True)


def test_a_step_without_budget_truncates_the_episode():
    task = Task.make("h2-2q", budget=30, max_gates=6)
    env = CircuitEnv(task, Evaluator(task, np.random.default_rng(0)), evaluations_per_step=20, optimizer="cobyla")
    env.reset(seed=0)
    outcomes = [env.step(env.actions.index(RY(0)) if i % 2 == 0 else env.actions.index(RX(1)))
                for i in range(3)]
    *_, (obs, reward, terminated, truncated, info) = outcomes
    assert info["budget_exhausted"] and truncated and not terminated and reward == 0.0
    assert env.observation_space.contains(obs)


def test_encoding_places_gates_at_their_earliest_moment():
    env = make_env("h2-3q", max_gates=5, include_energy=False)
    env.reset(seed=0)
    actions = env.actions
    for gate in (RX(0), RY(1), CNOT(0, 2), RX(0)):
        env.step(actions.index(gate))
    tensor = env._observation().reshape(5, 3 + 3, 3)
    assert tensor[0, 3 + 0, 0] == 1  # RX(0) at moment 0
    assert tensor[0, 3 + 1, 1] == 1  # RY(1) at moment 0
    assert tensor[1, 2, 0] == 1  # CNOT(control 0, target 2) at moment 1: [target][control]
    assert tensor[2, 3 + 0, 0] == 1  # RX(0) after the CNOT
    assert tensor.sum() == 4


def test_mask_forbids_immediate_repeats_only():
    env = make_env()
    env.reset(seed=0)
    rx0, cnot = env.actions.index(RX(0)), env.actions.index(CNOT(0, 1))
    env.step(rx0)
    assert not env.action_masks()[rx0] and env.action_masks().sum() == len(env.actions) - 1
    env.step(cnot)
    mask = env.action_masks()
    assert not mask[cnot] and mask[rx0]  # the CNOT came between: RX(0) is legal again
    assert make_env(action_mask=False).action_masks().all()


def test_rewards_success_and_cap():
    env = make_env(max_gates=2, random_halting=None)
    env.curriculum = MovingThreshold(start=10.0)  # everything succeeds
    env.reset(seed=0)
    _, reward, terminated, truncated, info = env.step(env.actions.index(RY(0)))
    assert reward == SUCCESS_REWARD and terminated and info["success"]
    env.curriculum = MovingThreshold(start=1e-12)  # nothing succeeds
    env.reset(seed=0)
    _, reward, terminated, _, _ = env.step(env.actions.index(RY(0)))
    assert -1 <= reward <= 1 and not terminated
    _, reward, terminated, _, _ = env.step(env.actions.index(CNOT(0, 1)))
    assert reward == CAP_REWARD and terminated


def test_random_halting_truncates_between_25_and_70_gates():
    env = make_env(max_gates=100)
    caps = []
    for seed in range(40):
        env.reset(seed=seed)
        caps.append(env.cap)
    assert 25 <= min(caps) and max(caps) <= 70 and len(set(caps)) > 3


def test_curriculum_tightens_and_resets():
    c = MovingThreshold(start=0.1, delta=0.01, reset_every=20, success_thresh=2, kappa=2)
    c.observe(0.004)
    assert c.end_episode(True) == 0.1 and c.end_episode(True) == pytest.approx(0.095)
    c.end_episode(True), c.end_episode(True)
    assert c.threshold == pytest.approx(0.09)
    c.end_episode(True), c.end_episode(True)
    assert c.threshold == pytest.approx(0.09)  # at most kappa tightenings
    for _ in range(14):
        c.end_episode(False)
    assert c.threshold == pytest.approx(0.004 + 0.01)  # episode 20: reset to lowest + delta
    assert MovingThreshold(start=1e-3, delta=0.01, success_thresh=1, kappa=1).end_episode(True) > 0


def test_n_step_returns():
    agent = DoubleDQN(3, 2, DQNConfig(n_step=3, gamma=0.5, buffer_size=10, batch_size=2, width=8, depth=1),
                      np.random.default_rng(0))
    obs, mask = np.zeros(3, np.float32), np.ones(2, bool)
    agent.remember(obs, 0, 1.0, obs + 1, mask, False, False)
    agent.remember(obs + 1, 1, 2.0, obs + 2, mask, False, False)
    assert agent.buffer.size == 0
    agent.remember(obs + 2, 0, 4.0, obs + 3, mask, False, False)
    assert agent.buffer.ret[0] == 1 + 0.5 * 2 + 0.25 * 4 and agent.buffer.discount[0] == 0.125
    agent.remember(obs + 3, 1, 8.0, obs + 4, mask, True, True)  # terminal: flush, no bootstrap
    assert agent.buffer.size == 4
    assert list(agent.buffer.ret[1:4]) == [2 + 0.5 * 4 + 0.25 * 8, 4 + 0.5 * 8, 8]
    assert list(agent.buffer.discount[1:4]) == [0, 0, 0]
    assert agent.replay() is not None


def test_sparse_input_layer_is_the_dense_linear_layer():
    """Same initial weights as nn.Linear from the same torch seed; same outputs and gradients
    (to float32 rounding) on a mostly-zero batch given as (index, value) rows."""
    torch.manual_seed(3)
    dense = torch.nn.Linear(50, 7)
    torch.manual_seed(3)
    sparse = SparseInputLinear(50, 7)
    assert torch.equal(sparse.weight, dense.weight.t()) and torch.equal(sparse.bias, dense.bias)
    rng = np.random.default_rng(0)
    x = np.where(rng.random((5, 50)) < 0.1, rng.normal(size=(5, 50)), 0).astype(np.float32)
    x[2] = 0  # an all-zero row
    rows = SparseRows(5)
    for i, row in enumerate(x):
        rows[i] = row
    indices, values = (torch.as_tensor(a) for a in rows[np.arange(5)])
    weights = torch.as_tensor(rng.normal(size=(5, 7)), dtype=torch.float32)
    (dense(torch.as_tensor(x)) * weights).sum().backward()
    (sparse(indices, values) * weights).sum().backward()
    assert torch.allclose(sparse(indices, values), dense(torch.as_tensor(x)), atol=1e-6)
    assert torch.allclose(sparse.weight.grad, dense.weight.grad.t(), atol=1e-6)
    assert torch.allclose(sparse.bias.grad, dense.bias.grad, atol=1e-6)


def test_masked_greedy_action():
    agent = DoubleDQN(3, 4, DQNConfig(width=8, depth=1), np.random.default_rng(0))
    agent.epsilon = 0.0
    obs = np.ones(3, np.float32)
    best = int(agent.q_values(obs).argmax())
    mask = np.ones(4, bool)
    mask[best] = False
    assert agent.act(obs, mask) != best
    agent.epsilon = 1.0
    assert all(mask[agent.act(obs, mask)] for _ in range(50))


def test_an_all_zero_observation_has_action_values():
    """The empty circuit at energy exactly 0 (MaxCut's and MIS's |0...0>) observes all zeros: it is
    the zero vector to the network, whose output is then its bias path."""
    agent = DoubleDQN(5, 4, DQNConfig(width=8, depth=1), np.random.default_rng(0))
    zeros = agent.q_values(np.zeros(5, np.float32))
    assert zeros.shape == (4,) and np.all(np.isfinite(zeros))
    with torch.inference_mode():
        dense = agent.online.rest(agent.online.first.bias[None])[0].numpy()
    np.testing.assert_allclose(zeros, dense, rtol=1e-6)
    agent.epsilon = 0.0
    assert agent.act(np.zeros(5, np.float32), np.ones(4, bool)) in range(4)


def run(name, seed, budget=10_000, problem="h2-2q", **params):
    task = Task.make(problem, budget=budget)
    evaluator = Evaluator(task, np.random.default_rng(seed))
    result = make_algorithm(name, **params).search(task, evaluator, np.random.default_rng(seed))
    return task, evaluator, result


def test_crlqas_solves_h2_2q_within_budget_and_is_deterministic():
    task, evaluator, result = run("crlqas", 0)
    assert evaluator.evaluations_used <= task.budget
    assert result.energy - task.problem.ground_energy < 1.6e-3
    curve = result.info["learning_curve"]
    assert curve and all(k in curve[0] for k in ("error", "gates", "success", "threshold", "epsilon"))
    _, _, again = run("crlqas", 0)
    assert again.circuit == result.circuit and np.array_equal(again.params, result.params)


@pytest.mark.parametrize("preset", ["fast", "paper"])
def test_first_threshold_asks_for_an_improvement_on_the_empty_circuit(preset):
    """Before the first reset an episode succeeds only delta below the empty circuit's error,
    never for a gate that leaves the energy unchanged (RZ on |0>)."""
    task, evaluator, result = run("crlqas", 0, problem="h2-4q", budget=4000, preset=preset, episodes=10)
    fresh = Evaluator(task, np.random.default_rng(0))  # the run may have spent its budget
    empty = fresh.energy(task.search_space.empty()) - task.problem.ground_energy
    delta = result.info["settings"]["curriculum_delta"]
    successes = [e for e in result.info["learning_curve"] if e["success"]]
    assert successes and all(e["best_error"] < empty - delta for e in successes)


def test_rlqas_is_crlqas_without_the_three_features():
    assert registry.algorithm_class("rlqas")().get_params()["curriculum"] is False
    algorithm = make_algorithm("rlqas")
    assert not (algorithm.curriculum or algorithm.action_mask or algorithm.random_halting)
    task, evaluator, result = run("rlqas", 1, budget=3000)
    assert evaluator.evaluations_used <= 3000 and result.info["episodes"] >= 1


def test_presets():
    paper = make_algorithm("crlqas", preset="paper").settings(Task.make("lih-4q"))
    assert paper["episodes"] == 15_000 and paper["width"] == 1000 and paper["n_step"] == 5
    assert make_algorithm("crlqas", lr=0.1).settings(Task.make("h2-2q"))["lr"] == 0.1
    per_step = [make_algorithm("crlqas").settings(Task.make("lih-4q", budget=b))["evaluations_per_step"]
                for b in (20_000, 1_000_000, 6_000_000, 10**8)]
    assert per_step == [100, 500, 3000, 3000]  # budget // 2000 within [100, 3000]
    with pytest.raises(ValueError, match="preset"):
        make_algorithm("crlqas", preset="slow")
