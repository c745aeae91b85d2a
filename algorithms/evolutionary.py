"""Evolutionary QAS over gate sequences of the shared search space.

An individual is a circuit plus its angles (one per rotation gate, kept aligned through every
variation, so children inherit their parents' optimized angles). Fitness is the energy after the
inner optimizer (charged to the Evaluator). Each generation makes ``offspring`` children: with
probability ``crossover_rate`` one-point crossover of two tournament winners, then one to
``max_mutations`` mutations: insert a random gate (angle 0), delete a gate, replace a gate, or
rewire a gate (new qubits, same kind). Survivors: the best ``population`` of parents + children
((mu + lambda), elitist).

``evolutionary-nsga2`` keeps the same variation but selects on two objectives, energy error and
CNOT count, with NSGA-II's non-dominated sorting and crowding distance (Deb et al. 2002), in the
spirit of MoG-VQE (Chivilikhin et al. 2020). Both return the lowest-energy individual; NSGA-II
also reports its final Pareto front.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qasbench.algorithms.base import Algorithm, SearchResult, best_result, optimize_angles
from qasbench.circuit import Circuit, Gate
from qasbench.evaluator import BudgetExhausted, Evaluator, Task
from qasbench.search_space import SearchSpace


@dataclass
class Individual:
    circuit: Circuit
    params: np.ndarray
    energy: float = np.inf

    @property
    def cnots(self) -> int:
        return self.circuit.counts()["cnots"]


def _param_slots(circuit: Circuit) -> list[int | None]:
    """For each gate, the index of its angle (None for CNOTs)."""
    slots, index = [], 0
    for gate in circuit.gates:
        slots.append(index if gate.is_rotation else None)
        index += gate.is_rotation
    return slots


def _genes(ind: Individual) -> list[tuple[Gate, float | None]]:
    return [(g, None if s is None else float(ind.params[s])) for g, s in zip(ind.circuit.gates, _param_slots(ind.circuit))]


def _from_genes(n_qubits: int, genes: list[tuple[Gate, float | None]]) -> Individual:
    circuit = Circuit(n_qubits, tuple(g for g, _ in genes))
    return Individual(circuit, np.array([a for g, a in genes if g.is_rotation], dtype=float))


def mutate(ind: Individual, space: SearchSpace, rng: np.random.Generator) -> Individual:
    genes, actions = _genes(ind), space.actions
    kinds = ["insert", "delete", "replace", "rewire"]
    if len(genes) >= space.max_gates:
        kinds.remove("insert")
    if len(genes) <= 1:
        kinds.remove("delete")
    kind = kinds[rng.integers(len(kinds))]
    if kind == "insert":
        gate = actions[rng.integers(len(actions))]
        genes.insert(int(rng.integers(len(genes) + 1)), (gate, 0.0 if gate.is_rotation else None))
    elif kind == "delete":
        genes.pop(int(rng.integers(len(genes))))
    elif kind == "replace":
        gate = actions[rng.integers(len(actions))]
        genes[int(rng.integers(len(genes)))] = (gate, 0.0 if gate.is_rotation else None)
    else:
        i = int(rng.integers(len(genes)))
        gate, angle = genes[i]
        same_kind = [a for a in actions if a.name == gate.name and a != gate]
        if same_kind:
            genes[i] = (same_kind[rng.integers(len(same_kind))], angle)
    return _from_genes(space.n_qubits, genes)


def crossover(a: Individual, b: Individual, space: SearchSpace, rng: np.random.Generator) -> Individual:
    genes_a, genes_b = _genes(a), _genes(b)
    cut_a, cut_b = int(rng.integers(1, len(genes_a) + 1)), int(rng.integers(len(genes_b) + 1))
    return _from_genes(space.n_qubits, (genes_a[:cut_a] + genes_b[cut_b:])[: space.max_gates])


def non_dominated_ranks(points: np.ndarray) -> np.ndarray:
    """Pareto rank (0 = front) of each row, all objectives minimized."""
    n = len(points)
    ranks, remaining, rank = np.full(n, -1), set(range(n)), 0
    while remaining:
        front = [i for i in remaining
                 if not any(np.all(points[j] <= points[i]) and np.any(points[j] < points[i]) for j in remaining)]
        ranks[front] = rank
        remaining -= set(front)
        rank += 1
    return ranks


def crowding_distance(points: np.ndarray) -> np.ndarray:
    """NSGA-II crowding distance of each point within one front (boundary points: infinity)."""
    distance = np.zeros(len(points))
    for k in range(points.shape[1]):
        order = np.argsort(points[:, k])
        span = points[order[-1], k] - points[order[0], k]
        distance[order[[0, -1]]] = np.inf
        if span > 0 and len(points) > 2:
            distance[order[1:-1]] += (points[order[2:], k] - points[order[:-2], k]) / span
    return distance


@dataclass
class Evolutionary(Algorithm):
    population: int = 20
    offspring: int = 20
    tournament: int = 3
    crossover_rate: float = 0.5
    max_mutations: int = 2
    initial_max_gates: int = 10  # initial circuits have 1..this many gates
    optimizer: str = "cobyla"
    evaluations_per_circuit: int = 100

    name = "evolutionary"
    positive = ("population", "offspring", "tournament", "max_mutations", "initial_max_gates",
                "evaluations_per_circuit")
    unit_interval = ("crossover_rate",)

    def _evaluate(self, ind: Individual, evaluator: Evaluator, rng: np.random.Generator) -> Individual:
        result = optimize_angles(evaluator, ind.circuit, ind.params, self.optimizer,
                                 self.evaluations_per_circuit, rng)
        return Individual(ind.circuit, result.x, result.fun)

    def _survivors(self, individuals: list[Individual]) -> list[Individual]:
        return sorted(individuals, key=lambda ind: ind.energy)[: self.population]

    def _select(self, individuals: list[Individual], rng: np.random.Generator) -> Individual:
        contenders = rng.choice(len(individuals), size=min(self.tournament, len(individuals)), replace=False)
        return individuals[min(contenders)]  # survivors are kept sorted best-first

    def search(self, task: Task, evaluator: Evaluator, rng: np.random.Generator) -> SearchResult:
        space = task.search_space
        population: list[Individual] = []
        generations = 0
        try:
            while len(population) < self.population:
                circuit = space.sample(rng, int(rng.integers(1, min(self.initial_max_gates, space.max_gates) + 1)))
                seed = Individual(circuit, rng.uniform(-np.pi, np.pi, circuit.n_params))
                population.append(self._evaluate(seed, evaluator, rng))
            population = self._survivors(population)
            while True:
                children = []
                for _ in range(self.offspring):
                    child = self._select(population, rng)
                    if rng.random() < self.crossover_rate:
                        child = crossover(child, self._select(population, rng), space, rng)
                    for _ in range(int(rng.integers(1, self.max_mutations + 1))):
                        child = mutate(child, space, rng)
                    children.append(self._evaluate(child, evaluator, rng))
                population = self._survivors(population + children)
                generations += 1
        except BudgetExhausted:
            pass
        info = {"generations": generations}
        if population:
            info["final_population"] = [[ind.energy - task.problem.ground_energy, ind.cnots] for ind in population]
        return best_result(evaluator, info)


@dataclass
class EvolutionaryNSGA2(Evolutionary):
    """NSGA-II on (energy error, CNOT count)."""

    name = "evolutionary-nsga2"

    def _survivors(self, individuals: list[Individual]) -> list[Individual]:
        points = np.array([[ind.energy, ind.cnots] for ind in individuals], dtype=float)
        ranks = non_dominated_ranks(points)
        crowding = np.zeros(len(points))
        for rank in np.unique(ranks):
            front = np.flatnonzero(ranks == rank)
            crowding[front] = crowding_distance(points[front])
        order = sorted(range(len(individuals)), key=lambda i: (ranks[i], -crowding[i]))
        return [individuals[i] for i in order[: self.population]]
