"""Data-fit figures: per-term Sq series, visible error bars (axes content, not pixels)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402

from bayesjoint.data import MTData, SqData  # noqa: E402
from bayesjoint.plotting.datafit import plot_fit  # noqa: E402

DAY_S = 86400.0


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _envelope(data, spread=0.1):
    obs = data.observed()
    return np.stack([obs - spread, obs, obs + spread])


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _errorbars(ax):
    return [c for c in ax.containers if isinstance(c, ErrorbarContainer)]


def _median_lines(ax):
    """Lines drawn with the median marker that belong to no error bar (not caps)."""
    in_bars = {id(line) for bar in _errorbars(ax) for line in (bar.lines[0], *bar.lines[1])}
    return [line for line in ax.lines
            if line.get_marker() == "_" and id(line) not in in_bars]


# Three Sq terms: (2, 1) at two periods, (3, 2) at two periods, one shared
# with (2, 1), and (4, 3) at a single period.
SQ_PERIOD_S = DAY_S / np.array([1.0, 2.0, 1.0, 3.0, 2.0])
SQ_N = np.array([2, 2, 3, 3, 4])
SQ_M = np.array([1, 1, 2, 2, 3])


def _sq():
    t = np.array([1 + 1j, 0.8 + 0.9j, -1 + 0.5j, -0.7 + 0.4j, 0.3 - 1j])
    return SqData.from_transfer_function(SQ_PERIOD_S, SQ_N, SQ_M, t, np.full(5, 0.1),
                                         colat_deg=57.923, lon_deg=249.167)


def test_sq_fit_draws_each_term_as_its_own_labelled_series():
    d = _sq()
    axes = plot_fit(d, _envelope(d))
    terms = ["(n, m) = (2, 1)", "(n, m) = (3, 2)", "(n, m) = (4, 3)"]
    assert [t for t in _legend_texts(axes[0]) if t.startswith("(n, m)")] == terms
    for ax in axes:
        bars = _errorbars(ax)
        assert [b.get_label() for b in bars] == terms
        for bar, (n, m) in zip(bars, [(2, 1), (3, 2), (4, 3)]):
            x_obs = bar.lines[0].get_xdata()
            np.testing.assert_allclose(np.sort(x_obs),
                                       np.sort(SQ_PERIOD_S[(SQ_N == n) & (SQ_M == m)]))
        # One median line per term, through that term's periods only: none joins terms.
        medians = _median_lines(ax)
        assert len(medians) == 3
        for line, (n, m) in zip(medians, [(2, 1), (3, 2), (4, 3)]):
            np.testing.assert_allclose(line.get_xdata(),
                                       np.sort(SQ_PERIOD_S[(SQ_N == n) & (SQ_M == m)]))


def test_sq_median_lines_take_each_terms_own_predictions():
    d = _sq()
    env = np.stack([np.arange(10.0) - 0.5, np.arange(10.0), np.arange(10.0) + 0.5])
    axes = plot_fit(d, env)
    # Re T is datum 0..4, Im T 5..9; within a term the periods ascend:
    # (2, 1) holds data 1 (12 h) and 0 (24 h), (3, 2) data 3 (8 h) and 2, (4, 3) datum 4.
    for ax, offset in zip(axes, (0, 5)):
        medians = [line.get_ydata() for line in _median_lines(ax)]
        expected = [[1, 0], [3, 2], [4]]
        assert len(medians) == len(expected)
        for y, e in zip(medians, expected):
            np.testing.assert_allclose(y, np.asarray(e) + offset)


def _mt_rho_phase():
    period = np.logspace(0, 3, 6)
    rho = np.full(6, 100.0)
    phase = np.linspace(40.0, 50.0, 6)
    return MTData.from_rho_phase(period, rho, phase, log10_rho_a_std=np.full(6, 0.013),
                                 phase_std_deg=np.linspace(0.5, 1.5, 6))


def test_mt_error_bars_have_caps_and_the_data_std():
    d = _mt_rho_phase()
    axes = plot_fit(d, _envelope(d))
    for ax, std in zip(axes, (d.log10_rho_a_std, d.phase_std_deg)):
        (bar,) = _errorbars(ax)
        _, caps, (bar_lines,) = bar.lines
        assert len(caps) == 2  # lower and upper caps
        assert caps[0].get_markersize() >= 5
        heights = [seg[1, 1] - seg[0, 1] for seg in bar_lines.get_segments()]
        np.testing.assert_allclose(heights, 2.0 * std)
