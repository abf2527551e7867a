"""Unit tests of the reversible-jump moves: fixed-shape edits, sortedness, ratios."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.earth import LayeredEarth
from bayesjoint.samplers import moves as mv

DEPTH_MAX = 100.0
LO, HI = -4.0, 2.0


def params(birth_std=None, k_min=1, k_max=5, p_birth=0.2, p_death=0.3):
    return mv.MoveParams(k_min=k_min, k_max=k_max, depth_max_km=DEPTH_MAX,
                         value_lo={"log10_sigma": LO}, value_hi={"log10_sigma": HI},
                         p_birth=p_birth, p_death=p_death, interface_std_km=5.0,
                         value_std={"log10_sigma": 0.3}, noise_log_std=0.2,
                         birth_std=None if birth_std is None else {"log10_sigma": birth_std})


SEISMIC_BOUNDS = {"log10_sigma": (LO, HI), "vs_km_s": (2.0, 5.0), "vp_vs": (1.6, 2.0)}


def seismic_params(birth_std=None, split=False):
    """Move parameters of a model carrying log10 sigma, Vs and Vp/Vs."""
    return mv.MoveParams(birth_split=split,
        k_min=1, k_max=5, depth_max_km=DEPTH_MAX,
        value_lo={f: b[0] for f, b in SEISMIC_BOUNDS.items()},
        value_hi={f: b[1] for f, b in SEISMIC_BOUNDS.items()}, p_birth=0.2, p_death=0.3,
        interface_std_km=5.0, value_std={"log10_sigma": 0.3, "vs_km_s": 0.2, "vp_vs": 0.05},
        noise_log_std=0.2,
        birth_std=None if birth_std is None else {f: birth_std for f in SEISMIC_BOUNDS})


def position(tops, values, k_max=5, noise=(1.0,)):
    earth = LayeredEarth.from_layers(tops, log10_sigma=values, k_max=k_max)
    return mv.Position(earth, jnp.asarray(noise))


def keys(n, seed=0):
    return jax.random.split(jax.random.PRNGKey(seed), n)


def test_insert_and_remove_match_numpy():
    a = jnp.arange(6.0)
    for i in range(6):
        np.testing.assert_array_equal(mv.insert_at(a, i, -1.0),
                                      np.insert(np.arange(6.0), i, -1.0)[:6])
        np.testing.assert_array_equal(mv.remove_at(a, i),
                                      np.append(np.delete(np.arange(6.0), i), 5.0))


@pytest.mark.parametrize("birth_std", [None, 0.4])
def test_birth_keeps_interfaces_sorted_and_inserts_one_layer(birth_std):
    pos = position([0.0, 20.0, 50.0], [-1.0, -2.0, 0.0])
    p = params(birth_std)
    new, log_q, _ = jax.vmap(lambda k: mv.birth(k, pos, p))(keys(500))
    k = np.asarray(new.earth.n_layers)
    assert np.all(k == 4)
    z = np.asarray(new.earth.interface_depth_km)[:, :3]
    assert np.all(np.diff(z, axis=1) > 0)
    v = np.asarray(new.earth.log10_sigma)[:, :4]
    for zi, vi in zip(z, v):
        # removing the new interface and the value below it recovers the old model
        new_idx = int(np.flatnonzero(~np.isin(zi, [20.0, 50.0]))[0])
        np.testing.assert_array_equal(np.delete(zi, new_idx), [20.0, 50.0])
        np.testing.assert_array_equal(np.delete(vi, new_idx + 1), [-1.0, -2.0, 0.0])
    if birth_std is None:
        expected = (np.log(p.p_death / p.p_birth) + np.log(DEPTH_MAX) - np.log(3)
                    + np.log(HI - LO))
        np.testing.assert_allclose(log_q, expected)


def test_birth_at_k_max_and_death_at_k_min_are_impossible():
    full = position([0.0, 10.0, 20.0], [0.0, 0.0, 0.0], k_max=3)
    new, log_q, _ = mv.birth(keys(1)[0], full, params(k_max=3))
    assert log_q == -np.inf
    assert int(new.earth.n_layers) == 3
    low = position([0.0, 10.0], [0.0, 0.0])
    _, log_q, _ = mv.death(keys(1)[0], low, params(k_min=2))
    assert log_q == -np.inf
    single = position([0.0], [0.0])
    _, log_q, _ = mv.death(keys(1)[0], single, params(k_min=1))
    assert log_q == -np.inf
    _, log_q, _ = mv.move_interface(keys(1)[0], single, params())
    assert log_q == -np.inf


@pytest.mark.parametrize("birth_std", [None, 0.4])
def test_death_reverses_birth_with_opposite_log_ratio(birth_std):
    pos = position([0.0, 30.0], [-1.0, 0.5])
    p = params(birth_std)
    born, log_q_birth, _ = jax.vmap(lambda k: mv.birth(k, pos, p))(keys(40, 1))
    checked = 0
    for b in range(40):
        one = jax.tree.map(lambda x: x[b], born)
        dead, log_q_death, _ = jax.vmap(lambda k: mv.death(k, one, p))(keys(30, 2 + b))
        same = np.all(np.asarray(dead.earth.interface_depth_km)[:, :1] == 30.0, axis=1) & \
            np.all(np.asarray(dead.earth.log10_sigma)[:, :2] == [-1.0, 0.5], axis=1)
        assert same.any()
        np.testing.assert_allclose(np.asarray(log_q_death)[same], -float(log_q_birth[b]))
        checked += 1
    assert checked == 40


@pytest.mark.parametrize("birth_std", [None, 0.1])
def test_seismic_birth_and_death_act_on_every_property(birth_std):
    earth = LayeredEarth.from_layers([0.0, 30.0], log10_sigma=[-1.0, 0.5], vs_km_s=[3.5, 4.5],
                                     vp_vs=[1.75, 1.8], k_max=5)
    pos = mv.Position(earth, jnp.ones(1))
    p = seismic_params(birth_std)
    born, log_q_birth, _ = jax.vmap(lambda k: mv.birth(k, pos, p))(keys(40, 3))
    for field in SEISMIC_BOUNDS:
        v = np.asarray(getattr(born.earth, field))[:, :3]
        old = np.asarray(getattr(earth, field))[:2]
        new_idx = np.argmax(np.asarray(born.earth.interface_depth_km)[:, :2] != 30.0, axis=1) + 1
        kept = np.array([np.delete(row, i) for row, i in zip(v, new_idx)])
        np.testing.assert_array_equal(kept, np.broadcast_to(old, kept.shape))
    if birth_std is None:
        widths = sum(np.log(hi - lo) for lo, hi in SEISMIC_BOUNDS.values())
        np.testing.assert_allclose(log_q_birth, np.log(p.p_death / p.p_birth)
                                   + np.log(DEPTH_MAX) - np.log(2) + widths)
    for b in range(40):
        one = jax.tree.map(lambda x: x[b], born)
        dead, log_q_death, _ = jax.vmap(lambda k: mv.death(k, one, p))(keys(30, 50 + b))
        same = np.asarray(dead.earth.interface_depth_km)[:, 0] == 30.0
        for field in SEISMIC_BOUNDS:
            same &= np.all(np.asarray(getattr(dead.earth, field))[:, :2]
                           == np.asarray(getattr(earth, field))[:2], axis=1)
        assert same.any()
        np.testing.assert_allclose(np.asarray(log_q_death)[same], -float(log_q_birth[b]))


def test_death_removes_one_interface_and_keeps_order():
    pos = position([0.0, 10.0, 30.0, 60.0], [0.0, 1.0, -1.0, -2.0])
    new, _, _ = jax.vmap(lambda k: mv.death(k, pos, params()))(keys(200))
    assert np.all(np.asarray(new.earth.n_layers) == 3)
    z = np.asarray(new.earth.interface_depth_km)[:, :2]
    assert np.all(np.diff(z, axis=1) > 0)
    removed = {tuple(row) for row in z}
    assert removed == {(30.0, 60.0), (10.0, 60.0), (10.0, 30.0)}


def test_move_and_perturb_are_symmetric_and_change_one_entry():
    pos = position([0.0, 10.0, 30.0], [0.0, 1.0, -1.0])
    new, log_q, _ = jax.vmap(lambda k: mv.move_interface(k, pos, params()))(keys(100))
    assert np.all(log_q == 0.0)
    changed = np.asarray(new.earth.interface_depth_km)[:, :2] != [10.0, 30.0]
    assert np.all(changed.sum(1) == 1)
    new, log_q, _ = jax.vmap(lambda k: mv.perturb_value(k, pos, params()))(keys(100))
    assert np.all(log_q == 0.0)
    changed = np.asarray(new.earth.log10_sigma)[:, :3] != [0.0, 1.0, -1.0]
    assert np.all(changed.sum(1) == 1)
    assert np.isnan(np.asarray(new.earth.log10_sigma)[:, 3:]).all()  # inactive: still NaN


def test_perturb_acts_on_any_per_layer_field():
    earth = LayeredEarth.from_layers([0.0, 10.0], log10_sigma=[0.0, 1.0], vs_km_s=[3.0, 4.0],
                                     k_max=4)
    pos = mv.Position(earth, jnp.ones(1))
    new, _, _ = mv.perturb_value(keys(1)[0], pos, seismic_params(), field="vs_km_s")
    np.testing.assert_array_equal(new.earth.log10_sigma, earth.log10_sigma)
    a, b = np.asarray(new.earth.vs_km_s), np.asarray(earth.vs_km_s)
    assert np.sum(~((a == b) | (np.isnan(a) & np.isnan(b)))) == 1  # inactive slots NaN in both


def test_noise_ratio_is_log_jacobian():
    pos = position([0.0], [0.0], noise=(1.0, 2.0))
    new, log_q, _ = jax.vmap(lambda k: mv.update_noise(k, pos, params()))(keys(50))
    s = np.asarray(new.noise_scale)
    assert np.all(np.sum(s != [1.0, 2.0], axis=1) == 1)
    np.testing.assert_allclose(log_q, np.sum(np.log(s) - np.log([1.0, 2.0]), axis=1))


@pytest.mark.parametrize("tops", [[0.0, 30.0, 70.0], [0.0, 30.0]], ids=["layers", "half-space"])
def test_split_keeps_travel_times_and_merge_reverses_it(tops):
    """Split: thickness-weighted log10 sigma, S and P slowness are kept (so are
    the Ps delays); the half-space keeps its values; death merges back with
    the opposite ratio."""
    n = len(tops)
    earth = LayeredEarth.from_layers(tops, log10_sigma=[-1.0, 0.5, 1.0][:n],
                                     vs_km_s=[3.5, 4.5, 4.8][:n], vp_vs=[1.75, 1.8, 1.7][:n],
                                     k_max=5)
    pos = mv.Position(earth, jnp.ones(1))
    p = seismic_params(split=True)._replace(
        birth_std={"log10_sigma": 0.3, "vs_km_s": 0.2, "vp_vs": 0.05})
    born, log_q_birth, _ = jax.vmap(lambda k: mv.birth(k, pos, p))(keys(60, 7))
    z_born = np.asarray(born.earth.interface_depth_km)[:, :n]
    z_old = np.asarray(earth.interface_depth_km)[: n - 1]
    n_checked = {"layer": 0, "half-space": 0}
    for b in range(60):
        new_z = z_born[b][~np.isin(z_born[b], z_old)][0]
        j = int(np.searchsorted(z_old, new_z))  # layer split
        vs = np.asarray(born.earth.vs_km_s)[b]
        kappa = np.asarray(born.earth.vp_vs)[b]
        sig = np.asarray(born.earth.log10_sigma)[b]
        parts = {f: np.asarray(getattr(earth, f))[j] for f in ("vs_km_s", "vp_vs", "log10_sigma")}
        if j < n - 1:  # a layer: thickness-weighted means kept
            top = 0.0 if j == 0 else z_old[j - 1]
            h1, h2 = new_z - top, z_old[j] - new_z
            h = h1 + h2
            np.testing.assert_allclose(h1 / vs[j] + h2 / vs[j + 1], h / parts["vs_km_s"])
            np.testing.assert_allclose(h1 / (vs[j] * kappa[j]) + h2 / (vs[j + 1] * kappa[j + 1]),
                                       h / (parts["vs_km_s"] * parts["vp_vs"]))
            np.testing.assert_allclose(h1 * sig[j] + h2 * sig[j + 1], h * parts["log10_sigma"])
            n_checked["layer"] += 1
        else:  # the half-space keeps its values, the part above it takes the difference
            np.testing.assert_allclose([vs[j + 1], kappa[j + 1], sig[j + 1]],
                                       [parts["vs_km_s"], parts["vp_vs"], parts["log10_sigma"]])
            n_checked["half-space"] += 1
        one = jax.tree.map(lambda x: x[b], born)
        dead, log_q_death, _ = jax.vmap(lambda k: mv.death(k, one, p))(keys(30, 100 + b))
        same = np.asarray(dead.earth.n_layers) == n
        same &= np.all(np.isclose(np.asarray(dead.earth.interface_depth_km)[:, : n - 1], z_old),
                       axis=1)
        assert same.any()
        for field in SEISMIC_BOUNDS:
            np.testing.assert_allclose(np.asarray(getattr(dead.earth, field))[same, :n],
                                       np.broadcast_to(np.asarray(getattr(earth, field))[:n],
                                                       (same.sum(), n)))
        np.testing.assert_allclose(np.asarray(log_q_death)[same], -float(log_q_birth[b]),
                                   rtol=1e-9, atol=1e-9)
    assert n_checked["half-space"] > 0
    assert n_checked["layer"] > 0 or n == 2
