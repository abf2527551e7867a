"""Regenerate the receiver-function reference values in tests/data/.

Writes
------
tests/data/taup_pds_times.json
    obspy TauP travel times (s) and ray parameters (s/rad) of P, P410s and
    P660s for a surface source at 40, 60 and 80 degrees in AK135 and IASP91.
tests/data/seispy_rz_4layer.npz
    Radial/vertical spectral ratio of a 4-layer crust over a half-space
    computed with seispy's Haskell propagator (``seispy.seisfwd.fwd_seis``,
    Aki & Richards form, ``exp(-i omega t)`` convention), converted to the
    bayesjoint convention (``exp(+i omega t)``, Z up): ``conj(u_r / -u_z)``.

Needs obspy and python-seispy (test-only references)::

    python tests/create_data/make_rf_reference.py
"""

import json
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1] / "data"

# 4-layer crust over a mantle half-space (flat, no Earth flattening).
CRUST = {
    "thickness_km": [2.0, 8.0, 12.0, 15.0],
    "vp_km_s": [4.5, 6.0, 6.4, 7.0, 8.0],
    "vs_km_s": [2.4, 3.5, 3.7, 3.95, 4.5],
    "rho_g_cm3": [2.3, 2.7, 2.8, 3.0, 3.3],
}
RAY_PARAMETERS_S_KM = [0.04, 0.065, 0.08]
DT_S = 0.1
NPTS = 1024

DISTANCES_DEG = [40.0, 60.0, 80.0]
PHASES = ["P", "P410s", "P660s"]


def taup_times():
    import obspy
    from obspy.taup import TauPyModel

    out = {"obspy_version": obspy.__version__, "source_depth_km": 0.0,
           "distances_deg": DISTANCES_DEG, "phases": PHASES, "models": {}}
    for name in ("ak135", "iasp91"):
        model = TauPyModel(name)
        rows = []
        for dist in DISTANCES_DEG:
            arrivals = model.get_travel_times(0.0, dist, phase_list=PHASES)
            first = {}
            for a in arrivals:
                first.setdefault(a.name, a)
            rows.append({ph: {"time_s": float(first[ph].time),
                              "ray_param_s_rad": float(first[ph].ray_param)}
                         for ph in PHASES})
        out["models"][name] = rows
    return out


def seispy_spectra():
    from importlib.metadata import version

    from seispy.seisfwd import fwd_seis

    h = np.asarray(CRUST["thickness_km"] + [0.0])
    vp, vs, rho = (np.asarray(CRUST[k]) for k in ("vp_km_s", "vs_km_s", "rho_g_cm3"))
    nf = NPTS // 2 + 1
    ratios = []
    for p in RAY_PARAMETERS_S_KM:
        ur, uz = fwd_seis(p, DT_S, NPTS, 1, vp, vs, rho, h)
        # seispy leaves omega = 0 empty; its convention is exp(-i omega t)
        # with u_z positive down.
        ratio = np.conj(ur[1:nf] / -uz[1:nf])
        ratios.append(ratio)
    freq = np.fft.rfftfreq(NPTS, DT_S)[1:]
    return dict(freq_hz=freq, ray_parameter_s_km=np.asarray(RAY_PARAMETERS_S_KM),
                rz=np.asarray(ratios), seispy_version=version("python-seispy"),
                dt_s=DT_S, npts=NPTS, **{k: np.asarray(v) for k, v in CRUST.items()})


def main():
    DATA.mkdir(exist_ok=True)
    (DATA / "taup_pds_times.json").write_text(json.dumps(taup_times(), indent=1) + "\n")
    np.savez_compressed(DATA / "seispy_rz_4layer.npz", **seispy_spectra())


if __name__ == "__main__":
    main()
