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
              "latent-bo", "latent-reinforce", "quantum-darts", "random", "rlqas", "sa-qas", "tensorrl-qas", "tf-qas"]  # = sorted(REGISTRY) (a test checks)
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


try:
    from qasbench.bench_sim import workload as _circuit  # noqa: E402
except ImportError:  # a commit before the circuit families: the ladder alone
    def _circuit(family, n):
        if family != "ladder":
            raise NotImplementedError  # asv skips the combination
        return hardware_efficient(n, 5)


def _workload(n, family="ladder"):
    hamiltonian = load_problem(f"tfim-{n}q").hamiltonian
    circuit = _circuit(family, n)
    params = np.random.default_rng(n).uniform(-np.pi, np.pi, (64, circuit.n_params))
    return hamiltonian, circuit, params


class Simulators:
    """One noisy energy (mumbai-median, TFIM) per call, on the circuit families of ``bench-sim``
    (``ladder``: 5 x (RY layer + CNOT ladder); ``random-pairs``: 12n gates, 40% CNOTs on random
    ordered pairs); aer on one thread, like ptm."""

    params = ([2, 4, 6, 8], ["ladder", "random-pairs"], ["ptm", "aer"])
    param_names = ["n_qubits", "family", "backend"]
    timeout = 300

    def setup(self, n, family, backend):
        hamiltonian, self.circuit, self.params_batch = _workload(n, family)
        model = load_noise("mumbai-median")
        self.backend = PTMBackend(hamiltonian, model) if backend == "ptm" else AerBackend(hamiltonian, model, threads=1)
        for params in (self.params_batch[:1], self.params_batch):  # warm caches and compiled kernels
            self.backend.energies(self.circuit, params)

    def time_energy(self, n, family, backend):
        self.backend.energies(self.circuit, self.params_batch[:1])

    def time_batch_of_64(self, n, family, backend):
        self.backend.energies(self.circuit, self.params_batch)

    def peakmem_energy(self, n, family, backend):
        self.backend.energies(self.circuit, self.params_batch[:1])


def _seconds_per_call(fn, calls):
    import time

    fn()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def track_ptm_over_aer_speed_ratio(n, family):
    hamiltonian, circuit, params = _workload(n, family)
    model = load_noise("mumbai-median")
    ptm, aer = PTMBackend(hamiltonian, model), AerBackend(hamiltonian, model, threads=1)
    return _seconds_per_call(lambda: aer.energies(circuit, params[:1]), 5) / _seconds_per_call(
        lambda: ptm.energies(circuit, params[:1]), 5)


track_ptm_over_aer_speed_ratio.params = ([2, 4, 6, 8], ["ladder", "random-pairs"])
track_ptm_over_aer_speed_ratio.param_names = ["n_qubits", "family"]
track_ptm_over_aer_speed_ratio.unit = "aer time / ptm time"


def track_evaluator_overhead(noise):
    """Seconds of one h2-4q evaluation of a 20-gate circuit through ``Evaluator.energies`` over
    the same energy from the backend directly (the bare compiled kernel and its arguments)."""
    from qasbench.evaluator import Evaluator, Task

    task = Task.make("h2-4q", noise, budget=10**9)
    evaluator = Evaluator(task, np.random.default_rng(0))
    circuit = task.search_space.sample(np.random.default_rng(3), 20)
    params = np.random.default_rng(1).uniform(-3, 3, (1, circuit.n_params))
    backend = evaluator._simulator
    return _seconds_per_call(lambda: evaluator.energies(circuit, params), 20000) / _seconds_per_call(
        lambda: backend._energies(circuit, params), 20000)


track_evaluator_overhead.params = ["noiseless", "mumbai-median"]
track_evaluator_overhead.param_names = ["noise"]
track_evaluator_overhead.unit = "evaluator time / backend time"


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


class CRLQASReplay:
    """One replay step (sample, double-DQN target, loss, Adam) of the agent with preset
    ``fast``'s network on h2-4q's observation and action sizes, over a full buffer of
    observations as sparse as the circuit tensor's."""

    params = [[64, 1000]]
    param_names = ["batch"]

    def setup(self, batch):
        import torch

        from qasbench.algorithms.crlqas.agent import DoubleDQN, DQNConfig

        torch.set_num_threads(1)
        obs_dim, actions, rng = 40 * 7 * 4 + 1, 28, np.random.default_rng(0)
        self.agent = DoubleDQN(obs_dim, actions, DQNConfig(width=256, depth=3, batch_size=batch, buffer_size=5000),
                               np.random.default_rng(1))
        for step in range(3000):
            obs = np.zeros(obs_dim, np.float32)
            obs[rng.choice(obs_dim - 1, size=int(rng.integers(1, 40)), replace=False)] = 1.0
            obs[-1] = -1.1
            self.agent.remember(obs, int(rng.integers(actions)), 0.1, obs, np.ones(actions, bool),
                                step % 30 == 29, False)
        self.agent.replay()

    def time_replay(self, batch):
        self.agent.replay()


class LatentBOSurrogate:
    """One fit (likelihood maximization) and one prediction at 500 candidates of latent-bo's
    Gaussian process on k scored circuits (random 16-dimensional embeddings and energies):
    latent-bo refits after every circuit it scores, so at a standard-v1 lih-6q run's 1000-1800
    circuits this is most of the run."""

    params = [[300, 1000]]
    param_names = ["points"]
    timeout = 300

    def setup(self, points):
        try:
            from qasbench.algorithms.latent.gp import GaussianProcess
        except ImportError:  # a commit before latent-bo
            raise NotImplementedError from None
        rng = np.random.default_rng(0)
        self.GaussianProcess = GaussianProcess
        self.x, self.y, self.query = rng.standard_normal((points, 16)), rng.standard_normal(points), rng.standard_normal(
            (500, 16))

    def time_fit_and_predict(self, points):
        self.GaussianProcess().fit(self.x, self.y).predict(self.query)


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
