"""``bayesjoint batch``: stations on a two-worker Dask cluster, reruns, a killed worker."""

import json
import os
import signal
import sys
import threading
import time

import pytest

from bayesjoint.cli import main
from bayesjoint.commands.batch import FAILED_EXIT, WORKER_ENV, run_stations
from bayesjoint.io.batch_config import load_batch_config
from tests.batch_stations import write_batch

distributed = pytest.importorskip("distributed")

STATIONS = {"KAK": (36.2, 140.2), "FRD": (38.2, -77.4), "IRT": (52.2, 104.5)}


def _summary_times(out, names):
    return {n: (out / "stations" / n / "summary.json").stat().st_mtime_ns for n in names}


def test_three_stations_one_broken_then_a_rerun_skips_the_finished(tmp_path, capsys):
    config = write_batch(tmp_path, STATIONS, extra='\n[batch]\ndepths_km = [500, 1000]\n'
                                                   'section = ["FRD", "KAK", "IRT"]\n')
    (tmp_path / "data" / "IRT.csv").write_text("period_s,c_re_km\n86400,300\n")  # broken
    assert main(["batch", str(config), "--workers", "2"]) == FAILED_EXIT
    text = capsys.readouterr().out
    assert "dashboard http" in text
    out = tmp_path / "out"
    status = {r["name"]: r for r in json.loads((out / "batch_status.json").read_text())}
    assert [status[n]["status"] for n in STATIONS] == ["done", "done", "failed"]
    assert "IRT.csv" in status["IRT"]["error"] and "column" in status["IRT"]["error"]
    for name in ("KAK", "FRD"):
        folder = out / "stations" / name
        for f in ("posterior.nc", "summary.json", "profile.png", "datafit.png",
                  "report.html", "chains/run_config.json"):
            assert (folder / f).is_file(), (name, f)
    assert not (out / "stations" / "IRT" / "summary.json").exists()
    assert "Traceback" in (out / "logs" / "IRT.log").read_text()

    rows = (out / "stations.csv").read_text().splitlines()
    header = rows[0].split(",")
    for column in ("name", "lat_deg", "lon_deg", "data_types", "n_layers_mean",
                   "noise_scale_dst", "rhat_max", "ess_bulk_min",
                   "log10_sigma_500km_median", "log10_sigma_500km_q05",
                   "log10_sigma_1000km_q95"):
        assert column in header, column
    kak = dict(zip(header, rows[1].split(",")))
    assert kak["name"] == "KAK" and kak["status"] == "done" and kak["data_types"] == "dst"
    assert float(kak["log10_sigma_500km_q05"]) <= float(kak["log10_sigma_500km_median"]) \
        <= float(kak["log10_sigma_500km_q95"])
    assert float(kak["n_layers_mean"]) == 4.0
    page = (out / "index.html").read_text()
    assert 'href="stations/KAK/report.html"' in page and "stations/IRT/report" not in page
    for figure in ("map.png", "section.png"):
        assert (out / figure).stat().st_size > 0

    before = _summary_times(out, ["KAK", "FRD"])
    assert main(["batch", str(config), "--workers", "2"]) == FAILED_EXIT
    text = capsys.readouterr().out
    assert "KAK skipped (finished earlier)" in text and "FRD skipped" in text
    assert _summary_times(out, ["KAK", "FRD"]) == before
    status = {r["name"]: r["status"] for r in
              json.loads((out / "batch_status.json").read_text())}
    assert status == {"KAK": "skipped", "FRD": "skipped", "IRT": "failed"}
    assert "2 skipped" in text.splitlines()[-2]


@pytest.mark.slow  # three stations, a worker restarted: about a minute on two idle cores
def test_a_killed_worker_has_its_station_run_again(tmp_path):
    config = write_batch(tmp_path, STATIONS)
    batch = load_batch_config(config)
    out = tmp_path / "out"
    report = {n: out / "stations" / n / "report.html" for n in STATIONS}  # written last
    draws = {n: out / "stations" / n / "posterior.nc" for n in STATIONS}
    started = {n: out / "stations" / n / "chains" / "run_config.json" for n in STATIONS}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", env=WORKER_ENV) as cluster, \
            distributed.Client(cluster) as client:
        records = []
        runner = threading.Thread(target=lambda: records.extend(
            run_stations(batch, scheduler=cluster.scheduler_address)))
        runner.start()
        victim, workers = None, []
        while not workers and runner.is_alive():
            # once a station has finished, stop the worker of one still running
            finished = {n: draws[n].stat().st_mtime_ns for n in STATIONS
                        if report[n].exists()}
            # still sampling: the draws are not written yet (the long part of a station)
            running = [n for n in STATIONS if started[n].exists() and not draws[n].exists()]
            if finished and running:
                victim = running[0]
                workers = [w for w, keys in client.processing().items()
                           if f"station-{victim}" in keys]
            time.sleep(0.02)
        assert workers, "no station was running after the first one finished"
        for pid in client.run(os.getpid, workers=workers).values():
            os.kill(pid, signal.SIGKILL)
        runner.join()
    by_name = {r["name"]: r for r in records}
    assert all(r["status"] == "done" for r in records), records
    assert by_name[victim]["resumed"]
    assert all(p.is_file() for p in report.values())
    assert {n: draws[n].stat().st_mtime_ns for n in finished} == finished  # not run again


def test_without_distributed_the_stations_run_one_after_another(tmp_path, capsys,
                                                                 monkeypatch):
    config = write_batch(tmp_path, {"KAK": STATIONS["KAK"]})
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    assert main(["batch", str(config)]) == 0
    text = capsys.readouterr().out
    assert "one after another" in text and "pip install 'bayesjoint[dask]'" in text
    assert "dashboard" not in text
    assert (tmp_path / "out" / "stations" / "KAK" / "summary.json").is_file()
    assert main(["batch", str(config), "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    assert "--scheduler needs Dask distributed" in capsys.readouterr().err
