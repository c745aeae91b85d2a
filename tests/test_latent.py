"""Latent-space QAS: the circuit graph encoding, the pretrained VAE and its cache, the GP."""
import numpy as np
import pytest

from qasbench.algorithms.latent import encoding, vae
from qasbench.algorithms.latent.gp import GaussianProcess, expected_improvement, matern52
from qasbench.circuit import CNOT, RX, Circuit
from qasbench.search_space import SearchSpace
from tests.conftest import random_circuit

SMALL = vae.PretrainConfig(circuits=300, epochs=3)


def one_hot_scores(circuit, space):
    """Decoder outputs that say exactly this circuit: type one-hots and its qubit vectors."""
    types, qubits, _ = encoding.encode(circuit, space)
    return np.eye(len(encoding.NODE_TYPES))[types][None], qubits[None]


@pytest.mark.parametrize("n", [2, 3, 5])
def test_encoding_round_trip(n, rng):
    space = SearchSpace(n, 12)
    circuits = [Circuit(n)] + [random_circuit(rng, n, int(rng.integers(1, 13))) for _ in range(50)]
    for circuit in circuits:
        assert encoding.decode(*one_hot_scores(circuit, space), space) == [circuit]


def test_adjacency_counts_shared_wires():
    space = SearchSpace(3, 5)
    _, qubits, adjacency = encoding.encode(Circuit(3, (CNOT(0, 1), CNOT(0, 1), RX(2))), space)
    assert adjacency[1, 2] == 2  # the second CNOT follows the first on both wires
    assert adjacency[0, 1] == 2 and adjacency[0, 3] == 1  # START feeds every wire
    assert adjacency[2, 4] == 2 and adjacency[3, 4] == 1  # END collects every wire
    assert list(qubits[1]) == [-1, 1, 0]  # control -1, target +1


def test_any_decoder_output_is_a_valid_circuit(rng):
    for space in (SearchSpace(4, 20), SearchSpace(4, 20, coupling=((0, 1), (1, 2), (2, 3)))):
        length = encoding.n_nodes(space)
        circuits = encoding.decode(rng.normal(size=(200, length, 7)), rng.normal(size=(200, length, 4)), space)
        assert all(space.contains(c) for c in circuits)


def test_pretraining_is_deterministic_and_cached(monkeypatch, tmp_path):
    monkeypatch.setenv("QASBENCH_CACHE", str(tmp_path))
    space = SearchSpace(3, 8)
    first = vae.pretrained(space, SMALL)
    [path] = list((tmp_path / "latent").glob("vae-*.pt"))
    monkeypatch.setattr(vae, "_LOADED", {})
    monkeypatch.setattr(vae, "_train", lambda *a: pytest.fail("the cached model was not used"))
    loaded = vae.pretrained(space, SMALL)
    assert loaded.stats == first.stats
    circuits = [space.sample(np.random.default_rng(0)) for _ in range(20)]
    assert np.array_equal(loaded.embed(circuits), first.embed(circuits))
    path.write_bytes(b"damaged")
    monkeypatch.undo()
    monkeypatch.setenv("QASBENCH_CACHE", str(tmp_path))
    monkeypatch.setattr(vae, "_LOADED", {})
    rebuilt = vae.pretrained(space, SMALL)  # a damaged file is retrained, with the same result
    assert np.array_equal(rebuilt.embed(circuits), first.embed(circuits))


def test_decoding_the_embedding_gives_valid_circuits():
    space = SearchSpace(2, 10)
    latent = vae.pretrained(space, SMALL)
    circuits = [space.sample(np.random.default_rng(1)) for _ in range(30)]
    points = latent.embed(circuits)
    assert points.shape == (30, SMALL.latent_dim)
    assert all(space.contains(c) for c in latent.decode(points))


def test_gaussian_process_interpolates_and_expected_improvement(rng):
    x = rng.uniform(-2, 2, (30, 2))
    f = lambda p: np.sin(p[:, 0]) + 0.5 * p[:, 1] ** 2
    gp = GaussianProcess().fit(x, f(x))
    test = rng.uniform(-1.5, 1.5, (50, 2))
    mean, std = gp.predict(test)
    assert np.max(np.abs(mean - f(test))) < 0.15 and np.all(std >= 0)
    ei = expected_improvement(np.array([0.0, 1.0, 1.0]), np.array([0.1, 0.1, 1.0]), best=0.5)
    assert np.all(ei >= 0) and ei[0] > ei[2] > ei[1]


@pytest.mark.parametrize("length", [1.7, 20.0])  # r up to 12 and up to 1: other associations differ at 20
def test_gaussian_process_kernel_is_the_textbook_formula_bit_for_bit(rng, length):
    """The fit reuses its distances and builds the kernel in place; the records of latent-bo
    runs depend on every bit of it, so it must equal variance * (1 + r + r^2/3) * exp(-r) plus
    the noise on the diagonal exactly (standard-v1's latent-bo cells hold runs made before and
    after this construction)."""
    from scipy.spatial.distance import cdist

    x, y = rng.standard_normal((60, 16)), rng.standard_normal(60)
    log_theta = np.log([length, 0.6, 1e-3])
    length, variance, noise = np.exp(log_theta)  # what the fit uses: exp(log(20)) is not 20
    r = np.sqrt(5.0) * cdist(x, x) / length
    textbook = variance * (1.0 + r + r**2 / 3.0) * np.exp(-r) + (noise + 1e-10) * np.eye(len(x))
    gp = GaussianProcess().fit(x, y)
    gp._factorize(log_theta)
    assert gp.chol.tobytes() == np.linalg.cholesky(textbook).tobytes()
    query = rng.standard_normal((7, 16))
    r = np.sqrt(5.0) * cdist(query, x) / length
    assert (matern52(query, x, length, variance).tobytes()
            == (variance * (1.0 + r + r**2 / 3.0) * np.exp(-r)).tobytes())


def test_latent_bo_predicts_its_gp_refits_from_timed_fits():
    """The GP's cost model (timed fits at three sizes, summed over every refit of a run) grows at
    least quadratically per fit, and latent BO applies it to the circuits a budget buys at the
    calibration run's evaluations per circuit."""
    from qasbench.algorithms.latent import LatentBO
    from qasbench.algorithms.latent.gp import refit_seconds

    small, large = refit_seconds(300, 16, 500, start=10), refit_seconds(600, 16, 500, start=10)
    assert 0 < small and large > 4 * small
    calibration = {"evaluations_used": 1600, "info": {"circuits_scored": 10}}  # 160 evaluations per circuit
    assert LatentBO().growing_seconds(calibration, 96000) == pytest.approx(large)


def _pretrain_in_a_worker(cache: str) -> tuple[bool, dict]:
    """In a fresh process: pretrain (or load) SMALL for a 3-qubit space; did it train?"""
    import os

    os.environ["QASBENCH_CACHE"] = cache
    trained = []
    train = vae._train
    vae._train = lambda *args: trained.append(True) or train(*args)
    latent = vae.pretrained(SearchSpace(3, 8), SMALL)
    return bool(trained), latent.stats


def test_workers_that_need_one_model_at_once_train_it_once(tmp_path):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(_pretrain_in_a_worker, [str(tmp_path)] * 2))
    assert sorted(trained for trained, _ in results) == [False, True]
    assert results[0][1] == results[1][1]


def test_pretraining_prints_progress(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("QASBENCH_CACHE", str(tmp_path))
    monkeypatch.setattr(vae, "PROGRESS_EVERY_S", 0.0)
    monkeypatch.setattr(vae, "_LOADED", {})
    vae.pretrained(SearchSpace(3, 8), SMALL)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("latent-space pretraining")]
    assert len(lines) == SMALL.epochs and "epoch 3/3" in lines[-1]


def test_pretraining_is_timed_apart_from_the_run(monkeypatch, tmp_path):
    from qasbench.config import RunConfig
    from qasbench.runner import run_one

    monkeypatch.setenv("QASBENCH_CACHE", str(tmp_path))
    monkeypatch.setattr(vae, "_LOADED", {})
    params = {"pretrain_circuits": 300, "pretrain_epochs": 3, "evaluations_per_circuit": 20}
    first = run_one(RunConfig("latent-bo", "h2-2q", "noiseless", 0, 200, algorithm_params=params))
    second = run_one(RunConfig("latent-bo", "h2-2q", "noiseless", 1, 200, algorithm_params=params))
    trained = first["info"]["pretraining"]["seconds"]
    assert first["preparation_wall_time_s"] >= trained > 0  # the first run trained the model ...
    assert second["preparation_wall_time_s"] < trained  # ... the second found it in memory
    assert first["info"]["pretraining"] == second["info"]["pretraining"]


def test_latent_bo_fits_its_gp_on_at_most_gp_points(monkeypatch, tmp_path):
    """With ``gp_points`` set, each refit sees at most that many scored circuits (the best half
    and the most recent), and the predicted refit cost grows linearly past it."""
    from qasbench.algorithms import latent
    from qasbench.algorithms.latent.gp import refit_seconds
    from qasbench.config import RunConfig
    from qasbench.runner import run_one

    monkeypatch.setenv("QASBENCH_CACHE", str(tmp_path))
    sizes = []
    fit = latent.GaussianProcess.fit
    monkeypatch.setattr(latent.GaussianProcess, "fit", lambda gp, x, y: sizes.append(len(x)) or fit(gp, x, y))
    params = {"pretrain_circuits": 300, "pretrain_epochs": 3, "evaluations_per_circuit": 5, "gp_points": 12}
    record = run_one(RunConfig("latent-bo", "h2-2q", "noiseless", 0, 400, algorithm_params=params))
    assert record["info"]["circuits_scored"] > 20 and max(sizes) == 12 and sizes[:3] == [10, 11, 12]
    best, recent = latent.LatentBO(gp_points=4)._fitted_points([5.0, 1.0, 4.0, 2.0, 3.0, 9.0]), [4, 5]
    assert list(best) == [1, 3, *recent]  # the two lowest energies, then the two latest of the rest
    capped = [refit_seconds(k, 16, 500, start=10, cap=100) for k in (200, 300, 400)]
    assert capped[2] - capped[1] == pytest.approx(capped[1] - capped[0])
    assert capped[2] < refit_seconds(400, 16, 500, start=10)
