"""Validation of the reference Earth models (bayesjoint.physics.reference)."""

import sys

import numpy as np
import pytest

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.physics import reference, rf

pytest.importorskip("obspy")


@pytest.mark.parametrize("name,jumps", [
    ("ak135", [20.0, 35.0, 210.0, 410.0, 660.0]),
    ("iasp91", [20.0, 35.0, 210.0, 410.0, 660.0]),
    ("prem", [15.0, 24.4, 220.0, 400.0, 600.0, 670.0]),
])
def test_discontinuities_are_layer_boundaries(name, jumps):
    top, vp, vs, rho = reference.reference_layers(name, 800.0, 10.0)
    assert top[0] == 0.0 and top[-1] == 800.0
    assert np.all(np.diff(top) > 0) and np.all(np.diff(top) <= 10.0 + 1e-9)
    assert np.all(vs > 0) and np.all(vp > vs) and np.all(rho > 0)
    depth, tvp, tvs, _ = reference.read_reference_table(name)
    for z in jumps:
        assert np.any(np.isclose(top, z)), z
        i = int(np.flatnonzero(np.isclose(top, z))[0])
        rows = np.flatnonzero(depth == z)
        # The layers on either side bracket the table's jump.
        assert vp[i] > vp[i - 1] or np.isclose(tvp[rows[0]], tvp[rows[-1]])


def test_layer_averages_preserve_depth_integrals():
    top, vp, vs, rho = reference.reference_layers("ak135", 800.0, 7.0)
    depth, tvp, tvs, trho = reference.read_reference_table("ak135")
    h = np.diff(top)
    keep = depth < 800.0
    z = np.append(depth[keep], 800.0)
    for layered, table in ((vp, tvp), (vs, tvs), (rho, trho)):
        # The table is piecewise linear: trapezoids integrate it exactly.
        v = np.append(table[keep], np.interp(800.0, depth, table))
        exact = np.sum(0.5 * (v[1:] + v[:-1]) * np.diff(z))
        np.testing.assert_allclose(np.sum(h * layered[:-1]), exact, rtol=1e-12)
    # Half-space: the values just below 800 km.
    np.testing.assert_allclose(vp[-1], np.interp(800.0, depth, tvp))


def test_prem_ocean_replaced_by_crust():
    depth, vp, vs, rho = reference.read_reference_table("prem")
    assert depth[0] == 0.0 and np.all(vs[depth < 2800.0] > 0)
    assert vs[0] == 3.2  # PREM's upper crust


def test_errors():
    with pytest.raises(ValueError):
        reference.read_reference_table("jb2000")


def test_missing_obspy_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "obspy.taup", None)
    monkeypatch.setitem(sys.modules, "obspy", None)
    with pytest.raises(ImportError, match=r"bayesjoint\[seismic\]"):
        reference.read_reference_table("ak135")


def test_insert_discontinuity_exact_jump_and_local():
    top, vp, vs, rho = reference.reference_layers("ak135", 800.0, 10.0)
    new = reference.insert_discontinuity(top, vp, vs, rho, 305.0, dvp_km_s=0.2,
                                         dvs_km_s=0.15, drho_g_cm3=0.05, taper_km=40.0)
    ntop, nvp, nvs, nrho = new
    assert ntop.size == top.size + 1
    i = int(np.flatnonzero(ntop == 305.0)[0])
    for old, x, d in ((vp, nvp, 0.2), (vs, nvs, 0.15), (rho, nrho, 0.05)):
        j = np.searchsorted(top, ntop, side="right") - 1  # old layer of each new layer
        jump_before = old[j[i]] - old[j[i - 1]]  # zero: 305 km lay inside a layer
        np.testing.assert_allclose(x[i] - x[i - 1] - jump_before, d, rtol=1e-12)
        far = np.abs(ntop - 305.0) > 50.0
        np.testing.assert_array_equal(x[far], old[j][far])
    # At an existing boundary no layer is added.
    again = reference.insert_discontinuity(top, vp, vs, rho, 300.0, dvs_km_s=0.1)
    assert again[0].size == top.size


def test_removed_410_loses_its_conversion():
    top, vp, vs, rho = reference.reference_layers("ak135", 800.0, 5.0)
    stop, svp, svs, srho = reference.remove_discontinuity(top, vp, vs, rho, 410.0,
                                                          half_width_km=50.0)
    i = int(np.flatnonzero(top == 410.0)[0])
    assert vs[i] - vs[i - 1] > 0.2 and svs[i] - svs[i - 1] < 0.03
    assert np.all(np.abs(np.diff(svs[(top > 350) & (top < 470)])) < 0.03)
    # Receiver functions at 60 degrees: P410s about 44.3 s after P.
    dt, npts, shift, p = 0.1, 1024, 5.0, 0.0613
    t = np.asarray(rf.time_axis_s(dt, npts, shift))
    win = np.abs(t - 44.3) < 2.0
    amp = []
    for model in ((top, vp, vs, rho), (stop, svp, svs, srho)):
        r = np.asarray(rf.receiver_function(np.diff(model[0]), *model[1:], p, 1.0, dt, npts,
                                            shift))
        amp.append(np.max(r[win]))
    assert amp[0] > 0.03 and amp[1] < 0.4 * amp[0], amp
