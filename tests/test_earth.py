import jax
import jax.numpy as jnp
import numpy as np
import pytest

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.earth import LayeredEarth
from bayesjoint.physics import mt


def test_from_layers_pads_and_projects():
    m = LayeredEarth.from_layers([0, 10, 50], [0.01, 1.0, 0.001], k_max=6)
    assert m.k_max == 6 and int(m.n_layers) == 3
    grid = np.array([0.0, 5.0, 10.0, 20.0, 50.0, 60.0, 1e4])
    np.testing.assert_allclose(m.on_depth_grid(grid), [-2, -2, 0, 0, -3, -3, -3])


def test_padded_stack_has_the_response_of_the_unpadded_model():
    period = np.logspace(-2, 4, 13)
    top, sig = [0, 10, 50], [0.01, 1.0, 0.001]
    plain = LayeredEarth.from_layers(top, sig)
    padded = LayeredEarth.from_layers(top, sig, k_max=9)
    z0 = mt.impedance(period, *plain.sigma_stack())
    z1 = mt.impedance(period, *padded.sigma_stack())
    np.testing.assert_allclose(z1, z0, rtol=1e-14)


def test_stack_thickness_and_order():
    m = LayeredEarth.from_layers([0, 10, 50], [0.01, 1.0, 0.001], k_max=5)
    thick, order = m.layer_stack()
    np.testing.assert_allclose(thick, [0, 0, 10, 40])
    np.testing.assert_array_equal(order, [0, 0, 0, 1, 2])


def test_projection_batches_over_models():
    a = LayeredEarth.from_layers([0, 10], [0.1, 1.0], k_max=4)
    b = LayeredEarth.from_layers([0, 20, 30, 40], [1.0, 0.1, 0.01, 0.001], k_max=4)
    batch = jax.tree_util.tree_map(lambda x, y: jnp.stack([x, y]), a, b)
    vals = batch.on_depth_grid(np.array([5.0, 25.0, 45.0]))
    np.testing.assert_allclose(vals, [[-1, 0, 0], [0, -1, -3]])


@pytest.mark.parametrize("top, sig, match", [
    ([1, 10], [0.1, 0.1], "must start at 0 km"),
    ([0, 10, 10], [0.1, 0.1, 0.1], "increase strictly"),
    ([0, 20, 10], [0.1, 0.1, 0.1], "increase strictly"),
    ([0, 10], [0.1, 0.0], r"sigma_s_per_m\[1\] = 0.0"),
    ([0, 10], [0.1, -1.0], "must be finite and > 0"),
    ([0, 10], [0.1], "same length"),
])
def test_bad_layers(top, sig, match):
    with pytest.raises(ValueError, match=match):
        LayeredEarth.from_layers(top, sig)
