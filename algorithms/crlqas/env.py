"""The CRLQAS environment as a ``gymnasium.Env`` over a Task and its Evaluator.

* Observation: the 3D tensor encoding of the circuit, shape ``(max_gates, n + 3, n)``: at
  moment m, a CNOT sets ``[m, target, control]`` and a rotation sets ``[m, n + axis, qubit]``
  (axis 0/1/2 = X/Y/Z), each gate at the earliest moment its qubits allow; flattened, with the
  current energy estimate appended when ``include_energy``.
* Actions: the search space's alphabet (every directed CNOT, then RX/RY/RZ per qubit).
  ``action_masks()`` marks illegal actions: repeating the last gate on the same wires with
  nothing in between (it would cancel or merge).
* After each action every angle is re-optimized (warm start, the new angle from 0) by the inner
  optimizer, charged to the Evaluator; the energy is the optimizer's best estimate.
* Reward: +5 and terminate when the error is below the curriculum threshold; -5 and terminate
  when the gate cap is reached; otherwise ``clip((E_prev - E) / |E_prev - E_ground|, -1, 1)``.
* ``start``: a circuit and its angles every episode starts from (TensorRL-QAS's warm start);
  by default the empty circuit.
* Random halting: each episode's length is capped at a draw of ``clip(NegBin(n, p), lo, hi)``
  (the release's n=70, p=0.573, clipped to [25, 70]); reaching it truncates the episode.
* A step that finds the Evaluator's budget (or the run's time) spent truncates the episode,
  with ``info["budget_exhausted"] = True``, reward 0 and the energy unchanged.
* ``reset(seed=s)`` reseeds both the environment's own generator (halting draws, optimizer
  perturbations) and the Evaluator's shot sampling, so a seeded episode is reproducible under
  shot noise too; ``reset()`` without a seed continues both streams.
"""
from __future__ import annotations

import gymnasium as gym
import numpy as np

from qasbench.algorithms.base import optimize_angles
from qasbench.algorithms.crlqas.curriculum import MovingThreshold
from qasbench.circuit import Circuit
from qasbench.evaluator import BudgetExhausted, Evaluator, Task

SUCCESS_REWARD, CAP_REWARD = 5.0, -5.0


class CircuitEnv(gym.Env):
    metadata = {"render_modes": []}

    def __init__(self, task: Task, evaluator: Evaluator, curriculum: MovingThreshold | None = None,
                 optimizer: str = "adam-spsa", evaluations_per_step: int = 200,
                 random_halting: tuple[int, float, int, int] | None = (70, 0.573, 25, 70),
                 action_mask: bool = True, include_energy: bool = True, start: tuple | None = None):
        self.task, self.evaluator = task, evaluator
        self.start = start  # (circuit, angles) every episode starts from; None: the empty circuit
        self.n = task.problem.n_qubits
        self.max_gates = task.search_space.max_gates
        self.actions = task.search_space.actions
        self.curriculum = curriculum
        self.optimizer, self.evaluations_per_step = optimizer, evaluations_per_step
        self.random_halting, self.use_mask, self.include_energy = random_halting, action_mask, include_energy
        size = self.max_gates * (self.n + 3) * self.n
        low, high = np.zeros(size, np.float32), np.ones(size, np.float32)
        if include_energy:  # every energy estimate lies within constant +- sum |coeffs|
            h = task.problem.hamiltonian
            spread = float(np.abs(h.coeffs).sum())
            low = np.append(low, np.float32(h.constant - spread) - 1)
            high = np.append(high, np.float32(h.constant + spread) + 1)
        self.observation_space = gym.spaces.Box(low, high, dtype=np.float32)
        self.action_space = gym.spaces.Discrete(len(self.actions))
        self.ground = task.problem.ground_energy

    # -- gymnasium API ---------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        if seed is not None:
            self.evaluator.reseed_shots(seed)
        self.circuit = Circuit(self.n)
        self.params = np.zeros(0)
        self.tensor = np.zeros((self.max_gates, self.n + 3, self.n), np.float32)
        self.free_moment = np.zeros(self.n, int)
        self.last_on_qubit = [-1] * self.n
        if self.start is not None:
            for gate in self.start[0].gates:
                self._place(gate)
            self.params = np.array(self.start[1], dtype=float)
        self.energy = self.evaluator.energy(self.circuit, self.params)
        self.cap = self.max_gates
        if self.random_halting:
            count, p, lo, hi = self.random_halting
            self.cap = int(min(self.max_gates, np.clip(self.np_random.negative_binomial(count, p), lo, hi)))
        return self._observation(), {"action_mask": self.action_masks(), "energy": self.energy}

    def step(self, action: int):
        gate = self.actions[int(action)]
        self._place(gate)
        x0 = np.append(self.params, 0.0) if gate.is_rotation else self.params
        try:
            result = optimize_angles(self.evaluator, self.circuit, x0, self.optimizer,
                                     self.evaluations_per_step, self.np_random)
        except BudgetExhausted:
            error = self.energy - self.ground
            info = {"action_mask": self.action_masks(), "energy": self.energy, "error": error,
                    "success": False, "budget_exhausted": True}
            return self._observation(), 0.0, False, True, info
        previous, self.energy, self.params = self.energy, result.fun, result.x
        error = self.energy - self.ground
        if self.curriculum is not None:
            self.curriculum.observe(error)
        threshold = self.curriculum.threshold if self.curriculum else self.task.success_threshold
        success = error < threshold
        at_cap = len(self.circuit) >= self.max_gates
        if success:
            reward = SUCCESS_REWARD
        elif at_cap:
            reward = CAP_REWARD
        else:
            reward = float(np.clip((previous - self.energy) / max(abs(previous - self.ground), 1e-12), -1, 1))
        truncated = not (success or at_cap) and len(self.circuit) >= self.cap
        info = {"action_mask": self.action_masks(), "energy": self.energy, "error": error,
                "success": bool(success)}
        return self._observation(), reward, bool(success or at_cap), bool(truncated), info

    def action_masks(self) -> np.ndarray:
        """True for legal actions (all True when masking is switched off)."""
        mask = np.ones(len(self.actions), bool)
        if not self.use_mask:
            return mask
        for i, gate in enumerate(self.actions):
            last = {self.last_on_qubit[q] for q in gate.qubits}
            if len(last) == 1 and (k := last.pop()) >= 0 and self.circuit.gates[k] == gate:
                mask[i] = False
        return mask

    # -- internals -------------------------------------------------------------------------
    def _place(self, gate) -> None:
        moment = int(max(self.free_moment[q] for q in gate.qubits))
        if gate.name == "CNOT":
            control, target = gate.qubits
            self.tensor[moment, target, control] = 1.0
        else:
            self.tensor[moment, self.n + "XYZ".index(gate.name[1]), gate.qubits[0]] = 1.0
        for q in gate.qubits:
            self.free_moment[q] = moment + 1
            self.last_on_qubit[q] = len(self.circuit)
        self.circuit = self.circuit.append(gate)

    def _observation(self) -> np.ndarray:
        flat = self.tensor.reshape(-1)
        return np.append(flat, np.float32(self.energy)) if self.include_energy else flat.copy()
