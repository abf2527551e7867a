"""Smoke runs of the benchmark scripts at their smallest sizes; the README table is current."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCHMARKS = os.path.join(ROOT, "benchmarks")


def _run(script, *args):
    """Run a benchmark script with this interpreter; fail with its output on error."""
    proc = subprocess.run([sys.executable, os.path.join(BENCHMARKS, script), *args],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return proc


def test_forward_quick_writes_all_four_physics(tmp_path):
    out = tmp_path / "x.json"
    _run("forward.py", "--quick", "--out", str(out))
    report = json.loads(out.read_text())
    assert {"machine", "versions", "settings", "results", "ratios", "load_average"} <= set(report)
    ours = [r for r in report["results"] if r["code"] == "bayesjoint"]
    cases = {r["case"] for r in ours}
    for physics in ("mt", "dst", "sq", "rf"):
        assert any(c == physics or c.startswith(physics + "_") for c in cases), physics
    for r in ours:
        assert r["s_per_model"] > 0 and r["batch"] in (1, 16)
        assert r["mode"] in ("value", "value_and_grad")
    assert (tmp_path / "x.md").read_text().startswith("# Forward-model throughput")


@pytest.mark.slow  # five samplers, bayesbay among them: minutes on a shared 2-core machine
def test_samplers_smoke_runs_every_sampler(tmp_path):
    out = tmp_path / "s.json"
    _run("samplers.py", "--smoke", "--out", str(out))
    report = json.loads(out.read_text())
    assert report["settings"]["size"] == "smoke" and report["settings"]["sets"] == ["mt"]
    rows = report["results"]["mt"]
    for sampler in ("nuts", "rjmcmc", "rjmcmc_pt", "sa"):
        r = rows[sampler]
        assert r["wall_time_s"] > 0 and r["chain_iterations_per_s"] > 0, (sampler, r)
        assert 0.0 <= r["coverage_0_1500_km"] <= 1.0
    assert rows["rjmcmc_pt"]["n_temperatures"] == 2
    assert "bayesbay" in rows
    assert (tmp_path / "s.md").read_text().startswith("Sampler benchmark")
    assert (tmp_path / "s.png").stat().st_size > 0


def test_rjmcmc_mt_quick_runs_and_writes_nothing(tmp_path):
    out = tmp_path / "r.json"
    proc = _run("rjmcmc_mt.py", "--quick", "--out", str(out))
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert [r["n_chains"] for r in rows] == [1, 4]
    assert all(r["chain_iterations_per_s"] > 0 for r in rows)
    assert not out.exists()


def test_readme_benchmark_table_matches_the_committed_json():
    sys.path.insert(0, BENCHMARKS)
    try:
        import readme_table
    finally:
        sys.path.remove(BENCHMARKS)
    with open(readme_table.README) as f:
        text = f.read()
    assert readme_table.readme_block(text) == readme_table.table(), \
        "README benchmark table is stale: run python benchmarks/readme_table.py --write"


def _xdisc_report(cnn_by_noise, detector_by_noise):
    """The fields of an xdisc report that ``readme_table.xdisc_targets`` reads."""
    def method(by_noise, brier, drop):
        return {"splits": {"test": {"accuracy_by_noise_std": by_noise, "brier": brier}},
                "accuracy_drop_test_to_ood": {"a": drop, "b": drop}}
    return {"methods": {"cnn": method(cnn_by_noise, 0.2, 0.05),
                        "detector": method(detector_by_noise, 0.1, 0.0)}}


def test_xdisc_accuracy_target_is_read_where_the_cnn_is_nearest_90_percent():
    sys.path.insert(0, BENCHMARKS)
    try:
        import readme_table
    finally:
        sys.path.remove(BENCHMARKS)
    cnn = {"0.0025": 0.97, "0.005": 0.88, "0.01": 0.61}
    met = readme_table.xdisc_targets(_xdisc_report(cnn, {"0.0025": 0.5, "0.005": 0.95,
                                                         "0.01": 0.99}))
    assert "(88% at noise 0.005): 95%, met" in met
    missed = readme_table.xdisc_targets(_xdisc_report(cnn, {"0.0025": 1.0, "0.005": 0.94,
                                                            "0.01": 1.0}))
    assert "(88% at noise 0.005): 94%, missed" in missed
    assert "Brier score: met" in met and "(mean drop +0.000 against +0.050): met" in met


@pytest.mark.slow  # starts two local Dask clusters and runs four tiny inversions
def test_batch_smoke_reports_throughput_per_worker_count(tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "b.json"
    _run("batch.py", "--smoke", "--out", str(out))
    report = json.loads(out.read_text())
    assert {"machine", "versions", "settings", "results", "load_average"} <= set(report)
    assert report["settings"]["size"] == "smoke"
    rows = report["results"]
    assert [r["workers"] for r in rows] == [1, 2]
    assert rows[0]["parallel_efficiency"] == 1.0
    for r in rows:
        assert r["stations"] == 2 and r["stations_per_minute"] > 0
        assert r["worker_peak_rss_mb"] > 0 and r["disk_per_station_kb"] > 0


@pytest.mark.slow  # trains a small CNN and runs the detector on seven records in two processes
def test_xdisc_quick_scores_both_methods_on_every_split(tmp_path):
    pytest.importorskip("optax")
    out = tmp_path / "x.json"
    proc = _run("xdisc.py", "--quick", "--out", str(out), "--workers", "2")
    report = json.loads(out.read_text())
    assert {"machine", "versions", "settings", "load_average", "timing", "methods",
            "predictions", "cnn_training"} <= set(report)
    assert report["settings"]["size"] == "quick" and report["versions"]["optax"]
    assert report["settings"]["detector"]["n_betas"] == 2
    kinds = report["settings"]["ood_kinds"]
    ids = report["predictions"]["id"]
    assert len(ids) == 2 + len(kinds) and len(report["predictions"]["detector"]) == len(ids)
    for method in ("cnn", "detector"):
        m = report["methods"][method]
        assert set(m["splits"]) == {"test", *kinds} and set(m["accuracy_drop_test_to_ood"]) == \
            set(kinds)
        test = m["splits"]["test"]
        assert (test["n"], test["n_x"]) == (2, 1) and 0.0 <= test["accuracy"] <= 1.0
        assert test["roc_auc"] in (0.0, 0.5, 1.0) and 0.0 <= test["brier"] <= 1.0
        assert sum(test["reliability"]["count"]) == 2 and len(test["reliability"]["count"]) == 10
        assert m["splits"]["low_velocity_layer"]["n_x"] == 0
        assert m["splits"]["low_velocity_layer"]["roc_auc"] is None
        p = np.array(report["predictions"][method])
        assert np.all((p >= 0) & (p <= 1))
    t = report["timing"]
    assert t["detector_s_per_record"]["median"] > 0 and t["cnn_training_s"] > 0
    assert (tmp_path / "x.png").stat().st_size > 0
    done = (tmp_path / "x_work").glob("detector_*.jsonl")
    assert sum(len(f.read_text().splitlines()) for f in done) == len(ids)
    assert "7 to go on 2 workers" in proc.stdout
    sys.path.insert(0, BENCHMARKS)
    try:
        import readme_table
    finally:
        sys.path.remove(BENCHMARKS)
    rows = readme_table.xdisc_rows(report)
    assert len(rows) == 2 and rows[0][1].startswith("detector: accuracy")


def test_xdisc_transd_picks_clear_records_at_the_lowest_noise():
    sys.path.insert(0, BENCHMARKS)
    try:
        import xdisc_transd
    finally:
        sys.path.remove(BENCHMARKS)
    records = {"split": np.array(["test"] * 6 + ["heavy_tailed_noise"]),
               "noise_std": np.array([0.01, 0.0025, 0.0025, 0.0025, 0.0025, 0.0025, 0.0025]),
               "label": np.array([1, 1, 1, 0, 0, 1, 1]),
               "x_jump": np.array([0.04, 0.02, 0.035, 0.0, 0.0, 0.05, 0.05])}
    ids = [f"r{i}" for i in range(7)]
    # record 0 is noisier, 1 has a small X, 6 is out of distribution
    assert xdisc_transd.pick_records(records, ids, 4) == [2, 3, 5, 4]
    assert xdisc_transd.pick_records(records, ids, 2, min_x_jump=0.0) == [1, 3]
    with pytest.raises(ValueError, match="only 4 such records at noise 0.0025"):
        xdisc_transd.pick_records(records, ids, 5)
    with pytest.raises(ValueError, match="only 0 such records at noise 0.01"):
        xdisc_transd.pick_records(records, ids, 1, noise_std=0.01)  # no record without X


def _xdisc_module():
    sys.path.insert(0, BENCHMARKS)
    try:
        import xdisc
    finally:
        sys.path.remove(BENCHMARKS)
    return xdisc


def test_xdisc_takes_an_earlier_report_only_for_the_same_record():
    xdisc = _xdisc_module()
    records = {"label": np.array([1, 0]), "noise_std": np.array([0.0025, 0.0025]),
               "x_jump": np.array([0.03, 0.0])}
    predictions = {"id": ["a", "b", "c"], "label": [1, 0, 1], "noise_std": [0.0025, 0.005, 0.01],
                   "x_jump": [0.03, 0.0, 0.02], "detector": [0.9, 0.2, 0.7]}
    # "b" names another record (its noise differs) and "c" none of ours
    assert xdisc.same_records(predictions, records, ["a", "b"]) == {"a": 0}


def test_xdisc_resumes_from_a_report_of_the_same_settings_only(tmp_path):
    xdisc = _xdisc_module()
    ids = ["test/0", "test/1", "test/2"]
    records = {"label": np.array([1, 0, 1]), "noise_std": np.array([0.01, 0.01, 0.02]),
               "x_jump": np.array([0.03, 0.0, 0.02])}
    manifest = {"seed": 0, "size": "full", "detector": {"n_betas": 8, "window_s": (20.0, None)},
                "reference_mode": "given", "ids": ids}
    report = {"benchmark": "xdisc",
              "settings": {"seed": 0, "size": "full", "reference_mode": "given",
                           "detector": {"n_betas": 8, "window_s": [20.0, None]}},
              "predictions": {"id": ["test/0", "test/1", "test/2"], "label": [1, 0, 1],
                              "noise_std": [0.01, 0.01, 0.04], "x_jump": [0.03, 0.0, 0.02],
                              "detector": [0.8, 0.1, 0.6], "detector_seconds": [9.0, 8.0, 7.0]}}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(report))
    work = tmp_path / "work"
    work.mkdir()
    (work / "detector_0.jsonl").write_text(json.dumps({"id": "test/1", "p_x": 0.3,
                                                       "seconds": 5.0}) + "\n")
    # test/1 is done already and test/2 is another record under the same name
    assert xdisc.resume_from_report(work, path, manifest, ids, records) == 1
    done = xdisc.done_results(work)
    assert sorted(done) == ["test/0", "test/1"]
    assert done["test/0"]["p_x"] == 0.8 and done["test/0"]["seconds"] == 9.0
    assert done["test/1"]["p_x"] == 0.3
    for change in ({"seed": 1}, {"reference_mode": "true"},
                   {"detector": {"n_betas": 12, "window_s": [20.0, None]}}):
        path.write_text(json.dumps(dict(report, settings=dict(report["settings"], **change))))
        with pytest.raises(SystemExit, match="differs in " + next(iter(change))):
            xdisc.resume_from_report(work, path, manifest, ids, records)


@pytest.mark.slow  # two tiny trans-dimensional inversions per method
@pytest.mark.parametrize("method", ["transd", "transd_steps"])
def test_xdisc_transd_quick_reports_convergence_per_record(tmp_path, method):
    out = tmp_path / "t.json"
    _run("xdisc_transd.py", "--quick", "--records", "2", "--method", method, "--out", str(out))
    report = json.loads(out.read_text())
    assert report["settings"]["method"] == method
    assert {"machine", "versions", "settings", "load_average", "summary", "records"} <= \
        set(report)
    assert report["settings"]["transd"]["time_budget_s"] == 60.0
    rows = report["records"]
    assert [r["label"] for r in rows] == [1, 0] and report["summary"]["records"] == 2
    for r in rows:
        assert isinstance(r["converged"], bool) and r["verdict"]
        assert 0.0 <= r["p_x"] <= 1.0 and r["wall_s"] > 0 and r["iterations_per_chain"] > 0
    assert report["summary"]["converged"] == sum(r["converged"] for r in rows)
    sys.path.insert(0, BENCHMARKS)
    try:
        import readme_table
    finally:
        sys.path.remove(BENCHMARKS)
    (row,) = readme_table.xdisc_transd_rows(report)
    assert "within the 60 s budget" in row[1] and f"`{method}`" in row[0]
    assert row[3].endswith("met" if report["summary"]["converged"] == 2 else "missed")


def test_xdisc_work_folder_takes_more_records_of_the_same_settings_only(tmp_path):
    xdisc = _xdisc_module()
    path = tmp_path / "manifest.json"
    first = {"seed": 0, "size": "full", "detector": {"n_betas": 8, "window_s": (20.0, None)},
             "ids": ["test/0"]}
    assert xdisc.same_settings(path, first)
    more = dict(first, ids=["test/0", "test/1"])
    assert xdisc.same_settings(path, more)
    assert json.loads(path.read_text())["ids"] == ["test/0", "test/1"]
    assert xdisc.same_settings(path, more)  # the tuple read back as a list is the same
    assert not xdisc.same_settings(path, dict(more, detector={"n_betas": 12}))
    assert not xdisc.same_settings(path, dict(more, ids=["test/1", "test/2"]))
    assert json.loads(path.read_text())["detector"]["n_betas"] == 8  # a refused one is not kept


@pytest.mark.slow  # a station's receiver functions and two tiny detector runs
def test_xdisc_kaapvaal_quick_runs_both_methods_on_a_real_station(tmp_path):
    pytest.importorskip("rf")
    out = tmp_path / "k.json"
    _run("xdisc_kaapvaal.py", "--quick", "--stations", "SA70", "--out", str(out))
    report = json.loads(out.read_text())
    (row,) = report["stations"]
    assert row["station"] == "SA70" and row["dt_s"] == 0.5 and row["n_used"] >= 2
    assert 0.0 <= row["p_x"] <= 1.0 and 0.0 <= row["model_comparison"]["p_x"] <= 1.0
    assert row["decision"] in ("x", "no_x", "undecided")
    if not row["converged"]:
        assert row["decision"] == "undecided"
    assert report["summary"]["stations"] == 1
    assert report["machine"]["cpu_count"] >= 1 and report["settings"]["size"] == "quick"


def test_readme_row_of_real_stations_says_met_only_when_every_station_converged():
    sys.path.insert(0, BENCHMARKS)
    try:
        import readme_table
    finally:
        sys.path.remove(BENCHMARKS)

    def report(converged, wall_s):
        rows = [{"rhat_max": 1.005 if c else 1.08} for c in converged]
        return {"settings": {"method": "transd_steps", "stations": ["A", "B"], "size": "full",
                             "transd": {"time_budget_s": 480.0}},
                "summary": {"converged": sum(converged), "stations": 2, "wall_s_max": wall_s,
                            "same_decision": 1},
                "stations": rows}

    (row,) = readme_table.xdisc_kaapvaal_rows(report([True, True], 140.0))
    assert row[0].startswith("X-discontinuity, `transd_steps` on 2 real Kaapvaal stations (A, B")
    assert "2 of 2 converged" in row[1] and "worst R-hat 1.00" in row[1]
    assert "same decision at 1 of 2" in row[2] and row[3].endswith("met")
    assert readme_table.xdisc_kaapvaal_rows(report([True, False], 505.0))[0][3].endswith("missed")
