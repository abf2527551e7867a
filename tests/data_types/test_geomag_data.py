"""Dst and Sq containers, their CSV files and data-fit plots."""

from dataclasses import fields

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import bayesjoint  # noqa: E402, F401  (float64)
from bayesjoint.data import DstData, SqData  # noqa: E402
from bayesjoint.io.datasets import load_dataset  # noqa: E402
from bayesjoint.io.geomag_files import (read_dst_csv, read_sq_csv, write_dst_csv,  # noqa: E402
                                        write_sq_csv)
from bayesjoint.plotting.datafit import plot_fit  # noqa: E402

DAY_S = 86400.0
P3 = DAY_S * np.array([2.0, 10.0, 50.0])
Q3 = np.array([0.36 + 0.04j, 0.30 + 0.06j, 0.22 + 0.07j])


def _sq(**kw):
    args = {"period_s": DAY_S / np.arange(1, 4), "degree": [2, 3, 4], "order": [1, 2, 3],
            "transfer_function": np.array([1 + 1j, -1 + 0.5j, 0.3 - 1j]),
            "transfer_function_std": [0.1, 0.1, 0.1],
            "colat_deg": 57.923, "lon_deg": 249.167}
    args.update(kw)
    return SqData.from_transfer_function(args.pop("period_s"), args.pop("degree"),
                                         args.pop("order"), args.pop("transfer_function"),
                                         args.pop("transfer_function_std"),
                                         **args)


def _assert_same(a, b):
    for f in fields(a):
        if f.compare:
            np.testing.assert_array_equal(getattr(a, f.name), getattr(b, f.name), err_msg=f.name)


def test_dst_q_views_and_relative_error():
    d = DstData.from_q(P3, Q3, rel_error=0.03, floor=0.005)
    assert d.kind == "q" and d.degree == 1 and d.shell_law == "quadratic"
    assert d.core_depth_km == 2890.0 and d.core_sigma_s_per_m == 5e5
    assert d.n_data == 6
    np.testing.assert_array_equal(d.observed(), np.r_[Q3.real, Q3.imag])
    np.testing.assert_allclose(d.std()[:3], np.maximum(0.03 * np.abs(Q3), 0.005))
    np.testing.assert_array_equal(d.std()[:3], d.std()[3:])
    assert d.labels() == ("q_re", "q_im")


def test_dst_c_views():
    c = np.array([900 - 300j, 1100 - 250j])
    d = DstData.from_c(P3[:2], c, floor_km=50.0, name="cresp")
    assert d.kind == "c" and d.name == "cresp" and d.labels() == ("c_re_km", "c_im_km")
    np.testing.assert_array_equal(d.std(), np.full(4, 50.0))


@pytest.mark.parametrize("kwargs, message", [
    ({"period_s": -P3}, "period_s[0] = "),
    ({"period_s": np.array([1800.0, 3e5, 4e5])}, "1 hour"),
    ({"period_s": np.array([3e5, 3e5, 4e5])}, "more than once"),
    ({"period_s": P3 * 1e3}, "1 year"),
    ({"q": np.array([np.nan, 0.3, 0.2])}, "q.real[0] = nan"),
    ({"q": np.array([0.3, complex(0.3, np.inf), 0.2])}, "q.imag[1] = inf"),
    ({"q_std": np.array([0.01, 0.0, 0.01])}, "q_std[1] = 0.0"),
    ({"q_std": np.array([0.01, 0.01])}, "different lengths"),
    ({"degree": 0}, "degree = 0"),
    ({"degree": 13}, "1 <= n <= 12"),
    ({"shell_law": "linear"}, "shell_law = 'linear'"),
    ({"core_depth_km": 7000.0}, "core_depth_km = 7000.0"),
    ({"core_sigma_s_per_m": -1.0}, "core_sigma_s_per_m = -1.0"),
])
def test_dst_bad_input(kwargs, message):
    args = {"period_s": P3, "q": Q3, "q_std": np.full(3, 0.01)}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        DstData.from_q(args.pop("period_s"), args.pop("q"), args.pop("q_std"), **args)


def test_dst_needs_std_or_error_and_kind():
    with pytest.raises(ValueError, match="give q_std, or rel_error"):
        DstData.from_q(P3, Q3)
    with pytest.raises(ValueError, match="kind = 'z'"):
        DstData(P3, "z", q=Q3, q_std=np.ones(3))


def test_sq_views():
    d = _sq(transfer_function_std=None, rel_error=0.03)
    assert d.n_data == 6 and d.labels() == ("t_re", "t_im")
    np.testing.assert_allclose(d.std()[:3], 0.03 * np.abs(d.transfer_function))
    np.testing.assert_array_equal(d.degree, [2, 3, 4])
    assert d.degree.dtype.kind == "i"


def test_sq_scalar_term_applies_to_all_periods():
    d = _sq(degree=3, order=-2)
    np.testing.assert_array_equal(d.order, [-2, -2, -2])


@pytest.mark.parametrize("kwargs, message", [
    ({"period_s": np.array([DAY_S, -1.0, DAY_S / 3])}, r"period_s\[1\] = -1.0"),
    ({"period_s": np.array([DAY_S, 600.0, DAY_S / 3])}, r"outside the stable range.*1 hour"),
    ({"colat_deg": 0.0}, r"colat_deg = 0.0: colatitude must lie in \(0, 180\)"),
    ({"colat_deg": 181.0}, "colat_deg = 181.0"),
    ({"order": [1, 4, 3]}, r"m\[1\] = 4 with n = 3: order must satisfy \|m\| <= n"),
    ({"order": [1, -4, 3]}, r"m\[1\] = -4"),
    ({"degree": [0, 3, 4], "order": [0, 1, 1]}, r"n\[0\] = 0: degree must satisfy 1 <= n"),
    ({"degree": [2.5, 3, 4]}, r"n\[0\] = 2.5: must be an integer"),
    ({"transfer_function": np.array([1.0, np.nan, 2.0])}, r"transfer_function.real\[1\] = nan"),
    ({"transfer_function_std": [0.1, -0.1, 0.1]}, r"transfer_function_std\[1\] = -0.1"),
    ({"transfer_function_std": [0.1, 0.1]}, "different lengths"),
    ({"transfer_function": np.ones(2)}, "different lengths"),
    ({"lon_deg": np.inf}, "lon_deg = inf"),
    ({"period_s": np.full(3, DAY_S), "degree": 2, "order": 1}, "appears more than once"),
])
def test_sq_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _sq(**kwargs)


def test_dst_csv_round_trip(tmp_path):
    for d in (DstData.from_q(P3, Q3, rel_error=0.03, name="x"),
              DstData.from_c(P3, 800 - 200j * np.arange(1, 4), rel_error=0.05, name="x")):
        path = tmp_path / "dst.csv"
        write_dst_csv(path, d)
        _assert_same(read_dst_csv(path, name="x"), d)


def test_dst_csv_columns_any_order_and_settings(tmp_path):
    path = tmp_path / "dst.csv"
    path.write_text("q_std,q_im,period_s,q_re\n0.01,0.05,172800,0.3\n0.01,0.06,345600,0.28\n")
    d = read_dst_csv(path, degree=2, shell_law="constant", core_depth_km=2800.0)
    assert d.name == "dst" and d.degree == 2 and d.shell_law == "constant"
    np.testing.assert_array_equal(d.q, [0.3 + 0.05j, 0.28 + 0.06j])


def test_dst_csv_unknown_column(tmp_path):
    path = tmp_path / "dst.csv"
    path.write_text("period_s,q_re,q_im,q_err\n172800,0.3,0.05,0.01\n")
    with pytest.raises(ValueError, match=r"unknown column 'q_err'; allowed column sets: "
                                         r"period_s, q_re, q_im, q_std; period_s, c_re_km"):
        read_dst_csv(path)


def test_dst_csv_bad_value_names_file(tmp_path):
    path = tmp_path / "dst.csv"
    path.write_text("period_s,q_re,q_im,q_std\n60,0.3,0.05,0.01\n")
    with pytest.raises(ValueError, match=r"dst.csv: period_s\[0\] = 60.0 s: outside"):
        read_dst_csv(path)


def test_sq_csv_round_trip(tmp_path):
    d = _sq(order=[-1, 2, 3], name="tuc")
    path = tmp_path / "sq.csv"
    write_sq_csv(path, d)
    _assert_same(read_sq_csv(path, colat_deg=57.923, lon_deg=249.167, name="tuc"), d)


def test_sq_csv_unknown_column_and_bad_term(tmp_path):
    path = tmp_path / "sq.csv"
    path.write_text("period_s,n,m,t_re,t_im,t_std,weight\n86400,2,1,1,1,0.1,1\n")
    with pytest.raises(ValueError, match=r"unknown column 'weight'; allowed column sets: "
                                         r"period_s, n, m, t_re, t_im, t_std"):
        read_sq_csv(path, colat_deg=50.0, lon_deg=0.0)
    path.write_text("period_s,n,m,t_re,t_im,t_std\n86400,2,3,1,1,0.1\n")
    with pytest.raises(ValueError, match=r"sq.csv: m\[0\] = 3 with n = 2"):
        read_sq_csv(path, colat_deg=50.0, lon_deg=0.0)


def test_config_loaders(tmp_path):
    write_dst_csv(tmp_path / "dst.csv", DstData.from_q(P3, Q3, rel_error=0.03))
    write_sq_csv(tmp_path / "sq.csv", _sq())
    dst = load_dataset({"type": "dst", "file": str(tmp_path / "dst.csv"), "name": "d",
                        "core_depth_km": 2800.0})
    assert isinstance(dst, DstData) and dst.name == "d" and dst.core_depth_km == 2800.0
    sq = load_dataset({"type": "sq", "file": str(tmp_path / "sq.csv"), "name": "s",
                       "colat_deg": 57.923, "lon_deg": 249.167, "shell_law": "constant"})
    assert isinstance(sq, SqData) and sq.shell_law == "constant"
    with pytest.raises(ValueError, match="missing key 'colat_deg'"):
        load_dataset({"type": "sq", "file": str(tmp_path / "sq.csv"), "name": "s",
                      "lon_deg": 249.167})


def test_fit_plots_draw_both_parts():
    for d in (DstData.from_q(P3, Q3, rel_error=0.03), _sq()):
        obs = d.observed()
        env = np.stack([obs - 0.1, obs, obs + 0.1])
        axes = plot_fit(d, env)
        assert len(axes) == 2
        assert axes[0].get_xscale() == "log"
        assert axes[1].get_ylabel() in ("Im Q", "Im T")
        plt.close("all")
