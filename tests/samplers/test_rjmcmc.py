"""Statistical tests of the reversible-jump kernel.

Tolerances come from Monte Carlo standard errors: the effective sample size
of each statistic is estimated with NumPyro's ``effective_sample_size`` over
all chains, and estimates must lie within 4 MCSE of the exact values. KS
tests use draws thinned to about one per effective sample.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from numpyro.diagnostics import effective_sample_size
from scipy import integrate, stats

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.prior import PriorSpec, log_prior_k
from bayesjoint.samplers import rjmcmc
from bayesjoint.samplers.run import run

Z_MAX = 4.0  # allowed |estimate - exact| / MCSE


def ess(x):
    """ESS of a (chain, draw) series."""
    x = np.asarray(x, dtype=float)
    if np.all(x == x.flat[0]):
        return float(x.size)
    return float(effective_sample_size(x))


def mean_z(x, exact):
    """(mean - exact) / MCSE for a (chain, draw) series."""
    x = np.asarray(x, dtype=float)
    se = np.std(x) / np.sqrt(ess(x))
    return (x.mean() - exact) / se


def thinned(x):
    """Pool a (chain, draw) series keeping about one draw per effective sample."""
    x = np.asarray(x, dtype=float)
    step = int(np.ceil(x.size / ess(x)))
    return x[:, ::step].ravel()


def zero_loglik(earth, noise_scale):
    return jnp.zeros(())


def scales(spec, **changes):
    """Default proposal scales of ``spec`` with some replaced."""
    return rjmcmc.default_proposal_scales(spec)._replace(**changes)


# ---------------------------------------------------------------- prior recovery

def interface_cdf(z, spec, p_k):
    """Exact CDF of one active interface chosen uniformly, given k >= 2."""
    h = spec.min_thickness_km
    ks = np.arange(max(spec.k_min, 2), spec.k_max + 1)
    w = np.array([p_k[k] for k in ks])
    w = w / w.sum()
    total = np.zeros_like(z)
    for wk, k in zip(w, ks):
        m = k - 1
        length = spec.depth_max_km - m * h
        cdf = sum(stats.beta.cdf((z - j * h) / length, j, m - j + 1) for j in range(1, m + 1))
        total += wk * cdf / m
    return total


def random_active(values, n_active, rng):
    """One entry per draw chosen uniformly among the first n_active (>= 1)."""
    idx = np.floor(rng.uniform(size=n_active.shape) * n_active).astype(int)
    return np.take_along_axis(values, idx[..., None], axis=-1)[..., 0]


def check_layer_count_prior(k, spec):
    """Assert that the (chain, draw) layer counts ``k`` follow p(k) within Z_MAX MCSE."""
    ks = np.arange(spec.k_min, spec.k_max + 1)
    exact = np.exp(np.asarray(log_prior_k(ks, spec)))
    z_k = [mean_z(k == kk, pk) for kk, pk in zip(ks, exact)]
    assert np.max(np.abs(z_k)) < Z_MAX, (np.bincount(k.ravel())[1:] / k.size, exact, z_k)
    return ks, exact, z_k


def interface_ks(d, spec, ks, exact, rng):
    """KS test of one random active interface per draw (draws with k >= 2) against p(k)."""
    k = d["n_layers"]
    z = random_active(np.nan_to_num(d["interface_depth_km"]), np.maximum(k - 1, 1), rng)
    has = k >= 2
    step = int(np.ceil(z.size / ess(np.where(has, z, z[has].mean()))))
    p_k = dict(zip(ks, exact))
    return stats.kstest(z[:, ::step][has[:, ::step]],
                        lambda x: interface_cdf(np.asarray(x), spec, p_k))


PRIOR_CASES = [
    pytest.param("uniform", "prior", None, id="uniform-k/prior-birth/no-smooth"),
    pytest.param("poisson", "neighbour", 0.6, id="poisson-k/neighbour-birth/smooth"),
    pytest.param("uniform", "neighbour", None, id="uniform-k/neighbour-birth/no-smooth",
                 marks=pytest.mark.slow),
    pytest.param("poisson", "prior", 0.6, id="poisson-k/prior-birth/smooth",
                 marks=pytest.mark.slow),
    pytest.param("uniform", "prior", 0.6, id="uniform-k/prior-birth/smooth",
                 marks=pytest.mark.slow),
    pytest.param("poisson", "neighbour", None, id="poisson-k/neighbour-birth/no-smooth",
                 marks=pytest.mark.slow),
    pytest.param("uniform", "neighbour", 0.6, id="uniform-k/neighbour-birth/smooth",
                 marks=pytest.mark.slow),
    pytest.param("poisson", "prior", None, id="poisson-k/prior-birth/no-smooth",
                 marks=pytest.mark.slow),
]


PRIOR_CASES += [
    pytest.param("rejection", "prior", None, id="rejection-k/prior-birth/no-smooth"),
]

# Interface steps that differ by a factor of 40 between the depth bins: the
# proposal ratio of a move into another bin must correct for it exactly.
BINNED_INTERFACE_KM = np.geomspace(0.5, 20.0, 8)


@pytest.mark.parametrize("k_prior, birth, smooth", PRIOR_CASES)
def test_prior_only_run_recovers_the_prior(tmp_path, k_prior, birth, smooth):
    spec = PriorSpec(n_layers=2, k_min=1, k_max=5, k_prior=k_prior, k_poisson_mean=2.0,
                     interfaces="sampled", depth_max_km=100.0, min_thickness_km=8.0,
                     smoothness_std=smooth, hierarchical_noise=False)
    res = run(zero_loglik, spec, tmp_path, n_iterations=24000, n_burn=2000, n_chains=32,
              thin=4, chunk_size=12000, seed=1, birth=birth, progress=False,
              move_probs={"birth": 0.25, "death": 0.25, "move": 0.25, "perturb": 0.25},
              proposal_scales=scales(spec, interface_km=BINNED_INTERFACE_KM, value=1.0,
                                     birth_value=0.8))
    d = res.draws()
    k = d["n_layers"]
    ks, exact, z_k = check_layer_count_prior(k, spec)

    rng = np.random.default_rng(0)
    ks_iface = interface_ks(d, spec, ks, exact, rng)
    assert ks_iface.pvalue > 1e-3, ks_iface

    if smooth is None:
        v = random_active(np.nan_to_num(d["log10_sigma"]), k, rng)
    else:
        v = d["log10_sigma"][..., 0]  # exact marginal of the top layer: uniform
    width = spec.log10_sigma_max - spec.log10_sigma_min
    ks_val = stats.kstest(thinned(v), stats.uniform(spec.log10_sigma_min, width).cdf)
    assert ks_val.pvalue > 1e-3, ks_val
    print(f"\n{k_prior}/{birth}/{smooth}: p(k) {np.round(np.bincount(k.ravel())[1:] / k.size, 4)} "
          f"exact {np.round(exact, 4)} max|z| {np.max(np.abs(z_k)):.2f}; KS p interface "
          f"{ks_iface.pvalue:.3f}, value {ks_val.pvalue:.3f}")


@pytest.mark.parametrize("birth", ["neighbour", "split",
                                   pytest.param("prior", marks=pytest.mark.slow)])
def test_prior_only_seismic_run_recovers_the_prior(tmp_path, birth):
    """Birth and death carry Vs and Vp/Vs too: p(k) and their marginals stay exact.

    With ``split`` the Jacobian of the slowness coordinates enters every
    birth and death; without it Vs and Vp/Vs drift from uniform.
    """
    spec = PriorSpec(n_layers=2, k_min=1, k_max=5, interfaces="sampled", depth_max_km=100.0,
                     min_thickness_km=8.0, smoothness_std=None, vs_km_s_min=2.0,
                     vs_km_s_max=5.0, vs_smoothness_std=0.5, vp_vs_min=1.65, vp_vs_max=1.95,
                     hierarchical_noise=False)
    res = run(zero_loglik, spec, tmp_path, n_iterations=24000, n_burn=2000, n_chains=32,
              thin=4, chunk_size=12000, seed=3, birth=birth, progress=False, seismic=True,
              move_probs={"birth": 0.25, "death": 0.25, "move": 0.2, "perturb": 0.1,
                          "perturb_vs": 0.1, "perturb_vp_vs": 0.1},
              proposal_scales=scales(spec, interface_km=20.0, value=1.0, vs=0.6, vp_vs=0.1,
                                     birth_vs=0.6, birth_vp_vs=0.1))
    d = res.draws()
    k = d["n_layers"]
    check_layer_count_prior(k, spec)
    rng = np.random.default_rng(1)
    checks = {
        # the Vs walk's top layer is uniform on the bounds; Vp/Vs and log10 sigma are
        # independent uniforms, so one random active layer is uniform too
        "vs_km_s": (d["vs_km_s"][..., 0], spec.vs_km_s_min, spec.vs_km_s_max),
        "vp_vs": (random_active(np.nan_to_num(d["vp_vs"]), k, rng), spec.vp_vs_min,
                  spec.vp_vs_max),
        "log10_sigma": (random_active(np.nan_to_num(d["log10_sigma"]), k, rng),
                        spec.log10_sigma_min, spec.log10_sigma_max),
    }
    for name, (v, lo, hi) in checks.items():
        result = stats.kstest(thinned(v), stats.uniform(lo, hi - lo).cdf)
        assert result.pvalue > 1e-3, (name, result)
    assert np.all(np.isnan(d["vs_km_s"]) == np.isnan(d["log10_sigma"]))
    acc = res.stats()["acceptance"]
    assert acc["perturb_vs"][0] > 0.05 and acc["perturb_vp_vs"][0] > 0.05


def test_delay_keeping_interface_move_recovers_the_prior(tmp_path):
    """The move that scales Vs with layer thickness keeps the prior exact.

    Without its Jacobian ``(h_j'/h_j)(h_{j+1}'/h_{j+1})`` Vs would drift
    (a thicker layer gets a faster Vs); the steps differ 40x between
    depth bins, so the bin correction is exercised as well.
    """
    spec = PriorSpec(n_layers=2, k_min=1, k_max=5, interfaces="sampled", depth_max_km=100.0,
                     min_thickness_km=8.0, smoothness_std=None, vs_km_s_min=2.0,
                     vs_km_s_max=5.0, vp_vs_min=1.65, vp_vs_max=1.95, hierarchical_noise=False)
    res = run(zero_loglik, spec, tmp_path, n_iterations=24000, n_burn=2000, n_chains=32,
              thin=4, chunk_size=12000, seed=4, birth="neighbour", progress=False, seismic=True,
              move_probs={"birth": 0.15, "death": 0.15, "move_delay": 0.4, "perturb": 0.1,
                          "perturb_vs": 0.1, "perturb_vp_vs": 0.1},
              proposal_scales=scales(spec, delay_interface_km=BINNED_INTERFACE_KM, value=1.0,
                                     vs=0.6, vp_vs=0.1, birth_vs=0.6, birth_vp_vs=0.1))
    d = res.draws()
    k = d["n_layers"]
    ks, exact, _ = check_layer_count_prior(k, spec)
    rng = np.random.default_rng(2)
    ks_iface = interface_ks(d, spec, ks, exact, rng)
    assert ks_iface.pvalue > 1e-3, ks_iface
    vs = random_active(np.nan_to_num(d["vs_km_s"]), k, rng)
    ks_vs = stats.kstest(thinned(vs), stats.uniform(spec.vs_km_s_min, 3.0).cdf)
    assert ks_vs.pvalue > 1e-3, ks_vs
    # the layer right above an interface is the one the move scales most often
    above = d["vs_km_s"][..., 0][k >= 2]
    assert abs(mean_z(above[None, :], 3.5)) < Z_MAX
    assert res.stats()["acceptance"]["move_delay"][0] > 0.05


# ---------------------------------------------------------------- evidence toy

TOY_DEPTHS = np.array([20.0, 60.0])
TOY_Y = np.array([-1.5, 0.5])
TOY_SIGMA = 0.7


def toy_loglik(earth, noise_scale):
    v = earth.on_depth_grid(jnp.asarray(TOY_DEPTHS))
    return jnp.sum(-0.5 * ((v - TOY_Y) / TOY_SIGMA) ** 2
                   - jnp.log(TOY_SIGMA) - 0.5 * jnp.log(2 * jnp.pi))


def toy_posterior_k2(spec):
    """p(k = 2 | y) by quadrature for k in {1, 2}, uniform values, h = 0."""
    lo, hi = spec.log10_sigma_min, spec.log10_sigma_max
    pdf = stats.norm(scale=TOY_SIGMA).pdf
    z1 = integrate.quad(lambda v: pdf(TOY_Y[0] - v) * pdf(TOY_Y[1] - v), lo, hi)[0] / (hi - lo)
    a = [integrate.quad(lambda v, y=y: pdf(y - v), lo, hi)[0] / (hi - lo) for y in TOY_Y]
    split = (TOY_DEPTHS[1] - TOY_DEPTHS[0]) / spec.depth_max_km  # interface between the depths
    z2 = split * a[0] * a[1] + (1 - split) * z1
    return z2 / (z1 + z2)


@pytest.mark.parametrize("birth", ["prior", pytest.param("neighbour", marks=pytest.mark.slow)])
def test_two_model_toy_gives_exact_posterior_over_k(tmp_path, birth):
    spec = PriorSpec(n_layers=2, k_min=1, k_max=2, interfaces="sampled", depth_max_km=100.0,
                     min_thickness_km=0.0, smoothness_std=None, hierarchical_noise=False)
    res = run(toy_loglik, spec, tmp_path, n_iterations=24000, n_burn=2000, n_chains=32,
              thin=4, chunk_size=12000, seed=2, birth=birth, progress=False,
              proposal_scales=scales(spec, interface_km=20.0, value=0.8, birth_value=1.0))
    k = res.draws()["n_layers"]
    exact = toy_posterior_k2(spec)
    est = np.mean(k == 2)
    z = mean_z(k == 2, exact)
    print(f"\ntoy ({birth} birth): p(k=2|y) = {est:.4f}, exact {exact:.4f}, z = {z:.2f}")
    assert abs(z) < Z_MAX


# ---------------------------------------------------------------- fixed k against NUTS

FIX_MU = np.array([-2.0, 0.0, -1.0])
FIX_C = np.array([25.0, 55.0])


def fixed_loglik(earth, noise_scale):
    return (-0.5 * jnp.sum(((earth.log10_sigma - FIX_MU) / 0.4) ** 2)
            - 0.5 * jnp.sum(((earth.interface_depth_km - FIX_C) / 8.0) ** 2))


def test_fixed_k_moments_agree_with_nuts(tmp_path):
    import numpyro
    from numpyro.infer import MCMC, NUTS

    from bayesjoint.model.prior import sample_earth

    spec = PriorSpec(n_layers=3, k_min=3, k_max=3, interfaces="sampled", depth_max_km=100.0,
                     min_thickness_km=2.0, smoothness_std=1.0, hierarchical_noise=False)
    res = run(fixed_loglik, spec, tmp_path, n_iterations=12000, n_burn=2000, n_chains=32,
              thin=5, chunk_size=6000, seed=3, progress=False,
              move_probs={"move": 0.4, "perturb": 0.6})
    d = res.draws()
    rj = np.concatenate([d["log10_sigma"], d["interface_depth_km"]], axis=-1)

    def model():
        earth = sample_earth(spec)
        numpyro.factor("loglik", fixed_loglik(earth, jnp.ones(1)))

    mcmc = MCMC(NUTS(model), num_warmup=300, num_samples=1000, num_chains=2,
                chain_method="sequential", progress_bar=False)
    mcmc.run(jax.random.PRNGKey(4))
    s = mcmc.get_samples(group_by_chain=True)
    nuts = np.concatenate([np.asarray(s["log10_sigma"]), np.asarray(s["interface_depth_km"])],
                          axis=-1)
    names = ["v0", "v1", "v2", "z1", "z2"]
    zs = []
    for i, name in enumerate(names):
        for moment in (1, 2):
            a, b = rj[..., i] ** moment, nuts[..., i] ** moment
            se = np.hypot(np.std(a) / np.sqrt(ess(a)), np.std(b) / np.sqrt(ess(b)))
            zs.append((name, moment, a.mean(), b.mean(), (a.mean() - b.mean()) / se))
    print("\n" + "\n".join(f"{n} E[x^{m}]: rjmcmc {a:.4f} nuts {b:.4f} z {z:.2f}"
                           for n, m, a, b, z in zs))
    assert max(abs(z[-1]) for z in zs) < Z_MAX


# ---------------------------------------------------------------- kernel behaviour

def test_prior_draws_for_initial_states():
    from bayesjoint.model.prior import log_prior

    spec = PriorSpec(n_layers=2, k_min=2, k_max=6, k_prior="poisson", k_poisson_mean=3.0,
                     interfaces="sampled", depth_max_km=100.0, min_thickness_km=10.0,
                     smoothness_std=0.5, hierarchical_noise=True)
    n = 20000
    earth, noise = jax.vmap(lambda k: rjmcmc.sample_prior(k, spec, 2))(
        jax.random.split(jax.random.PRNGKey(6), n))
    lp = jax.vmap(lambda e, s: log_prior(e, s, spec))(earth, noise)
    assert np.all(np.isfinite(lp))
    k = np.asarray(earth.n_layers)
    exact = np.exp(np.asarray(log_prior_k(np.arange(2, 7), spec)))
    freq = np.bincount(k, minlength=7)[2:] / n
    assert np.all(np.abs(freq - exact) < 4 * np.sqrt(exact * (1 - exact) / n))
    top = np.asarray(earth.log10_sigma[:, 0])
    assert stats.kstest(top, stats.uniform(-4.0, 6.0).cdf).pvalue > 1e-3
    assert stats.kstest(np.log(np.asarray(noise[:, 1])),
                        stats.uniform(np.log(0.1), np.log(100.0)).cdf).pvalue > 1e-3


def test_non_finite_likelihood_is_rejected_and_counted():
    spec = PriorSpec(n_layers=2, k_min=1, k_max=4, interfaces="sampled", depth_max_km=100.0,
                     smoothness_std=None, hierarchical_noise=False)

    def loglik(earth, noise_scale):
        return jnp.where(earth.n_layers >= 3, jnp.nan, 0.0)

    kernel = jax.jit(rjmcmc.build_kernel(loglik, spec,
                                         move_probs={"birth": 0.5, "death": 0.5}))
    state = rjmcmc.init(LayeredEarth.from_layers([0.0, 50.0], log10_sigma=[0.0, 0.0], k_max=4),
                        jnp.ones(1), loglik, spec)
    n_flag = 0
    for key in jax.random.split(jax.random.PRNGKey(5), 200):
        state, info = kernel(key, state)
        assert int(state.earth.n_layers) <= 2
        n_flag += bool(info.non_finite)
        if info.non_finite:
            assert not info.accepted
    assert n_flag > 20


class CountingToy:
    """Gaussian toy likelihood split by noise scale that counts forward evaluations.

    One datum per ``N_DATA`` copies of the top layer's log10 conductivity
    observed as 0.5 with unit std: ``q = N_DATA (x - 0.5)^2``.
    """

    N_DATA = 10

    def __init__(self):
        self.calls = 0

    def _count(self):
        self.calls += 1

    def misfit(self, earth):
        jax.debug.callback(self._count)
        return self.N_DATA * (earth.log10_sigma[:1] - 0.5) ** 2

    def from_misfit(self, misfit, noise_scale):
        return jnp.sum(-self.N_DATA * jnp.log(noise_scale) - 0.5 * misfit / noise_scale**2)

    def __call__(self, earth, noise_scale):
        return self.from_misfit(self.misfit(earth), noise_scale)


NOISE_SPEC = PriorSpec(n_layers=2, k_min=1, k_max=4, interfaces="sampled", depth_max_km=100.0,
                       smoothness_std=None, noise_scale_min=0.1, noise_scale_max=10.0)


def test_noise_move_of_a_split_likelihood_evaluates_no_forward_model():
    toy = CountingToy()
    kernel = jax.jit(rjmcmc.build_kernel(toy, NOISE_SPEC,
                                         move_probs={"perturb": 0.5, "noise": 0.5}))
    state = rjmcmc.init(LayeredEarth.from_layers([0.0, 50.0], log10_sigma=[1.0, 0.0], k_max=4),
                        jnp.ones(1), toy, NOISE_SPEC)
    toy.calls = 0
    n_forward = n_noise = n_noise_accepted = 0
    for key in jax.random.split(jax.random.PRNGKey(3), 300):
        state, info = kernel(key, state)
        jax.block_until_ready(state)
        is_noise = int(info.move) == rjmcmc.NOISE_MOVE
        n_noise += is_noise
        n_noise_accepted += is_noise and bool(info.accepted)
        n_forward += (not is_noise) and bool(np.isfinite(info.log_acceptance))
        np.testing.assert_allclose(np.asarray(state.misfit),
                                   np.asarray(toy.misfit(state.earth)), rtol=1e-12)
        np.testing.assert_allclose(float(state.log_likelihood),
                                   float(toy(state.earth, state.noise_scale)), rtol=1e-12)
        toy.calls -= 2  # the two checks above
    jax.effects_barrier()
    assert n_noise > 100 and n_noise_accepted > 30
    assert toy.calls == n_forward


def test_noise_move_of_a_split_likelihood_samples_the_exact_noise_posterior():
    """Earth fixed (noise moves only): p(log s | q) is proportional to
    s^-N exp(-q / 2 s^2) on the prior's log-uniform bounds."""
    toy = CountingToy()
    earth = LayeredEarth.from_layers([0.0, 50.0], log10_sigma=[1.3, 0.0], k_max=4)
    kernel = rjmcmc.build_kernel(toy, NOISE_SPEC, move_probs={"noise": 1.0})

    def chain(key):
        state = rjmcmc.init(earth, jnp.ones(1), toy, NOISE_SPEC)

        def step(st, kk):
            st, _ = kernel(kk, st)
            return st, jnp.log(st.noise_scale[0])

        return jax.lax.scan(step, state, jax.random.split(key, 20000))[1]

    log_s = np.asarray(jax.jit(jax.vmap(chain))(jax.random.split(jax.random.PRNGKey(0), 4)))
    q = toy.N_DATA * (1.3 - 0.5) ** 2
    lo, hi = np.log(NOISE_SPEC.noise_scale_min), np.log(NOISE_SPEC.noise_scale_max)

    def density(u):
        return np.exp(-toy.N_DATA * u - 0.5 * q * np.exp(-2 * u))

    norm = integrate.quad(density, lo, hi)[0]
    exact_mean = integrate.quad(lambda u: u * density(u), lo, hi)[0] / norm
    assert abs(mean_z(log_s[:, 2000:], exact_mean)) < Z_MAX


def test_kernel_input_errors():
    spec = PriorSpec(n_layers=2, k_min=1, k_max=4, interfaces="sampled",
                     hierarchical_noise=False)
    with pytest.raises(ValueError, match="birth = 'both'.*allowed"):
        rjmcmc.build_kernel(zero_loglik, spec, birth="both")
    with pytest.raises(ValueError, match="move_probs.*summing to 1"):
        rjmcmc.build_kernel(zero_loglik, spec, move_probs=(0.5, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0))
    with pytest.raises(ValueError, match="need 8 probabilities"):
        rjmcmc.build_kernel(zero_loglik, spec, move_probs=(0.5, 0.5, 0.0, 0.0, 0.0))
    with pytest.raises(ValueError, match="perturb_vs.*without Vs"):
        rjmcmc.build_kernel(zero_loglik, spec, move_probs={"perturb": 0.5, "perturb_vs": 0.5})
    with pytest.raises(ValueError, match="move_delay.*without Vs"):
        rjmcmc.build_kernel(zero_loglik, spec, move_probs={"perturb": 0.5, "move_delay": 0.5})
    with pytest.raises(ValueError, match="birth and death"):
        rjmcmc.build_kernel(zero_loglik, spec, move_probs={"birth": 0.5, "move": 0.5})
    with pytest.raises(ValueError, match="noise.*hierarchical_noise"):
        rjmcmc.build_kernel(zero_loglik, spec, move_probs={"perturb": 0.5, "noise": 0.5})
    with pytest.raises(ValueError, match="interfaces='sampled'"):
        rjmcmc.build_kernel(zero_loglik, PriorSpec(n_layers=2, k_min=1, k_max=4))
    with pytest.raises(ValueError, match="proposal_scales.value"):
        rjmcmc.build_kernel(zero_loglik, spec,
                            proposal_scales=scales(spec, value=-1.0))


# ---------------------------------------------------------------- MT demonstration

def test_mt_trans_dimensional_interface_peaks_at_the_true_interfaces(tmp_path):
    from bayesjoint.data import MTData
    from bayesjoint.model.joint import make_log_likelihood
    from bayesjoint.physics import mt
    from bayesjoint.samplers.tempering import geometric_ladder

    periods = np.geomspace(1.0, 7200.0, 20)
    truth_tops = [0.0, 15.0, 60.0]
    truth = LayeredEarth.from_layers(truth_tops, sigma_s_per_m=[0.01, 0.1, 1.0])
    thickness_m, sigma = truth.sigma_stack()
    z = mt.impedance(jnp.asarray(periods), thickness_m, sigma)
    rho, phase = mt.apparent_resistivity_phase(jnp.asarray(periods), z)
    rng = np.random.default_rng(42)
    rho = np.asarray(rho) * (1 + 0.03 * rng.standard_normal(20))
    phase = np.asarray(phase) * (1 + 0.03 * rng.standard_normal(20))
    data = MTData.from_rho_phase(periods, rho, phase, rel_error=0.03)
    spec = PriorSpec(n_layers=3, k_min=1, k_max=8, interfaces="sampled", depth_max_km=150.0,
                     min_thickness_km=1.0, smoothness_std=None, hierarchical_noise=False)
    res = run(make_log_likelihood([data]), spec, tmp_path, n_iterations=16000, n_burn=4000,
              n_chains=8, temperatures=geometric_ladder(4, 20.0), thin=10, chunk_size=4000,
              seed=0, progress=False)
    iface = res.draws()["interface_depth_km"]
    edges = np.arange(0.0, 152.0, 2.0)
    prob = np.array([np.mean(np.any((iface >= a) & (iface < b), axis=-1))
                     for a, b in zip(edges[:-1], edges[1:])])
    centre = 0.5 * (edges[:-1] + edges[1:])
    top_two = np.sort(centre[np.argsort(prob)[-2:]])
    print(f"\nMT demo: interface-probability peaks at {top_two} km (truth 15, 60 km); "
          f"P(interface in 12-18 km) = {np.mean(np.any((iface > 12) & (iface < 18), -1)):.3f}, "
          f"P(in 52-68 km) = {np.mean(np.any((iface > 52) & (iface < 68), -1)):.3f}")
    assert abs(top_two[0] - 15.0) <= 4.0
    assert abs(top_two[1] - 60.0) <= 8.0
    assert np.mean(np.any((iface > 12) & (iface < 18), -1)) > 0.8
    assert np.mean(np.any((iface > 52) & (iface < 68), -1)) > 0.7
