"""The parameterised reference models of the X-discontinuity detector."""

import numpy as np
import pytest

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.model.xdisc_prior import (DEFAULT_BOUNDS, X_MIN_JUMP, as_params,
                                          parameter_names, prior_bounds)

pytest.importorskip("obspy")

from bayesjoint.model.xdisc_models import XdiscModel  # noqa: E402

MANTLE = {"depth_410_km": 410.0, "jump_410": 0.04, "depth_660_km": 660.0, "jump_660": 0.06}


@pytest.fixture(scope="module")
def xmodel():
    return XdiscModel.build("ak135", layer_km=10.0)


def _vs(xmodel, params):
    earth = xmodel.earth(params)
    return np.asarray(earth.vs_km_s)


def test_the_background_has_no_410_or_660(xmodel):
    top, vs = xmodel.top_depth_km, xmodel.vs_km_s
    jumps = np.abs(np.diff(vs)) / vs[:-1]
    deep = top[1:] > 300.0
    # the 4 % and 6.5 % jumps of AK135 are spread over 50 km gradients: under 2 % per layer
    assert jumps[deep].max() < 0.02


def test_a_jump_at_a_layer_boundary(xmodel):
    """With 10 km layers and a 50 km taper the layers beside the jump move by +-0.45 a."""
    bare = _vs(xmodel, MANTLE)
    with_x = _vs(xmodel, dict(MANTLE, depth_x_km=300.0, jump_x=0.04))
    ratio = with_x / bare - 1.0
    i = int(np.flatnonzero(np.isclose(xmodel.top_depth_km, 300.0))[0])
    np.testing.assert_allclose(ratio[[i - 1, i]], [-0.018, 0.018], rtol=1e-9)
    outside = (xmodel.top_depth_km >= 350.0) | (xmodel.top_depth_km + 10.0 <= 250.0)
    np.testing.assert_allclose(ratio[outside], 0.0, atol=1e-12)


def test_the_model_is_continuous_in_depth(xmodel):
    a = _vs(xmodel, dict(MANTLE, depth_x_km=303.0, jump_x=0.04))
    b = _vs(xmodel, dict(MANTLE, depth_x_km=303.001, jump_x=0.04))
    assert np.max(np.abs(a - b)) < 3e-5  # slope about jump * vs / layer thickness per km


def test_the_x_is_a_positive_jump_of_at_least_one_per_cent():
    lo, hi = prior_bounds("x")
    names = parameter_names("x")
    assert lo[names.index("jump_x")] == X_MIN_JUMP == 0.01
    assert (lo[names.index("depth_x_km")], hi[names.index("depth_x_km")]) == (250.0, 350.0)
    with pytest.raises(ValueError, match="positive jump of at least 1 %"):
        prior_bounds("x", {"jump_x": (-0.04, 0.06)})
    assert set(parameter_names("x")) == set(DEFAULT_BOUNDS)


def test_the_no_x_step_stays_below_an_x():
    """Both models carry the step at 250-350 km; the no-X one only below +1 % (drops too)."""
    assert parameter_names("no_x") == parameter_names("x")
    lo, hi = prior_bounds("no_x")
    j = parameter_names("no_x").index("jump_x")
    assert lo[j] < 0.0 and hi[j] == X_MIN_JUMP
    with pytest.raises(ValueError, match="below an X's smallest jump"):
        prior_bounds("no_x", {"jump_no_x": (-0.04, 0.03)})


def test_as_params_names_a_vector():
    params = as_params("no_x", np.arange(7.0))
    assert params["depth_410_km"] == 0.0 and params["log_noise_scale"] == 4.0
