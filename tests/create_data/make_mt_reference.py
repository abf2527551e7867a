"""Regenerate tests/data/mt_reference.json: 1-D MT impedances from SimPEG.

SimPEG's ``Simulation1DRecursive`` (simpeg.electromagnetics.natural_source)
serves as an independent code for :mod:`bayesjoint.physics.mt`. It evaluates
the recursion in its hyperbolic-tangent form, whereas bayesjoint uses
reflection coefficients and decaying exponentials, so agreement to rounding
error checks both the formula and its numerics.

Conventions of SimPEG (checked with SimPEG 0.26, see ``simpeg_impedance``)
--------------------------------------------------------------------------
* Layers are ordered from the bottom up (z positive upward): ``sigma[0]`` is
  the basement half-space and ``thicknesses[0]`` the deepest finite layer.
  bayesjoint orders layers from the surface down.
* SimPEG also uses ``exp(+i omega t)``, but its ``xy`` impedance carries the
  opposite sign: a half-space gives ``Z_xy = -(1 + i) sqrt(omega mu0 / (2 sigma))``
  and phase -135 deg. So ``Z_bayesjoint = -Z_simpeg_xy``; the relation is a
  sign flip, not a complex conjugate.
* SimPEG takes mu0 from ``scipy.constants.mu_0``, a measured CODATA value
  (1.25663706127e-6 H/m in SciPy 1.18, CODATA 2022) that differs from
  bayesjoint's ``4 pi 1e-7`` H/m by -1.3e-10 relative; the impedances then
  differ by about 1.3e-10 relative.
  The script sets the module constant of SimPEG's 1-D simulation to
  ``4 pi 1e-7`` so that the stored values differ from bayesjoint only by
  rounding; the size of the mu0 effect is printed when the script runs.

Run from the repository root::

    .venv/bin/python tests/create_data/make_mt_reference.py
"""

import json
import pathlib

import numpy as np

MU0_EXACT_H_PER_M = 4e-7 * np.pi
OUTPUT = pathlib.Path(__file__).resolve().parents[1] / "data" / "mt_reference.json"
PERIOD_S = np.logspace(-3, 5, 41)


def reference_models():
    """The layered models of the reference set, top layer first.

    Returns
    -------
    list of dict
        Each with ``name``, ``thickness_m`` (list, length K-1) and
        ``sigma_s_per_m`` (list, length K; the last entry is the half-space).
    """
    rng = np.random.default_rng(20240611)
    # 40 layers: conductivities log-uniform over eight decades, thicknesses
    # log-uniform between 10 m and 20 km.
    sigma40 = 10.0 ** rng.uniform(-5.0, 3.0, size=40)
    thick40 = 10.0 ** rng.uniform(1.0, np.log10(2e4), size=39)
    # The synthetic truth of Yao et al. (2023, GJI 233, 1821-1846), with the
    # 5e5 S/m core below 2890 km (39 layers).
    yao_top_km = [0, 10, 22, 37, 52, 65, 80, 95, 112, 132, 155, 180, 210, 245, 280, 320, 360,
                  400, 440, 490, 550, 600, 660, 730, 800, 880, 980, 1080, 1190, 1300, 1400,
                  1500, 1600, 1700, 1800, 1900, 2000, 2890]
    yao_sigma = [.00032, .00032, .00034, .00039, .00050, .00073, .00116, .00203, .00374, .00701,
                 .01293, .02182, .03137, .04030, .04775, .05626, .06939, .09014, .13698, .25818,
                 .55871, .98034, 1.13267, 1.17502, 1.19377, 1.21470, 1.22527, 1.24674, 1.30836,
                 1.49968, 1.89385, 2.46800, 3.18402, 3.84989, 4.19080, 4.32177, 4.37388, 5e5]
    return [
        {"name": "three_layers",
         "thickness_m": [1500.0, 8000.0],
         "sigma_s_per_m": [1e-3, 10.0, 1e-4]},
        {"name": "five_layers",
         "thickness_m": [200.0, 3000.0, 500.0, 20000.0],
         "sigma_s_per_m": [0.1, 1e-5, 3.0, 1e-3, 100.0]},
        {"name": "forty_layers_random",
         "thickness_m": thick40.tolist(),
         "sigma_s_per_m": sigma40.tolist()},
        {"name": "yao2023_truth",
         "thickness_m": (np.diff(yao_top_km) * 1e3).tolist(),
         "sigma_s_per_m": yao_sigma},
    ]


def simpeg_impedance(period_s, thickness_m, sigma_s_per_m, mu0_h_per_m=MU0_EXACT_H_PER_M):
    """Surface impedance from SimPEG, in the bayesjoint convention.

    Parameters
    ----------
    period_s : array, shape (P,)
        Periods in s.
    thickness_m : array, shape (K-1,)
        Layer thicknesses in m, top first.
    sigma_s_per_m : array, shape (K,)
        Conductivities in S/m, top first; the last is the half-space.
    mu0_h_per_m : float or None
        Value given to SimPEG's mu0 for this call; None keeps SimPEG's own
        (``scipy.constants.mu_0``).

    Returns
    -------
    z_ohm : complex ndarray, shape (P,)
        ``-Z_xy`` of SimPEG, i.e. the impedance with phase near +45 deg.
    """
    from simpeg.electromagnetics import natural_source as ns
    from simpeg.electromagnetics.frequency_domain.survey import Survey
    from simpeg.electromagnetics.natural_source import simulation_1d

    frequency_hz = 1.0 / np.asarray(period_s, dtype=float)
    location = np.zeros((1, 1))
    sources = []
    for f in frequency_hz:
        receivers = [ns.receivers.Impedance(location, orientation="xy", component=part)
                     for part in ("real", "imag")]
        sources.append(ns.sources.Planewave(receivers, frequency=f))
    sim = ns.Simulation1DRecursive(
        survey=Survey(sources),
        sigma=np.asarray(sigma_s_per_m, dtype=float)[::-1],  # SimPEG: bottom first
        thicknesses=np.asarray(thickness_m, dtype=float)[::-1],
    )
    saved = simulation_1d.mu_0
    if mu0_h_per_m is not None:
        simulation_1d.mu_0 = mu0_h_per_m
    try:
        data = sim.dpred(None).reshape(-1, 2)
    finally:
        simulation_1d.mu_0 = saved
    return -(data[:, 0] + 1j * data[:, 1])


def main():
    import simpeg

    from bayesjoint.physics import mt

    out = {
        "description": (
            "Surface impedance Z = E_x/H_y (ohm, exp(+i omega t), phase near +45 deg) of 1-D "
            "layered models from SimPEG Simulation1DRecursive with mu0 = 4 pi 1e-7 H/m. "
            "Layers top first; the last sigma is the half-space. Regenerate with "
            "tests/create_data/make_mt_reference.py."),
        "simpeg_version": simpeg.__version__,
        "mu0_h_per_m": MU0_EXACT_H_PER_M,
        "period_s": PERIOD_S.tolist(),
        "models": [],
    }
    for model in reference_models():
        z = simpeg_impedance(PERIOD_S, model["thickness_m"], model["sigma_s_per_m"])
        z_own_mu0 = simpeg_impedance(PERIOD_S, model["thickness_m"], model["sigma_s_per_m"], None)
        z_bj = np.asarray(mt.impedance(PERIOD_S, model["thickness_m"], model["sigma_s_per_m"]))
        rel = np.max(np.abs(z_bj - z) / np.abs(z))
        rel_mu0 = np.max(np.abs(z_own_mu0 - z) / np.abs(z))
        print(f"{model['name']:>22}: max |dZ|/|Z| bayesjoint vs SimPEG {rel:.2e}; "
              f"effect of scipy mu0 {rel_mu0:.2e}")
        out["models"].append({**model, "z_re_ohm": z.real.tolist(), "z_im_ohm": z.imag.tolist()})
    OUTPUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
