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
# # MT quick start: forward model, synthetic inversion, real data
#
# This notebook walks through the smallest complete use of bayesjoint:
#
# 1. compute the magnetotelluric (MT) response of a layered Earth;
# 2. make noisy synthetic data from it and invert them with NUTS on a fixed
#    set of layers;
# 3. invert a real long-period MT transfer function, the USMTArray site
#    NMX20 that ships with `mt-metadata`.
#
# **Run size.** The environment variable `BAYESJOINT_NOTEBOOK_SIZE` selects
# `full` (the default; the committed outputs) or `ci` (tiny runs that only
# check that the notebook works; their numbers mean nothing).

# %%
import os
import tempfile
from pathlib import Path

from bayesjoint.samplers.nuts import set_host_device_count

# One XLA CPU device per core, so NUTS can run its chains in parallel.
# This must happen before JAX computes anything.
PARALLEL = set_host_device_count(min(2, os.cpu_count() or 1))

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from bayesjoint.datasets import synthetic_mt  # noqa: E402
from bayesjoint.earth import LayeredEarth  # noqa: E402
from bayesjoint.model.prior import PriorSpec  # noqa: E402
from bayesjoint.physics import mt  # noqa: E402
from bayesjoint.plotting.datafit import plot_fit  # noqa: E402
from bayesjoint.plotting.profile import plot_depth_profile  # noqa: E402
from bayesjoint.samplers.nuts import NUTSConfig  # noqa: E402
from bayesjoint.workflow import invert  # noqa: E402

# bayesjoint.workflow selects the non-interactive Agg backend when imported (it
# writes figure files); in Jupyter, switch back to inline figures.
# %matplotlib inline

SIZE = os.environ.get("BAYESJOINT_NOTEBOOK_SIZE", "full").lower()
if SIZE not in ("full", "ci"):
    raise ValueError(f"BAYESJOINT_NOTEBOOK_SIZE = {SIZE!r}: use 'full' or 'ci'")
WARMUP, SAMPLES = (1000, 1000) if SIZE == "full" else (50, 50)
RUNS = Path(tempfile.mkdtemp(prefix="bayesjoint_quickstart_"))
print(f"size: {SIZE}; {WARMUP} warm-up + {SAMPLES} draws per chain; runs under {RUNS}")

# %% [markdown]
# ## 1. Forward model
#
# A layered Earth is described by the top depth of each layer (km) and its
# conductivity (S/m); the last layer is a half-space. Here: a resistive
# lithosphere, a conductive layer at 100-200 km, a moderately resistive
# layer beneath and a conductive half-space from 410 km.

# %%
truth = LayeredEarth.from_layers([0.0, 100.0, 200.0, 410.0], [0.002, 0.05, 0.01, 0.3])
period_s = np.logspace(0, 4, 25)

thickness_m, sigma = truth.sigma_stack()
z = mt.impedance(period_s, thickness_m, sigma)
rho_a, phase = (np.asarray(a) for a in mt.apparent_resistivity_phase(period_s, z))

fig, axes = plt.subplots(2, 1, figsize=(5.5, 5), sharex=True)
axes[0].loglog(period_s, rho_a, "o-", ms=3)
axes[0].set_ylabel("apparent resistivity (ohm m)")
axes[1].semilogx(period_s, phase, "o-", ms=3)
axes[1].set_ylabel("phase (deg)")
axes[1].set_xlabel("period (s)")
fig.tight_layout()
plt.show()

# %% [markdown]
# Phases above 45 degrees mark periods at which conductivity increases with
# depth (the conductive layer near 1000 s, the half-space at the longest
# periods); below 45 degrees it decreases.

# %% [markdown]
# ## 2. Synthetic data and a NUTS inversion
#
# `synthetic_mt` adds Gaussian noise of 3 % to apparent resistivity and
# phase, and states that error in the dataset. The prior has 20 fixed
# layers whose interfaces are log-spaced from 5 to 800 km; the log10
# conductivities are bounded to [-4, 2] and tied together by a Gaussian
# random walk (step standard deviation 0.5 decade). A hierarchical noise
# scale multiplies the stated errors.

# %%
data = synthetic_mt(truth, period_s, rel_error=0.03, seed=0, name="synthetic")
prior = PriorSpec(n_layers=20, depth_max_km=800.0, first_interface_km=5.0, smoothness_std=0.5)
sampler = NUTSConfig(n_chains=2, n_burn=WARMUP, n_iterations=WARMUP + SAMPLES, seed=1,
                     chain_method="parallel" if PARALLEL else "vectorized", progress_bar=False)
result = invert([data], prior, sampler, RUNS / "synthetic", truth=truth, depth_max_km=800.0)


def describe(result):
    w = result["diagnostics"]["worst"]
    rng = result["resolved_depth_range_km"]["log10_sigma"]
    print(f"sampling {result['timings_s']['sampling']:.0f} s; max R-hat {w['rhat_max']:.3f}; "
          f"min bulk ESS {w['ess_bulk_min']:.0f}; divergences "
          f"{result['diagnostics']['divergences']}")
    print("resolved depths (90 % interval narrower than 1 decade): "
          + ("none" if rng is None else f"{rng[0]:.0f}-{rng[1]:.0f} km"))


describe(result)
cov = result["coverage_of_truth_90"]["log10_sigma"]
print(f"true model inside the 90 % interval at {100 * cov['all_depths']:.0f} % of the depth grid")

# %% [markdown]
# `invert` writes `posterior.nc`, `profile.png`, `datafit.png` and
# `summary.json` into the run folder. The figures below are drawn from
# `posterior.nc`.

# %%
def load_run(out):
    tree = xr.open_datatree(Path(out) / "posterior.nc", engine="h5netcdf")
    profile = tree["profile"].to_dataset().load()
    envelopes = {k[5:]: tree[k]["envelope"].values for k in tree.children
                 if k.startswith("data_") and "envelope" in tree[k]}
    posterior = tree["posterior"].to_dataset().load()
    tree.close()
    return profile, envelopes, posterior


def show(out, data, truth=None, title=""):
    profile, envelopes, posterior = load_run(out)
    fig = plt.figure(figsize=(11, 5.5))
    grid = fig.add_gridspec(2, 2, width_ratios=[1, 1.4])
    ax = fig.add_subplot(grid[:, 0])
    truth_layers = None
    if truth is not None:
        top, _ = truth.to_numpy_layers()
        truth_layers = (top, np.asarray(truth.log10_sigma)[: top.size])
    plot_depth_profile(profile, truth=truth_layers, ax=ax, title=title)
    plot_fit(data, envelopes[data.name],
             axes=[fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])])
    fig.tight_layout()
    plt.show()
    return profile, posterior


profile, posterior = show(RUNS / "synthetic", data, truth, "synthetic MT")

# %% [markdown]
# The posterior follows the true model where the data are sensitive and
# widens towards the prior below; the sharp steps of the true model come
# out smoothed, since MT resolves conductance and gradual changes rather
# than sharp boundaries. That is also why the true model lies inside the
# 90 % interval at only about three quarters of the depth grid in the full
# run: the misses are the thin conductive layer (about 85-200 km, where
# the smooth posterior spreads its conductance over a thicker, less
# conductive zone) and the depths around the step at 410 km. With fixed
# layers and a smoothness prior the interval describes a smoothed Earth,
# not the exact step-wise truth.

# %% [markdown]
# ## 3. Real data: USMTArray site NMX20
#
# The EMTF-XML file `NMX20.xml` from `mt-metadata` holds the impedance
# tensor at 33 periods from 4.7 s to about 29,000 s. We invert the
# Berdichevsky invariant (the mean of Zxy and -Zyx) as log10 apparent
# resistivity and phase, with the file's standard errors raised to a floor
# of 5 % of |Z|. The prior has 24 layers log-spaced from 5 to 800 km; the
# settings follow `docs/real_data_mt.md`.

# %%
import mt_metadata  # noqa: E402

from bayesjoint.io.mt_files import read_mt_transfer_function  # noqa: E402

path = Path(mt_metadata.__file__).parent / "data" / "transfer_functions" / "NMX20.xml"
nmx20 = read_mt_transfer_function(path, component="berdichevsky", kind="rho_phase",
                                  rel_error_floor=0.05, name="nmx20")
print(f"{nmx20.period_s.size} periods, {nmx20.period_s.min():.1f}-{nmx20.period_s.max():.0f} s")

real_prior = PriorSpec(n_layers=24, depth_max_km=800.0, first_interface_km=5.0,
                       smoothness_std=0.5)
real_result = invert([nmx20], real_prior, sampler, RUNS / "nmx20")
describe(real_result)
real_profile, real_posterior = show(RUNS / "nmx20", nmx20, title="NMX20")

# %% [markdown]
# ### How far to trust it
#
# Two numbers say most of it: the noise scale (how much the stated errors
# had to be inflated for a layered Earth to fit) and the resolved depth
# range.

# %%
scale = real_posterior["noise_scale_nmx20"].values.ravel()
q05, q50, q95 = np.quantile(scale, [0.05, 0.5, 0.95])
print(f"noise scale: median {q50:.2f} (90 % interval {q05:.2f}-{q95:.2f})")
depth = real_profile["depth_km"].values
for zk in (10, 30, 60, 100, 200, 300, 500):
    i = np.argmin(np.abs(depth - zk))
    print(f"{depth[i]:5.0f} km: median log10 sigma {real_profile['log10_sigma_median'][i]:6.2f} "
          f"(90 %: {real_profile['log10_sigma_q05'][i]:6.2f} to "
          f"{real_profile['log10_sigma_q95'][i]:6.2f})")

# %% [markdown]
# * A noise scale well above 1 means the data do not fit a 1-D layered
#   Earth within their stated errors. The misfit sits mostly at the
#   shortest periods, whose low phases a smooth layered model cannot
#   reach; near-surface 3-D structure or galvanic distortion is the usual
#   cause. The inflated errors widen the intervals at every depth.
# * The conductivity is constrained (90 % interval narrower than one
#   decade) from the near surface to the depth printed above, a little
#   over 200 km; below that the interval widens towards the prior, and the
#   deep part of the profile says little beyond what the prior says.
# * The profile depends on the parameterisation (24 fixed layers, step
#   std 0.5): a finer or rougher grid would give a somewhat different
#   picture near the surface.
