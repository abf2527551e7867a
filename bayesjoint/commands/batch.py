"""``bayesjoint batch``: one inversion per station, on Dask distributed or one after another.

Every station runs the run path of ``bayesjoint run``
(:func:`bayesjoint.commands.run.run_configured`) into its own folder,
``<output>/stations/<name>/``, with its printed output in
``<output>/logs/<name>.log``. A station whose folder holds a finished run
is skipped; one with a partial run resumes it. A station that fails is
recorded with its error and the others go on; a station whose worker died
is run again by the scheduler (Dask's ``distributed.scheduler.allowed-failures``
times). The cross-station results are written at the end
(:mod:`bayesjoint.commands.batch_results`).
"""

import contextlib
import json
import os
import sys
import time
import traceback
from pathlib import Path

from bayesjoint.io.batch_config import STATIONS_FOLDER

LOG_FOLDER = "logs"
"""Sub-folder of the batch output folder with each station's printed output."""

STATUS_FILE = "batch_status.json"
"""File in the batch output folder recording the outcome of every station."""

FAILED_EXIT = 3
"""Exit status of ``bayesjoint batch`` when any station failed."""

WORKER_ENV = {"BAYESJOINT_CPU_DEVICES": "1", "OMP_NUM_THREADS": "1",
              "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}
"""Environment of the workers of a local cluster: one worker per core, each on
one XLA device and one thread."""

INSTALL_HINT = "pip install 'bayesjoint[dask]'"


def station_state(station, report=True):
    """Whether a station's run is ``"done"``, ``"partial"`` or ``"new"``.

    Done: every run folder of the station holds ``summary.json`` (and the
    report, when reports are written). Partial: a run configuration is
    stored (``chains/run_config.json``), so the run resumes. New: neither.
    """
    from bayesjoint.workflow import RUN_CONFIG

    folders = run_folders(station)
    finished = ["summary.json"] + (["report.html"] if report else [])
    if all((f / name).is_file() for f in folders for name in finished):
        return "done"
    if any((f / "chains" / RUN_CONFIG).is_file() for f in folders):
        return "partial"
    return "new"


def run_folders(station):
    """The folders a station's run writes: its folder, or one per interface group."""
    from bayesjoint.datatypes import DATA_TYPES
    from bayesjoint.workflow import SEPARATE_GROUPS

    out = station.config.output_dir
    if station.config.interfaces != "separate":
        return [out]
    seismic = [DATA_TYPES[e["type"]].needs_seismic for e in station.config.data]
    groups = [g for g, present in zip(SEPARATE_GROUPS, (not all(seismic), any(seismic)))
              if present]
    return [out] if len(groups) == 1 else [out / g for g in groups]


def run_station(station, config_file, log_dir, *, report=True, cache_dir=None):
    """Run one station (on a worker, or in this process); never raises for a station's fault.

    Parameters
    ----------
    station : bayesjoint.io.batch_config.Station
    config_file : path-like
        The batch configuration file, recorded in each ``summary.json``.
    log_dir : path-like
        Folder of the station's log, ``<name>.log``.
    report : bool
        Write each station's report.
    cache_dir : str, optional
        JAX persistent compilation cache folder (``"off"`` switches it off).

    Returns
    -------
    dict
        ``name``, ``status`` (``"done"``, ``"skipped"`` or ``"failed"``),
        ``resumed``, ``elapsed_s`` (wall time of the station, s), ``error``
        (one line, for a failure) and ``worker`` (host name and process id).
    """
    import bayesjoint
    from bayesjoint.commands.run import run_configured

    if cache_dir is not None:
        bayesjoint.set_compilation_cache(cache_dir)
    record = {"name": station.name, "resumed": False, "error": None,
              "worker": f"{os.uname().nodename}:{os.getpid()}"}
    state = station_state(station, report)
    if state == "done":
        return dict(record, status="skipped", elapsed_s=0.0)
    log = Path(log_dir) / f"{station.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with log.open("a") as f, contextlib.redirect_stdout(f), contextlib.redirect_stderr(f):
        print(f"== {station.name}: {'resuming the run' if state == 'partial' else 'new run'}",
              flush=True)
        try:
            run_configured(station.config, config_file, resume=state == "partial",
                           report=report)
            record["status"] = "done"
        except Exception as err:  # a station's fault is recorded, the batch goes on
            traceback.print_exc()
            record["status"] = "failed"
            record["error"] = _one_line(err)
    record["resumed"] = state == "partial"
    record["elapsed_s"] = time.perf_counter() - t0
    return record


def _one_line(err):
    text = str(err) or type(err).__name__
    if isinstance(err, OSError) and err.filename is not None:
        text = f"{err.filename}: {err.strerror or err}"
    return f"{type(err).__name__}: " + " ".join(text.split())


class Progress:
    """Counts of the stations and one progress line per finished station.

    Parameters
    ----------
    n_total : int
        Stations of the batch.
    n_slots : int
        Stations that run at once (the workers' threads).
    stream : file, optional
    """

    def __init__(self, n_total, n_slots, stream=None):
        self.n_total, self.n_slots = n_total, max(1, n_slots)
        self.counts = {"done": 0, "failed": 0, "skipped": 0}
        self.run_times_s = []
        self.stream = stream or sys.stdout

    @property
    def n_finished(self):
        return sum(self.counts.values())

    def eta_s(self):
        """Estimated wall time left, s: mean station time x stations left / slots."""
        if not self.run_times_s:
            return None
        left = self.n_total - self.n_finished
        mean = sum(self.run_times_s) / len(self.run_times_s)
        return mean * -(-left // self.n_slots)

    def update(self, record):
        """Count a finished station and print its line."""
        self.counts[record["status"]] += 1
        if record["status"] != "skipped":
            self.run_times_s.append(record["elapsed_s"])
        left = self.n_total - self.n_finished
        running = min(left, self.n_slots)
        eta = self.eta_s()
        what = record["status"] + (f" in {record['elapsed_s']:.1f} s"
                                   if record["status"] != "skipped" else " (finished earlier)")
        if record["status"] == "failed":
            what += f": {record['error']}"
        print(f"[{self.n_finished}/{self.n_total}] {record['name']} {what} | "
              f"{self.counts['done']} done, {self.counts['failed']} failed, "
              f"{self.counts['skipped']} skipped, {running} running, {left - running} waiting"
              + (f"; about {_duration(eta)} left" if eta and left else ""),
              file=self.stream, flush=True)


def _duration(seconds):
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def start_client(scheduler=None, n_workers=None, timeout_s=10.0, cache_dir=None):
    """A Dask client: on the scheduler at ``scheduler``, or on a new local cluster.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``).
    n_workers : int, optional
        Workers of a local cluster (default: one per available core), each
        a process with one thread.
    timeout_s : float
        How long to wait for the scheduler to answer, s.
    cache_dir : str, optional
        Compilation cache of the local workers (``BAYESJOINT_CACHE_DIR``).

    Returns
    -------
    client : distributed.Client
    cluster : distributed.LocalCluster or None
        The cluster started here (None when joining one).

    Raises
    ------
    ImportError
        Without the ``dask`` extra.
    ValueError
        When no scheduler answers at ``scheduler`` within ``timeout_s``.
    """
    import distributed

    if scheduler is not None:
        try:
            return distributed.Client(scheduler, timeout=timeout_s), None
        except (OSError, TimeoutError, ValueError) as err:
            raise ValueError(f"--scheduler {scheduler}: no Dask scheduler answered within "
                             f"{timeout_s:g} s ({' '.join(str(err).split())[:200]})") from None
    n = n_workers or len(os.sched_getaffinity(0))
    env = dict(WORKER_ENV)
    if cache_dir is not None:
        env["BAYESJOINT_CACHE_DIR"] = cache_dir
    cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", env=env)
    return distributed.Client(cluster), cluster


def run_stations(batch, *, scheduler=None, n_workers=None, report=True, timeout_s=10.0,
                 stream=None):
    """Run every station of a batch; return one record per station (see :func:`run_station`).

    With ``distributed`` installed the stations run on a Dask cluster (a
    new local one, or the one at ``scheduler``), else one after another in
    this process. Stations already finished are skipped without being sent.
    """
    stream = stream or sys.stdout
    log_dir = batch.output_dir / LOG_FOLDER
    todo, records = [], {}
    for station in batch.stations:
        if station_state(station, report) == "done":
            records[station.name] = {"name": station.name, "status": "skipped",
                                     "elapsed_s": 0.0, "resumed": False, "error": None,
                                     "worker": None}
        else:
            todo.append(station)
    try:
        import distributed  # noqa: F401  (the optional extra)
    except ImportError:
        distributed = None
    if distributed is None and scheduler is not None:
        raise ImportError(f"--scheduler needs Dask distributed: {INSTALL_HINT}")
    progress = Progress(len(batch.stations), 1, stream)
    for record in records.values():
        progress.update(record)
    if distributed is None:
        print(f"Dask distributed is not installed: running {len(todo)} station(s) one after "
              f"another in this process ({INSTALL_HINT} to run them in parallel)",
              file=stream, flush=True)
        for station in todo:
            record = run_station(station, batch.file, log_dir, report=report,
                                 cache_dir=batch.cache_dir)
            records[station.name] = record
            progress.update(record)
    elif todo:
        client, cluster = start_client(scheduler, n_workers, timeout_s, batch.cache_dir)
        try:
            slots = sum(client.nthreads().values())
            progress.n_slots = max(1, slots)
            where = f"scheduler {scheduler}" if scheduler else f"local cluster, {slots} workers"
            print(f"Dask {where}; dashboard {client.dashboard_link}", file=stream, flush=True)
            futures = [client.submit(run_station, s, batch.file, log_dir, report=report,
                                     cache_dir=batch.cache_dir, key=f"station-{s.name}",
                                     pure=False)
                       for s in todo]
            by_key = {f.key: s for f, s in zip(futures, todo)}
            for future in distributed.as_completed(futures):
                station = by_key[future.key]
                try:
                    record = future.result()
                except Exception as err:  # the worker died too often (KilledWorker), ...
                    record = {"name": station.name, "status": "failed", "elapsed_s": 0.0,
                              "resumed": False, "worker": None, "error": _one_line(err)}
                records[station.name] = record
                progress.update(record)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    ordered = [records[s.name] for s in batch.stations]
    write_status(batch.output_dir, ordered)
    return ordered


def write_status(out_dir, records):
    """Write :data:`STATUS_FILE`: the record of every station, in batch order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / STATUS_FILE).write_text(json.dumps(records, indent=1))


def final_table(records):
    """The closing table: one line per station, then the counts."""
    width = max([len("station")] + [len(r["name"]) for r in records])
    lines = [f"{'station':<{width}}  status   time_s  note"]
    for r in records:
        note = r["error"] or ("finished earlier" if r["status"] == "skipped" else
                              "resumed" if r["resumed"] else "")
        t = f"{r['elapsed_s']:.1f}" if r["status"] != "skipped" else ""
        lines.append(f"{r['name']:<{width}}  {r['status']:<7}  {t:>6}  {note}".rstrip())
    counts = {k: sum(r["status"] == k for r in records) for k in ("done", "failed", "skipped")}
    lines.append(", ".join(f"{v} {k}" for k, v in counts.items()))
    return "\n".join(lines)


def cmd_batch(args):
    """``bayesjoint batch CONFIG.toml``: returns 0, or :data:`FAILED_EXIT` if a station failed."""
    from bayesjoint.commands.batch_results import map_quantity, write_results
    from bayesjoint.io.batch_config import load_batch_config

    batch = load_batch_config(args.config)
    map_quantity(batch)  # a bad batch.map is refused before any station starts
    print(f"{len(batch.stations)} station(s); outputs in {batch.output_dir} "
          f"({STATIONS_FOLDER}/<name>/ per station, {LOG_FOLDER}/<name>.log)", flush=True)
    records = run_stations(batch, scheduler=args.scheduler, n_workers=args.workers,
                           report=not args.no_report, timeout_s=args.connect_timeout_s)
    files = write_results(batch, records)
    print(final_table(records))
    print(f"wrote {', '.join(files)} to {batch.output_dir}")
    return FAILED_EXIT if any(r["status"] == "failed" for r in records) else 0
