"""asv benchmarks: simulator and optimizer speed (time_/peakmem_) and search quality (track_).

Quality tracks run every registered algorithm once (seed 0, budget 3000) on h2-2q and h2-4q,
noiseless and depol-1e-3, computed once per benchmark session in ``setup_cache``. The algorithm
list is written out, not read from the installed registry: asv numbers parameter combinations
from the list it discovered, so a commit with fewer algorithms must see the same list (and skip
the algorithms it lacks) for its results to land under the right names. Commits before the
registry (``qasbench.registry``) resolve names through the module dicts they had.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from qasbench.circuit import hardware_efficient  # noqa: E402
from qasbench.sim.aer import AerBackend  # noqa: E402
from qasbench.sim.ptm import PTMBackend  # noqa: E402

ALGORITHMS = ["adapt", "crlqas", "dqas", "dqas-pt", "evolutionary", "evolutionary-nsga2", "hea",
              "latent-bo", "latent-reinforce", "random", "rlqas"]  # = sorted(REGISTRY) (a test checks)
QUALITY_GRID = [("h2-2q", "h2-4q"), ("noiseless", "depol-1e-3")]

try:
    from qasbench.registry import load_noise, load_problem, names  # noqa: E402

    REGISTERED = names("algorithm")

    def _quality_run(algorithm, problem, noise):
        from qasbench.config import RunConfig
        from qasbench.runner import run_one

        return run_one(RunConfig(algorithm, problem, noise, 0, 3000))
except ImportError:  # a commit before the registry
    from qasbench.algorithms import REGISTRY as REGISTERED  # noqa: E402
    from qasbench.noise import get as load_noise  # noqa: E402
    from qasbench.problems import load as load_problem  # noqa: E402

    def _quality_run(algorithm, problem, noise):
        from qasbench.runner import make_config, run_one

        return run_one(make_config(algorithm, problem, noise, 0, 3000))


def _workload(n):
    hamiltonian = load_problem(f"tfim-{n}q").hamiltonian
    circuit = hardware_efficient(n, 5)
    params = np.random.default_rng(n).uniform(-np.pi, np.pi, (64, circuit.n_params))
    return hamiltonian, circuit, params


class Simulators:
    """One noisy energy (mumbai-median, 5 x (RY layer + CNOT ladder), TFIM) per call."""

    params = ([2, 4, 6, 8], ["ptm", "aer"])
    param_names = ["n_qubits", "backend"]
    timeout = 300

    def setup(self, n, backend):
        hamiltonian, self.circuit, self.params_batch = _workload(n)
        cls = PTMBackend if backend == "ptm" else AerBackend
        self.backend = cls(hamiltonian, load_noise("mumbai-median"))
        for params in (self.params_batch[:1], self.params_batch):  # warm caches and compiled kernels
            self.backend.energies(self.circuit, params)

    def time_energy(self, n, backend):
        self.backend.energies(self.circuit, self.params_batch[:1])

    def time_batch_of_64(self, n, backend):
        self.backend.energies(self.circuit, self.params_batch)

    def peakmem_energy(self, n, backend):
        self.backend.energies(self.circuit, self.params_batch[:1])


def track_ptm_over_aer_speed_ratio(n):
    import time

    hamiltonian, circuit, params = _workload(n)
    model = load_noise("mumbai-median")
    timings = []
    for backend in (PTMBackend(hamiltonian, model), AerBackend(hamiltonian, model)):
        backend.energies(circuit, params[:1])
        start = time.perf_counter()
        for _ in range(5):
            backend.energies(circuit, params[:1])
        timings.append(time.perf_counter() - start)
    return timings[1] / timings[0]


track_ptm_over_aer_speed_ratio.params = [2, 4, 6, 8]
track_ptm_over_aer_speed_ratio.param_names = ["n_qubits"]
track_ptm_over_aer_speed_ratio.unit = "aer time / ptm time"


class Optimizers:
    params = ["cobyla", "spsa", "adam-spsa"]
    param_names = ["optimizer"]

    def setup(self, name):
        from qasbench.evaluator import Evaluator, Task

        self.task = Task.make("h2-4q", budget=300)
        self.circuit = hardware_efficient(4, 2)
        self.Evaluator = Evaluator

    def time_300_evaluations(self, name):
        from qasbench.algorithms.base import optimize_angles

        evaluator = self.Evaluator(self.task, np.random.default_rng(0))
        optimize_angles(evaluator, self.circuit, np.zeros(self.circuit.n_params), name, 300,
                        np.random.default_rng(1))


class CRLQASStep:
    def setup(self):
        from qasbench.algorithms.crlqas.env import CircuitEnv
        from qasbench.evaluator import Evaluator, Task

        task = Task.make("h2-4q", budget=10**9)
        self.env = CircuitEnv(task, Evaluator(task, np.random.default_rng(0)), optimizer="cobyla",
                              evaluations_per_step=100)
        self.env.reset(seed=0)

    def time_environment_step(self):
        if len(self.env.circuit) >= 20:
            self.env.reset(seed=0)
        mask = self.env.action_masks()
        self.env.step(int(np.flatnonzero(mask)[len(self.env.circuit) % mask.sum()]))


class SearchQuality:
    """Fixed-seed, small-budget runs of every registered algorithm."""

    params = [ALGORITHMS, *QUALITY_GRID]
    param_names = ["algorithm", "problem", "noise"]
    timeout = 3600

    def setup_cache(self):
        return {(a, p, n): _quality_run(a, p, n)
                for a in ALGORITHMS if a in REGISTERED for p in QUALITY_GRID[0] for n in QUALITY_GRID[1]}

    def setup(self, results, algorithm, problem, noise):
        if algorithm not in REGISTERED:
            raise NotImplementedError(f"{algorithm} does not exist at this commit")  # asv: skipped

    def track_error_mha(self, results, algorithm, problem, noise):
        return 1e3 * results[(algorithm, problem, noise)]["error"]

    track_error_mha.unit = "mHa"

    def track_cnots(self, results, algorithm, problem, noise):
        return results[(algorithm, problem, noise)]["cnots"]

    track_cnots.unit = "CNOTs"

    def track_depth(self, results, algorithm, problem, noise):
        return results[(algorithm, problem, noise)]["depth"]

    track_depth.unit = "moments"

    def track_evaluations(self, results, algorithm, problem, noise):
        return results[(algorithm, problem, noise)]["evaluations_used"]

    track_evaluations.unit = "evaluations"
