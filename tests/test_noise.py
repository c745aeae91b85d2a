import numpy as np
import pytest
from qiskit.quantum_info import PTM
from qiskit_aer.noise import depolarizing_error, thermal_relaxation_error

from qasbench.registry import load_noise
from qasbench.noise import NoiseModel, depolarizing_from_error
from qasbench.sim import pauli_basis as pb


def test_profiles_carry_the_calibration():
    median = load_noise("mumbai-median")
    assert median.depol_1q == pytest.approx(2 * 2.3571e-4, rel=1e-3)  # l = e d/(d-1), d = 2
    assert median.depol_2q == pytest.approx(4 / 3 * 6.541e-3, rel=1e-3)
    assert (median.t1_us, median.t2_us) == pytest.approx((111.93, 124.00), abs=0.01)
    assert (median.time_1q_ns, median.time_2q_ns) == pytest.approx((35.56, 401.78), abs=0.01)
    assert median.readout_p01 == pytest.approx(0.0182) and median.readout_p10 == pytest.approx(0.0268)
    worst, ten = load_noise("mumbai-max"), load_noise("mumbai-10xmax")
    assert worst.t1_us < median.t1_us and worst.depol_2q > median.depol_2q
    assert ten.depol_2q == pytest.approx(10 * worst.depol_2q)
    assert load_noise("depol-1e-3").depol_2q == 1e-2
    assert load_noise("noiseless").is_noiseless


def test_depolarizing_parameter_reproduces_average_infidelity():
    for k in (1, 2):
        lam = depolarizing_from_error(0.01, k)
        d = 2**k
        process_fidelity = 1 - lam + lam / d**2
        assert (d * process_fidelity + 1) / (d + 1) == pytest.approx(1 - 0.01)


@pytest.mark.parametrize("name", ["mumbai-median", "mumbai-max", "mumbai-10xmax"])
def test_channel_ptms_match_qiskit(name):
    """Our channel PTMs equal qiskit's PTM of its own error objects (independent construction)."""
    model = load_noise(name)
    for k, lam, duration in ((1, model.depol_1q, model.time_1q_ns), (2, model.depol_2q, model.time_2q_ns)):
        relax = thermal_relaxation_error(model.t1_us * 1e3, model.t2_us * 1e3, duration)
        error = depolarizing_error(lam, k).compose(relax if k == 1 else relax.tensor(relax))
        reference = PTM(error.to_quantumchannel()).data  # qiskit basis order is little-endian
        if k == 2:
            perm = np.arange(16).reshape(4, 4).T.reshape(-1)
            reference = reference[np.ix_(perm, perm)]
        assert np.allclose(pb.gate_noise_ptm(model, k), reference, atol=1e-14)


@pytest.mark.parametrize("kwargs, message", [
    ({"depol_1q": -0.1}, "depol_1q"),
    ({"depol_2q": 1.5}, "depol_2q"),
    ({"readout_p01": 1.2}, "readout_p01"),
    ({"t1_us": 10.0}, "both"),
    ({"t1_us": 10.0, "t2_us": 30.0}, "T2 <= 2 T1"),
    ({"t1_us": float("nan"), "t2_us": 50.0}, "t1_us must be a finite number"),
    ({"t1_us": 100.0, "t2_us": float("nan")}, "t2_us must be a finite number"),
    ({"time_2q_ns": float("inf")}, "time_2q_ns must be a finite number"),
    ({"depol_1q": "0.1"}, "depol_1q must be a finite number"),
])
def test_bad_noise_values_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NoiseModel("bad", **kwargs)


def test_unknown_profile_names_the_choices():
    with pytest.raises(ValueError, match="mumbai-median"):
        load_noise("mumbai-mean")


def test_noise_files_are_read_and_checked(tmp_path):
    good = tmp_path / "lab.toml"
    good.write_text('depol_1q = 1e-3\ndepol_2q = 2e-2\nt1_us = 80.0\nt2_us = 60.0\ntime_2q_ns = 300.0\n')
    model = load_noise(str(good))
    assert (model.name, model.depol_2q, model.t1_us) == ("lab", 2e-2, 80.0)
    as_json = tmp_path / "lab2.json"
    as_json.write_text('{"name": "lab-b", "readout_p01": 0.02}')
    assert load_noise(str(as_json)).readout_p01 == 0.02
    for text, message in (("depol_1q = nan\n", "finite"), ("depol_2q = inf\n", "finite"),
                          ("colour = 1\n", "unknown key 'colour'"), ("shots = 100\n", "unknown key 'shots'"),
                          ("t1_us = [1]\n", "finite number"), ("depol_1q = \n", "malformed noise file")):
        bad = tmp_path / f"bad{abs(hash(text))}.toml"
        bad.write_text(text)
        with pytest.raises(ValueError, match=message):
            load_noise(str(bad))
    with pytest.raises(ValueError, match="no noise file"):
        load_noise(str(tmp_path / "missing.toml"))
