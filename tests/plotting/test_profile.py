"""Depth axes of the profile and interface-probability panels."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bayesjoint.plotting.profile import (AUTO_SPLIT_BELOW_KM, SPLIT_DEPTH_KM,  # noqa: E402
                                         plot_depth_profile, plot_interface_probability)
from bayesjoint.summaries.posterior import profile_summary  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _profile(depth_max_km):
    depth = np.linspace(0.0, depth_max_km, 101)
    values = np.random.default_rng(0).normal(-2.0, 0.3, size=(2, 30, depth.size))
    return profile_summary(values, depth, np.linspace(-4.0, 2.0, 31))


def _axes_fraction(ax, depth_km):
    """Height of a depth in axes coordinates (0 bottom, 1 top)."""
    _, y = ax.transAxes.inverted().transform(ax.transData.transform((0.0, depth_km)))
    return y


def test_deep_profiles_get_a_split_depth_axis_by_default():
    deep = _profile(2000.0)
    ax = plot_depth_profile(deep)
    assert ax.get_yscale() == "function"
    assert ax.get_ylim() == (2000.0, 0.0)
    # The upper half of the panel shows 0 to SPLIT_DEPTH_KM, the lower half the rest.
    assert _axes_fraction(ax, 0.0) == pytest.approx(1.0)
    assert _axes_fraction(ax, SPLIT_DEPTH_KM) == pytest.approx(0.5)
    assert _axes_fraction(ax, 2000.0) == pytest.approx(0.0)
    assert _axes_fraction(ax, 200.0) == pytest.approx(0.75)
    assert any(np.allclose(line.get_ydata(), SPLIT_DEPTH_KM) for line in ax.lines)
    assert "400 km" in ax.get_ylabel()
    ticks = ax.get_yticks()
    assert np.sum(ticks < SPLIT_DEPTH_KM) >= 2 and np.sum(ticks > SPLIT_DEPTH_KM) >= 2

    shallow = _profile(AUTO_SPLIT_BELOW_KM)
    ax = plot_depth_profile(shallow)
    assert ax.get_yscale() == "linear"
    assert ax.get_ylabel() == "depth (km)"
    assert _axes_fraction(ax, 200.0) == pytest.approx(1.0 - 200.0 / AUTO_SPLIT_BELOW_KM)


def test_depth_axis_can_be_chosen():
    deep = _profile(2000.0)
    ax = plot_depth_profile(deep, depth_axis="linear")
    assert ax.get_yscale() == "linear" and ax.get_ylim() == (2000.0, 0.0)
    ax = plot_depth_profile(deep, depth_axis="log")
    assert ax.get_yscale() == "log"
    assert ax.get_ylim() == (2000.0, 20.0)  # the shallowest positive grid depth
    ax = plot_depth_profile(deep, depth_axis="split", split_depth_km=300.0)
    assert _axes_fraction(ax, 300.0) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="depth_axis"):
        plot_depth_profile(deep, depth_axis="logarithmic")


def test_interface_probability_shares_the_profile_depth_scale():
    deep = _profile(2000.0)
    depth = deep["depth_km"].values
    edges = np.concatenate([[depth[0]], 0.5 * (depth[1:] + depth[:-1]), [depth[-1]]])
    fig, (ax_p, ax_i) = plt.subplots(1, 2)
    plot_depth_profile(deep, ax=ax_p)
    plot_interface_probability(edges, np.full(depth.size, 0.1), ax=ax_i)
    assert ax_i.get_yscale() == "function"
    for z in (50.0, 400.0, 1500.0):
        assert _axes_fraction(ax_i, z) == pytest.approx(_axes_fraction(ax_p, z))
    ax = plot_interface_probability(edges, np.full(depth.size, 0.1), depth_axis="log")
    assert ax.get_yscale() == "log"
