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
