"""The X-discontinuity detector against a CNN classifier on synthetic receiver functions.

Data (deterministic from ``--seed``)
------------------------------------
One P receiver function per sample (peak normalisation, ``dt_s`` 0.5 s,
Gaussian 1.0 rad/s, direct P at 5 s, 240 samples), predicted by the
project's forward model (on 960 samples, then cut, so that no late
arrival wraps around into the record) from a reference Earth (AK135, IASP91 or PREM, in
equal numbers) through :class:`bayesjoint.model.xdisc_models.XdiscModel`:
the 410 and 660 at depths and relative jumps drawn uniformly inside the
detector's prior (:data:`bayesjoint.model.xdisc_prior.DEFAULT_BOUNDS`);
half of the samples with an X (depth U(250, 350) km, relative Vs jump
U(1, 5) %), half without (no step). Ray parameter U(0.04, 0.08) s/km.
Noise: an exponentially correlated Gaussian process (a first-order
autoregression) of standard deviation 0.0025, 0.005, 0.01, 0.02 or 0.04
(in the unit of the peak normalisation: a direct P of R/Z ratio 1 has peak
1) and correlation length U(1, 3) s. The lowest level is there for the
accuracy target, which is read where the CNN comes nearest 90 % (the CNN
study's figure): at 0.005 and above the CNN stayed below 85 %. Each record is cut at a random end, one of
four lengths evenly spaced between the shortest record that holds the Ps
from 720 km at the largest ray parameter (the deepest 660 of any split;
the detector needs 700 km, the deepest of its prior) and the full length;
the CNN sees the cut record zero-padded to 240 samples,
the detector the cut record on its own time axis, with the noise standard
deviation and correlation length stated.

Splits: ``train`` (clean traces; the CNN draws new noise and cuts each
epoch), ``validation`` (fixed noise and cuts; early stopping), ``test``
(fixed noise and cuts; reference, label and noise level cycled, so
that their counts differ by at most one cycle), and
out-of-distribution kinds, each scored on its own:

``perturbed_reference``
    A smooth relative Vs perturbation of the reference between 100 and
    800 km (three sine modes, largest value U(2, 4) %).
``mtz_outside_prior``
    The 410 at 350-375 or 445-470 km and the 660 at 600-625 or
    705-720 km, outside the training ranges and the detector's prior.
``low_velocity_layer``
    No X; a layer 30-60 km thick with its top at 300-340 km (inside
    300-400 km) whose Vs is 1-5 % lower (label: no X).
``gaussian_correlated_noise``
    Noise with the Gaussian correlation law ``exp(-dt^2 / (2 L^2))``; the
    detector is told the exponential law with the same ``L``.
``heavy_tailed_noise``
    The autoregression driven by Student-t innovations (3 degrees of
    freedom, unit variance); the detector is told the exponential law.

The CNN
-------
The record divided by 0.05 (near its RMS), three 1-D convolutions (16,
32, 64 channels; kernels 7, 5, 5; ReLU), each
followed by max pooling by 2, a dense layer of 64 ReLU units and one
logistic output: the probability of an X. Adam (optax, learning rate
3e-3) on the binary cross-entropy in mini-batches of 32, new noise and
cuts every epoch, at most ``max_epochs`` epochs, stopped after
``patience`` epochs without a lower validation loss (the best parameters
kept).

The detector
------------
:func:`bayesjoint.samplers.xdisc_comparison.compare` with the settings of
the ``--detector-*`` options (defaults: those of
:class:`~bayesjoint.samplers.xdisc_settings.ComparisonSettings`) on every
test and out-of-distribution record, in ``--workers`` processes (spawned,
one XLA thread each). Each worker appends one JSON line per record to
``detector_<worker>.jsonl`` in the work folder (``--work-dir``, default
next to ``--out``); a run started again with the same settings skips the
records already there. ``--reference-mode true`` gives the detector the
reference that made each record instead of ``--detector-references``
(default: all three, averaged by their evidence).

Scores, per method, on ``test`` and on each out-of-distribution kind
(:mod:`bayesjoint.summaries.classification`): accuracy at 0.5, ROC AUC
(null for a kind with one class), Brier score, a reliability diagram of
10 bins, accuracy per noise level and the accuracy the method's
probabilities expect there (``mean(max(p, 1 - p))``: for calibrated
probabilities the achieved accuracy scatters around it, and for the true
posterior it is the best any classifier can expect), the fraction of the records with an X
called an X per noise level and per 1 % bin of the X's jump, and the drop
of accuracy from ``test`` to each kind; the detector's seconds per record
(mean, median) and the CNN's training time. The JSON also holds every
prediction with the record's label, noise level, reference and X jump.

Usage::

    python benchmarks/xdisc.py                        # full size, detector at its defaults
    python benchmarks/xdisc.py --workers 4 --detector-n-iterations 1000
    python benchmarks/xdisc.py --quick --out /tmp/x.json    # every step at a tiny size

The default output is ``benchmarks/results/xdisc_cpu.json`` and a figure
beside it (``.png``: ROC curves, reliability diagrams, accuracy per noise
level and per out-of-distribution kind).
"""

import argparse
import dataclasses
import functools
import importlib.metadata
import json
import multiprocessing
import os
import platform
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
from scipy.signal import lfilter

import bayesjoint
from bayesjoint.commands.batch import WORKER_ENV
from bayesjoint.data import RFData
from bayesjoint.model.xdisc_models import XdiscModel
from bayesjoint.model.xdisc_prior import DEFAULT_BOUNDS
from bayesjoint.physics import rf as rf_physics
from bayesjoint.samplers.xdisc_settings import ComparisonSettings
from bayesjoint.summaries import classification

HERE = os.path.dirname(os.path.abspath(__file__))

REFERENCES = ("ak135", "iasp91", "prem")
DT_S, SHIFT_S, NPTS, GAUSS_RAD_S = 0.5, 5.0, 240, 1.0
RAY_PARAMETER_S_KM = (0.04, 0.08)
NOISE_STD = (0.0025, 0.005, 0.01, 0.02, 0.04)
CORRELATION_S = (1.0, 3.0)
X_DEPTH_KM, X_JUMP = (250.0, 350.0), (0.01, 0.05)
GENERATION_NPTS = 4 * NPTS
"""Samples of the computed traces, cut to ``NPTS``: the forward model's transform is
periodic in the record length, and arrivals up to ``GENERATION_NPTS dt_s`` after P
(surface multiples of the 410 and 660 near 200 s) would otherwise wrap into the record."""
DEEPEST_PS_KM = 720.0
"""Deepest 660 of any split: every record holds its Ps conversion (and the
detector's deepest, 700 km)."""
N_CUTS = 4
"""Record lengths a cut can end at (:func:`cut_lengths`)."""
PARAMETERS = ("depth_410_km", "jump_410", "depth_660_km", "jump_660", "depth_x_km", "jump_x")
JUMP_X = PARAMETERS.index("jump_x")
"""Column of the X's relative jump in the ``params`` of :func:`draw_models`."""
OOD_KINDS = ("perturbed_reference", "mtz_outside_prior", "low_velocity_layer",
             "gaussian_correlated_noise", "heavy_tailed_noise")

SIZES = {
    "full": {"n_train": 6000, "n_validation": 600, "n_test": 1008, "n_ood": 40,
             "max_epochs": 30, "patience": 6, "batch_size": 32},
    "quick": {"n_train": 96, "n_validation": 24, "n_test": 2, "n_ood": 1,
              "max_epochs": 2, "patience": 1, "batch_size": 32},
}
QUICK_DETECTOR = {"layer_km": 20.0, "n_betas": 2, "n_chains": 2, "n_iterations": 20,
                  "n_burn": 10}
"""Detector settings of ``--quick`` where no ``--detector-*`` option says otherwise."""


# ---------------------------------------------------------------- data set


def min_record_npts():
    """Fewest samples that hold the Ps from :data:`DEEPEST_PS_KM` in every reference."""
    need = []
    for ref in REFERENCES:
        xm = XdiscModel.build(ref)
        keep = xm.top_depth_km < DEEPEST_PS_KM
        thick = np.diff(np.append(xm.top_depth_km[keep], DEEPEST_PS_KM))
        vs = np.append(xm.vs_km_s[keep], xm.vs_km_s[keep][-1])
        vp = vs * np.append(xm.vp_vs[keep], xm.vp_vs[keep][-1])
        delay = rf_physics.ps_delay_s(thick, vp, vs, RAY_PARAMETER_S_KM[1])
        need.append(rf_physics.required_npts(DT_S, SHIFT_S, delay, GAUSS_RAD_S))
    return max(need)


def draw_models(rng, n, kind):
    """Parameters of ``n`` samples of one split kind (``"in_distribution"`` or an OOD kind).

    Returns
    -------
    dict of arrays
        ``reference`` (n,) index into :data:`REFERENCES`, ``label`` (n,),
        ``params`` (n, 6) in :data:`PARAMETERS` order, ``ray_parameter_s_km``
        (n,), ``smooth`` (n, 3) sine-mode amplitudes of the Vs perturbation,
        ``lvl`` (n, 3) top and bottom (km) and relative drop of a
        low-velocity layer (drop 0: none), ``noise_level`` (n,) index into
        :data:`NOISE_STD`. References, labels and noise levels are balanced
        (cycled, then shuffled).
    """
    cells = np.arange(n)
    label = cells % 2
    reference = (cells // 2) % len(REFERENCES)
    noise_level = (cells // (2 * len(REFERENCES))) % len(NOISE_STD)
    order = rng.permutation(n)
    reference, label, noise_level = reference[order], label[order], noise_level[order]
    if kind == "low_velocity_layer":
        label = np.zeros(n, dtype=int)
    b = DEFAULT_BOUNDS
    params = np.column_stack([
        rng.uniform(*b["depth_410_km"], n), rng.uniform(*b["jump_410"], n),
        rng.uniform(*b["depth_660_km"], n), rng.uniform(*b["jump_660"], n),
        rng.uniform(*X_DEPTH_KM, n), label * rng.uniform(*X_JUMP, n)])
    smooth, lvl = np.zeros((n, 3)), np.zeros((n, 3))
    if kind == "perturbed_reference":
        modes = rng.normal(size=(n, 3))
        z = np.linspace(0.0, 1.0, 201)
        peak = np.abs(modes @ np.sin(np.pi * np.outer(np.arange(1, 4), z))).max(axis=1)
        smooth = modes * (rng.uniform(0.02, 0.04, n) / peak)[:, None]
    elif kind == "mtz_outside_prior":
        side = rng.integers(0, 2, (n, 2))
        params[:, 0] = np.where(side[:, 0], rng.uniform(445, 470, n), rng.uniform(350, 375, n))
        params[:, 2] = np.where(side[:, 1], rng.uniform(705, DEEPEST_PS_KM, n),
                                rng.uniform(600, 625, n))
    elif kind == "low_velocity_layer":
        top = rng.uniform(300.0, 340.0, n)
        lvl = np.column_stack([top, top + rng.uniform(30.0, 60.0, n), rng.uniform(0.01, 0.05, n)])
    return {"reference": reference, "label": label.astype(int), "params": params,
            "ray_parameter_s_km": rng.uniform(*RAY_PARAMETER_S_KM, n), "smooth": smooth,
            "lvl": lvl, "noise_level": noise_level}


@functools.lru_cache(maxsize=len(REFERENCES))
def _clean_function(reference):
    """Jitted, vmapped clean traces of one reference: (params, p, smooth, lvl) -> (B, NPTS)."""
    xmodel = XdiscModel.build(reference)
    tops = np.asarray(xmodel.top_depth_km)
    centre = jnp.asarray(np.append((tops[:-1] + tops[1:]) / 2, tops[-1]))
    phase = jnp.pi * jnp.clip((centre - 100.0) / 700.0, 0.0, 1.0)

    def one(vector, p, smooth, lvl):
        earth = xmodel.earth(dict(zip(PARAMETERS, vector)))
        factor = 1.0 + jnp.sin(phase[:, None] * jnp.arange(1, 4)) @ smooth
        factor = factor - lvl[2] * ((centre >= lvl[0]) & (centre < lvl[1]))
        thickness, order = earth.layer_stack()
        vs = (earth.vs_km_s * factor)[order]
        vp = vs * earth.vp_vs[order]
        return rf_physics.receiver_function(thickness, vp, vs,
                                            rf_physics.brocher_density_g_cm3(vp), p,
                                            GAUSS_RAD_S, DT_S, GENERATION_NPTS,
                                            SHIFT_S)[:NPTS]

    return jax.jit(jax.vmap(one))


def clean_traces(models, chunk=512):
    """Noise-free traces of :func:`draw_models`'s samples, shape (n, NPTS).

    One compilation per reference: every call has ``min(chunk, count)``
    samples (the last one padded).
    """
    out = np.zeros((models["label"].size, NPTS))
    for r, ref in enumerate(REFERENCES):
        idx = np.flatnonzero(models["reference"] == r)
        if idx.size == 0:
            continue
        f = _clean_function(ref)
        size = min(chunk, idx.size)
        for start in range(0, idx.size, size):
            i = idx[start:start + size]
            pad = np.pad(i, (0, size - i.size), mode="edge")
            traces = f(models["params"][pad], models["ray_parameter_s_km"][pad],
                       models["smooth"][pad], models["lvl"][pad])
            out[i] = np.asarray(traces)[:i.size]
    return out


def correlated_noise(rng, correlation_s, law="exponential"):
    """Unit-variance noise of correlation length ``correlation_s`` (n,), shape (n, NPTS).

    ``"exponential"``: a first-order autoregression, ``rho = exp(-dt / L)``;
    ``"student_t"``: the same driven by Student-t innovations (3 degrees of
    freedom, scaled to unit variance); ``"gaussian"``: correlation
    ``exp(-dt^2 / (2 L^2))`` through a Cholesky factor per trace.
    """
    n = correlation_s.size
    if law == "gaussian":
        lag = np.arange(NPTS) * DT_S
        lag = lag[:, None] - lag[None, :]
        out = np.empty((n, NPTS))
        white = rng.normal(size=(n, NPTS))
        for i, length in enumerate(correlation_s):
            corr = np.exp(-0.5 * (lag / length) ** 2) + 1e-6 * np.eye(NPTS)
            out[i] = np.linalg.cholesky(corr) @ white[i]
        return out
    if law == "student_t":
        white = rng.standard_t(3.0, size=(n, NPTS)) / np.sqrt(3.0)
    else:
        white = rng.normal(size=(n, NPTS))
    rho = np.exp(-DT_S / correlation_s)
    out = np.empty((n, NPTS))
    for i in range(n):
        out[i, 0] = white[i, 0]
        out[i, 1:], _ = lfilter([np.sqrt(1.0 - rho[i] ** 2)], [1.0, -rho[i]], white[i, 1:],
                                zi=[rho[i] * white[i, 0]])
    return out


def noisy_records(rng, clean, noise_level, law, min_npts):
    """Noisy, cut records of ``clean`` traces.

    Returns
    -------
    dict
        ``rf`` (n, NPTS) zero after each cut, ``npts`` (n,) length of each
        record, ``noise_std`` (n,), ``correlation_s`` (n,).
    """
    n = clean.shape[0]
    std = np.asarray(NOISE_STD)[noise_level]
    corr = rng.uniform(*CORRELATION_S, n)
    noisy = clean + std[:, None] * correlated_noise(rng, corr, law)
    npts = rng.choice(cut_lengths(min_npts), n)
    noisy[np.arange(NPTS)[None, :] >= npts[:, None]] = 0.0
    return {"rf": noisy, "npts": npts, "noise_std": std, "correlation_s": corr}


def cut_lengths(min_npts):
    """The :data:`N_CUTS` record lengths a cut ends at, evenly from ``min_npts`` to
    :data:`NPTS` samples: a handful of shapes, so the detector compiles a handful of times."""
    return np.unique(np.linspace(min_npts, NPTS, N_CUTS).round().astype(int))


NOISE_LAW = {"gaussian_correlated_noise": "gaussian", "heavy_tailed_noise": "student_t"}


def build_dataset(seed, size):
    """Every split of the benchmark (module docstring), deterministic from ``seed``.

    Returns
    -------
    dict
        ``min_npts`` (:func:`min_record_npts`) and per split the arrays of
        :func:`draw_models` with ``clean`` traces (n, NPTS) and, except for
        ``train``, those of :func:`noisy_records`.
    """
    min_npts = min_record_npts()
    kinds = ["train", "validation", "test", *OOD_KINDS]
    counts = [size["n_train"], size["n_validation"], size["n_test"]] + \
        [size["n_ood"]] * len(OOD_KINDS)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(kinds))]
    splits = {}
    for kind, n, rng in zip(kinds, counts, rngs):
        shape = kind if kind in OOD_KINDS and kind not in NOISE_LAW else "in_distribution"
        splits[kind] = draw_models(rng, n, shape)
    keys = ("reference", "params", "ray_parameter_s_km", "smooth", "lvl", "label")
    clean = clean_traces({k: np.concatenate([splits[s][k] for s in kinds]) for k in keys})
    ends = np.cumsum(counts)
    for kind, rng, start, stop in zip(kinds, rngs, ends - counts, ends):
        splits[kind]["clean"] = clean[start:stop]
        if kind != "train":
            splits[kind].update(noisy_records(rng, splits[kind]["clean"],
                                              splits[kind]["noise_level"],
                                              NOISE_LAW.get(kind, "exponential"), min_npts))
    return {"min_npts": min_npts, **splits}


# ---------------------------------------------------------------- the CNN

CHANNELS, KERNELS, HIDDEN = (16, 32, 64), (7, 5, 5), 64
LEARNING_RATE = 3e-3
INPUT_SCALE = 0.05
"""The network's first step divides its input by this, near the RMS of the records (in
the unit of the peak normalisation), so that activations start near unit size."""


def init_cnn(key, npts=NPTS):
    """He-initialised parameters of the CNN (module docstring) for inputs of ``npts`` samples."""
    params, c_in, width = {}, 1, npts
    keys = jax.random.split(key, len(CHANNELS) + 2)
    for i, (c, k) in enumerate(zip(CHANNELS, KERNELS)):
        params[f"conv{i}"] = {"w": jax.random.normal(keys[i], (k, c_in, c)) *
                              np.sqrt(2.0 / (k * c_in)), "b": jnp.zeros(c)}
        c_in, width = c, width // 2
    flat = c_in * width
    params["dense"] = {"w": jax.random.normal(keys[-2], (flat, HIDDEN)) * np.sqrt(2.0 / flat),
                       "b": jnp.zeros(HIDDEN)}
    params["out"] = {"w": jax.random.normal(keys[-1], (HIDDEN, 1)) * np.sqrt(1.0 / HIDDEN),
                     "b": jnp.zeros(1)}
    return params


def cnn_logits(params, x):
    """Logit of an X for records ``x`` of shape (B, npts): shape (B,)."""
    h = x[:, :, None] / INPUT_SCALE
    for i in range(len(CHANNELS)):
        layer = params[f"conv{i}"]
        h = jax.lax.conv_general_dilated(h, layer["w"], (1,), "SAME",
                                         dimension_numbers=("NWC", "WIO", "NWC"))
        h = jax.nn.relu(h + layer["b"])
        h = jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 2, 1), (1, 2, 1), "VALID")
    h = jax.nn.relu(h.reshape(h.shape[0], -1) @ params["dense"]["w"] + params["dense"]["b"])
    return (h @ params["out"]["w"] + params["out"]["b"])[:, 0]


def _loss(params, x, y):
    return jnp.mean(optax.sigmoid_binary_cross_entropy(cnn_logits(params, x), y))


def cnn_probability(params, x, chunk=1024):
    """Probability of an X for records ``x`` of shape (B, npts), shape (B,)."""
    f = jax.jit(lambda p, v: jax.nn.sigmoid(cnn_logits(p, v)))
    return np.concatenate([np.asarray(f(params, x[i:i + chunk]))
                           for i in range(0, max(x.shape[0], 1), chunk)])


def train_cnn(data, size, seed):
    """Train the CNN (module docstring); returns its best parameters and a record of training."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    params = init_cnn(jax.random.key(seed))
    optimiser = optax.adam(LEARNING_RATE)
    state = optimiser.init(params)

    @jax.jit
    def step(params, state, x, y):
        loss, grad = jax.value_and_grad(_loss)(params, x, y)
        updates, state = optimiser.update(grad, state, params)
        return optax.apply_updates(params, updates), state, loss

    val_loss = jax.jit(_loss)
    train, val = data["train"], data["validation"]
    y_train = train["label"].astype(float)
    best, best_loss, history, waited = params, np.inf, [], 0
    t0 = time.perf_counter()
    for epoch in range(size["max_epochs"]):
        level = rng.integers(0, len(NOISE_STD), y_train.size)
        x = noisy_records(rng, train["clean"], level, "exponential", data["min_npts"])["rf"]
        order = rng.permutation(y_train.size)
        losses = []
        for start in range(0, order.size - size["batch_size"] + 1, size["batch_size"]):
            i = order[start:start + size["batch_size"]]
            params, state, loss = step(params, state, x[i], y_train[i])
            losses.append(float(loss))
        v = float(val_loss(params, val["rf"], val["label"].astype(float)))
        history.append({"epoch": epoch + 1, "train_loss": round(float(np.mean(losses)), 5),
                        "validation_loss": round(v, 5),
                        "elapsed_s": round(time.perf_counter() - t0, 2)})
        print(json.dumps({"cnn": history[-1]}), flush=True)
        if v < best_loss:
            best, best_loss, waited = params, v, 0
        else:
            waited += 1
            if waited >= size["patience"]:
                break
    return best, {"training_s": round(time.perf_counter() - t0, 2), "epochs": len(history),
                  "best_validation_loss": round(best_loss, 5), "history": history}


# ---------------------------------------------------------------- the detector


def evaluation_records(data, n_test=None):
    """The records the detector and the CNN are scored on: ids, arrays and split names.

    ``n_test``: only the first ``n_test`` records of the test split (a random draw: the
    split is shuffled over its balanced cells); None for all.
    """
    splits = ["test", *OOD_KINDS]
    count = {s: data[s]["label"].size for s in splits}
    if n_test is not None:
        count["test"] = min(int(n_test), count["test"])
    ids = [f"{s}/{i:05d}" for s in splits for i in range(count[s])]
    cat = {k: np.concatenate([data[s][k][:count[s]] for s in splits])
           for k in ("rf", "npts", "noise_std", "correlation_s", "ray_parameter_s_km",
                     "reference", "label", "noise_level")}
    cat["x_jump"] = np.concatenate([data[s]["params"][:count[s], JUMP_X]
                                    for s in splits])
    cat["split"] = np.concatenate([[s] * count[s] for s in splits])
    return ids, cat


def rf_data(records, i):
    """Record ``i`` of :func:`evaluation_records` as the detector's ``RFData``."""
    n = int(records["npts"][i])
    return RFData.from_traces(records["rf"][i, :n], [records["ray_parameter_s_km"][i]],
                              dt_s=DT_S, shift_s=SHIFT_S, gauss_rad_s=GAUSS_RAD_S,
                              std=float(records["noise_std"][i]), correlation="exponential",
                              correlation_s=float(records["correlation_s"][i]))


def same_settings(manifest_path, manifest):
    """Whether the results in a work folder belong to ``manifest``; then record it there.

    They do when the folder has no manifest yet, or when its manifest equals
    ``manifest`` but for the record ids, which ``manifest`` may extend (a
    larger ``--scored-test`` adds records and keeps those already done).
    """
    path = Path(manifest_path)
    manifest = json.loads(json.dumps(manifest))  # tuples as JSON gives them back: lists
    if path.exists():
        old = json.loads(path.read_text())
        if ({k: v for k, v in old.items() if k != "ids"}
                != {k: v for k, v in manifest.items() if k != "ids"}
                or not set(old["ids"]) <= set(manifest["ids"])):
            return False
    path.write_text(json.dumps(manifest) + "\n")
    return True


def same_records(predictions, records, ids):
    """Where a report's ``predictions`` hold records of ours: dict id -> index there.

    An id counts when its label, noise level and X jump there equal those of
    ``records`` (the same record, not only the same name).
    """
    index = {name: i for i, name in enumerate(ids)}
    out = {}
    for k, name in enumerate(predictions["id"]):
        i = index.get(name)
        if (i is not None and predictions["label"][k] == records["label"][i]
                and predictions["noise_std"][k] == records["noise_std"][i]
                and predictions["x_jump"][k] == records["x_jump"][i]):
            out[name] = k
    return out


def resume_from_report(work_dir, report_path, manifest, ids, records):
    """Put the detector results of an earlier report into ``work_dir``; how many it took.

    The report must be of this benchmark with the same seed, size, detector
    settings and reference mode as ``manifest``. Its results of records of
    ours (:func:`same_records`) that ``work_dir`` does not hold yet are
    written to ``detector_resumed.jsonl``, with the seconds they took then;
    the others are left to the workers.
    """
    report = json.loads(Path(report_path).read_text())
    theirs = report.get("settings", {})
    ours = json.loads(json.dumps(manifest))  # tuples as JSON gives them back: lists
    differ = [k for k in ("seed", "size", "detector", "reference_mode")
              if theirs.get(k) != ours[k]]
    if report.get("benchmark") != "xdisc" or differ:
        raise SystemExit(f"--resume-from {report_path}: not a report of these settings "
                         f"(differs in {', '.join(differ) or 'benchmark'})")
    predictions = report["predictions"]
    done = done_results(work_dir)
    taken = {name: k for name, k in same_records(predictions, records, ids).items()
             if name not in done}
    with open(Path(work_dir) / "detector_resumed.jsonl", "a") as out:
        for name, k in taken.items():
            out.write(json.dumps({"id": name, "p_x": predictions["detector"][k],
                                  "seconds": predictions["detector_seconds"][k],
                                  "resumed_from": str(report_path)}) + "\n")
    return len(taken)


def done_results(work_dir):
    """Detector results already in ``work_dir``: dict id -> JSON line."""
    out = {}
    for path in sorted(Path(work_dir).glob("detector_*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                out[row["id"]] = row
    return out


def detector_worker(work_dir, worker, todo, settings, reference_mode):
    """Run the detector on records ``todo`` (indices), appending JSON lines; a spawned process."""
    from bayesjoint.samplers.xdisc_comparison import compare

    with np.load(Path(work_dir) / "records.npz") as f:
        records = {k: f[k] for k in f.files}
    ids = json.loads((Path(work_dir) / "manifest.json").read_text())["ids"]
    base = ComparisonSettings(**settings)
    with open(Path(work_dir) / f"detector_{worker}.jsonl", "a") as out:
        for i in todo:
            s = base
            if reference_mode == "true":
                s = dataclasses.replace(base,
                                        references=(REFERENCES[int(records["reference"][i])],))
            t0 = time.perf_counter()
            result, _ = compare(rf_data(records, i), s)
            row = {"id": ids[i], "p_x": result["p_x"], "seconds": time.perf_counter() - t0,
                   "log_bayes_factor": result["log_bayes_factor"],
                   "log_bayes_factor_mc_error": result["log_bayes_factor_mc_error"],
                   "reference_probability": result["reference_probability"]}
            out.write(json.dumps(row) + "\n")
            out.flush()
            print(json.dumps({"worker": worker, **row}), flush=True)


def start_detector(work_dir, ids, records, settings, reference_mode, n_workers):
    """Start the detector's workers on the records not yet in ``work_dir``; returns them.

    The workers run while the caller goes on (the CNN trains meanwhile);
    :func:`finish_detector` waits for them.
    """
    done = done_results(work_dir)
    todo = [i for i, name in enumerate(ids) if name not in done]
    print(f"detector: {len(done)} records done, {len(todo)} to go on {n_workers} workers",
          flush=True)
    if not todo:
        return []
    np.savez(Path(work_dir) / "records.npz", **{k: v for k, v in records.items()
                                                if k != "split"})
    ctx = multiprocessing.get_context("spawn")
    saved = {k: os.environ.get(k) for k in WORKER_ENV}
    os.environ.update(WORKER_ENV)
    try:
        procs = [ctx.Process(target=detector_worker,
                             args=(str(work_dir), w, todo[w::n_workers], settings,
                                   reference_mode))
                 for w in range(min(n_workers, len(todo)))]
        for p in procs:
            p.start()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return procs


def finish_detector(work_dir, procs):
    """Wait for the workers of :func:`start_detector`; the results, dict id -> row."""
    for p in procs:
        p.join()
    failed = [p.exitcode for p in procs if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"detector workers exited with {failed}; rerun to resume")
    return done_results(work_dir)


# ---------------------------------------------------------------- scores


JUMP_BINS_PERCENT = (1, 2, 3, 4, 5)
"""Edges of the X's relative Vs jump, %, of the detection rates per jump."""


def detection_by_jump(p, y, noise_std, x_jump):
    """Per noise level, the fraction of the records with an X called an X (``p > 0.5``) in
    each bin of the X's jump (:data:`JUMP_BINS_PERCENT`), with the count: JSON-ready."""
    out = {}
    for s in NOISE_STD:
        level = {}
        for lo, hi in zip(JUMP_BINS_PERCENT[:-1], JUMP_BINS_PERCENT[1:]):
            m = (noise_std == s) & (y == 1) & (x_jump >= lo / 100) & (x_jump < hi / 100 + 1e-12)
            if m.any():
                level[f"{lo}-{hi}"] = {"rate": float(np.mean(p[m] > 0.5)), "n": int(m.sum())}
        if level:
            out[f"{s:g}"] = level
    return out


def scores(p, y, noise_std, x_jump):
    """Scores of probabilities ``p`` for labels ``y`` (module docstring), JSON-ready."""
    auc = classification.roc_auc(p, y)
    levels = [s for s in NOISE_STD if np.any(noise_std == s)]
    by_noise = {f"{s:g}": classification.accuracy(p[noise_std == s], y[noise_std == s])
                for s in levels}
    expected = {f"{s:g}": classification.expected_accuracy(p[noise_std == s]) for s in levels}
    return {"n": int(y.size), "n_x": int(y.sum()), "accuracy": classification.accuracy(p, y),
            "roc_auc": None if np.isnan(auc) else auc,
            "brier": classification.brier_score(p, y),
            "reliability": _json_nan(classification.reliability(p, y, n_bins=10)),
            "accuracy_by_noise_std": by_noise,
            "expected_accuracy_by_noise_std": expected,
            "detection_by_noise_std_and_jump_percent": detection_by_jump(p, y, noise_std,
                                                                          x_jump)}


def _json_nan(d):
    return {k: [None if isinstance(v, float) and np.isnan(v) else v for v in vals]
            for k, vals in d.items()}


def method_scores(p, records):
    """Per split present (``test`` and the OOD kinds): :func:`scores`, and the accuracy drops."""
    out = {}
    for split in ["test", *OOD_KINDS]:
        m = records["split"] == split
        if m.any():
            out[split] = scores(p[m], records["label"][m], records["noise_std"][m],
                                records["x_jump"][m])
    drop = {k: out["test"]["accuracy"] - out[k]["accuracy"] for k in OOD_KINDS if k in out}
    return {"splits": out, "accuracy_drop_test_to_ood": drop}


# ---------------------------------------------------------------- report


def machine():
    """Platform, processor, CPU count and JAX devices of the machine running a benchmark."""
    return {"platform": platform.platform(), "processor": platform.processor(),
            "cpu_count": os.cpu_count(), "devices": [str(d) for d in jax.devices()]}


def versions():
    """Versions of Python, NumPy, JAX, optax and bayesjoint."""
    out = {"python": sys.version.split()[0], "numpy": np.__version__,
           "bayesjoint": bayesjoint.__version__}
    for dist in ("jax", "jaxlib", "optax"):
        out[dist] = importlib.metadata.version(dist)
    return out


def detector_settings(args, quick):
    """``ComparisonSettings`` from the ``--detector-*`` options (``--quick``: tiny defaults)."""
    values = {}
    for f in dataclasses.fields(ComparisonSettings):
        v = getattr(args, f"detector_{f.name}")
        if v is None:
            v = QUICK_DETECTOR.get(f.name, f.default) if quick else f.default
        elif isinstance(f.default, tuple) and isinstance(f.default[0], str):
            v = tuple(v)
        elif isinstance(f.default, tuple):
            v = tuple(None if x.lower() == "none" else float(x) for x in v)
        values[f.name] = v
    return ComparisonSettings(**values)


def add_detector_options(parser):
    """One ``--detector-<field>`` option per field of ``ComparisonSettings``."""
    group = parser.add_argument_group("detector settings (default: ComparisonSettings())")
    for f in dataclasses.fields(ComparisonSettings):
        flag = f"--detector-{f.name.replace('_', '-')}"
        if isinstance(f.default, tuple) and isinstance(f.default[0], str):
            group.add_argument(flag, nargs="+", default=None, help=f"default {f.default}")
        elif isinstance(f.default, tuple):
            group.add_argument(flag, nargs=len(f.default), default=None,
                               help=f"default {f.default} ('none' for None)")
        elif isinstance(f.default, bool):
            group.add_argument(flag, type=lambda v: v.lower() in ("1", "true", "yes"),
                               default=None, help=f"true or false, default {f.default}")
        else:
            group.add_argument(flag, type=type(f.default), default=None,
                               help=f"default {f.default!r}")


def figure(path, report, records, probabilities):
    """ROC curves, reliability diagrams, accuracy per noise level and per OOD kind."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 4, figsize=(17, 4.2))
    test = records["split"] == "test"
    colours = {"cnn": "tab:orange", "detector": "tab:blue"}
    for method, p in probabilities.items():
        s = report["methods"][method]["splits"]
        fpr, tpr = classification.roc_curve(p[test], records["label"][test])
        auc = s["test"]["roc_auc"]
        ax[0].plot(fpr, tpr, color=colours[method],
                   label=f"{method} (AUC {auc:.3f})" if auc is not None else method)
        rel = s["test"]["reliability"]
        pairs = [(m, o) for m, o in zip(rel["mean_predicted"], rel["observed_frequency"])
                 if m is not None]
        if pairs:
            ax[1].plot(*zip(*pairs), "o-", color=colours[method], label=method)
        levels = list(s["test"]["accuracy_by_noise_std"])
        ax[2].plot([float(v) for v in levels],
                   [s["test"]["accuracy_by_noise_std"][v] for v in levels], "o-",
                   color=colours[method], label=method)
    width = 0.4
    x = np.arange(len(OOD_KINDS) + 1)
    for j, method in enumerate(probabilities):
        s = report["methods"][method]["splits"]
        ax[3].bar(x + (j - 0.5) * width, [s[k]["accuracy"] for k in ["test", *OOD_KINDS]],
                  width, color=colours[method], label=method)
    ax[0].plot([0, 1], [0, 1], "k:", lw=0.8)
    ax[0].set(xlabel="false-positive rate", ylabel="true-positive rate", title="ROC, test")
    ax[1].plot([0, 1], [0, 1], "k:", lw=0.8)
    ax[1].set(xlabel="mean predicted P(X)", ylabel="observed frequency of X",
              title="reliability, test (10 bins)", xlim=(0, 1), ylim=(0, 1))
    ax[2].set(xscale="log", xlabel="noise std (unit of the direct-P peak)",
              ylabel="accuracy at 0.5", title="accuracy per noise level, test")
    ax[2].set_xticks(NOISE_STD, [f"{v:g}" for v in NOISE_STD], fontsize=7)
    ax[2].minorticks_off()
    ax[3].set_xticks(x, ["test", *[k.replace("_", "\n") for k in OOD_KINDS]], fontsize=7)
    ax[3].set(ylabel="accuracy at 0.5", ylim=(0, 1), title="test and out of distribution")
    for a in ax:
        a.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    """Build the data, train the CNN, run the detector, score both and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="every step at a tiny size (and tiny detector settings)")
    parser.add_argument("--out", default=None,
                        help="JSON file (default benchmarks/results/xdisc_cpu.json)")
    parser.add_argument("--work-dir", default=None,
                        help="detector results per record (default: <out without .json>_work)")
    parser.add_argument("--workers", type=int, default=2, help="detector processes")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and the CNN")
    parser.add_argument("--scored-test", type=int,
                        help="score both methods on the first N records of the test split "
                             "only (a random draw); the CNN is also scored on the whole split "
                             "(default: all)")
    parser.add_argument("--resume-from", metavar="REPORT.json",
                        help="take the detector's results from an earlier report of the same "
                             "seed, size and detector settings (its records only; the rest "
                             "are run)")
    parser.add_argument("--reference-mode", choices=("given", "true"), default="given",
                        help="detector references: those of --detector-references, or each "
                             "record's own")
    add_detector_options(parser)
    args = parser.parse_args(argv)
    name = "quick" if args.quick else "full"
    size = SIZES[name]
    settings = detector_settings(args, args.quick)
    out = Path(args.out or os.path.join(HERE, "results", "xdisc_cpu.json"))
    work_dir = Path(args.work_dir or out.with_suffix("").as_posix() + "_work")
    load_start = [round(x, 2) for x in os.getloadavg()]
    t_all = time.perf_counter()

    t0 = time.perf_counter()
    data = build_dataset(args.seed, size)
    generation_s = time.perf_counter() - t0
    ids, records = evaluation_records(data, args.scored_test)
    print(f"data: {len(ids)} records to score, made in {generation_s:.1f} s", flush=True)

    manifest = {"seed": args.seed, "size": name, "detector": dataclasses.asdict(settings),
                "reference_mode": args.reference_mode, "ids": ids}
    work_dir.mkdir(parents=True, exist_ok=True)
    if not same_settings(work_dir / "manifest.json", manifest):
        raise SystemExit(f"{work_dir} holds results of other settings: remove it or give "
                         "another --work-dir")
    if args.resume_from:
        n = resume_from_report(work_dir, args.resume_from, manifest, ids, records)
        print(f"detector: {n} results taken from {args.resume_from}", flush=True)

    t0 = time.perf_counter()
    procs = start_detector(work_dir, ids, records, dataclasses.asdict(settings),
                           args.reference_mode, args.workers)
    # the CNN trains while the detector's workers run
    cnn_params, cnn_record = train_cnn(data, size, args.seed)
    t1 = time.perf_counter()
    p_cnn = cnn_probability(cnn_params, records["rf"])
    cnn_record["inference_s_per_record"] = (time.perf_counter() - t1) / len(ids)
    # the CNN on the whole test split too, when both methods are scored on part of it
    test = data["test"]
    cnn_record["whole_test_split"] = scores(cnn_probability(cnn_params, test["rf"]),
                                            test["label"], test["noise_std"],
                                            test["params"][:, JUMP_X])
    rows = finish_detector(work_dir, procs)
    detector_wall_s = time.perf_counter() - t0
    p_det = np.array([rows[i]["p_x"] for i in ids])
    seconds = np.array([rows[i]["seconds"] for i in ids])

    probabilities = {"cnn": p_cnn, "detector": p_det}
    report = {
        "benchmark": "xdisc",
        "machine": machine(),
        "versions": versions(),
        "load_average": {"start": load_start, "end": [round(x, 2) for x in os.getloadavg()],
                         "note": "1, 5 and 15 min; the machine may be shared"},
        "wall_time_s": round(time.perf_counter() - t_all, 1),
        "settings": {
            "size": name, **size, "seed": args.seed, "workers": args.workers,
            "scored_test_records": int((records["split"] == "test").sum()),
            "references": list(REFERENCES), "dt_s": DT_S, "shift_s": SHIFT_S, "npts": NPTS,
            "min_record_npts": data["min_npts"], "gauss_rad_s": GAUSS_RAD_S,
            "ray_parameter_s_km": list(RAY_PARAMETER_S_KM), "noise_std": list(NOISE_STD),
            "correlation_s": list(CORRELATION_S), "x_depth_km": list(X_DEPTH_KM),
            "x_jump": list(X_JUMP), "ood_kinds": list(OOD_KINDS),
            "cnn": {"input_scale": INPUT_SCALE, "channels": list(CHANNELS),
                    "kernels": list(KERNELS), "hidden": HIDDEN, "optimiser": "adam",
                    "learning_rate": LEARNING_RATE, "batch_size": size["batch_size"]},
            "detector": {k: (list(v) if isinstance(v, tuple) else v)
                         for k, v in dataclasses.asdict(settings).items()},
            "reference_mode": args.reference_mode,
        },
        "timing": {
            "generation_s": round(generation_s, 2),
            "cnn_training_s": cnn_record["training_s"],
            "cnn_inference_s_per_record": cnn_record["inference_s_per_record"],
            "detector_s_per_record": {"mean": float(np.mean(seconds)),
                                      "median": float(np.median(seconds)),
                                      "total": float(np.sum(seconds))},
            "detector_wall_s_this_run": round(detector_wall_s, 1),
        },
        "cnn_training": cnn_record,
        "methods": {m: method_scores(p, records) for m, p in probabilities.items()},
        "predictions": {"id": ids, "label": records["label"].tolist(),
                        "noise_std": records["noise_std"].tolist(),
                        "x_jump": records["x_jump"].tolist(),
                        "reference": [REFERENCES[r] for r in records["reference"]],
                        "cnn": p_cnn.tolist(), "detector": p_det.tolist(),
                        "detector_seconds": seconds.tolist()},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    figure(out.with_suffix(".png"), report, records, probabilities)
    for m in probabilities:
        s = report["methods"][m]["splits"]["test"]
        print(json.dumps({"method": m, "test_accuracy": s["accuracy"],
                          "test_roc_auc": s["roc_auc"], "test_brier": s["brier"]}))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
