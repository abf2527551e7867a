"""Tiny Dst-only stations and a batch file for the batch tests."""

import numpy as np

from bayesjoint.datasets import synthetic_dst
from bayesjoint.earth import LayeredEarth
from bayesjoint.io.geomag_files import write_dst_csv

DAY_S = 86400.0

SHARED = """
[output]
dir = "out"

[[data]]
type = "dst"
name = "dst"
file = "data/{station}.csv"

[prior]
n_layers = 4
depth_max_km = 1500.0
first_interface_km = 200.0

[sampler]
n_chains = 1
n_burn = 20
n_iterations = 40

[summary]
n_depths = 20
"""


def write_station(folder, name, sigma_top_s_per_m=0.01, seed=0):
    """A Dst C-response CSV of a three-layer mantle at six periods, 2-100 days."""
    truth = LayeredEarth.from_layers([0.0, 400.0, 700.0], [sigma_top_s_per_m, 0.1, 1.0])
    data = synthetic_dst(truth, DAY_S * np.logspace(np.log10(2.0), 2.0, 6), seed=seed)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    write_dst_csv(folder / "data" / f"{name}.csv", data)


def write_batch(folder, stations, extra=""):
    """A batch file naming ``stations`` ({name: (lat_deg, lon_deg)}) with their data files.

    Returns the path of the batch file.
    """
    for i, name in enumerate(stations):
        write_station(folder, name, 0.01 * (i + 1), seed=i)
    tables = "".join(f"\n[stations.{name}]\nlat_deg = {lat}\nlon_deg = {lon}\n"
                     for name, (lat, lon) in stations.items())
    path = folder / "batch.toml"
    path.write_text(SHARED + extra + tables)
    return path
