"""Keys that only other file formats use are refused for a CSV file, never ignored."""

import numpy as np
import pytest

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.datasets import synthetic_mt
from bayesjoint.earth import LayeredEarth
from bayesjoint.io.csv_files import write_mt_csv
from bayesjoint.io.datasets import load_dataset


@pytest.fixture()
def mt_csv(tmp_path):
    truth = LayeredEarth.from_layers([0.0, 50.0], log10_sigma=[-2.0, -1.0])
    path = tmp_path / "mt.csv"
    write_mt_csv(path, synthetic_mt(truth, np.logspace(0, 3, 8), seed=0))
    return path


@pytest.fixture()
def rf_csv(tmp_path):
    t = np.arange(200) * 0.1 - 5.0
    path = tmp_path / "rf.csv"
    path.write_text("time_s,rf\n" + "".join(f"{a},{np.exp(-a * a)}\n" for a in t))
    return path


def test_mt_csv_loads_without_the_edi_keys(mt_csv):
    data = load_dataset({"type": "mt", "file": str(mt_csv), "name": "mt"})
    assert data.period_s.size == 8


@pytest.mark.parametrize("key,value", [("kind", "impedance"), ("component", "zyx")])
def test_mt_csv_refuses_edi_only_keys(mt_csv, key, value):
    with pytest.raises(ValueError, match=f"{key} apply to EDI and EMTF-XML files only"):
        load_dataset({"type": "mt", "file": str(mt_csv), "name": "mt", key: value})


def test_rf_csv_loads_and_refuses_sac_only_keys(rf_csv):
    entry = {"type": "rf", "file": str(rf_csv), "name": "rf", "gauss_rad_s": 2.5, "std": 0.02,
             "ray_parameter_s_km": 0.06}
    assert load_dataset(entry).npts == 200
    for key, value in (("shift_s", 5.0), ("format", "SAC")):
        with pytest.raises(ValueError, match=f"{key} apply to SAC and miniSEED files only"):
            load_dataset({**entry, key: value})
