"""One descriptor per data type, one registry: every part of bayesjoint finds a type there."""

import subprocess
import sys

import numpy as np
import pytest

from bayesjoint.datasets import (REFERENCE_SQ_COLAT_DEG, REFERENCE_SQ_LON_DEG, reference_model,
                                 synthetic_dst, synthetic_mt, synthetic_rf, synthetic_sq)
from bayesjoint.datatypes import DATA_TYPES, check_datasets, descriptor
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.prior import PriorSpec

DAY_S = 86400.0


def _datasets():
    earth = reference_model()
    seismic = LayeredEarth.from_layers([0.0, 35.0], [1e-3, 1e-3], vs_km_s=[3.5, 4.5],
                                       vp_vs=[1.75, 1.8])
    return {
        "mt": (earth, synthetic_mt(earth, [1.0, 10.0, 100.0])),
        "dst": (earth, synthetic_dst(earth, DAY_S * np.array([2.0, 20.0]))),
        "sq": (earth, synthetic_sq(earth, [DAY_S, DAY_S / 2], [2, 3], [1, 2],
                                   colat_deg=REFERENCE_SQ_COLAT_DEG,
                                   lon_deg=REFERENCE_SQ_LON_DEG)),
        "rf": (seismic, synthetic_rf(seismic, [0.06], dt_s=0.1, npts=200, shift_s=5.0,
                                     gauss_rad_s=2.5, noise_std=0.01)),
    }


def test_each_descriptor_describes_its_datasets():
    datasets = _datasets()
    assert sorted(datasets) == sorted(DATA_TYPES)
    for name, (earth, data) in datasets.items():
        t = descriptor(data)
        assert t is DATA_TYPES[name] and t.name == name
        assert isinstance(data, t.data_class) and isinstance(data.survey, t.survey_class)
        pred = np.asarray(t.predict(earth, data.survey))
        assert pred.shape == data.observed().shape == (data.survey.n_data,)
        active = np.asarray(t.predict(earth, data.survey, active_only=True))
        np.testing.assert_allclose(active, pred, rtol=1e-10, atol=1e-12)
        ll = float(t.log_likelihood(data.observed(), data.std(), pred, 1.0, data))
        assert np.isfinite(ll)
        (dim, axis), = t.data_axis(data).values()
        assert axis.shape == ((data.survey.npts,) if name == "rf" else data.period_s.shape)
        assert {"type", "file", "name"} <= t.config_keys
        assert t.needs_seismic == (name == "rf")


def test_prior_checks_come_from_the_descriptors():
    datasets = {k: d for k, (_, d) in _datasets().items()}
    spec = PriorSpec(n_layers=6, depth_max_km=3000.0, first_interface_km=50.0)
    for name in ("dst", "sq"):
        with pytest.raises(ValueError, match="a core shallower than the deepest interface"):
            check_datasets([datasets[name]], spec)
    check_datasets([datasets["mt"]], spec)


def test_an_unknown_dataset_class_is_named():
    with pytest.raises(TypeError, match="dict is not a data type of bayesjoint"):
        descriptor({})


def test_forward_commands_come_from_the_descriptors():
    from bayesjoint.cli import _parser

    parser = _parser()
    forward = next(a for a in parser._subparsers._group_actions[0].choices["forward"]._actions
                   if a.dest == "physics")
    assert list(forward.choices) == [t.name for t in DATA_TYPES.values()
                                     if t.add_forward_parser is not None]


def test_the_registry_imports_no_heavy_package():
    code = ("import sys, bayesjoint.datatypes; print(sorted(m for m in ('jax', 'numpyro', "
            "'matplotlib', 'scipy', 'xarray') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
