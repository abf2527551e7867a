"""Throughput of the forward models, batched under ``jax.vmap`` + ``jax.jit``, beside peers.

Cases (random models from a fixed seed):

* ``mt``: plane-wave MT impedance, 50 layers x 40 periods (0.01-10^4 s);
  output log10 apparent resistivity and phase.
* ``dst_quadratic`` / ``dst_constant``: Dst Q_1 of 38 shells + core,
  20 periods (2-100 days), each shell law.
* ``sq``: Sq transfer function of one (n, m) = (2, 1) term, 6 periods
  (Sq harmonics p = 1..6), 38 shells + core.
* ``rf_4`` / ``rf_20``: P receiver function of a 4-layer and a 20-layer
  crust over a half-space, 600 samples, dt 0.05 s, Gaussian parameter 2.5 rad/s, p 0.06 s/km.

Each case is timed for several batch sizes, value only and value-and-gradient
(``jax.value_and_grad`` of a scalar misfit-like sum of the output with respect
to log10 sigma, or to Vs for the receiver functions). The compile time is that
of ahead-of-time compilation (``lower().compile()``), timed on its own; the
steady state is the median of
repeats, each ending in ``jax.block_until_ready``. Batches above a per-case
chunk size are evaluated chunk by chunk with ``jax.lax.map`` so that memory
stays bounded.

Peers run in the same process on the same models, one model at a time:
SimPEG's ``Simulation1DRecursive`` (MT), chaosmagpy's ``q_response_1D``
(Dst), seispy's Haskell propagator ``fwd_seis`` followed by the same
spectral ratio, Gaussian filter and inverse FFT (RF). A peer that cannot be
imported is listed as missing.

Usage::

    python benchmarks/forward.py                 # full run, about 10-15 min on 2 cores
    python benchmarks/forward.py --quick         # batch sizes 1 and 16, few repeats,
                                                 # cases mt, dst_quadratic, sq, rf_4
    python benchmarks/forward.py --out path.json # also writes path.md

The default output is ``benchmarks/results/forward_<backend>.json`` (``cpu`` or
``gpu``) with a Markdown table of the same name ending in ``.md``.
"""

import argparse
import contextlib
import importlib.metadata
import io
import json
import os
import platform
import statistics
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

import bayesjoint
from bayesjoint.physics import geomag, mt, rf, sphere

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240601
EARTH_RADIUS_KM = 6371.2
CORE_RADIUS_KM = 3480.0

FULL_BATCHES = (1, 16, 256, 4096, 65536)
QUICK_BATCHES = (1, 16)

# Largest batch timed per case and the chunk size used above it (lax.map).
# The receiver functions and the constant-law sphere (Bessel-function step)
# cost far more per model than the MT recursion; their largest batches are
# reduced to keep the full run within about 15 minutes on 2 CPU cores.
MAX_BATCH_CPU = {"mt": 65536, "dst_quadratic": 65536, "dst_constant": 256, "sq": 65536,
                 "rf_4": 4096, "rf_20": 256}
# --quick runs one case per physics.
QUICK_CASES = ("mt", "dst_quadratic", "sq", "rf_4")
CHUNK = {"mt": 4096, "dst_quadratic": 4096, "dst_constant": 4096, "sq": 4096,
         "rf_4": 1024, "rf_20": 512}

# Published per-model times of the fastest compiled peers (one core) and the
# speed-up per core the project aims at.
TARGETS = {
    "mt": {"peer_s_per_model": 0.36e-3, "factor": 5.0,
           "peer": "fastest compiled 1-D MT recursion, 50 layers x 40 periods"},
    "rf_4": {"peer_s_per_model": 0.8e-3, "factor": 3.0,
             "peer": "fastest compiled RF forward, 4 layers, 600 samples"},
    "rf_20": {"peer_s_per_model": 4.0e-3, "factor": 3.0,
              "peer": "fastest compiled RF forward, 20 layers, 600 samples"},
}


# ---------------------------------------------------------------------------
# Cases: a single-model forward, a scalar of its output, and random models.
# ---------------------------------------------------------------------------

def mt_case(rng, n):
    """MT: 50 layers (49 thicknesses + half-space) x 40 periods."""
    periods = np.geomspace(1e-2, 1e4, 40)
    thickness = np.geomspace(20.0, 40e3, 49)  # about 200 km in all
    log_sigma = rng.uniform(-4.0, 1.0, (n, 50))
    period_j, thickness_j = jnp.asarray(periods), jnp.asarray(thickness)

    def forward(log10_sigma):
        z = mt.impedance(period_j, thickness_j, 10.0**log10_sigma)
        rho_a, phase = mt.apparent_resistivity_phase(period_j, z)
        return jnp.log10(rho_a), phase

    def scalar(log10_sigma):
        log_rho, phase = forward(log10_sigma)
        return jnp.sum(log_rho**2) + jnp.sum((phase / 45.0) ** 2)

    return {"forward": forward, "scalar": scalar, "inputs": log_sigma,
            "settings": {"layers": 50, "periods": 40, "period_range_s": [1e-2, 1e4],
                         "thickness_m": "49 log-spaced, 20 m to 40 km",
                         "log10_sigma_range": [-4.0, 1.0], "output": "log10 rho_a, phase",
                         "scalar": "sum log10(rho_a)^2 + sum (phase/45)^2",
                         "gradient_wrt": "log10 sigma (50)"},
            "peer_data": {"periods": periods, "thickness": thickness}}


def _shells(n_shells=38):
    """Shell thicknesses in m from the surface to the core, thinner near the top."""
    edges = np.geomspace(10.0, EARTH_RADIUS_KM - CORE_RADIUS_KM, n_shells)
    edges = np.concatenate([[0.0], edges])
    return np.diff(edges) * 1e3


def sphere_case(rng, n, law):
    """Dst Q_1: 38 shells + core, 20 periods of 2-100 days."""
    periods = np.geomspace(2.0, 100.0, 20) * 86400.0
    thickness = _shells()
    log_sigma = np.concatenate([rng.uniform(-3.0, 1.0, (n, 38)),
                                rng.uniform(4.0, 6.0, (n, 1))], axis=1)
    period_j, thickness_j = jnp.asarray(periods), jnp.asarray(thickness)

    def forward(log10_sigma):
        return sphere.q_response(period_j, thickness_j, 10.0**log10_sigma, degree=1,
                                 shell_law=law)

    def scalar(log10_sigma):
        q = forward(log10_sigma)
        return jnp.sum(q.real**2 + q.imag**2)

    return {"forward": forward, "scalar": scalar, "inputs": log_sigma,
            "settings": {"shells": 38, "core": True, "periods": 20,
                         "period_range_days": [2.0, 100.0], "degree": 1, "shell_law": law,
                         "thickness_km": "38 log-spaced edges from 10 km to the core",
                         "log10_sigma_range": [-3.0, 1.0], "log10_sigma_core_range": [4.0, 6.0],
                         "output": "complex Q_1", "scalar": "sum |Q_1|^2",
                         "gradient_wrt": "log10 sigma (39)"},
            "peer_data": {"periods": periods, "thickness": thickness, "law": law}}


def sq_case(rng, n):
    """Sq: one (n, m) = (2, 1) term at 6 periods, 38 shells + core."""
    periods = np.array([geomag.sq_period_s(p) for p in range(1, 7)])
    thickness = _shells()
    log_sigma = np.concatenate([rng.uniform(-3.0, 1.0, (n, 38)),
                                rng.uniform(4.0, 6.0, (n, 1))], axis=1)
    period_j, thickness_j = jnp.asarray(periods), jnp.asarray(thickness)

    def forward(log10_sigma):
        return geomag.sq_transfer_function(period_j, thickness_j, 10.0**log10_sigma,
                                           degree=2, order=1, colat_deg=60.0, lon_deg=10.0)

    def scalar(log10_sigma):
        t = forward(log10_sigma)
        return jnp.sum(t.real**2 + t.imag**2)

    return {"forward": forward, "scalar": scalar, "inputs": log_sigma,
            "settings": {"shells": 38, "core": True, "periods": 6, "harmonics_p": [1, 6],
                         "degree": 2, "order": 1, "colat_deg": 60.0, "lon_deg": 10.0,
                         "shell_law": "quadratic", "output": "complex transfer function",
                         "scalar": "sum |T|^2", "gradient_wrt": "log10 sigma (39)"},
            "peer_data": None}


def rf_case(rng, n, n_layers):
    """RF: ``n_layers`` crustal layers over a half-space, 600 samples."""
    npts, dt, gauss_rad_s, shift, p = 600, 0.05, 2.5, 5.0, 0.06
    thickness = np.full(n_layers, 40.0 / n_layers)
    vs = np.concatenate([rng.uniform(2.5, 4.2, (n, n_layers)),
                         rng.uniform(4.4, 4.7, (n, 1))], axis=1)
    thickness_j = jnp.asarray(thickness)

    def forward(vs_km_s):
        vp = 1.75 * vs_km_s
        rho = rf.brocher_density_g_cm3(vp)
        return rf.receiver_function(thickness_j, vp, vs_km_s, rho, p, gauss_rad_s, dt, npts, shift)

    def scalar(vs_km_s):
        return jnp.sum(forward(vs_km_s) ** 2)

    return {"forward": forward, "scalar": scalar, "inputs": vs,
            "settings": {"layers": n_layers, "half_space": True, "npts": npts, "dt_s": dt,
                         "gauss_rad_s": gauss_rad_s, "shift_s": shift, "ray_parameter_s_km": p,
                         "thickness_km": f"{n_layers} equal layers, 40 km in all",
                         "vs_range_km_s": [2.5, 4.2], "vp_over_vs": 1.75,
                         "density": "Brocher (2005)", "earth_flattening": True,
                         "output": "receiver function (npts,)", "scalar": "sum rf^2",
                         "gradient_wrt": f"vs ({n_layers + 1})"},
            "peer_data": {"thickness": thickness, "npts": npts, "dt": dt,
                          "gauss_rad_s": gauss_rad_s, "shift": shift, "p": p}}


def build_cases(n):
    """All cases with ``n`` random models each (fixed seed)."""
    rng = np.random.default_rng(SEED)
    return {"mt": mt_case(rng, n),
            "dst_quadratic": sphere_case(rng, n, "quadratic"),
            "dst_constant": sphere_case(rng, n, "constant"),
            "sq": sq_case(rng, n),
            "rf_4": rf_case(rng, n, 4),
            "rf_20": rf_case(rng, n, 20)}


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------

def batched(fn, batch, chunk):
    """Jitted ``fn`` over a batch: one vmap, or lax.map over vmapped chunks."""
    vfn = jax.vmap(fn)
    if batch <= chunk:
        return jax.jit(vfn)

    def run(x):
        out = jax.lax.map(vfn, x.reshape((batch // chunk, chunk) + x.shape[1:]))
        return jax.tree_util.tree_map(lambda a: a.reshape((batch,) + a.shape[2:]), out)

    return jax.jit(run)


def steady_state(call, repeats, min_repeat_s):
    """Median seconds per call over repeats of at least ``min_repeat_s`` each.

    ``repeats`` repeats, or 3 when one call takes more than a second.
    """
    t0 = time.perf_counter()
    jax.block_until_ready(call())
    one = time.perf_counter() - t0
    inner = max(1, int(min_repeat_s / max(one, 1e-7)))
    if one > 1.0:
        repeats = min(repeats, 3)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            out = call()
        jax.block_until_ready(out)
        times.append((time.perf_counter() - t0) / inner)
    return statistics.median(times), inner, times


def time_bayesjoint(case, name, batch, mode, repeats, min_repeat_s):
    """Compile and steady-state time of one case, batch size and mode."""
    fn = case["forward"] if mode == "value" else jax.value_and_grad(case["scalar"])
    chunk = CHUNK[name]
    f = batched(fn, batch, chunk)
    x = jnp.asarray(case["inputs"][:batch])
    t0 = time.perf_counter()
    compiled = f.lower(x).compile()  # ahead of time, so compilation is timed on its own
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    jax.block_until_ready(compiled(x))
    first = time.perf_counter() - t0
    median, inner, times = steady_state(lambda: compiled(x), repeats, min_repeat_s)
    return {"case": name, "code": "bayesjoint", "mode": mode, "batch": batch,
            "chunk": chunk if batch > chunk else None,
            "compile_s": round(compile_s, 4), "first_call_s": round(first, 4),
            "call_s": median, "s_per_model": median / batch,
            "repeats": len(times), "calls_per_repeat": inner,
            "repeat_s": [round(t, 6) for t in times]}


# ---------------------------------------------------------------------------
# Peers
# ---------------------------------------------------------------------------

def peer_simpeg(case):
    """SimPEG's recursive 1-D MT simulation: (value, value-and-gradient) callables."""
    from simpeg import maps
    from simpeg.electromagnetics import natural_source as ns

    data = case["peer_data"]
    frequencies = 1.0 / data["periods"]
    sources = [ns.sources.Planewave(
        [ns.receivers.Impedance(np.zeros((1, 3)), orientation="xy", component=c)
         for c in ("apparent_resistivity", "phase")], frequency=f) for f in frequencies]
    survey = ns.Survey(sources)
    sim = ns.Simulation1DRecursive(
        survey=survey, sigmaMap=maps.ExpMap(nP=50), thicknesses=data["thickness"])
    v = np.ones(survey.nD)
    ln10 = np.log(10.0)

    def value(log10_sigma):
        return sim.dpred(log10_sigma * ln10)

    def value_grad(log10_sigma):
        m = log10_sigma * ln10
        return sim.dpred(m), sim.Jtvec(m, v) * ln10

    return {"peer": "simpeg.electromagnetics.natural_source.Simulation1DRecursive",
            "version": importlib.metadata.version("simpeg"),
            "note": "dpred (apparent resistivity and phase); gradient = dpred + Jtvec "
                    "(analytic adjoint); numpy, one model per call",
            "value": value, "value_and_grad": value_grad}


def peer_chaosmagpy(case):
    """chaosmagpy's q_response_1D for the Dst case (value only)."""
    from chaosmagpy.coordinate_utils import q_response_1D

    data = case["peer_data"]
    radius = EARTH_RADIUS_KM - np.concatenate([[0.0], np.cumsum(data["thickness"]) / 1e3])
    periods, law = data["periods"], data["law"]

    def value(log10_sigma):
        return q_response_1D(periods, 10.0**log10_sigma, radius, 1, kind=law)[3]

    note = "numpy, one model per call; no gradient"
    if law == "constant":
        note += "; chaosmagpy's constant law makes the core a perfect conductor"
    return {"peer": "chaosmagpy.coordinate_utils.q_response_1D",
            "version": importlib.metadata.version("chaosmagpy"), "note": note,
            "value": value, "value_and_grad": None}


def peer_seispy(case):
    """seispy's numba Haskell propagator plus the receiver-function spectral steps."""
    from seispy.seisfwd import fwd_seis

    data = case["peer_data"]
    npts, dt, gauss_rad_s, shift, p = (data[k]
                                       for k in ("npts", "dt", "gauss_rad_s", "shift", "p"))
    h = np.concatenate([data["thickness"], [0.0]])
    freq = np.fft.rfftfreq(npts, dt)
    nf = freq.size
    filt = (np.exp(-((2 * np.pi * freq) ** 2) / (4 * gauss_rad_s**2))
            * np.exp(-2j * np.pi * freq * shift))

    def value(vs):
        vp = 1.75 * vs
        rho = _brocher(vp)
        ur, uz = fwd_seis(p, dt, npts, 1, vp, vs, rho, h)
        ratio = np.empty(nf, dtype=complex)
        ratio[1:] = ur[1:nf] / uz[1:nf]  # seispy leaves the zero frequency empty
        ratio[0] = ratio[1]
        return np.fft.irfft(ratio * filt, n=npts) / dt * np.sqrt(np.pi) / gauss_rad_s

    return {"peer": "seispy.seisfwd.fwd_seis (numba) + spectral ratio, Gaussian, irfft",
            "version": importlib.metadata.version("python-seispy"),
            "note": "one model per call; no earth flattening; no gradient",
            "value": value, "value_and_grad": None}


def _brocher(vp):
    """Brocher (2005) density in g/cm^3 from Vp in km/s, numpy."""
    return vp * (1.6612 + vp * (-0.4721 + vp * (0.0671 + vp * (-0.0043 + vp * 0.000106))))


PEERS = {"mt": peer_simpeg, "dst_quadratic": peer_chaosmagpy, "dst_constant": peer_chaosmagpy,
         "rf_4": peer_seispy, "rf_20": peer_seispy}


def time_peer(case, name, n_models, repeats):
    """Per-model time of the case's peer on the first ``n_models`` models."""
    try:
        peer = PEERS[name](case)
    except ImportError as err:
        return [{"case": name, "code": "peer", "missing": str(err)}]
    models = case["inputs"][:n_models]
    rows = []
    for mode in ("value", "value_and_grad"):
        fn = peer[mode]
        if fn is None:
            continue
        with contextlib.redirect_stdout(io.StringIO()):  # chaosmagpy prints progress
            t0 = time.perf_counter()
            fn(models[0])
            first = time.perf_counter() - t0
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                for m in models:
                    fn(m)
                times.append((time.perf_counter() - t0) / len(models))
        rows.append({"case": name, "code": "peer", "peer": peer["peer"],
                     "version": peer["version"], "note": peer["note"], "mode": mode,
                     "models": len(models), "repeats": repeats, "first_call_s": round(first, 4),
                     "s_per_model": statistics.median(times),
                     "repeat_s_per_model": [round(t, 8) for t in times]})
    return rows


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def ratios(results, cores):
    """Peer speed-ups at bayesjoint's best batch size, per model and per core, and targets."""
    out = []
    for name in dict.fromkeys(r["case"] for r in results):
        for mode in ("value", "value_and_grad"):
            ours = [r for r in results
                    if r["case"] == name and r["code"] == "bayesjoint" and r["mode"] == mode]
            if not ours:
                continue
            best = min(ours, key=lambda r: r["s_per_model"])
            row = {"case": name, "mode": mode, "best_batch": best["batch"],
                   "bayesjoint_s_per_model": best["s_per_model"],
                   "bayesjoint_core_s_per_model": best["s_per_model"] * cores if cores else None}
            peer = [r for r in results if r["case"] == name and r["code"] == "peer"
                    and r.get("mode") == mode]
            if peer:
                ps = peer[0]["s_per_model"]
                row.update({"peer": peer[0]["peer"], "peer_s_per_model": ps,
                            "bayesjoint_over_peer_time": best["s_per_model"] / ps,
                            "speedup_per_model": ps / best["s_per_model"],
                            "speedup_per_core": ps / (best["s_per_model"] * cores)
                            if cores else None})
            if name in TARGETS and mode == "value":
                t = TARGETS[name]
                per_unit = best["s_per_model"] * (cores or 1)
                achieved = t["peer_s_per_model"] / per_unit
                row["target"] = {"reference": t["peer"],
                                 "reference_s_per_model_per_core": t["peer_s_per_model"],
                                 "required_speedup": t["factor"],
                                 "achieved_speedup": achieved,
                                 "basis": "per core" if cores else "per device",
                                 "met": bool(achieved >= t["factor"]),
                                 "achieved_over_required": achieved / t["factor"]}
            out.append(row)
    return out


def _fmt_t(s):
    """Seconds as a short string in us or ms."""
    if s is None:
        return "-"
    return f"{s * 1e6:.2f} us" if s < 1e-3 else f"{s * 1e3:.3f} ms"


def markdown(report):
    """Markdown tables of per-model times, compile times and ratios."""
    m = report["machine"]
    lines = [f"# Forward-model throughput ({m['jax_backend']})", "",
             f"{m['platform']}; {m['cpu_count']} CPU cores; devices {', '.join(m['devices'])}; "
             f"load average {report['load_average']['start']} (start) / "
             f"{report['load_average']['end']} (end); jax {report['versions']['jax']}.", "",
             "Per-model time = median call time / batch size (jit + vmap, float64).", "",
             "| case | batch | value / model | value+grad / model | compile value (s) "
             "| compile value+grad (s) |", "|---|---:|---:|---:|---:|---:|"]
    ours = [r for r in report["results"] if r["code"] == "bayesjoint"]
    for name in dict.fromkeys(r["case"] for r in ours):
        for b in sorted({r["batch"] for r in ours if r["case"] == name}):
            row = {r["mode"]: r for r in ours if r["case"] == name and r["batch"] == b}
            v, g = row.get("value"), row.get("value_and_grad")
            lines.append(f"| {name} | {b} | {_fmt_t(v and v['s_per_model'])} "
                         f"| {_fmt_t(g and g['s_per_model'])} "
                         f"| {v['compile_s'] if v else '-'} | {g['compile_s'] if g else '-'} |")
    lines += ["", "Peers (one model per call, same models):", "",
              "| case | mode | bayesjoint best (batch) | peer | peer / model "
              "| speed-up per model | speed-up per core |", "|---|---|---:|---|---:|---:|---:|"]
    for r in report["ratios"]:
        if "peer" not in r:
            continue
        spc = r["speedup_per_core"]
        lines.append(f"| {r['case']} | {r['mode']} | {_fmt_t(r['bayesjoint_s_per_model'])} "
                     f"({r['best_batch']}) | {r['peer']} | {_fmt_t(r['peer_s_per_model'])} "
                     f"| {r['speedup_per_model']:.1f}x "
                     f"| {'-' if spc is None else f'{spc:.1f}x'} |")
    missing = [r for r in report["results"] if r["code"] == "peer" and "missing" in r]
    for r in missing:
        lines.append(f"| {r['case']} | - | - | not importable: {r['missing']} | - | - | - |")
    lines += ["", "Targets (speed-up over the fastest compiled peer):", "",
              "| case | reference / model | required | achieved | met | achieved / required |",
              "|---|---:|---:|---:|---|---:|"]
    for r in report["ratios"]:
        t = r.get("target")
        if t:
            lines.append(f"| {r['case']} | {_fmt_t(t['reference_s_per_model_per_core'])} "
                         f"| {t['required_speedup']:.0f}x {t['basis']} "
                         f"| {t['achieved_speedup']:.2f}x | {'yes' if t['met'] else 'no'} "
                         f"| {t['achieved_over_required']:.2f} |")
    return "\n".join(lines) + "\n"


def versions():
    """Versions of Python, JAX, NumPy, bayesjoint and the peers that are installed."""
    out = {"python": sys.version.split()[0], "jax": jax.__version__,
           "jaxlib": importlib.metadata.version("jaxlib"), "numpy": np.__version__,
           "bayesjoint": bayesjoint.__version__}
    for dist in ("simpeg", "chaosmagpy", "python-seispy", "numba"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    return out


def main(argv=None):
    """Run the benchmark, write the JSON report and its Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="batch sizes 1 and 16, few repeats (a smoke run)")
    parser.add_argument("--out", default=None,
                        help="JSON path (default benchmarks/results/forward_<backend>.json)")
    args = parser.parse_args(argv)
    backend = jax.default_backend()
    out = args.out or os.path.join(HERE, "results", f"forward_{backend}.json")
    load_start = [round(x, 2) for x in os.getloadavg()]
    batches = QUICK_BATCHES if args.quick else FULL_BATCHES
    repeats, min_repeat_s = (2, 0.0) if args.quick else (5, 0.05)
    peer_models, peer_repeats = (4, 1) if args.quick else (100, 3)
    max_batch = MAX_BATCH_CPU if backend == "cpu" else {k: max(FULL_BATCHES) for k in CHUNK}
    cases = build_cases(max(batches))
    if args.quick:
        cases = {name: cases[name] for name in QUICK_CASES}
    cores = os.cpu_count() if backend == "cpu" else None
    t_start = time.perf_counter()
    results = []
    for name, case in cases.items():
        for mode in ("value", "value_and_grad"):
            for batch in batches:
                if batch > max_batch[name]:
                    continue
                row = time_bayesjoint(case, name, batch, mode, repeats, min_repeat_s)
                print(json.dumps({k: row[k] for k in ("case", "mode", "batch", "compile_s",
                                                      "s_per_model")}), flush=True)
                results.append(row)
        if name in PEERS:
            for row in time_peer(case, name, peer_models, peer_repeats):
                print(json.dumps({k: row.get(k) for k in ("case", "code", "mode",
                                                          "s_per_model", "missing")}),
                      flush=True)
                results.append(row)
    report = {
        "benchmark": "forward",
        "machine": {"platform": platform.platform(), "processor": platform.processor(),
                    "cpu_count": os.cpu_count(), "jax_backend": backend,
                    "devices": [str(d) for d in jax.devices()]},
        "versions": versions(),
        "load_average": {"start": load_start, "end": [round(x, 2) for x in os.getloadavg()],
                         "note": "1, 5 and 15 min; the machine may be shared"},
        "settings": {
            "quick": args.quick, "seed": SEED, "dtype": "float64",
            "batch_sizes": list(batches),
            "max_batch": dict(max_batch),
            "max_batch_note": "on CPU the largest batches of the receiver functions (4096 "
                              "for 4 layers, 256 for 20) and of the constant-law Dst sphere "
                              "(256) are reduced from 65536 to keep the full run within "
                              "about 15 minutes on 2 cores",
            "quick_cases": list(QUICK_CASES) if args.quick else None,
            "chunk": CHUNK,
            "chunk_note": "batches above the chunk size run as jax.lax.map over vmapped chunks",
            "repeats": repeats, "repeats_when_call_over_1_s": 3,
            "min_repeat_s": min_repeat_s,
            "timing": "steady state = median over repeats (each repeat = several calls when "
                      "one call is short, ending in jax.block_until_ready); compile = "
                      "ahead-of-time lower().compile(), timed on its own",
            "peer_models": peer_models, "peer_repeats": peer_repeats,
            "peer_timing": "median over repeats of the mean per-model time of a loop over "
                           "the first peer_models models, after one warm-up call",
            "per_core": "on CPU bayesjoint is charged all os.cpu_count() cores and each "
                        "peer one core (single-threaded loop)",
            "cases": {name: case["settings"] for name, case in cases.items()},
        },
        "wall_s": round(time.perf_counter() - t_start, 1),
        "results": results,
    }
    report["ratios"] = ratios(results, cores)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(report, f, indent=1)
    md = os.path.splitext(out)[0] + ".md"
    with open(md, "w") as f:
        f.write(markdown(report))
    print(f"wrote {out} and {md}")
    return report


if __name__ == "__main__":
    main()
