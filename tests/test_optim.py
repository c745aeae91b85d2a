import numpy as np
import pytest

from qasbench.registry import make_optimizer, names


class Counted:
    def __init__(self):
        self.rows = 0

    def __call__(self, points, shot_scale=1.0):
        self.rows += len(points)
        return ((points - 0.7) ** 2).sum(axis=1) + 0.01 * np.sin(5 * points).sum(axis=1)


@pytest.mark.parametrize("name", names("optimizer"))
@pytest.mark.parametrize("budget", [1, 2, 3, 4, 7, 50, 301])
def test_budget_is_never_exceeded(name, budget):
    objective = Counted()
    result = make_optimizer(name).minimize(objective, np.zeros(4), budget, np.random.default_rng(0))
    assert objective.rows == result.nfev <= budget
    assert len(result.history) == result.nfev


@pytest.mark.parametrize("name", names("optimizer"))
def test_converges_on_a_smooth_problem(name):
    result = make_optimizer(name).minimize(Counted(), np.zeros(3), 1500, np.random.default_rng(0))
    assert result.fun < 0.05 and result.fun == min(result.history)


@pytest.mark.parametrize("name", ["spsa", "adam-spsa"])
def test_perturbations_come_from_the_callers_rng(name):
    def run(seed):
        return make_optimizer(name).minimize(Counted(), np.zeros(5), 60, np.random.default_rng(seed)).x

    assert np.array_equal(run(1), run(1))
    assert not np.array_equal(run(1), run(2))


def test_zero_parameters_skip_the_optimizer():
    for name in names("optimizer"):
        objective = Counted()
        result = make_optimizer(name).minimize(objective, np.zeros(0), 100, np.random.default_rng(0))
        assert result.nfev == objective.rows == 1 and result.x.shape == (0,)


def test_multistage_uses_cheaper_shots_first():
    scales = []

    def objective(points, shot_scale=1.0):
        scales.extend([shot_scale] * len(points))
        return (points**2).sum(axis=1)

    make_optimizer("adam-spsa-lih").minimize(objective, np.ones(2), 301, np.random.default_rng(0))
    assert scales[0] == 0.01 and scales[-1] == 1.0 and sorted(scales) == scales
    assert set(scales) == {0.01, 0.1, 1.0}


def test_bad_optimizer_input():
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("adam")
    with pytest.raises(ValueError, match="no hyperparameter"):
        make_optimizer("spsa", learning_rate=0.1)
    with pytest.raises(ValueError, match="stage_fractions"):
        make_optimizer("adam-spsa", stage_fractions=(0.5, 0.6))


def test_an_objective_that_stops_cobyla_is_reraised_quietly(capfd):
    """The caller's budget or time limit raising inside scipy's compiled callback: the exception
    reaches the caller after scipy returns, no further row is evaluated, and nothing is printed
    (scipy's C layer prints 'capi_return is NULL' for an exception raised through it)."""
    class Stop(Exception):
        pass

    objective = Counted()

    def limited(points, shot_scale=1.0):
        if objective.rows >= 9:
            raise Stop
        return objective(points)

    with pytest.raises(Stop):
        make_optimizer("cobyla").minimize(limited, np.zeros(4), 200, np.random.default_rng(0))
    assert objective.rows == 9 and "capi_return" not in capfd.readouterr().err
