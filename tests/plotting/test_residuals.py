"""Residual figure: blocks named by the layout of the data vector."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bayesjoint.data import MTData, RFData  # noqa: E402
from bayesjoint.plotting.residuals import plot_residuals  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _mt_rho_phase():
    period = np.logspace(0, 3, 6)
    rho = np.full(6, 100.0)
    phase = np.linspace(40.0, 50.0, 6)
    return MTData.from_rho_phase(period, rho, phase, log10_rho_a_std=np.full(6, 0.013),
                                 phase_std_deg=np.linspace(0.5, 1.5, 6))


def test_residuals_are_labelled_by_the_layout_of_the_data():
    d = _mt_rho_phase()
    ax = plot_residuals(d.observed(), d.std(), d.observed() + d.std(), d.labels())
    assert ax.get_xlabel() == "datum: log10 rho_a (ohm m), then phase (deg)"
    assert "real" not in ax.get_xlabel()
    assert _legend_texts(ax) == ["log10 rho_a (ohm m)", "phase (deg)"]
    (first, second) = [line for line in ax.lines if line.get_linestyle() == "None"]
    np.testing.assert_array_equal(first.get_xdata(), np.arange(6))
    np.testing.assert_array_equal(second.get_xdata(), np.arange(6, 12))
    np.testing.assert_allclose(first.get_ydata(), -1.0)

    z = MTData.from_impedance(d.period_s, np.full(6, 1 + 1j), np.full(6, 0.1))
    ax = plot_residuals(z.observed(), z.std(), z.observed(), z.labels())
    assert ax.get_xlabel() == "datum: Re Z (ohm), then Im Z (ohm)"


def test_residuals_of_receiver_functions_name_the_traces():
    rf = RFData.from_traces(np.zeros((3, 20)), [0.05, 0.06, 0.07], dt_s=0.1, shift_s=0.5,
                            gauss_rad_s=2.5, std=0.01)
    ax = plot_residuals(rf.observed(), rf.std(), rf.observed(), rf.labels())
    assert ax.get_xlabel() == "datum: RF traces 0 to 2, one after another"
    with pytest.raises(ValueError, match="equal blocks"):
        plot_residuals(np.zeros(5), np.ones(5), np.zeros(5), ["a", "b"])


def test_a_single_label_is_one_block():
    rf = RFData.from_traces(np.zeros(20), 0.05, dt_s=0.1, shift_s=0.5, gauss_rad_s=2.5, std=0.01)
    ax = plot_residuals(rf.observed(), rf.std(), rf.observed(), "rf_0")
    assert ax.get_xlabel() == "datum: RF trace 0"
    assert _legend_texts(ax) == ["RF trace 0"]
