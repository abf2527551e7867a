"""Hamiltonian move within a fixed number of layers, for the reversible-jump kernel.

Random-walk moves change one value at a time. Where the data tie the
conductivities of neighbouring layers together (the magnetotelluric band,
where a layer's conductance or resistance is resolved but not its
conductivity and thickness apart), such moves crawl along the ridge. The
``hmc`` move proposes all active log10 conductivities at once by ``L``
leapfrog steps of Hamiltonian dynamics (Duane et al. 1987; Neal 2011,
sec. 5.2) on the tempered target ``log L / T + log p``, with the interfaces,
the layer count and the noise scales held fixed.

Preconditioning: with ``s_i`` the random-walk step of layer ``i``'s depth
bin (adapted per bin by the driver, so roughly the conditional posterior
scale of that depth), the dynamics run in ``y = x / s`` with unit mass. The
step ``eps`` (adapted by the driver towards 65 % acceptance) is jittered
uniformly by +/- 20 % at each proposal so no trajectory length resonates
with a period of the target.

The leapfrog map with a final momentum flip is a volume-preserving
involution, so the move is a Metropolis-Hastings proposal on ``(x, p)``
with ``log_q_ratio = K(p_0) - K(p_L)``, ``K(p) = |p|^2 / 2``; the kernel adds
the change of the tempered target. A trajectory that leaves the prior
bounds ends with zero prior density (or non-finite values) and is rejected.
The gradient comes from a log-likelihood that visits every layer slot
(reverse-mode differentiable), the acceptance from the kernel's own.
"""

import jax
import jax.numpy as jnp

from bayesjoint.model.prior import log_prior
from bayesjoint.samplers import moves as mv

TARGET_ACCEPTANCE = 0.65
"""Acceptance rate the driver adapts the step towards (Beskos et al. 2013)."""

STEP_JITTER = 0.2


def build_hmc_move(gradient_log_likelihood_fn, spec, n_steps):
    """The ``hmc`` move (module docstring).

    Parameters
    ----------
    gradient_log_likelihood_fn : callable ``f(earth, noise_scale) -> scalar``
        Reverse-mode differentiable in ``earth.log10_sigma``, e.g.
        :func:`bayesjoint.model.joint.make_log_likelihood` without
        ``active_only``.
    spec : PriorSpec
    n_steps : int
        Leapfrog steps per proposal (static).

    Returns
    -------
    callable ``move(key, position, params) -> (proposal, log_q_ratio, depth_bin)``
        ``params.hmc_step`` is the step in preconditioned units,
        ``params.temperature`` the temperature of the target.
    """
    n_steps = int(n_steps)
    if n_steps < 1:
        raise ValueError(f"hmc_steps = {n_steps}: need at least one leapfrog step")

    def move(key, position: mv.Position, params: mv.MoveParams):
        earth, noise = position.earth, position.noise_scale
        kmax = earth.k_max
        active = jnp.arange(kmax) < earth.n_layers
        tops = jnp.concatenate([jnp.zeros(1), earth.interface_depth_km])
        bins = jax.vmap(lambda z: mv.depth_bin(z, params.depth_edges_km))(tops)
        scale = jnp.where(active, mv.binned(params.value_std["log10_sigma"], bins, params),
                          0.0)
        key_p, key_eps = jax.random.split(key)
        eps = params.hmc_step * (1.0 + STEP_JITTER * jax.random.uniform(
            key_eps, minval=-1.0, maxval=1.0))

        def potential(y):
            e = earth._replace(log10_sigma=earth.log10_sigma + scale * y)
            return -(gradient_log_likelihood_fn(e, noise) / params.temperature
                     + log_prior(e, noise, spec))

        grad_u = jax.grad(potential)

        def safe_grad(y):
            g = grad_u(y)
            return jnp.where(jnp.isfinite(g) & active, g, 0.0)

        p0 = jnp.where(active, jax.random.normal(key_p, (kmax,)), 0.0)
        y0 = jnp.zeros(kmax)
        p = p0 - 0.5 * eps * safe_grad(y0)

        def leapfrog(i, carry):
            y, p = carry
            y = y + eps * p
            g = safe_grad(y)
            p = p - jnp.where(i == n_steps - 1, 0.5, 1.0) * eps * g
            return y, p

        y, p = jax.lax.fori_loop(0, n_steps, leapfrog, (y0, p))
        log_q = 0.5 * jnp.sum(p0 * p0) - 0.5 * jnp.sum(p * p)
        new_earth = earth._replace(log10_sigma=earth.log10_sigma + scale * y)
        ok = jnp.all(jnp.isfinite(new_earth.log10_sigma)) & jnp.isfinite(log_q)
        return (mv.Position(new_earth, noise), jnp.where(ok, log_q, -jnp.inf),
                jnp.zeros((), dtype=jnp.int32))

    return move


def unavailable(key, position, params):
    """The ``hmc`` branch of a kernel built without a gradient: never accepted."""
    return position, jnp.asarray(-jnp.inf), jnp.zeros((), dtype=jnp.int32)
