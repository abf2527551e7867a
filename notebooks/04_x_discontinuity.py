# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # An X-discontinuity beneath the Kaapvaal craton? The 410 and 660 at 45 stations
#
# The X-discontinuity is a positive S-velocity jump of a few per cent at
# 250-350 km depth. This notebook asks, station by station, whether the P
# receiver functions of the Southern Africa Seismic Experiment (Kaapvaal
# Project, network XA, 1997; 45 stations, 350 teleseismic P records) need
# one, and maps the 410 and 660 beneath the same stations:
#
# 1. receiver functions of every station with the processing of
#    `bayesjoint rf make` (`bayesjoint.io.rf_make`, the library functions the
#    command calls): iterative deconvolution, ZRT, Gaussian `a = 1` rad/s,
#    quality control, and one stack after a Ps moveout correction to the
#    station's mean ray parameter, with its standard error (the records'
#    variance about the stack pooled over 10 s, docs/receiver_functions.md);
# 2. the model comparison of `bayesjoint xdisc`
#    (`bayesjoint.samplers.xdisc_comparison.compare`, docs/xdisc.md): the
#    evidence of a reference upper mantle with and without an X, averaged
#    over three reference Earths (AK135, IASP91, PREM) by their evidence,
#    giving the posterior probability `p_x` with its Monte Carlo interval,
#    which reference the data prefer, and the depths of the 410 and 660;
# 3. a decision per station by one stated rule, a map of `p_x`, the 410,
#    660 and transition-zone thickness with 90 % intervals, the stacks of
#    two stations over the predictions of the X model;
# 4. the example station of the `rf` package, CX.PB01 (IPOC, northern
#    Chile, 2011; miniSEED, QuakeML and StationXML shipped with `rf`), as a
#    second real case.
#
# **Data.** `notebooks/data/kaapvaal_xa1997_p_zne_10hz.npz` and `_meta.csv`
# (see `notebooks/data/README.md`): Z, N, E displacement, decimated to
# 10 Hz, -30 to +115 s about the ak135 P. Network XA (1997-1999), IRIS DMC,
# FDSN DOI 10.7914/SN/XA_1997; records gathered by smurfpy
# (github.com/sannecottaar/smurfpy, commit 5c6a3af, GPL-3.0); cite smurfpy
# and Pugh et al. (2021), EPSL. CX.PB01: IPOC, GFZ and CNRS-INSU, DOI
# 10.14470/PK615318; the `rf` package (Eulenfeld, MIT licence).
#
# **Run size.** `BAYESJOINT_NOTEBOOK_SIZE` selects `full` (the default: all
# 45 stations, the default settings of the comparison) or `ci` (two
# stations and tiny runs that only check that the notebook works; their
# numbers mean nothing).

# %%
import os
import tempfile
import time
from importlib import resources
from pathlib import Path

import bayesjoint  # noqa: F401  (one XLA CPU device per core, before JAX computes)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from bayesjoint.io.rf_make import (  # noqa: E402
    RFSettings, make_receiver_functions, with_stack_noise_correlation)
from bayesjoint.io.rf_records import read_npz_records, read_stream_records  # noqa: E402
from bayesjoint.model.xdisc_prior import DEFAULT_BOUNDS  # noqa: E402
from bayesjoint.plotting.xdisc import plot_xdisc  # noqa: E402
from bayesjoint.samplers.xdisc_comparison import (  # noqa: E402
    compare, p_x_depth_profile, predicted_envelope)
from bayesjoint.samplers.xdisc_decision import MIN_EVENTS, decision  # noqa: E402
from bayesjoint.samplers.xdisc_settings import ComparisonSettings  # noqa: E402

# %matplotlib inline

SIZE = os.environ.get("BAYESJOINT_NOTEBOOK_SIZE", "full").lower()
if SIZE not in ("full", "ci"):
    raise ValueError(f"BAYESJOINT_NOTEBOOK_SIZE = {SIZE!r}: use 'full' or 'ci'")
RUNS = Path(tempfile.mkdtemp(prefix="bayesjoint_xdisc_"))
print(f"size: {SIZE}; run folders under {RUNS}")

# %% [markdown]
# ## Settings
#
# Receiver functions: the defaults of `bayesjoint rf make` (iterative
# deconvolution of R by Z, `a = 1` rad/s, -10 to +100 s, band-pass
# 0.02-1 Hz, SNR on Z at least 2, deconvolution fit at least 60 %,
# outliers beyond 5 scaled MADs), except **one moveout-corrected stack**
# (`--bins moveout`): the records of a station span 0.044-0.085 s/km, over
# which the Ps time from the 660 changes by several seconds, so a plain
# stack would smear the conversions the detector looks for. The detector
# takes every fifth sample of the stacks (0.5 s; `RFData.decimated`, as
# `bayesjoint xdisc --dt-s 0.5` does): the Gaussian of 1 rad/s leaves
# nothing above 1 Hz (exp(-pi^2), 5e-5, at 1 Hz), and five times fewer
# samples make it five times cheaper. The stack's noise has passed through
# the Gaussian filter, so neighbouring samples are correlated over about
# `1 / a` = 1 s; the detector takes that correlation length with its
# exponential law, as `bayesjoint xdisc --from-rf-make` does by default
# (`bayesjoint.io.rf_make.with_stack_noise_correlation`).
#
# Comparison: the defaults of `bayesjoint xdisc` at full size (12 rungs of
# the tempering ladder, 8 chains, 2000 iterations with 1000 burn-in per
# model, stepping-stone evidence, AK135, IASP91 and PREM references averaged
# by their evidence, likelihood from 20 s after P, even prior odds).

# %%
DATA = Path("data") if Path("data", "kaapvaal_xa1997_p_zne_10hz.npz").exists() else \
    Path(__file__).resolve().parent / "data"
NPZ = DATA / "kaapvaal_xa1997_p_zne_10hz.npz"
META = DATA / "kaapvaal_xa1997_p_zne_10hz_meta.csv"

RF_SETTINGS = RFSettings(bins="moveout")
DETECTOR_DT_S = 0.5


def for_detector(data):
    """Every fifth sample of the stacks, with the noise correlation of
    Gaussian-filtered noise."""
    return with_stack_noise_correlation(data).decimated(DETECTOR_DT_S)

if SIZE == "full":
    SETTINGS = ComparisonSettings()
else:
    SETTINGS = ComparisonSettings(layer_km=20.0, n_betas=3, n_chains=2, n_iterations=30,
                                  n_burn=15)
print(RF_SETTINGS)
print(SETTINGS)

# %% [markdown]
# ## The decision rule
#
# A station is decided only when (a) its stack holds at least `MIN_EVENTS`
# (10) records after quality control: the standard errors are estimated
# from the records themselves (pooled over 10 s, their level is uncertain
# by about `1 / sqrt(10 (n - 1))`, an uncertainty the Bayes factor
# inherits), and a stack of fewer records is the mean of too few
# realisations of what a 1D Earth does not hold; and (b) the interval of `p_x`
# (`p_x` at the log Bayes factor plus and minus two Monte Carlo standard
# errors) does not contain 1/2. Then the decision is "x" when `p_x > 1/2`
# and "no_x" when below; otherwise "undecided", with the reason. The rule
# is `bayesjoint.samplers.xdisc_decision.decision`, the one
# `bayesjoint xdisc` applies.

# %% [markdown]
# ## Records and receiver functions of every station

# %%
records = read_npz_records(NPZ, META)
meta = pd.read_csv(META, comment="#")
stations = (meta.groupby("station")[["station_lat_deg", "station_lon_deg"]].first()
            .rename(columns={"station_lat_deg": "lat_deg", "station_lon_deg": "lon_deg"}))
stations["n_records"] = meta.groupby("station").size()
print(f"{len(records)} records, {len(stations)} stations; flags: "
      f"{meta['flag'].value_counts().to_dict()}")
if SIZE == "ci":
    stations = stations.loc[["SA70", "SA22"]]

t0 = time.time()
made, failed = {}, {}
for name in stations.index:
    try:
        made[name] = make_receiver_functions(records, RF_SETTINGS, station=name)
    except ValueError as err:  # fewer than two records left after quality control
        failed[name] = str(err)
stations["n_kept"] = [sum(r["status"] == "used" for r in made[s].records) if s in made else 0
                      for s in stations.index]
stations["rejected"] = [", ".join(f"{k} {v}" for k, v in made[s].rejected_counts().items())
                        if s in made else failed[s] for s in stations.index]
print(f"receiver functions of {len(made)} stations in {time.time() - t0:.0f} s; "
      f"{len(failed)} without a stack")
kept = stations["n_kept"]
print(f"records kept per station: {kept.min()}-{kept.max()} (median {kept.median():g}); "
      f"{int((stations['n_kept'] >= MIN_EVENTS).sum())} of {len(stations)} stations have at "
      f"least {MIN_EVENTS}")
stations[["n_records", "n_kept", "rejected"]]

# %% [markdown]
# All stacks, sorted by latitude (north at the top), from 10 s after P (the
# likelihood of the detector starts at 20 s); the 410 and 660 Ps arrive at
# about 44 and 68 s.

# %%
order = [s for s in stations.sort_values("lat_deg", ascending=False).index if s in made]
GAP = 0.08
fig, ax = plt.subplots(figsize=(9, 0.2 * len(order) + 2.5))
for k, name in enumerate(order):
    d = made[name].data
    late = d.time_s() >= 10.0
    t, rf, se = d.time_s()[late], d.rf[0, late], d.rf_std[0, late]
    ax.fill_between(t, -k * GAP - se, -k * GAP + se, color="0.7", lw=0)
    ax.plot(t, -k * GAP + rf, "k", lw=0.6)
for t, label in ((44.0, "P410s"), (68.0, "P660s")):
    ax.axvline(t, color="tab:red", lw=0.6, ls="--")
    ax.text(t, 1.5 * GAP, label, color="tab:red", ha="center", fontsize=8)
ax.set_yticks([-k * GAP for k in range(len(order))])
ax.set_yticklabels([f"{s} ({stations.loc[s, 'n_kept']})" for s in order], fontsize=7)
ax.set_xlim(10, 100)
ax.set_ylim(-GAP * len(order), 2.5 * GAP)
ax.set_xlabel("time after P, s")
ax.set_title("moveout-corrected stacks from 10 s after P, with their standard errors "
             "(records kept)", fontsize=10)
fig.tight_layout()

# %% [markdown]
# ## The model comparison at every station
#
# `compare` is run on each station's stack with its standard errors. Only
# the summaries are kept; the draws of two stations are kept for the
# figures below (the one with the most records and the one with the highest
# `p_x`).

# %%
results, times = {}, {}
shown, top = {}, None
best = max(made, key=lambda s: stations.loc[s, "n_kept"])
for name in order:
    t0 = time.time()
    result, fits = compare(for_detector(made[name].data), SETTINGS)
    times[name] = time.time() - t0
    results[name] = {**result, **decision(result, int(stations.loc[name, "n_kept"]))}
    if name == best:
        shown[name] = fits
    elif top is None or result["p_x"] > results[top]["p_x"]:
        shown.pop(top, None)
        top = name
        shown[name] = fits
    preferred = max(result["reference_probability"], key=result["reference_probability"].get)
    print(f"{name}: p_x = {result['p_x']:.3f} ({result['p_x_interval'][0]:.3f}-"
          f"{result['p_x_interval'][1]:.3f}), {results[name]['decision']}; "
          f"410 at {result['depth_410_km']:.0f} km, 660 at {result['depth_660_km']:.0f} km; "
          f"{preferred} {result['reference_probability'][preferred]:.2f} "
          f"({times[name]:.0f} s)")

# %%
verdicts = pd.Series({s: r["decision"] for s, r in results.items()})
print(f"{len(results)} stations compared in {sum(times.values()) / 60:.1f} min")
print(verdicts.value_counts().to_string())
preferred = pd.Series({s: max(r["reference_probability"], key=r["reference_probability"].get)
                       for s, r in results.items()})
print("reference of the largest P(reference | d):", preferred.value_counts().to_dict())
print(f"stations with at least {MIN_EVENTS} records whose p_x interval does not straddle 1/2: "
      f"{int((verdicts != 'undecided').sum())}")

# %% [markdown]
# ## A map of P(X)
#
# Colour: `p_x`; filled triangles: decided "x"; filled circles: decided
# "no_x"; open circles: undecided.

# %%
fig, ax = plt.subplots(figsize=(7, 6.5))
ax.scatter(stations["lon_deg"], stations["lat_deg"], s=12, c="0.8", marker="x",
           label="all stations")
px = np.array([results[s]["p_x"] for s in results])
lon, lat = stations.loc[list(results), "lon_deg"], stations.loc[list(results), "lat_deg"]
for verdict, marker in (("x", "^"), ("no_x", "o"), ("undecided", "o")):
    sel = (verdicts[list(results)] == verdict).to_numpy()
    if not sel.any():
        continue
    if verdict == "undecided":
        sc = ax.scatter(lon[sel], lat[sel], s=70, marker=marker, facecolors="none",
                        edgecolors=plt.cm.RdBu_r(px[sel]), linewidths=1.5, label=verdict)
    else:
        sc = ax.scatter(lon[sel], lat[sel], s=70, marker=marker, c=px[sel], cmap="RdBu_r",
                        vmin=0, vmax=1, edgecolors="k", linewidths=0.5, label=verdict)
for s in results:
    ax.annotate(s, (stations.loc[s, "lon_deg"], stations.loc[s, "lat_deg"]), fontsize=6,
                xytext=(3, 3), textcoords="offset points")
fig.colorbar(plt.cm.ScalarMappable(cmap="RdBu_r", norm=plt.Normalize(0, 1)), ax=ax,
             label="p_x, posterior probability of an X")
ax.set_xlabel("longitude, deg E")
ax.set_ylabel("latitude, deg N")
ax.set_aspect(1 / np.cos(np.radians(stations["lat_deg"].mean())))
ax.legend(fontsize=8, loc="lower right")
ax.set_title("X-discontinuity beneath the Kaapvaal stations")
fig.tight_layout()

# %% [markdown]
# ## The 410, the 660 and the transition zone
#
# Medians and 90 % intervals (5-95 % quantiles) of the X model's posterior
# at each station, sorted by latitude. The X model holds the no-X model's
# range of the step at 250-350 km as well, so the depths are little
# affected by which model wins.

# %%
def interval(name, key):
    q = results[name]["posterior"][key]
    return q["q50"], q["q05"], q["q95"]


fig, axes = plt.subplots(1, 3, figsize=(12, 0.22 * len(results) + 2.5), sharey=True)
names = [s for s in order if s in results]
y = np.arange(len(names))
for ax, key, label in zip(axes, ("depth_410_km", "depth_660_km", "transition_zone_km"),
                          ("410 depth, km", "660 depth, km", "transition zone, km")):
    med, lo, hi = np.array([interval(s, key) for s in names]).T
    colors = ["tab:red" if verdicts[s] == "x" else "k" for s in names]
    ax.errorbar(med, y, xerr=[med - lo, hi - med], fmt="none", ecolor=colors, elinewidth=1)
    ax.scatter(med, y, c=colors, s=12, zorder=3)
    ax.set_xlabel(label)
    ax.grid(alpha=0.3)
axes[0].axvline(410, color="0.5", lw=0.8, ls="--")
axes[1].axvline(660, color="0.5", lw=0.8, ls="--")
axes[2].axvline(250, color="0.5", lw=0.8, ls="--")
axes[0].set_yticks(y)
axes[0].set_yticklabels(names, fontsize=7)
axes[0].invert_yaxis()
fig.suptitle("posterior medians and 90 % intervals (red: decided 'x'); dashed: ak135")
fig.tight_layout()

# %% [markdown]
# ## Two stations: stacks over the X model's predictions
#
# The stack (black, with its standard error) over the 5-95 % envelope of
# 40 posterior predictions of the X model, and the depth profile of P(X)
# (`p_x` times the posterior density of the X's depth), as in `xdisc.png`.

# %%
EDGES_KM = np.linspace(*DEFAULT_BOUNDS["depth_x_km"], 21)


def show(data, result, fits):
    """The figure of ``bayesjoint xdisc`` for one station."""
    return plot_xdisc(data.time_s(), data.rf, data.rf_std,
                      predicted_envelope(result, fits, data),
                      data.ray_parameter_s_km, EDGES_KM,
                      p_x_depth_profile(result, fits, EDGES_KM), p_x=result["p_x"],
                      title=f"{data.name}: {result['decision']} ({result['reason']})")


for name, fits in shown.items():
    show(made[name].data, results[name], fits)

# %% [markdown]
# ## A second real case: CX.PB01 from the `rf` package
#
# 13 event windows of IPOC station CX.PB01 (northern Chile, 2011; 5 Hz raw
# counts) with their QuakeML catalogue and StationXML inventory, read as
# `bayesjoint rf make --records ... --events ... --inventory ...` reads
# them. With the windows of the detector (to 100 s after P) most records
# are too short, have no direct P or too low a signal-to-noise ratio, so
# the rule leaves this station undecided however the comparison comes out.

# %%
example = resources.files("rf") / "example"
pb01_records = read_stream_records([str(example / "example_data.mseed")],
                                   events=str(example / "example_events.xml"),
                                   inventory=str(example / "example_inventory.xml"))
pb01 = make_receiver_functions(pb01_records, RF_SETTINGS)
n_pb01 = sum(r["status"] == "used" for r in pb01.records)
print(f"CX.PB01: {n_pb01} of {len(pb01.records)} records kept "
      f"(rejected: {pb01.rejected_counts()})")
t0 = time.time()
result, fits = compare(for_detector(pb01.data), SETTINGS)
results_pb01 = {**result, **decision(result, n_pb01)}
print(f"CX.PB01: p_x = {result['p_x']:.3f} ({result['p_x_interval'][0]:.3f}-"
      f"{result['p_x_interval'][1]:.3f}), {results_pb01['decision']} "
      f"({results_pb01['reason']}); {time.time() - t0:.0f} s")
show(pb01.data, results_pb01, fits);

# %% [markdown]
# ## Summary table

# %%
rows = []
for name, r, n in [(s, results[s], int(stations.loc[s, "n_kept"])) for s in names] \
        + [("CX.PB01", results_pb01, n_pb01)]:
    row = {"station": name, "n kept": n, "p_x": r["p_x"],
           "p_x interval": f"{r['p_x_interval'][0]:.3f}-{r['p_x_interval'][1]:.3f}",
           "decision": r["decision"]}
    row.update({f"P({ref})": prob for ref, prob in r["reference_probability"].items()})
    for key, label in (("depth_410_km", "410 (km)"), ("depth_660_km", "660 (km)"),
                       ("transition_zone_km", "TZ (km)")):
        q = r["posterior"][key]
        row[label] = f"{q['q50']:.0f} ({q['q05']:.0f}-{q['q95']:.0f})"
    rows.append(row)
summary = pd.DataFrame(rows).set_index("station")
summary.to_csv(RUNS / "xdisc_summary.csv")
with pd.option_context("display.max_rows", 100, "display.float_format", "{:.3f}".format):
    print(summary.to_string())
