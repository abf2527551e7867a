import numpy as np
import pytest

from bayesjoint.data import MTData

P = np.array([1.0, 10.0, 100.0])
Z = np.array([1 + 1j, 0.5 + 0.4j, 0.1 + 0.1j])


def test_impedance_layout_and_relative_error():
    d = MTData.from_impedance(P, Z, rel_error=0.05, floor_ohm=0.01)
    np.testing.assert_allclose(d.observed(), np.r_[Z.real, Z.imag])
    std = np.maximum(0.05 * np.abs(Z), 0.01)
    np.testing.assert_allclose(d.std(), np.r_[std, std])
    assert d.n_data == 6


def test_rho_phase_relative_error():
    d = MTData.from_rho_phase(P, [100, 10, 1], [45, 50, 60], rel_error=0.03)
    np.testing.assert_allclose(d.log10_rho_a_std, 0.03 / np.log(10))
    np.testing.assert_allclose(d.phase_std_deg, 0.03 * np.array([45, 50, 60]))


@pytest.mark.parametrize("kwargs, match", [
    (dict(period_s=[1, 10, np.nan]), r"period_s\[2\] = nan: values must be finite"),
    (dict(period_s=[1, 10, np.inf]), "must be finite"),
    (dict(period_s=[1, 0, 100]), r"period_s\[1\] = 0.0: values must be > 0"),
    (dict(period_s=[1, -10, 100]), "must be > 0"),
    (dict(period_s=[1, 10, 10]), "period 10.0 s more than once"),
    (dict(period_s=[1, 10]), "different lengths: period_s has 2, z_ohm has 3"),
    (dict(z_ohm=[1 + 1j, np.nan, 1j]), r"z_ohm.real\[1\] = nan"),
    (dict(z_ohm=[1 + 1j, complex(1, np.inf), 1j]), r"z_ohm.imag\[1\] = inf"),
    (dict(z_std_ohm=[0.1, 0.0, 0.1]), r"z_std_ohm\[1\] = 0.0: values must be > 0"),
    (dict(z_std_ohm=[0.1, -0.1, 0.1]), "z_std_ohm"),
])
def test_bad_impedance_input(kwargs, match):
    args = dict(period_s=P, z_ohm=Z, z_std_ohm=[0.1, 0.1, 0.1])
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        MTData.from_impedance(args["period_s"], args["z_ohm"], args["z_std_ohm"])


@pytest.mark.parametrize("kwargs, match", [
    (dict(rho=[100, 0, 1]), r"rho_a_ohm_m\[1\] = 0.0"),
    (dict(phase=[45, np.nan, 45]), r"phase_deg\[1\] = nan"),
    (dict(rel_error=0.0), "rel_error = 0.0: must be > 0"),
    (dict(rel_error=-0.1), "rel_error"),
])
def test_bad_rho_phase_input(kwargs, match):
    args = dict(rho=[100, 10, 1], phase=[45, 45, 45], rel_error=0.03)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        MTData.from_rho_phase(P, args["rho"], args["phase"], rel_error=args["rel_error"])


def test_unknown_kind():
    with pytest.raises(ValueError, match="kind = 'tipper'"):
        MTData(P, "tipper")


def test_synthetic_mt_error_models():
    """3 % of rho_a gives log10 std 0.03 / ln 10 everywhere; 3 % of |log10 rho_a|
    (Yao et al. 2023) follows the value; both give 3 % of the phase."""
    import numpy as np

    from bayesjoint.datasets import reference_experiment

    a = reference_experiment(seed=2).mt
    b = reference_experiment(seed=2, mt_error_model="log10_rho_a").mt
    np.testing.assert_allclose(a.log10_rho_a_std, 0.03 / np.log(10.0))
    clean = reference_experiment(seed=2, rel_error=1e-12).mt
    np.testing.assert_allclose(b.log10_rho_a_std, 0.03 * np.abs(clean.log10_rho_a), rtol=1e-6)
    np.testing.assert_allclose(b.phase_std_deg, a.phase_std_deg)
    from bayesjoint.datasets import reference_model, synthetic_mt

    with pytest.raises(ValueError, match="error_model = 'x'"):
        synthetic_mt(reference_model(), [1.0], error_model="x")
