"""Reversible-jump Metropolis-Hastings kernel on a layered Earth.

BlackJAX-style: :class:`State` and :class:`Info` are NamedTuples, :func:`init`
builds a state, :func:`build_kernel` returns a pure ``kernel(key, state,
temperature)``. Nothing here is jitted; the caller (``run.py``) vmaps and
jits.

Each step picks one move of :data:`~bayesjoint.samplers.moves.MOVES` with
fixed probabilities, builds the proposal ``m'`` and accepts it with
probability ``min(1, alpha)`` where (Green 1995; Bodin & Sambridge 2009,
eq. 9; tempered as in Sambridge 2014, eq. 6)::

    log alpha = (log L(m') - log L(m)) / T + log p(m') - log p(m) + log q-ratio

``T >= 1`` is the temperature; only the likelihood is tempered. The prior
is :func:`bayesjoint.model.prior.log_prior` (interfaces sampled). The
log-likelihood is evaluated once per proposal, and not at all for a
proposal outside the prior support (behind :func:`jax.lax.cond`, which
skips the work when replicas are mapped one after another rather than
vmapped). A log-likelihood that splits into forward-model misfits and
noise scales (:class:`~bayesjoint.model.joint.JointLogLikelihood`: methods
``misfit`` and ``from_misfit``) has its misfits kept in the state, and the
``noise`` move then evaluates no forward model. A proposal inside the prior support whose log-likelihood is not
finite is rejected and flagged in :class:`Info` (``non_finite``); it is
never retried.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from bayesjoint.earth import PROPERTY_FIELDS, LayeredEarth, property_fields
from bayesjoint.model.prior import PriorSpec, log_prior, log_prior_k, property_bounds
from bayesjoint.samplers import moves as mv


class State(NamedTuple):
    """State of one replica.

    Attributes
    ----------
    earth : LayeredEarth
        Fixed capacity ``K_max = spec.k_max``.
    noise_scale : array, shape (D,)
    log_likelihood : scalar
        Untempered log-likelihood of ``(earth, noise_scale)``.
    log_prior : scalar
    misfit : array, shape (D,)
        Misfit of each dataset at unit noise scale (``log_likelihood_fn.misfit``),
        zeros when the log-likelihood does not split that way.
    """

    earth: LayeredEarth
    noise_scale: jnp.ndarray
    log_likelihood: jnp.ndarray
    log_prior: jnp.ndarray
    misfit: jnp.ndarray


class Info(NamedTuple):
    """What one kernel step did.

    Attributes
    ----------
    move : int scalar
        Index into :data:`~bayesjoint.samplers.moves.MOVES`.
    accepted : bool scalar
    log_acceptance : scalar
        ``min(0, log alpha)`` (``-inf`` for an impossible proposal).
    non_finite : bool scalar
        The proposal was inside the prior support but its log-likelihood
        was not finite.
    depth_bin : int scalar
        Depth bin whose step the move used (0 for moves without one).
    """

    move: jnp.ndarray
    accepted: jnp.ndarray
    log_acceptance: jnp.ndarray
    non_finite: jnp.ndarray
    depth_bin: jnp.ndarray


class ProposalScales(NamedTuple):
    """Step sizes of the moves (floats or arrays broadcastable per replica).

    The first :data:`N_ADAPTED` fields are the random-walk steps of the
    moves ``move``, ``perturb``, ``perturb_vs``, ``perturb_vp_vs``,
    ``noise`` and ``move_delay`` (in that order,
    :data:`~bayesjoint.samplers.adaptation.ADAPTED_MOVES`); all but
    ``noise`` take one value per depth bin
    (:func:`~bayesjoint.samplers.moves.depth_bin_edges_km`) or one for all
    bins. The birth scales are used only with ``birth="neighbour"``.

    Attributes
    ----------
    interface_km : interface random-walk standard deviation, km.
    value : log10-conductivity random-walk standard deviation.
    vs : Vs random-walk standard deviation, km/s.
    vp_vs : Vp/Vs random-walk standard deviation.
    noise_log : random-walk standard deviation of log noise scale.
    delay_interface_km : step of the delay-keeping interface move, km.
    birth_value : standard deviation of the neighbour birth of log10 conductivity.
    birth_vs : standard deviation of the neighbour birth of Vs, km/s.
    birth_vp_vs : standard deviation of the neighbour birth of Vp/Vs.
    """

    interface_km: float
    value: float
    vs: float
    vp_vs: float
    noise_log: float
    delay_interface_km: float
    birth_value: float
    birth_vs: float
    birth_vp_vs: float


NOISE_MOVE = mv.MOVES.index("noise")
"""Index of the noise move in :data:`~bayesjoint.samplers.moves.MOVES`."""

N_ADAPTED = 6
"""Number of leading :class:`ProposalScales` fields that adapt during burn-in."""

BIRTH_MODES = ("prior", "neighbour", "split")

N_DEPTH_BINS = 8
"""Default number of depth bins of the depth-dependent steps."""


def check_spec(spec: PriorSpec):
    """Raise ValueError if ``spec`` cannot be sampled trans-dimensionally."""
    if spec.interfaces != "sampled":
        raise ValueError(f"spec.interfaces = {spec.interfaces!r}: the reversible-jump sampler "
                         "needs interfaces='sampled'")
    if spec.k_min < 1 or spec.k_min > spec.k_max:
        raise ValueError(f"spec.k_min = {spec.k_min!r}: need 1 <= k_min <= k_max = {spec.k_max!r}")
    if spec.k_max > 1 and (spec.k_max - 1) * spec.min_thickness_km >= spec.depth_max_km:
        raise ValueError(
            f"spec.min_thickness_km = {spec.min_thickness_km!r}: k_max = {spec.k_max} layers "
            f"need (k_max - 1) * min_thickness_km < depth_max_km = {spec.depth_max_km}")


def default_proposal_scales(spec: PriorSpec, n_depth_bins=N_DEPTH_BINS) -> ProposalScales:
    """Starting step sizes.

    Interfaces: in each depth bin half the bin's bottom depth, at most 5 %
    of the depth range (shallow interfaces take small steps); the same for
    the delay-keeping interface move. Values: 10 %
    of each value range in every bin. A neighbour birth uses the
    property's smoothness step when the prior has one, else 10 % of its
    range.
    """
    def tenth(lo, hi):
        return 0.1 * (hi - lo)

    bottoms = np.append(mv.depth_bin_edges_km(spec.depth_max_km, n_depth_bins),
                        spec.depth_max_km)
    interface_km = tuple(float(x) for x in np.minimum(0.5 * bottoms, 0.05 * spec.depth_max_km))
    return ProposalScales(
        interface_km=interface_km,
        value=tenth(spec.log10_sigma_min, spec.log10_sigma_max),
        vs=tenth(spec.vs_km_s_min, spec.vs_km_s_max),
        vp_vs=tenth(spec.vp_vs_min, spec.vp_vs_max),
        noise_log=0.2,
        delay_interface_km=interface_km,
        birth_value=(spec.smoothness_std if spec.smoothness_std is not None
                     else tenth(spec.log10_sigma_min, spec.log10_sigma_max)),
        birth_vs=(spec.vs_smoothness_std if spec.vs_smoothness_std is not None
                  else tenth(spec.vs_km_s_min, spec.vs_km_s_max)),
        birth_vp_vs=tenth(spec.vp_vs_min, spec.vp_vs_max))


def default_move_probs(spec: PriorSpec, seismic=False):
    """Default probabilities of the moves in :data:`~bayesjoint.samplers.moves.MOVES`.

    Birth, death and move get 0.2 each, value perturbations 0.3 in all
    (split 0.12 / 0.12 / 0.06 between conductivity, Vs and Vp/Vs when the
    model is ``seismic``), noise 0.1, then renormalised: birth and death get 0 when
    ``k_min == k_max``; noise gets 0 without hierarchical noise.
    """
    if seismic:
        p = np.array([0.2, 0.2, 0.1, 0.12, 0.12, 0.06, 0.1, 0.1])
    else:
        p = np.array([0.2, 0.2, 0.2, 0.3, 0.0, 0.0, 0.1, 0.0])
    if spec.k_min == spec.k_max:
        p[:2] = 0.0
    if not spec.hierarchical_noise:
        p[NOISE_MOVE] = 0.0
    return tuple(float(x) for x in p / p.sum())


def check_move_probs(move_probs, spec: PriorSpec, seismic=False):
    """Validate move probabilities; returns them as a float array, one per move.

    Accepts a sequence in the order of :data:`~bayesjoint.samplers.moves.MOVES`
    or a mapping from move name to probability (missing names get 0).
    """
    names = mv.MOVES
    if isinstance(move_probs, dict):
        unknown = set(move_probs) - set(names)
        if unknown:
            raise ValueError(f"move_probs has unknown moves {sorted(unknown)}; allowed: {names}")
        p = np.array([float(move_probs.get(name, 0.0)) for name in names])
    else:
        p = np.asarray(move_probs, dtype=float)
        if p.shape != (len(names),):
            raise ValueError(f"move_probs = {move_probs!r}: need {len(names)} probabilities "
                             f"for {names}")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or abs(p.sum() - 1.0) > 1e-9:
        raise ValueError(f"move_probs = {p.tolist()}: need non-negative values summing to 1")
    if (p[0] > 0) != (p[1] > 0):
        raise ValueError(f"move_probs = {p.tolist()}: birth and death must both be > 0 or both 0 "
                         "(each is the reverse of the other)")
    p_noise = p[NOISE_MOVE]
    if p_noise > 0 and not spec.hierarchical_noise:
        raise ValueError(f"move_probs['noise'] = {p_noise}: must be 0 when spec.hierarchical_noise "
                         "is False (the noise scales are fixed to 1)")
    if not seismic:
        for name in mv.SEISMIC_MOVES:
            if p[names.index(name)] > 0:
                raise ValueError(f"move_probs[{name!r}] = {p[names.index(name)]}: must be 0 for a "
                                 "model without Vs and Vp/Vs (no receiver-function dataset)")
    return p


def check_scales(scales: ProposalScales):
    """Raise ValueError unless every proposal scale is finite and > 0."""
    for name, value in zip(ProposalScales._fields, scales):
        v = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(v) & (v > 0)):
            raise ValueError(f"proposal_scales.{name} = {value!r}: must be finite and > 0")


def splits_by_noise(log_likelihood_fn):
    """Whether ``log_likelihood_fn`` has ``misfit(earth)`` and ``from_misfit(misfit, noise_scale)``."""
    return callable(getattr(log_likelihood_fn, "misfit", None)) and callable(
        getattr(log_likelihood_fn, "from_misfit", None))


def _evaluate(log_likelihood_fn, earth, noise_scale):
    """``(log_likelihood, misfit)`` of one model; misfit zeros without the split."""
    if splits_by_noise(log_likelihood_fn):
        misfit = jnp.asarray(log_likelihood_fn.misfit(earth), dtype=float)
        return jnp.asarray(log_likelihood_fn.from_misfit(misfit, noise_scale), dtype=float), misfit
    return (jnp.asarray(log_likelihood_fn(earth, noise_scale), dtype=float),
            jnp.zeros(jnp.shape(noise_scale)))


def init(earth: LayeredEarth, noise_scale, log_likelihood_fn, spec: PriorSpec) -> State:
    """Build the state of one replica (vmap it for several).

    Parameters
    ----------
    earth : LayeredEarth
        Capacity ``spec.k_max``; with ``vs_km_s`` and ``vp_vs`` both present
        (a seismic model) or both None.
    noise_scale : array, shape (D,)
    log_likelihood_fn : callable ``f(earth, noise_scale) -> scalar``
    spec : PriorSpec
    """
    if (earth.vs_km_s is None) != (earth.vp_vs is None):
        raise ValueError("earth.vs_km_s and earth.vp_vs: give both (a seismic model) or neither")
    if earth.k_max != spec.k_max:
        raise ValueError(f"earth capacity {earth.k_max} differs from spec.k_max = {spec.k_max}")
    noise_scale = jnp.asarray(noise_scale, dtype=float)
    ll, misfit = _evaluate(log_likelihood_fn, earth, noise_scale)
    return State(earth, noise_scale, ll,
                 jnp.asarray(log_prior(earth, noise_scale, spec), dtype=float), misfit)


def _sample_values(key, spec: PriorSpec, field, kmax):
    """K_max values of one property from its prior (uniform, or the truncated walk)."""
    lo, hi, step = property_bounds(spec, field)
    key_top, key_walk = jax.random.split(key)
    v0 = jax.random.uniform(key_top, minval=lo, maxval=hi)
    if step is None:
        rest = jax.random.uniform(key_walk, (kmax - 1,), minval=lo, maxval=hi)
    else:
        def walk(prev, kk):
            nxt = prev + step * jax.random.truncated_normal(kk, (lo - prev) / step,
                                                            (hi - prev) / step)
            nxt = jnp.clip(nxt, lo, hi)
            return nxt, nxt

        _, rest = jax.lax.scan(walk, v0, jax.random.split(key_walk, kmax - 1))
    return jnp.concatenate([v0[None], rest])


def sample_prior(key, spec: PriorSpec, n_datasets: int, seismic=False):
    """Draw one ``(earth, noise_scale)`` from the prior for ``k`` in ``k_min .. k_max``.

    Interfaces use the construction of :mod:`bayesjoint.model.prior`: ``k-1``
    sorted uniforms ``y`` on ``[0, L_k]`` shifted by ``j h``. Each property
    is uniform on its bounds, or the truncated Gaussian random walk of its
    smoothness prior. Inactive interface slots hold ``depth_max_km``.

    Parameters
    ----------
    key : PRNG key
    spec : PriorSpec
    n_datasets : int
    seismic : bool
        Also draw ``vs_km_s`` and ``vp_vs``.

    Returns
    -------
    earth : LayeredEarth
        Capacity ``spec.k_max``.
    noise_scale : array, shape (n_datasets,)
    """
    kmax = spec.k_max
    key_k, key_z, key_s, *key_f = jax.random.split(key, 6)
    ks = jnp.arange(spec.k_min, kmax + 1)
    k = jax.random.categorical(key_k, log_prior_k(ks, spec)) + spec.k_min
    m = k - 1
    h = spec.min_thickness_km
    length = spec.depth_max_km - m * h
    slot = jnp.arange(kmax - 1)
    u = jax.random.uniform(key_z, (kmax - 1,)) * length
    y = jnp.sort(jnp.where(slot < m, u, jnp.inf))
    z = jnp.where(slot < m, y + (slot + 1) * h, spec.depth_max_km)
    fields = property_fields(seismic)
    values = {f: _sample_values(kk, spec, f, kmax) for f, kk in zip(fields, key_f)}
    if spec.hierarchical_noise:
        log_s = jax.random.uniform(key_s, (n_datasets,), minval=np.log(spec.noise_scale_min),
                                   maxval=np.log(spec.noise_scale_max))
        noise = jnp.exp(log_s)
    else:
        noise = jnp.ones(n_datasets)
    return LayeredEarth(z, n_layers=k.astype(jnp.int32), **values), noise


def move_params(spec: PriorSpec, probs, scales: ProposalScales, birth="prior",
                seismic=False, n_depth_bins=N_DEPTH_BINS) -> mv.MoveParams:
    """The constants and step sizes the moves of :mod:`~bayesjoint.samplers.moves` take.

    Parameters
    ----------
    spec : PriorSpec
    probs : array, shape (len(MOVES),)
        Move probabilities (:func:`check_move_probs`); birth and death enter
        the dimension-changing proposal ratios.
    scales : ProposalScales
    birth : {"prior", "neighbour", "split"}
    seismic : bool
        Whether the layers carry Vs and Vp/Vs.
    n_depth_bins : int
        Depth bins of the depth-dependent steps.
    """
    fields = property_fields(seismic)
    bounds = {f: property_bounds(spec, f)[:2] for f in fields}
    steps = dict(zip(PROPERTY_FIELDS, (scales.value, scales.vs, scales.vp_vs)))
    births = dict(zip(PROPERTY_FIELDS, (scales.birth_value, scales.birth_vs, scales.birth_vp_vs)))
    return mv.MoveParams(
        k_min=spec.k_min, k_max=spec.k_max, depth_max_km=spec.depth_max_km,
        value_lo={f: b[0] for f, b in bounds.items()},
        value_hi={f: b[1] for f, b in bounds.items()},
        p_birth=max(probs[0], 1e-300), p_death=max(probs[1], 1e-300),
        interface_std_km=scales.interface_km, value_std={f: steps[f] for f in fields},
        noise_log_std=scales.noise_log, delay_interface_std_km=scales.delay_interface_km,
        birth_std=None if birth == "prior" else {f: births[f] for f in fields},
        birth_split=birth == "split",
        depth_edges_km=mv.depth_bin_edges_km(spec.depth_max_km, n_depth_bins))


def build_kernel(log_likelihood_fn, spec: PriorSpec, move_probs=None, proposal_scales=None,
                 birth="prior", seismic=False, n_depth_bins=N_DEPTH_BINS):
    """Build the reversible-jump MH kernel.

    Parameters
    ----------
    log_likelihood_fn : callable ``f(earth, noise_scale) -> scalar``
        E.g. :func:`bayesjoint.model.joint.make_log_likelihood`. With the
        methods ``misfit`` and ``from_misfit`` (:func:`splits_by_noise`)
        the ``noise`` move reuses the state's misfits.
    spec : PriorSpec
        Must have ``interfaces="sampled"``.
    move_probs : sequence of floats or dict, optional
        Probabilities of the moves of :data:`~bayesjoint.samplers.moves.MOVES`;
        default :func:`default_move_probs`.
    proposal_scales : ProposalScales, optional
        Default :func:`default_proposal_scales`.
    birth : {"prior", "neighbour", "split"}
        Draw the value of a new layer uniform on the prior bounds, or
        Gaussian around the split layer's value with standard deviation
        ``proposal_scales.birth_value`` (``birth_vs``, ``birth_vp_vs``), or
        split the layer into two parts that keep its thickness-weighted
        log10 conductivity and S and P slowness, their difference drawn with
        those standard deviations (:mod:`~bayesjoint.samplers.moves`).
    seismic : bool
        The states carry ``vs_km_s`` and ``vp_vs`` (a receiver-function
        dataset takes part): birth and death act on them too and the
        ``perturb_vs`` and ``perturb_vp_vs`` moves may be used.
    n_depth_bins : int
        Depth bins of the depth-dependent steps of the interface and value
        random walks.

    Returns
    -------
    kernel : callable ``kernel(key, state, temperature=1.0, scales=None) -> (State, Info)``
        ``scales`` (a ProposalScales, possibly traced) overrides the step
        sizes given here; the driver uses it for adaptation.
    """
    check_spec(spec)
    if birth not in BIRTH_MODES:
        raise ValueError(f"birth = {birth!r}: allowed values are {BIRTH_MODES}")
    probs = check_move_probs(default_move_probs(spec, seismic) if move_probs is None
                             else move_probs, spec, seismic)
    base_scales = (default_proposal_scales(spec, n_depth_bins) if proposal_scales is None
                   else proposal_scales)
    check_scales(base_scales)
    log_probs = jnp.log(jnp.asarray(probs))
    cached = splits_by_noise(log_likelihood_fn)

    def kernel(key, state: State, temperature=1.0, scales=None):
        params = move_params(spec, probs, base_scales if scales is None else scales, birth,
                             seismic, n_depth_bins)
        key_move, key_prop, key_acc = jax.random.split(key, 3)
        move = jax.random.categorical(key_move, log_probs)
        position = mv.Position(state.earth, state.noise_scale)
        branches = [lambda kk, pos, f=f: f(kk, pos, params) for f in mv.MOVE_FUNCTIONS]
        proposal, log_q, depth_bin = jax.lax.switch(move, branches, key_prop, position)
        lp_new = log_prior(proposal.earth, proposal.noise_scale, spec)
        in_support = jnp.isfinite(lp_new) & jnp.isfinite(log_q)
        # 0: outside the support (no work); 1: a forward evaluation; 2: the
        # noise move of a split likelihood (stored misfits, no forward model).
        evaluations = [lambda p: (jnp.asarray(-jnp.inf), state.misfit),
                    lambda p: _evaluate(log_likelihood_fn, p.earth, p.noise_scale)]
        branch = jnp.where(in_support, 1, 0)
        if cached:
            evaluations.append(lambda p: (
                jnp.asarray(log_likelihood_fn.from_misfit(state.misfit, p.noise_scale),
                            dtype=float), state.misfit))
            branch = jnp.where(in_support & (move == NOISE_MOVE), 2, branch)
        ll_new, misfit_new = jax.lax.switch(branch, evaluations, proposal)
        ll_ok = jnp.isfinite(ll_new)
        log_alpha = ((ll_new - state.log_likelihood) / temperature
                     + lp_new - state.log_prior + log_q)
        log_alpha = jnp.where(in_support & ll_ok, log_alpha, -jnp.inf)
        log_alpha = jnp.where(jnp.isnan(log_alpha), -jnp.inf, log_alpha)
        accepted = jnp.log(jax.random.uniform(key_acc)) < log_alpha
        new_state = State(proposal.earth, proposal.noise_scale,
                          jnp.asarray(ll_new, dtype=float), jnp.asarray(lp_new, dtype=float),
                          misfit_new)
        new_state = jax.tree.map(lambda a, b: jnp.where(accepted, a, b), new_state, state)
        info = Info(move, accepted, jnp.minimum(log_alpha, 0.0), in_support & ~ll_ok,
                    jnp.asarray(depth_bin, dtype=jnp.int32))
        return new_state, info

    return kernel
