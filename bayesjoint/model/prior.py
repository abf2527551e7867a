"""The layered-Earth prior shared by every data type and every sampler.

One :class:`PriorSpec` describes the prior. It is used two ways:

* :func:`sample_earth` declares NumPyro sample sites for a fixed number of
  layers (NUTS), and
* :func:`log_prior` is the same density as a pure JAX function of a
  :class:`~bayesjoint.earth.LayeredEarth` at fixed capacity, for the
  trans-dimensional sampler, normalised for every layer count k so that
  the posterior over k is meaningful.

Densities (k layers, the last one the half-space)
-------------------------------------------------
Layer count
    uniform on ``k_min .. k_max``; Poisson(``k_poisson_mean``) truncated
    to that range; or ``"rejection"``, the prior implied by drawing the
    k-1 interfaces uniformly on ``(0, depth_max_km]`` and rejecting every
    model with a layer thinner than ``min_thickness_km`` without
    renormalising over k (the construction of Yao et al. 2023's code). The
    accepted fraction is ``(L_k / depth_max_km)^(k-1)`` with ``L_k``
    below, so ``p(k)`` is proportional to
    ``(1 - (k-1) min_thickness_km / depth_max_km)^(k-1)``: for 2-30
    layers, 2000 km and 33 km its mean is k = 5.5, where the uniform
    prior's is 16.
Interfaces (``interfaces="sampled"``)
    the k-1 interface depths are uniform over the ordered configurations in
    ``(0, depth_max_km]`` in which every layer above the half-space is at
    least ``min_thickness_km`` thick. With ``y_j = z_j - j h`` (h the
    minimum thickness) the ``y`` are k-1 ordered points uniform on
    ``[0, L_k]``, ``L_k = depth_max_km - (k-1) h``, so
    ``p(z | k) = (k-1)! / L_k^(k-1)``.
Interfaces (``interfaces="fixed"``)
    k-1 interfaces log-spaced from ``first_interface_km`` to
    ``depth_max_km`` (no parameters).
log10 conductivity, ``smoothness_std = None``
    independent uniform on ``[log10_sigma_min, log10_sigma_max]``.
log10 conductivity, ``smoothness_std = s``
    a Gaussian random walk down the layers, truncated to the bounds: the
    top layer is uniform on the bounds and each next value is
    ``N(previous, s)`` truncated to the bounds. Each conditional is
    normalised, so the density is proper for every k (this is the
    Gaussian smoothness prior on successive differences of the design
    guide, made proper).
Seismic properties (only when a receiver-function dataset takes part)
    ``vs_km_s`` uniform on ``[vs_km_s_min, vs_km_s_max]`` per layer, or the
    same truncated random walk with step ``vs_smoothness_std``; ``vp_vs``
    independent uniform on ``[vp_vs_min, vp_vs_max]``.
Noise
    one scale factor per dataset multiplying its stated standard
    deviations, log-uniform on ``[noise_scale_min, noise_scale_max]``
    (``hierarchical_noise=True``), or fixed to 1.
"""

from dataclasses import dataclass, fields

import jax.numpy as jnp
import jax.scipy.special as jsp
import numpy as np
import numpyro
import numpyro.distributions as dist

from bayesjoint.earth import PROPERTY_FIELDS, LayeredEarth

INTERFACE_MODES = ("fixed", "sampled")
K_PRIORS = ("uniform", "poisson", "rejection")


@dataclass(frozen=True)
class PriorSpec:
    """Specification of the shared layered-Earth prior (see module docstring).

    Attributes
    ----------
    n_layers : int
        Number of layers (with the half-space) for fixed-dimension sampling.
    k_min, k_max : int
        Range of the layer count for trans-dimensional sampling; ``k_max`` is
        also the storage capacity.
    k_prior : {"uniform", "poisson", "rejection"}
    k_poisson_mean : float
    interfaces : {"fixed", "sampled"}
    depth_max_km : float
        Deepest allowed interface, km.
    first_interface_km : float
        Shallowest interface of the fixed log-spaced grid, km.
    min_thickness_km : float
        Minimum thickness of every layer above the half-space, km.
    log10_sigma_min, log10_sigma_max : float
        Bounds of log10 conductivity (S/m).
    smoothness_std : float or None
        Standard deviation of the random-walk step in log10 S/m, or None for
        independent uniform values.
    hierarchical_noise : bool
    noise_scale_min, noise_scale_max : float
    vs_km_s_min, vs_km_s_max : float
        Bounds of the shear-wave speed, km/s.
    vs_smoothness_std : float or None
        Random-walk step of Vs in km/s, or None for independent values.
    vp_vs_min, vp_vs_max : float
        Bounds of the Vp/Vs ratio.
    """

    n_layers: int = 20
    k_min: int = 2
    k_max: int = 30
    k_prior: str = "uniform"
    k_poisson_mean: float = 10.0
    interfaces: str = "fixed"
    depth_max_km: float = 400.0
    first_interface_km: float = 2.0
    min_thickness_km: float = 0.0
    log10_sigma_min: float = -4.0
    log10_sigma_max: float = 2.0
    smoothness_std: float | None = 0.5
    hierarchical_noise: bool = True
    noise_scale_min: float = 0.1
    noise_scale_max: float = 10.0
    vs_km_s_min: float = 1.5
    vs_km_s_max: float = 5.5
    vs_smoothness_std: float | None = None
    vp_vs_min: float = 1.6
    vp_vs_max: float = 2.0

    def __post_init__(self):
        def bounds(lo_name, hi_name):
            lo, hi = getattr(self, lo_name), getattr(self, hi_name)
            if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
                raise ValueError(
                    f"prior bounds {lo_name} = {lo!r} and {hi_name} = {hi!r}: "
                    f"need finite values with {lo_name} < {hi_name}")

        bounds("log10_sigma_min", "log10_sigma_max")
        bounds("noise_scale_min", "noise_scale_max")
        bounds("vs_km_s_min", "vs_km_s_max")
        bounds("vp_vs_min", "vp_vs_max")
        if self.vs_km_s_min <= 0:
            raise ValueError(f"vs_km_s_min = {self.vs_km_s_min!r}: must be > 0 km/s")
        if self.vp_vs_min <= 2.0 / 3.0**0.5:
            raise ValueError(f"vp_vs_min = {self.vp_vs_min!r}: must exceed sqrt(4/3) = 1.1547 "
                             "(a positive bulk modulus)")
        if self.noise_scale_min <= 0:
            raise ValueError(f"noise_scale_min = {self.noise_scale_min!r}: must be > 0")
        if self.interfaces not in INTERFACE_MODES:
            raise ValueError(f"interfaces = {self.interfaces!r}: allowed values are {INTERFACE_MODES}")
        if self.k_prior not in K_PRIORS:
            raise ValueError(f"k_prior = {self.k_prior!r}: allowed values are {K_PRIORS}")
        if int(self.n_layers) < 1:
            raise ValueError(f"n_layers = {self.n_layers!r}: must be >= 1")
        if not 1 <= int(self.k_min) <= int(self.k_max):
            raise ValueError(
                f"k_min = {self.k_min!r}, k_max = {self.k_max!r}: need 1 <= k_min <= k_max")
        if not (self.depth_max_km > 0):
            raise ValueError(f"depth_max_km = {self.depth_max_km!r}: must be > 0")
        if not (0 < self.first_interface_km < self.depth_max_km):
            raise ValueError(
                f"first_interface_km = {self.first_interface_km!r}: must lie in (0, depth_max_km = "
                f"{self.depth_max_km!r})")
        if self.min_thickness_km < 0:
            raise ValueError(f"min_thickness_km = {self.min_thickness_km!r}: must be >= 0")
        for name, k in (("n_layers", self.n_layers), ("k_max", self.k_max)):
            if (k - 1) * self.min_thickness_km >= self.depth_max_km and k > 1:
                raise ValueError(
                    f"{name} = {k} layers of at least min_thickness_km = {self.min_thickness_km} km "
                    f"do not fit above depth_max_km = {self.depth_max_km} km; need "
                    f"({name} - 1) * min_thickness_km < depth_max_km")
        for name in ("smoothness_std", "vs_smoothness_std"):
            v = getattr(self, name)
            if v is not None and not (v > 0):
                raise ValueError(f"{name} = {v!r}: must be > 0 or None")
        if self.k_poisson_mean <= 0:
            raise ValueError(f"k_poisson_mean = {self.k_poisson_mean!r}: must be > 0")

    @classmethod
    def field_names(cls):
        """Names of the fields (the allowed configuration keys)."""
        return tuple(f.name for f in fields(cls))


def fixed_interfaces_km(spec: PriorSpec, n_layers=None):
    """Log-spaced interface depths of the fixed grid, km, shape (n_layers - 1,)."""
    n = spec.n_layers if n_layers is None else n_layers
    if n < 2:
        return np.zeros(0)
    return np.geomspace(spec.first_interface_km, spec.depth_max_km, n - 1)


# ---------------------------------------------------------------- pure log densities

def _log_weight_k(k, spec: PriorSpec):
    """Unnormalised log p(k) of ``spec.k_prior`` (see module docstring)."""
    k = jnp.asarray(k, dtype=float)
    if spec.k_prior == "uniform":
        return jnp.zeros_like(k)
    if spec.k_prior == "poisson":
        return k * jnp.log(spec.k_poisson_mean) - jsp.gammaln(k + 1.0)
    # "rejection": the fraction (L_k / depth_max)^(k-1) of uniform interface
    # draws in which every layer is at least min_thickness_km thick.
    m = k - 1.0
    return m * jnp.log1p(-m * spec.min_thickness_km / spec.depth_max_km)


def log_prior_k(n_layers, spec: PriorSpec):
    """log p(k), normalised over ``k_min .. k_max``."""
    ks = jnp.arange(spec.k_min, spec.k_max + 1)
    lognorm = jsp.logsumexp(_log_weight_k(ks, spec))
    k = jnp.asarray(n_layers)
    inside = (k >= spec.k_min) & (k <= spec.k_max)
    return jnp.where(inside, _log_weight_k(jnp.clip(k, spec.k_min, spec.k_max), spec) - lognorm,
                     -jnp.inf)


def log_prior_interfaces(earth: LayeredEarth, spec: PriorSpec):
    """log p(interfaces | k) for sampled interfaces (see module docstring)."""
    k = jnp.asarray(earth.n_layers)
    h = spec.min_thickness_km
    active = earth.active_interfaces()
    z = earth.interface_depth_km
    tops = jnp.concatenate([jnp.zeros(1), z])
    gaps = jnp.diff(tops)  # thickness of layers 0..K_max-2
    ok = jnp.all(jnp.where(active, (gaps >= h) & (gaps > 0) & (z <= spec.depth_max_km), True))
    m = k - 1
    length = spec.depth_max_km - m * h
    val = jsp.gammaln(m + 1.0) - m * jnp.log(length)
    return jnp.where(ok, val, -jnp.inf)


def _log_trunc_norm_mass(mean, std, lo, hi):
    """log of the mass of N(mean, std) inside [lo, hi]."""
    a = (lo - mean) / std
    b = (hi - mean) / std
    return jnp.log(jnp.clip(jsp.ndtr(b) - jsp.ndtr(a), 1e-300, None))


def property_bounds(spec: PriorSpec, field="log10_sigma"):
    """(lower bound, upper bound, random-walk step or None) of a per-layer field."""
    if field == "log10_sigma":
        return spec.log10_sigma_min, spec.log10_sigma_max, spec.smoothness_std
    if field == "vs_km_s":
        return spec.vs_km_s_min, spec.vs_km_s_max, spec.vs_smoothness_std
    if field == "vp_vs":
        return spec.vp_vs_min, spec.vp_vs_max, None
    raise ValueError(f"field = {field!r}: allowed values are log10_sigma, vs_km_s, vp_vs")


def log_prior_values(values, n_layers, spec: PriorSpec, field="log10_sigma"):
    """log p(values | k) of a per-layer property at fixed capacity.

    Parameters
    ----------
    values : array, shape (K_max,)
        Values per layer, top first; entries ``>= n_layers`` are ignored.
    n_layers : int
    spec : PriorSpec
    field : {"log10_sigma", "vs_km_s", "vp_vs"}
        Which property's bounds and random-walk step apply.
    """
    lo, hi, step = property_bounds(spec, field)
    kmax = values.shape[-1]
    active = jnp.arange(kmax) < jnp.asarray(n_layers)
    inside = jnp.all(jnp.where(active, (values >= lo) & (values <= hi), True))
    log_uniform = -jnp.log(hi - lo)
    if step is None:
        val = jnp.sum(jnp.where(active, log_uniform, 0.0))
    else:
        prev, cur = values[:-1], values[1:]
        log_step = (dist.Normal(prev, step).log_prob(cur)
                    - _log_trunc_norm_mass(prev, step, lo, hi))
        val = log_uniform + jnp.sum(jnp.where(active[1:], log_step, 0.0))
    return jnp.where(inside, val, -jnp.inf)


def log_prior_noise(noise_scale, spec: PriorSpec):
    """log p of the per-dataset noise scales, shape (D,) -> scalar."""
    s = jnp.asarray(noise_scale)
    if not spec.hierarchical_noise:
        return jnp.where(jnp.all(s == 1.0), 0.0, -jnp.inf)
    lo, hi = spec.noise_scale_min, spec.noise_scale_max
    inside = jnp.all((s >= lo) & (s <= hi))
    val = jnp.sum(-jnp.log(s) - jnp.log(jnp.log(hi / lo)))
    return jnp.where(inside, val, -jnp.inf)


def log_prior(earth: LayeredEarth, noise_scale, spec: PriorSpec):
    """Full log prior of a trans-dimensional state (k, interfaces, values, noise).

    Vs and Vp/Vs enter when the model carries them (a seismic model).
    """
    lp = log_prior_k(earth.n_layers, spec)
    lp = lp + log_prior_interfaces(earth, spec)
    for field in PROPERTY_FIELDS:
        values = getattr(earth, field)
        if values is not None:
            lp = lp + log_prior_values(values, earth.n_layers, spec, field)
    return lp + log_prior_noise(noise_scale, spec)


# ---------------------------------------------------------------- NumPyro sites

def _sample_property(spec, field, k):
    lo, hi, step = property_bounds(spec, field)
    values = numpyro.sample(field, dist.Uniform(lo, hi).expand([k]).to_event(1))
    if step is not None and k > 1:
        # The uniform base already contributes k * log(1/(hi-lo)); add the rest
        # of log_prior_values so the total equals the pure density exactly.
        numpyro.factor(f"{field}_smoothness",
                       log_prior_values(values, k, spec, field) + k * jnp.log(hi - lo))
    return values


def sample_earth(spec: PriorSpec, seismic=False) -> LayeredEarth:
    """Declare the fixed-dimension prior as NumPyro sites and return the model.

    Parameters
    ----------
    spec : PriorSpec
    seismic : bool
        Also declare ``vs_km_s`` and ``vp_vs`` (n_layers,) sites.

    Sites
    -----
    ``log10_sigma`` : (n_layers,)
        log10 conductivity per layer, S/m.
    ``layer_fraction`` : (n_layers,) on the simplex, only for sampled interfaces
        The ``n_layers`` gaps of the ordered interface construction
        (Dirichlet(1, ..., 1) makes the ordered interfaces uniform).
    ``interface_depth_km`` : (n_layers - 1,), deterministic
    """
    k = int(spec.n_layers)
    logs = _sample_property(spec, "log10_sigma", k)
    vs = _sample_property(spec, "vs_km_s", k) if seismic else None
    vp_vs = _sample_property(spec, "vp_vs", k) if seismic else None
    if spec.interfaces == "fixed" or k == 1:
        z = jnp.asarray(fixed_interfaces_km(spec, k))
    else:
        h = spec.min_thickness_km
        length = spec.depth_max_km - (k - 1) * h
        frac = numpyro.sample("layer_fraction", dist.Dirichlet(jnp.ones(k)))
        y = length * jnp.cumsum(frac)[: k - 1]
        z = y + h * jnp.arange(1, k)
    z = numpyro.deterministic("interface_depth_km", z)
    return LayeredEarth(z, logs, jnp.asarray(k, dtype=jnp.int32), vs, vp_vs)


def sample_noise_scale(name: str, spec: PriorSpec):
    """Declare the noise-scale site of one dataset (``noise_scale_<name>``)."""
    if not spec.hierarchical_noise:
        return 1.0
    return numpyro.sample(f"noise_scale_{name}",
                          dist.LogUniform(spec.noise_scale_min, spec.noise_scale_max))
