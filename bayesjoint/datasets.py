"""Built-in synthetic examples: true models and noisy data made from them.

Each generator uses a fixed seed by default, so tests, notebooks and the
``bayesjoint demo`` command see the same data.
"""

import numpy as np

from bayesjoint.data import MTData
from bayesjoint.earth import LayeredEarth
from bayesjoint.physics import mt as mt_physics

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


def synthetic_mt(model: LayeredEarth, period_s, *, rel_error=0.03, kind="rho_phase", seed=0,
                 name="mt") -> MTData:
    """Noisy MT data of a layered model.

    Noise is Gaussian with the standard deviations that the returned dataset
    states: for ``kind="rho_phase"`` a relative error ``rel_error`` of
    apparent resistivity (``log10_rho_a_std = rel_error / ln 10``) and of the
    phase value in degrees; for ``kind="impedance"`` ``rel_error |Z|`` on
    each of Re Z and Im Z.

    Parameters
    ----------
    model : LayeredEarth
    period_s : array_like, shape (P,)
    rel_error : float
    kind : {"rho_phase", "impedance"}
    seed : int
    name : str

    Returns
    -------
    MTData
    """
    period_s = np.asarray(period_s, dtype=float)
    thickness_m, sigma = model.sigma_stack()
    z = np.asarray(mt_physics.impedance(period_s, thickness_m, sigma))
    rng = np.random.default_rng(seed)
    if kind == "impedance":
        clean = MTData.from_impedance(period_s, z, rel_error=rel_error, name=name)
        noise = rng.normal(size=(2, z.size)) * clean.z_std_ohm
        return MTData.from_impedance(period_s, z + noise[0] + 1j * noise[1], clean.z_std_ohm,
                                     name=name, meta={"synthetic": True})
    rho, phase = (np.asarray(a) for a in mt_physics.apparent_resistivity_phase(period_s, z))
    clean = MTData.from_rho_phase(period_s, rho, phase, rel_error=rel_error, name=name)
    log_rho = clean.log10_rho_a + rng.normal(size=rho.size) * clean.log10_rho_a_std
    phase_obs = phase + rng.normal(size=rho.size) * clean.phase_std_deg
    return MTData.from_rho_phase(period_s, 10.0**log_rho, phase_obs,
                                 log10_rho_a_std=clean.log10_rho_a_std,
                                 phase_std_deg=clean.phase_std_deg, name=name,
                                 meta={"synthetic": True})
