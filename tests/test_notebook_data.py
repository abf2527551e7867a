"""The Kaapvaal records of notebook 04 (10 Hz, -30 to +115 s) give rf make's SA70 result."""

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("obspy")
pytest.importorskip("rf")

from bayesjoint.io.rf_make import RFSettings, make_receiver_functions  # noqa: E402
from bayesjoint.io.rf_records import read_npz_records  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ORIGINAL = ROOT / "docs" / "examples" / "kaapvaal_sa70_p_zne"
NOTEBOOK = ROOT / "notebooks" / "data" / "kaapvaal_xa1997_p_zne_10hz"


def _records(stem):
    return read_npz_records(f"{stem}.npz", f"{stem}_meta.csv")


def test_notebook_copy_holds_45_stations_at_10_hz():
    records = _records(NOTEBOOK)
    assert len(records) == 350
    assert len({r.station for r in records}) == 45
    assert {r.dt_s for r in records} == {0.1}
    assert max(r.t0_rel_p_s for r in records) <= -25.0
    assert min(r.end_rel_p_s for r in records) >= 110.0


@pytest.mark.parametrize("bins", [2, "moveout"])
def test_sa70_receiver_functions_agree_with_the_original_records(bins):
    settings = RFSettings(bins=bins)
    full = make_receiver_functions(_records(ORIGINAL), settings)
    cut = make_receiver_functions(_records(NOTEBOOK), settings, station="SA70")
    assert [(r["name"], r["status"], r["reason"], r["bin"]) for r in cut.records] == \
        [(r["name"], r["status"], r["reason"], r["bin"]) for r in full.records]
    np.testing.assert_allclose(cut.data.ray_parameter_s_km, full.data.ray_parameter_s_km)
    rms_error = np.sqrt(np.mean(full.data.rf_std ** 2, axis=1))
    # the stacks differ by less than their own standard errors (the shorter
    # record changes the taper and the filter's transients, and with them some
    # spikes of the iterative deconvolution); typically by a tenth of them
    difference = np.abs(cut.data.rf - full.data.rf)
    assert np.all(np.max(difference, axis=1) < rms_error)
    assert np.all(np.median(difference / full.data.rf_std, axis=1) < 0.2)
    np.testing.assert_allclose(np.sqrt(np.mean(cut.data.rf_std ** 2, axis=1)), rms_error,
                               rtol=0.1)


def test_mantissa_rounding_of_the_copy_is_to_nearest_and_bounded():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_kaapvaal_subset", ROOT / "tests" / "create_data" / "make_kaapvaal_subset.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    x = np.random.default_rng(0).standard_normal(10_000).astype(np.float32) * 1e-6
    r = module.round_mantissa(x, 12)
    assert r.dtype == np.float32
    assert np.all(r.view(np.uint32) & np.uint32(0x7FF) == 0)  # 11 dropped bits are zero
    assert np.max(np.abs(r - x) / np.abs(x)) <= 2.0 ** -13
    # to nearest: 1 + 2**-13 + a little rounds up, 1 + 2**-13 - a little rounds down
    ulp = 2.0 ** -12
    assert module.round_mantissa(np.float32(1 + 0.6 * ulp), 12) == np.float32(1 + ulp)
    assert module.round_mantissa(np.float32(1 + 0.4 * ulp), 12) == np.float32(1.0)
    np.testing.assert_array_equal(module.round_mantissa(x, 23), x)
    assert np.max(np.abs(_records(NOTEBOOK)[0].zne)) > 0
