"""Bad batch input: a clear error naming the station and the field, before any station runs."""

import pathlib

import pytest

from bayesjoint.cli import main
from bayesjoint.io.batch_config import BATCH_KEYS, STATION_KEYS, load_batch_config
from tests.batch_stations import SHARED, write_batch, write_station


def _refused(tmp_path, capsys, config, *args):
    assert main(["batch", str(config), *args]) == 2
    err = capsys.readouterr().err
    assert not (tmp_path / "out" / "stations").exists(), "a station started"
    return err


def test_stations_take_the_shared_settings_and_their_overrides(tmp_path):
    config = write_batch(tmp_path, {"KAK": (36.2, 140.2), "FRD": (38.2, -77.4)})
    config.write_text(config.read_text() + "[stations.FRD.prior]\nn_layers = 6\n"
                      "[stations.FRD.data.dst]\ncore_depth_km = 2800.0\n")
    batch = load_batch_config(config)
    kak, frd = batch.stations
    assert (kak.name, kak.lat_deg, kak.lon_deg) == ("KAK", 36.2, 140.2)
    assert kak.config.prior.n_layers == 4 and frd.config.prior.n_layers == 6
    assert frd.config.prior.depth_max_km == 1500.0
    assert frd.config.data[0]["core_depth_km"] == 2800.0
    assert "core_depth_km" not in kak.config.data[0]
    assert kak.config.data[0]["file"] == str((tmp_path / "data" / "KAK.csv").resolve())
    assert frd.config.output_dir == (tmp_path / "out" / "stations" / "FRD").resolve()
    assert kak.config.sampler.progress_bar is False


def test_stations_from_a_glob_with_a_coordinates_file(tmp_path):
    for name in ("A1", "B2"):
        write_station(tmp_path, name)
    (tmp_path / "sites.csv").write_text("# network\nname,lat_deg,lon_deg,elevation_m\n"
                                        "A1,10.5,20.0,3\nB2,-5,100,4\nZZ,0,0,0\n")
    (tmp_path / "b.toml").write_text(SHARED.replace('file = "data/{station}.csv"\n', "")
                                     + '[batch]\nfiles = "data/*.csv"\n'
                                       'coordinates = "sites.csv"\n')
    batch = load_batch_config(tmp_path / "b.toml")
    assert [(s.name, s.lat_deg, s.lon_deg) for s in batch.stations] == [
        ("A1", 10.5, 20.0), ("B2", -5.0, 100.0)]


def test_a_missing_file_names_the_station_and_the_dataset(tmp_path, capsys):
    config = write_batch(tmp_path, {"KAK": (36.2, 140.2), "FRD": (38.2, -77.4)})
    (tmp_path / "data" / "FRD.csv").unlink()
    err = _refused(tmp_path, capsys, config)
    assert "stations.FRD: data file" in err and "FRD.csv (dataset 'dst') not found" in err


def test_two_stations_with_one_name(tmp_path, capsys):
    for folder in ("a", "b"):
        write_station(tmp_path / folder, "KAK")
    (tmp_path / "b.toml").write_text(SHARED.replace('file = "data/{station}.csv"\n', "")
                                     + '[batch]\nfiles = "*/data/*.csv"\n')
    err = _refused(tmp_path, capsys, tmp_path / "b.toml")
    assert "batch.files: two stations are named 'KAK'" in err

    config = write_batch(tmp_path, {"KAK": (36.2, 140.2), "kak": (38.2, -77.4)})
    err = _refused(tmp_path, capsys, config)
    assert "stations.kak: two stations are named 'KAK' and 'kak'" in err


@pytest.mark.parametrize("table, message", [
    ("[stations.FRD]\ncolour = \"red\"\n", "stations.FRD.colour: unknown key; allowed keys"),
    ("[stations.FRD.prior]\nk_maxx = 3\n", "stations.FRD: prior.k_maxx: unknown key"),
    ("[stations.FRD.data.mt]\nkind = \"impedance\"\n",
     "stations.FRD.data.mt: no [[data]] table is named 'mt'"),
    ("[stations.FRD]\nlat_deg = 95\n", "stations.FRD.lat_deg = 95: must be a number"),
    ("[batch]\nsection = [\"KAK\", \"XYZ\"]\n", "batch.section: no station is named 'XYZ'"),
    ("[batch]\nfilez = \"*.csv\"\n", "batch.filez: unknown key"),
    ("[batch]\ndepths_km = [500]\nmap = \"log10_sigma_600km_median\"\n",
     "batch.map = 'log10_sigma_600km_median': not a column of stations.csv; allowed are "
     "n_layers_mean, rhat_max, ess_bulk_min, noise_scale_dst, log10_sigma_500km_median"),
])
def test_unknown_or_bad_station_keys(tmp_path, capsys, table, message):
    config = write_batch(tmp_path, {"KAK": (36.2, 140.2)})
    write_station(tmp_path, "FRD")  # a station with a data file and a table in the cases
    config.write_text(config.read_text() + table)
    assert message in _refused(tmp_path, capsys, config)


def test_mixed_data_types_the_shared_sampler_cannot_serve(tmp_path, capsys):
    write_station(tmp_path, "KAK")
    write_station(tmp_path, "FRD")
    (tmp_path / "data" / "FRD_rf.csv").write_text("time_s,rf\n-1,0\n0,1\n")
    (tmp_path / "b.toml").write_text(
        '[output]\ndir = "out"\n\n[[data]]\ntype = "dst"\nname = "dst"\n\n'
        '[[data]]\ntype = "rf"\nname = "rf"\nray_parameter_s_km = 0.06\n\n'
        '[prior]\ninterfaces = "sampled"\nk_max = 6\ndepth_max_km = 1500.0\n\n'
        '[sampler]\nmethod = "rjmcmc"\nn_iterations = 100\nn_burn = 50\nthin = 1\n'
        'chunk_size = 50\n'
        '[sampler.move_probs]\nbirth = 0.2\ndeath = 0.2\nmove = 0.2\nperturb = 0.2\n'
        'perturb_vs = 0.1\nperturb_vp_vs = 0.1\n\n'
        '[stations.FRD]\nfiles = {dst = "data/FRD.csv", rf = "data/FRD_rf.csv"}\n'
        '[stations.KAK]\nfiles = {dst = "data/KAK.csv"}\n')
    err = _refused(tmp_path, capsys, tmp_path / "b.toml")
    assert "stations.KAK: data types dst: the shared settings cannot serve them" in err
    assert "perturb_vs" in err


def test_an_unreachable_scheduler_is_refused_within_the_timeout(tmp_path, capsys):
    pytest.importorskip("distributed")
    config = write_batch(tmp_path, {"KAK": (36.2, 140.2)})
    err = _refused(tmp_path, capsys, config, "--scheduler", "tcp://127.0.0.1:9",
                   "--connect-timeout-s", "1")
    assert "--scheduler tcp://127.0.0.1:9: no Dask scheduler answered within 1 s" in err


def test_docs_describe_every_batch_and_station_key():
    doc = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "batch.md").read_text()
    for key in BATCH_KEYS:
        assert f"| `batch.{key}` |" in doc, key
    for key in STATION_KEYS:
        assert f"stations.<name>.{key}" in doc or f"`.{key}`" in doc, key
