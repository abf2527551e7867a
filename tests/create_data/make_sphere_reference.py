"""Regenerate tests/data/sphere_reference.json.

Two independent sets of reference values for bayesjoint.physics.sphere:

* ``uniform``: Q_n of a uniform sphere of radius a = 6371.2 km,
  ``Q_n = n/(n+1) I_{n+3/2}(ka) / I_{n-1/2}(ka)``, ``k = sqrt(i omega mu0 sigma)``
  (time dependence exp(+i omega t)), evaluated with mpmath at 40 digits.
* ``chaosmagpy``: chaosmagpy's ``q_response_1D`` for three layered models,
  both shell laws, degrees 1, 3 and 7.

Run from the repository root::

    python tests/create_data/make_sphere_reference.py

Requires mpmath and chaosmagpy.
"""

import contextlib
import io
import json
import pathlib

import chaosmagpy
import mpmath
import numpy as np
from chaosmagpy.coordinate_utils import q_response_1D

EARTH_RADIUS_KM = 6371.2
MU0 = 4e-7 * np.pi
OUTPUT = pathlib.Path(__file__).resolve().parents[1] / "data" / "sphere_reference.json"

UNIFORM_DEGREES = [1, 2, 3, 5, 7]
UNIFORM_SIGMA_S_PER_M = [1e-5, 1e-3, 1e-1, 1e1, 1e3, 1e6]
UNIFORM_PERIOD_S = [3600.0, 86400.0, 864000.0, 3.15576e7]

# Layered models: top depth of each shell and of the core (km), conductivity
# (S/m), the last entry being the core.
MODELS = {
    # Yao et al. (2023) synthetic truth, core 5e5 S/m below 2890 km.
    "yao2023": {
        "top_depth_km": [
            0, 10, 22, 37, 52, 65, 80, 95, 112, 132, 155, 180, 210, 245, 280, 320, 360, 400, 440,
            490, 550, 600, 660, 730, 800, 880, 980, 1080, 1190, 1300, 1400, 1500, 1600, 1700,
            1800, 1900, 2000, 2890,
        ],
        "sigma_s_per_m": [
            0.00032, 0.00032, 0.00034, 0.00039, 0.00050, 0.00073, 0.00116, 0.00203, 0.00374,
            0.00701, 0.01293, 0.02182, 0.03137, 0.04030, 0.04775, 0.05626, 0.06939, 0.09014,
            0.13698, 0.25818, 0.55871, 0.98034, 1.13267, 1.17502, 1.19377, 1.21470, 1.22527,
            1.24674, 1.30836, 1.49968, 1.89385, 2.46800, 3.18402, 3.84989, 4.19080, 4.32177,
            4.37388, 5e5,
        ],
    },
    "three_shells": {
        "top_depth_km": [0, 400, 700, 2890],
        "sigma_s_per_m": [0.01, 0.1, 1.0, 10.0],
    },
    "ocean_resistive_lid": {
        "top_depth_km": [0, 4, 100, 410, 660, 2890],
        "sigma_s_per_m": [3.2, 1e-4, 0.01, 0.3, 2.0, 100.0],
    },
}
CHAOS_DEGREES = [1, 3, 7]
CHAOS_PERIOD_S = np.geomspace(3600.0, 3.15576e7, 12).tolist()
# chaosmagpy's "constant" law puts a perfect conductor below its last radius;
# the core is entered as a shell down to this radius, whose perfectly
# conducting remnant is negligible here (bayesjoint's finite cores agree
# with these values to better than 1e-9).
CONSTANT_INNER_RADIUS_KM = 1.0


def uniform_sphere_q(degree, sigma, period):
    k = mpmath.sqrt(1j * 2 * mpmath.pi / period * MU0 * sigma)
    ka = k * EARTH_RADIUS_KM * 1e3
    ratio = mpmath.besseli(degree + 1.5, ka) / mpmath.besseli(degree - 0.5, ka)
    return complex(mpmath.mpf(degree) / (degree + 1) * ratio)


def chaosmagpy_q(model, degree, law):
    radius = EARTH_RADIUS_KM - np.asarray(model["top_depth_km"], dtype=float)
    sigma = np.asarray(model["sigma_s_per_m"], dtype=float)
    if law == "constant":
        radius = np.append(radius, CONSTANT_INNER_RADIUS_KM)
        sigma = np.append(sigma, sigma[-1])
    with contextlib.redirect_stdout(io.StringIO()):  # progress messages
        *_, q = q_response_1D(np.asarray(CHAOS_PERIOD_S), sigma, radius, degree, kind=law)
    return q


def main():
    mpmath.mp.dps = 40
    uniform = []
    for n in UNIFORM_DEGREES:
        for s in UNIFORM_SIGMA_S_PER_M:
            for t in UNIFORM_PERIOD_S:
                q = uniform_sphere_q(n, s, t)
                uniform.append(
                    {"degree": n, "sigma_s_per_m": s, "period_s": t, "q_re": q.real, "q_im": q.imag}
                )
    chaos = []
    for name, model in MODELS.items():
        for law in ("quadratic", "constant"):
            for n in CHAOS_DEGREES:
                q = chaosmagpy_q(model, n, law)
                chaos.append(
                    {
                        "model": name,
                        "shell_law": law,
                        "degree": n,
                        "q_re": q.real.tolist(),
                        "q_im": q.imag.tolist(),
                    }
                )
    out = {
        "description": "Reference Q-responses; see tests/create_data/make_sphere_reference.py",
        "earth_radius_km": EARTH_RADIUS_KM,
        "time_dependence": "exp(+i omega t)",
        "mpmath_version": mpmath.__version__,
        "chaosmagpy_version": chaosmagpy.__version__,
        "uniform": uniform,
        "models": MODELS,
        "chaosmagpy_period_s": CHAOS_PERIOD_S,
        "chaosmagpy_constant_inner_radius_km": CONSTANT_INNER_RADIUS_KM,
        "chaosmagpy": chaos,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
