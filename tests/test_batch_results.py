"""Rows of stations.csv for stations that failed or whose run folder cannot be read."""

from bayesjoint.commands.batch_results import station_row
from bayesjoint.io.batch_config import load_batch_config
from tests.batch_stations import write_batch


def test_failed_and_damaged_stations_get_a_row_with_their_error(tmp_path):
    batch = load_batch_config(write_batch(tmp_path, {"KAK": (36.2, 140.2),
                                                     "FRD": (38.2, -77.4)}))
    kak, frd = batch.stations
    row, profiles = station_row(kak, {"status": "failed", "error": "ValueError: bad"}, [500.0])
    assert (row["status"], row["error"], profiles) == ("failed", "ValueError: bad", [])
    assert (row["lat_deg"], row["data_types"]) == (36.2, "dst")
    frd.config.output_dir.mkdir(parents=True)
    (frd.config.output_dir / "summary.json").write_text('{"converged": tr')  # cut short
    row, profiles = station_row(frd, {"status": "done", "error": None}, [500.0])
    assert row["status"] == "unreadable" and row["error"].startswith("JSONDecodeError")
    assert profiles == []
