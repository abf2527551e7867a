"""The figure of ``bayesjoint xdisc``."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from bayesjoint.plotting.xdisc import plot_xdisc  # noqa: E402


def test_plot_xdisc_draws_stacks_envelopes_and_profile():
    t = np.linspace(-5, 80, 50)
    obs = np.vstack([np.exp(-t**2), 0.5 * np.exp(-t**2)])
    env = np.stack([obs - 0.01, obs, obs + 0.01])
    edges = np.linspace(250, 350, 11)
    density = np.full(10, 0.009)
    fig = plot_xdisc(t, obs, np.full_like(obs, 0.01), env, np.array([0.05, 0.07]), edges,
                     density, p_x=0.9, title="ST01")
    ax_rf, ax_px = fig.axes
    assert len(ax_rf.collections) >= 2  # one envelope per stack
    assert len(ax_px.patches) == 10
    assert ax_px.get_title() == "p_x = 0.900"
    assert [tick.get_text() for tick in ax_rf.get_yticklabels()] == ["0.0500", "0.0700"]


def test_plot_xdisc_labels_the_envelope():
    t = np.linspace(-5, 80, 50)
    obs = np.exp(-t**2)[None]
    fig = plot_xdisc(t, obs, np.full_like(obs, 0.01), np.stack([obs, obs, obs]),
                     np.array([0.06]), np.linspace(250, 350, 3), np.zeros(2), p_x=0.0,
                     envelope_label="posterior draws, 5-95 %")
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "posterior draws, 5-95 %" in labels
