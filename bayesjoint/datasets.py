"""Built-in synthetic examples: true models and noisy data made from them.

Each generator uses a fixed seed by default, so tests, notebooks and the
``bayesjoint demo`` command see the same data.
"""

from typing import NamedTuple

import numpy as np
from scipy.signal import lfilter

from bayesjoint.data import (DstData, DstSurvey, MTData, MTSurvey, RFData, RFSurvey, SqData,
                             SqSurvey, complex_from_parts)
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.geomag import predict_dst, predict_sq
from bayesjoint.model.mt import predict_mt
from bayesjoint.model.rf import predict_rf
from bayesjoint.physics import mt as mt_physics
from bayesjoint.physics.constants import DEFAULT_SHELL_LAW

REFERENCE_TOP_DEPTH_KM = np.array([
    0, 10, 22, 37, 52, 65, 80, 95, 112, 132, 155, 180, 210, 245, 280, 320, 360, 400, 440,
    490, 550, 600, 660, 730, 800, 880, 980, 1080, 1190, 1300, 1400, 1500, 1600, 1700,
    1800, 1900, 2000], dtype=float)
"""Layer tops of the reference mantle-conductivity model, km (Yao et al. 2023,
GJI 233, synthetic truth); the last layer extends to the core."""

REFERENCE_SIGMA_S_PER_M = np.array([
    0.00032, 0.00032, 0.00034, 0.00039, 0.00050, 0.00073, 0.00116, 0.00203, 0.00374,
    0.00701, 0.01293, 0.02182, 0.03137, 0.04030, 0.04775, 0.05626, 0.06939, 0.09014,
    0.13698, 0.25818, 0.55871, 0.98034, 1.13267, 1.17502, 1.19377, 1.21470, 1.22527,
    1.24674, 1.30836, 1.49968, 1.89385, 2.46800, 3.18402, 3.84989, 4.19080, 4.32177,
    4.37388])
"""Conductivities of the reference model's layers, S/m."""

REFERENCE_CORE_DEPTH_KM = 2890.0
"""Depth of the core-mantle boundary, km."""

REFERENCE_CORE_SIGMA_S_PER_M = 5e5
"""Conductivity of the core, S/m."""


def reference_model() -> LayeredEarth:
    """The reference mantle-conductivity model (37 mantle layers, no core).

    Its last layer, from 2000 km, is a half-space for MT; the sphere
    responses add the core at :data:`REFERENCE_CORE_DEPTH_KM`.
    """
    return LayeredEarth.from_layers(REFERENCE_TOP_DEPTH_KM, REFERENCE_SIGMA_S_PER_M)


def demo_mt_model() -> LayeredEarth:
    """The model of ``bayesjoint demo``: the reference model (a gradual
    increase of conductivity with depth, from 3000 ohm m at the surface to
    about 1 ohm m at 600 km)."""
    return reference_model()


MT_ERROR_MODELS = ("rho_a", "log10_rho_a")
"""How :func:`synthetic_mt` turns ``rel_error`` into standard deviations of
log10 apparent resistivity (``rel_error`` of rho_a, or of ``|log10 rho_a|``)."""


def synthetic_mt(model: LayeredEarth, period_s, *, rel_error=0.03, kind="rho_phase", seed=0,
                 name="mt", error_model="rho_a") -> MTData:
    """Noisy MT data of a layered model.

    Noise is Gaussian with the standard deviations that the returned dataset
    states: for ``kind="rho_phase"`` a relative error ``rel_error`` of the
    phase value in degrees and, with ``error_model="rho_a"``, of apparent
    resistivity (``log10_rho_a_std = rel_error / ln 10``), or with
    ``error_model="log10_rho_a"`` of the value ``|log10 rho_a|`` itself (the
    convention of Yao et al. 2023: 0.03 |log10 rho_a| and 0.03 |phase|);
    for ``kind="impedance"`` ``rel_error |Z|`` on each of Re Z and Im Z.

    Parameters
    ----------
    model : LayeredEarth
    period_s : array_like, shape (P,)
    rel_error : float
    kind : {"rho_phase", "impedance"}
    seed : int
    name : str
    error_model : {"rho_a", "log10_rho_a"}

    Returns
    -------
    MTData
    """
    period_s = np.asarray(period_s, dtype=float)
    z = complex_from_parts(predict_mt(model, MTSurvey(period_s, "impedance")))
    rng = np.random.default_rng(seed)
    if kind == "impedance":
        clean = MTData.from_impedance(period_s, z, rel_error=rel_error, name=name)
        noise = rng.normal(size=(2, z.size)) * clean.z_std_ohm
        return MTData.from_impedance(period_s, z + noise[0] + 1j * noise[1], clean.z_std_ohm,
                                     name=name, meta={"synthetic": True})
    if error_model not in MT_ERROR_MODELS:
        raise ValueError(f"error_model = {error_model!r}: allowed values are {MT_ERROR_MODELS}")
    rho, phase = (np.asarray(a) for a in mt_physics.apparent_resistivity_phase(period_s, z))
    clean = MTData.from_rho_phase(period_s, rho, phase, rel_error=rel_error, name=name)
    if error_model == "log10_rho_a":
        clean = MTData.from_rho_phase(period_s, rho, phase,
                                      log10_rho_a_std=rel_error * np.abs(np.log10(rho)),
                                      phase_std_deg=clean.phase_std_deg, name=name)
    log_rho = clean.log10_rho_a + rng.normal(size=rho.size) * clean.log10_rho_a_std
    phase_obs = phase + rng.normal(size=rho.size) * clean.phase_std_deg
    return MTData.from_rho_phase(period_s, 10.0**log_rho, phase_obs,
                                 log10_rho_a_std=clean.log10_rho_a_std,
                                 phase_std_deg=clean.phase_std_deg, name=name,
                                 meta={"synthetic": True})


def _noisy_complex(value, rel_error, rng):
    """``value`` plus Gaussian noise of std ``rel_error |value|`` on each part, and that std."""
    std = rel_error * np.abs(value)
    noise = rng.normal(size=(2, value.size)) * std
    return value + noise[0] + 1j * noise[1], std


def synthetic_dst(model: LayeredEarth, period_s, *, rel_error=0.03, kind="q", degree=1,
                  shell_law=DEFAULT_SHELL_LAW, core_depth_km=REFERENCE_CORE_DEPTH_KM,
                  core_sigma_s_per_m=REFERENCE_CORE_SIGMA_S_PER_M, seed=0,
                  name="dst") -> DstData:
    """Noisy Dst Q- or C-responses of a layered model above a conducting core.

    The model's last active layer extends down to the core
    (:func:`bayesjoint.model.geomag.sphere_stack`). Noise is Gaussian with
    std ``rel_error |Q|`` (or ``rel_error |C|``) on each of the real and
    imaginary parts, as the returned dataset states.

    Parameters
    ----------
    model : LayeredEarth
        Mantle model; its deepest interface lies above ``core_depth_km``.
    period_s : array_like, shape (P,)
        Periods in s (1 hour to 1 year).
    rel_error : float
    kind : {"q", "c"}
        Q_n (dimensionless) or C_n in km.
    degree : int
    shell_law : {"quadratic", "constant"}
    core_depth_km, core_sigma_s_per_m : float
    seed : int
    name : str

    Returns
    -------
    DstData
    """
    survey = DstSurvey(np.asarray(period_s, dtype=float), kind, degree, shell_law,
                       core_depth_km, core_sigma_s_per_m)
    value, std = _noisy_complex(complex_from_parts(predict_dst(model, survey)), rel_error,
                                np.random.default_rng(seed))
    build = DstData.from_q if kind == "q" else DstData.from_c
    return build(survey.period_s, value, std, degree=degree, shell_law=shell_law,
                 core_depth_km=core_depth_km, core_sigma_s_per_m=core_sigma_s_per_m, name=name,
                 meta={"synthetic": True})


def synthetic_sq(model: LayeredEarth, period_s, degree, order, *, colat_deg, lon_deg,
                 rel_error=0.03, shell_law=DEFAULT_SHELL_LAW,
                 core_depth_km=REFERENCE_CORE_DEPTH_KM,
                 core_sigma_s_per_m=REFERENCE_CORE_SIGMA_S_PER_M, seed=0, name="sq") -> SqData:
    """Noisy Sq transfer functions of a layered model above a conducting core.

    Noise is Gaussian with std ``rel_error |T|`` on each of Re T and Im T.

    Parameters
    ----------
    model : LayeredEarth
    period_s : array_like, shape (P,)
        Periods in s, one per term (``86400 / p`` for the Sq harmonics).
    degree, order : array_like of int, shape (P,)
        Degree n and order m of each external source term.
    colat_deg, lon_deg : float
        Geographic colatitude and east longitude of the site, degrees.
    rel_error : float
    shell_law, core_depth_km, core_sigma_s_per_m, seed, name
        As for :func:`synthetic_dst`.

    Returns
    -------
    SqData
    """
    survey = SqSurvey(np.asarray(period_s, dtype=float), degree, order, colat_deg, lon_deg,
                      shell_law, core_depth_km, core_sigma_s_per_m)
    value, std = _noisy_complex(complex_from_parts(predict_sq(model, survey)), rel_error,
                                np.random.default_rng(seed))
    return SqData.from_transfer_function(
        survey.period_s, survey.degree, survey.order, value, std, colat_deg=colat_deg,
        lon_deg=lon_deg, shell_law=shell_law, core_depth_km=core_depth_km,
        core_sigma_s_per_m=core_sigma_s_per_m, name=name, meta={"synthetic": True})


def synthetic_rf(model: LayeredEarth, ray_parameter_s_km, *, dt_s, npts, shift_s, gauss_rad_s,
                 noise_std, correlation_s=None, seed=0, name="rf", wrap_free=False) -> RFData:
    """Noisy P receiver functions (peak-normalised, Earth-flattened) of a layered model.

    The noise of each trace is a stationary first-order autoregression
    with standard deviation ``noise_std`` and correlation
    ``exp(-|t_i - t_j| / correlation_s)``: the exponential law of
    :mod:`bayesjoint.model.rf`, which the returned dataset states. Without
    ``correlation_s`` the noise is white and the dataset uncorrelated.

    Parameters
    ----------
    model : LayeredEarth
        With ``vs_km_s`` and ``vp_vs``.
    ray_parameter_s_km : array_like, shape (R,)
        Ray parameters of the traces, s/km.
    dt_s : float
        Sample interval, s.
    npts : int
        Samples per trace.
    shift_s : float
        Record time of the direct P, s.
    gauss_rad_s : float
        Gaussian parameter in rad/s.
    noise_std : float
        Noise standard deviation, in units of the direct-P peak.
    correlation_s : float, optional
        Correlation length of the noise, s.
    seed : int
    name : str
    wrap_free : bool
        Predict without the transform's wrap-around, as recorded data are
        (:func:`bayesjoint.model.rf.predict_rf`); default False, the
        record's own period (cheaper). The dataset states it
        (``RFData.wrap_free``), so an inversion predicts it the same way.

    Returns
    -------
    RFData
    """
    survey = RFSurvey(np.atleast_1d(np.asarray(ray_parameter_s_km, dtype=float)), gauss_rad_s,
                      dt_s, npts, shift_s)
    clean = np.asarray(predict_rf(model, survey, wrap_free=wrap_free)).reshape(survey.n_traces,
                                                                                survey.npts)
    rng = np.random.default_rng(seed)
    white = rng.normal(size=clean.shape)
    if correlation_s is None:
        noise = white
    else:
        # AR(1) of unit variance: n_0 = w_0, n_i = rho n_(i-1) + sqrt(1 - rho^2) w_i
        rho = np.exp(-dt_s / correlation_s)
        rest, _ = lfilter([np.sqrt(1.0 - rho**2)], [1.0, -rho], white[:, 1:], axis=1,
                          zi=rho * white[:, :1])
        noise = np.concatenate([white[:, :1], rest], axis=1)
    correlation = {} if correlation_s is None else {"correlation": "exponential",
                                                    "correlation_s": correlation_s}
    return RFData.from_traces(clean + noise_std * noise, survey.ray_parameter_s_km, dt_s=dt_s,
                              shift_s=shift_s, gauss_rad_s=gauss_rad_s, std=noise_std, name=name,
                              wrap_free=wrap_free, meta={"synthetic": True}, **correlation)


REFERENCE_SQ_COLAT_DEG = 57.923
"""Geographic colatitude of the reference Sq site (Tucson), degrees."""

REFERENCE_SQ_LON_DEG = 249.167
"""East longitude of the reference Sq site (Tucson), degrees."""


class ReferenceExperiment(NamedTuple):
    """Synthetic MT, Sq and Dst data of the reference model (Yao et al. 2023).

    Attributes
    ----------
    mt : MTData
    sq : SqData
    dst : DstData
    truth : LayeredEarth
        The reference mantle model (:func:`reference_model`).
    core_depth_km, core_sigma_s_per_m : float
        The core below the mantle.
    shell_law : str
        Conductivity law inside each shell used for Sq and Dst.
    """

    mt: MTData
    sq: SqData
    dst: DstData
    truth: LayeredEarth
    core_depth_km: float
    core_sigma_s_per_m: float
    shell_law: str


def reference_experiment(seed=0, *, rel_error=0.03, shell_law=DEFAULT_SHELL_LAW,
                         mt_error_model="rho_a"):
    """The synthetic MT + Sq + Dst experiment of Yao et al. (2023, GJI 233, 1821-1846).

    * MT: 20 periods log-spaced 1-7200 s; log10 apparent resistivity and
      phase with a relative error ``rel_error`` of rho_a and of the phase
      (:func:`synthetic_mt`), or with ``mt_error_model="log10_rho_a"`` of
      ``|log10 rho_a|`` and of the phase, as in Yao et al.'s code.
    * Sq: periods 24/p h, p = 1..6, one term each with (n, m) = (p+1, p),
      at Tucson (colatitude 57.923 deg, longitude 249.167 deg E); complex T,
      std ``rel_error |T|``.
    * Dst: Q_1 at 20 periods log-spaced 2-100 days, std ``rel_error |Q|``.

    The truth is :func:`reference_model` with its last layer extending to a
    core of 5e5 S/m at 2890 km. Sq and Dst use ``shell_law`` (default
    ``"quadratic"``, sigma ~ r^-2 inside each shell; the constant law
    differs by about 0.1 %). The noise of MT, Sq and Dst uses the seeds
    ``seed``, ``seed + 1`` and ``seed + 2``.

    Parameters
    ----------
    seed : int
    rel_error : float
    shell_law : {"quadratic", "constant"}
    mt_error_model : {"rho_a", "log10_rho_a"}

    Returns
    -------
    ReferenceExperiment
    """
    truth = reference_model()
    core = {"core_depth_km": REFERENCE_CORE_DEPTH_KM,
            "core_sigma_s_per_m": REFERENCE_CORE_SIGMA_S_PER_M}
    mt = synthetic_mt(truth, np.logspace(0.0, np.log10(7200.0), 20), rel_error=rel_error,
                      seed=seed, name="mt", error_model=mt_error_model)
    p = np.arange(1, 7)
    sq = synthetic_sq(truth, 86400.0 / p, p + 1, p, colat_deg=REFERENCE_SQ_COLAT_DEG,
                      lon_deg=REFERENCE_SQ_LON_DEG, rel_error=rel_error, shell_law=shell_law,
                      seed=seed + 1, name="sq", **core)
    dst = synthetic_dst(truth, 86400.0 * np.logspace(np.log10(2.0), 2.0, 20),
                        rel_error=rel_error, shell_law=shell_law, seed=seed + 2, name="dst",
                        **core)
    return ReferenceExperiment(mt, sq, dst, truth, shell_law=shell_law, **core)
