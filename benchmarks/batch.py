"""Throughput of ``bayesjoint batch`` on a local Dask cluster of 1, 2 and 4 workers.

The same 16 small stations (synthetic Dst C-responses of a three-layer
mantle, 10 periods of 2-100 days; NUTS on 8 fixed layers, 2 chains, 300
warm-up and 300 kept iterations each) are inverted with 1, 2 and 4
workers (one process and one thread each), each worker count with an empty
output folder and an empty compilation cache, so every count compiles what
a first run compiles.

Per worker count:

* ``wall_time_s``: from sending the first station to the last record
  (the cluster is started before, and its start is timed on its own as
  ``cluster_start_s``);
* ``stations_per_minute``;
* ``parallel_efficiency``: wall time with one worker divided by (workers x
  wall time);
* ``scheduling_overhead_per_station_s``: (workers x wall time - the sum of
  the stations' own run times) / stations, the time a worker holds no
  station (sending, receiving, waiting at the end), and its ratio to the
  mean station time;
* ``worker_peak_rss_mb`` (largest resident memory of a worker) and
  ``disk_per_station_kb`` (mean size of a station's run folder).

Usage::

    python benchmarks/batch.py                # 16 stations, 1, 2 and 4 workers (an idle machine)
    python benchmarks/batch.py --smoke        # 2 stations, 1 and 2 workers, a few iterations
    python benchmarks/batch.py --out path.json

The default output is ``benchmarks/results/batch_cpu.json``.
"""

import argparse
import importlib.metadata
import io
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import bayesjoint
from bayesjoint.commands.batch import WORKER_ENV, run_stations
from bayesjoint.datasets import synthetic_dst
from bayesjoint.earth import LayeredEarth
from bayesjoint.io.batch_config import load_batch_config
from bayesjoint.io.geomag_files import write_dst_csv

HERE = os.path.dirname(os.path.abspath(__file__))
DAY_S = 86400.0

SIZES = {
    "full": {"stations": 16, "workers": [1, 2, 4], "n_periods": 10, "n_layers": 8,
             "n_chains": 2, "n_burn": 300, "n_iterations": 600},
    "smoke": {"stations": 2, "workers": [1, 2], "n_periods": 6, "n_layers": 4,
              "n_chains": 1, "n_burn": 20, "n_iterations": 40},
}


def write_stations(folder, size, cache_dir):
    """Data files and the batch file of ``size``; returns the batch file's path."""
    rng = np.random.default_rng(0)
    periods_s = DAY_S * np.logspace(np.log10(2.0), 2.0, size["n_periods"])
    (folder / "data").mkdir(parents=True, exist_ok=True)
    for i in range(size["stations"]):
        top = 10.0 ** rng.uniform(-2.5, -1.5)
        truth = LayeredEarth.from_layers([0.0, 400.0, 700.0], [top, 0.1, 1.0])
        write_dst_csv(folder / "data" / f"S{i:02d}.csv", synthetic_dst(truth, periods_s, seed=i))
    path = folder / "batch.toml"
    path.write_text(
        '[output]\ndir = "out"\n\n[[data]]\ntype = "dst"\nname = "dst"\n\n'
        f'[prior]\nn_layers = {size["n_layers"]}\ndepth_max_km = 1500.0\n'
        'first_interface_km = 100.0\n\n'
        f'[sampler]\nn_chains = {size["n_chains"]}\nn_burn = {size["n_burn"]}\n'
        f'n_iterations = {size["n_iterations"]}\n\n[summary]\nn_depths = 50\n\n'
        f'[batch]\nfiles = "data/*.csv"\ncache_dir = "{cache_dir}"\n')
    return path


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _folder_kb(folder):
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1024.0


def run_one(n_workers, size):
    """One worker count on fresh stations, output folder and cache; returns its results."""
    import distributed

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        batch = load_batch_config(write_stations(tmp, size, tmp / "cache"))
        env = dict(WORKER_ENV, BAYESJOINT_CACHE_DIR=str(tmp / "cache"))
        t0 = time.perf_counter()
        with distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                      processes=True, dashboard_address=":0",
                                      env=env) as cluster, distributed.Client(cluster) as client:
            client.wait_for_workers(n_workers)
            t_start = time.perf_counter() - t0
            t1 = time.perf_counter()
            records = run_stations(batch, scheduler=cluster.scheduler_address,
                                   stream=io.StringIO())
            wall = time.perf_counter() - t1
            rss = max(client.run(_peak_rss_mb).values())
        failed = [r["name"] for r in records if r["status"] != "done"]
        if failed:
            raise RuntimeError(f"stations failed: {failed}")
        run_s = [r["elapsed_s"] for r in records]
        disk = [_folder_kb(s.config.output_dir) for s in batch.stations]
    n = len(records)
    overhead = (n_workers * wall - sum(run_s)) / n
    return {"workers": n_workers, "stations": n, "cluster_start_s": round(t_start, 2),
            "wall_time_s": round(wall, 2), "stations_per_minute": round(60.0 * n / wall, 3),
            "station_time_s": {"mean": round(float(np.mean(run_s)), 2),
                               "min": round(min(run_s), 2), "max": round(max(run_s), 2)},
            "scheduling_overhead_per_station_s": round(overhead, 3),
            "scheduling_overhead_fraction": round(overhead / float(np.mean(run_s)), 4),
            "worker_peak_rss_mb": round(rss, 1),
            "disk_per_station_kb": round(float(np.mean(disk)), 1)}


def versions():
    """Versions of Python, JAX, NumPy, Dask and bayesjoint."""
    out = {"python": sys.version.split()[0], "numpy": np.__version__,
           "bayesjoint": bayesjoint.__version__}
    for dist in ("jax", "jaxlib", "dask", "distributed"):
        out[dist] = importlib.metadata.version(dist)
    return out


def main(argv=None):
    """Run the benchmark and write its JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true",
                        help="2 stations, 1 and 2 workers, a few iterations")
    parser.add_argument("--out", default=None,
                        help="JSON file (default benchmarks/results/batch_cpu.json)")
    args = parser.parse_args(argv)
    name = "smoke" if args.smoke else "full"
    size = SIZES[name]
    out = args.out or os.path.join(HERE, "results", "batch_cpu.json")
    load_start = [round(x, 2) for x in os.getloadavg()]
    t0 = time.perf_counter()
    results = [run_one(n, size) for n in size["workers"]]
    base = results[0]["wall_time_s"] * results[0]["workers"]
    for r in results:
        r["parallel_efficiency"] = round(base / (r["workers"] * r["wall_time_s"]), 3)
        print(json.dumps(r))
    report = {
        "benchmark": "batch",
        "machine": {"platform": platform.platform(), "processor": platform.processor(),
                    "cpu_count": os.cpu_count()},
        "versions": versions(),
        "load_average": {"start": load_start, "end": [round(x, 2) for x in os.getloadavg()],
                         "note": "1, 5 and 15 min; the machine may be shared"},
        "wall_time_s": round(time.perf_counter() - t0, 1),
        "settings": dict(size, size=name, sampler="nuts", data="dst (synthetic C-responses)",
                         worker_env=WORKER_ENV,
                         cache="an empty compilation cache per worker count"),
        "results": results,
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
