"""SA-QAS: simulated annealing over architectures, the baseline of QAS-Bench (Lu et al., ICML 2023)
that TensorRL-QAS reports beside its method.

As in QAS-Bench's annealer (github Lucky-Lance/QAS-Bench, ``task*/Anneal/Anneal.py``), the
architecture is a fixed number of slots, all empty (identity) at the start; a move replaces one
uniformly chosen slot by a gate whose kind is uniform over {empty, RX, RY, RZ, CNOT} and whose
qubit (or coupled ordered pair) is uniform; a move is accepted when it lowers the loss, else with
probability ``exp(-(new - current) / T)``; the best architecture seen is returned.

Deviations, because QAS-Bench's tasks have no parameters and ours do: the loss of an
architecture is the energy after its angles are optimized (``evaluations_per_move`` evaluations
of the inner optimizer, charged to the Evaluator), starting from the current architecture's
angles slot by slot (a new rotation starts at 0). QAS-Bench cools geometrically by 0.99999 per
move from T = 0.1 over up to 200000 moves; a budgeted run here makes about
``budget / evaluations_per_move`` moves (1000 at 100000), so the same factor would hardly cool.
The schedule is instead geometric from ``initial_temperature`` to ``final_temperature`` (in the
problem's energy unit) over the moves the budget pays for. QAS-Bench's stop on a plateau (no
change of the loss by 1e-8 over 20000 moves) is kept as ``patience`` moves.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qasbench.algorithms.base import Algorithm, SearchResult, best_result, optimize_angles
from qasbench.circuit import CNOT, Circuit, Gate, ROTATIONS
from qasbench.evaluator import BudgetExhausted, Evaluator, Task
from qasbench.search_space import SearchSpace

KINDS = ("empty",) + ROTATIONS + ("CNOT",)


def _random_slot(space: SearchSpace, rng: np.random.Generator) -> Gate | None:
    """A slot's content: a kind uniform over KINDS, then a uniform qubit or coupled pair."""
    kind = KINDS[rng.integers(len(KINDS))]
    if kind == "empty":
        return None
    if kind == "CNOT":
        pairs = space.coupling or [(c, t) for c in range(space.n_qubits) for t in range(space.n_qubits) if c != t]
        return CNOT(*pairs[rng.integers(len(pairs))]) if pairs else None
    return Gate(kind, (int(rng.integers(space.n_qubits)),))


def _circuit(n_qubits: int, slots: list[Gate | None]) -> Circuit:
    return Circuit(n_qubits, tuple(gate for gate in slots if gate is not None))


def _angles(slots: list[Gate | None], by_slot: dict[int, float]) -> np.ndarray:
    """The angle vector of the slots' circuit: each rotation's by slot (0 for a new one)."""
    return np.array([by_slot.get(i, 0.0) for i, g in enumerate(slots) if g is not None and g.is_rotation])


def _by_slot(slots: list[Gate | None], angles: np.ndarray) -> dict[int, float]:
    rotations = [i for i, g in enumerate(slots) if g is not None and g.is_rotation]
    return dict(zip(rotations, map(float, angles)))


@dataclass
class SimulatedAnnealing(Algorithm):
    optimizer: str = "cobyla"
    evaluations_per_move: int = 100  # inner-optimizer budget per proposed architecture
    slots: int | None = None  # architecture slots; None = the task's gate cap
    initial_temperature: float = 0.1  # QAS-Bench's T0, here in the problem's energy unit
    final_temperature: float = 1e-4
    patience: int = 500  # stop after this many moves without a change of the current loss by 1e-8

    name = "sa-qas"
    positive = ("evaluations_per_move", "slots", "initial_temperature", "final_temperature", "patience")

    def validate(self) -> None:
        super().validate()
        if self.final_temperature > self.initial_temperature:
            raise ValueError(f"{self.name}: final_temperature ({self.final_temperature}) must not exceed "
                             f"initial_temperature ({self.initial_temperature})")

    def search(self, task: Task, evaluator: Evaluator, rng: np.random.Generator) -> SearchResult:
        space, n = task.search_space, task.problem.n_qubits
        slots: list[Gate | None] = [None] * min(space.max_gates, self.slots or space.max_gates)
        angles: dict[int, float] = {}
        moves = max(1, task.budget // self.evaluations_per_move)
        cooling = (self.final_temperature / self.initial_temperature) ** (1 / moves)
        temperature, current, still, made, accepted = self.initial_temperature, np.inf, 0, 0, 0
        while still < self.patience:
            proposal = list(slots)
            position = int(rng.integers(len(slots)))
            proposal[position] = _random_slot(space, rng)
            circuit = _circuit(n, proposal)
            try:
                result = optimize_angles(evaluator, circuit, _angles(proposal, angles), self.optimizer,
                                         self.evaluations_per_move, rng)
            except BudgetExhausted:
                break
            made += 1
            if result.fun < current or rng.random() < np.exp(-(result.fun - current) / temperature):
                still = 0 if abs(result.fun - current) > 1e-8 else still + 1
                slots, current, accepted = proposal, result.fun, accepted + 1
                angles = _by_slot(proposal, result.x)
            else:
                still += 1
            temperature *= cooling
        return best_result(evaluator, {"moves": made, "accepted": accepted, "final_temperature": temperature})
