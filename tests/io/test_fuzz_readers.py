"""Property-based tests of every reader: any content ends in data or a ValueError naming the file.

Each reader gets arbitrary bytes, truncations of a valid file and valid files
with a few bytes or characters changed. It must return its container or
raise ``ValueError`` whose message holds the file name -- never another
exception. Examples are few (``MAX_EXAMPLES``), so the tests run in the
default suite.
"""

import io
import pathlib
import tempfile
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bayesjoint.io.csv_files import read_conductivity_model_csv, read_mt_csv
from bayesjoint.io.geomag_files import read_dst_csv, read_sq_csv
from bayesjoint.io.seismic_files import read_rf_csv, read_rf_traces, read_velocity_model_csv

MAX_EXAMPLES = 60

FUZZ = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

CSV_ALPHABET = "0123456789.,-+eE#\n\r \tnaifNAIF_xyz\"'\x00\xff;"
"""Characters that CSV mutations insert: numbers, separators, and a few hostile ones."""

VALID = {
    "mt_impedance.csv": "period_s,z_re_ohm,z_im_ohm,z_std_ohm\n1,0.1,0.1,0.01\n"
                        "10,0.05,0.04,0.005\n",
    "mt_rho_phase.csv": "# site A\nperiod_s,rho_a_ohm_m,phase_deg,log10_rho_a_std,phase_std_deg\n"
                        "1,100,45,0.02,1\n10,80,50,0.02,1\n",
    "model.csv": "top_depth_km,sigma_s_per_m\n0,0.01\n10,0.1\n100,1\n",
    "velocity.csv": "top_depth_km,vp_km_s,vs_km_s,rho_g_cm3\n0,6.3,3.6,2.8\n35,8.1,4.5,3.3\n",
    "dst_q.csv": "period_s,q_re,q_im,q_std\n86400,0.3,0.1,0.01\n864000,0.25,0.08,0.01\n",
    "dst_c.csv": "period_s,c_re_km,c_im_km,c_std_km\n86400,800,-300,20\n864000,1200,-250,30\n",
    "sq.csv": "period_s,n,m,t_re,t_im,t_std\n86400,2,1,0.3,0.1,0.01\n43200,3,2,0.2,0.1,0.01\n",
    "rf.csv": "time_s,rf_0,rf_1\n-0.5,0.01,0.02\n0,1,0.9\n0.5,0.2,0.1\n1,0.0,0.05\n",
}

READERS = {
    "mt_impedance.csv": read_mt_csv,
    "mt_rho_phase.csv": read_mt_csv,
    "model.csv": read_conductivity_model_csv,
    "velocity.csv": read_velocity_model_csv,
    "dst_q.csv": read_dst_csv,
    "dst_c.csv": read_dst_csv,
    "sq.csv": lambda path: read_sq_csv(path, colat_deg=57.9, lon_deg=249.2),
    "rf.csv": lambda path: read_rf_csv(path, ray_parameter_s_km=0.06, gauss_rad_s=2.5, std=0.02),
}


@st.composite
def corrupted(draw, valid: bytes, alphabet=None):
    """Arbitrary bytes, a truncation of ``valid``, or ``valid`` with a few edits."""
    how = draw(st.sampled_from(("bytes", "truncate", "edit")))
    if how == "bytes":
        return draw(st.binary(max_size=1024))
    if how == "truncate":
        return valid[: draw(st.integers(0, max(len(valid) - 1, 0)))]
    out = bytearray(valid)
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(out)))
        if alphabet is None:
            new = bytes([draw(st.integers(0, 255))])
        else:
            new = draw(st.sampled_from(alphabet)).encode("utf-8", "surrogatepass")
        op = draw(st.sampled_from(("replace", "insert", "delete")))
        if op == "insert" or i == len(out):
            out[i:i] = new
        elif op == "replace":
            out[i:i + 1] = new
        else:
            del out[i]
    return bytes(out)


def _outcome(reader, name, content):
    """Write ``content`` to a file called ``name`` and read it; return the error text or None."""
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / name
        path.write_bytes(content)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                reader(path)
            except ValueError as err:
                assert name in str(err), f"{type(err).__name__} without the file name: {err}"
                return str(err)
    return None


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_csv_files_read(name):
    assert _outcome(READERS[name], name, VALID[name].encode()) is None


@pytest.mark.parametrize("name", sorted(VALID))
def test_csv_readers_on_corrupted_files(name):
    @FUZZ
    @given(content=corrupted(VALID[name].encode(), CSV_ALPHABET))
    def check(content):
        _outcome(READERS[name], name, content)

    check()


# --- SAC and miniSEED (obspy) -------------------------------------------------

def _trace_file(fmt):
    obspy = pytest.importorskip("obspy")
    tr = obspy.Trace(np.random.default_rng(1).normal(size=64).astype(np.float32))
    tr.stats.delta = 0.1
    tr.stats.sac = obspy.core.AttribDict({"user0": 0.06, "b": -1.0})
    buf = io.BytesIO()
    tr.write(buf, format=fmt)
    return buf.getvalue()


@pytest.mark.parametrize("fmt, name, options", [
    ("SAC", "rf.sac", {}),
    ("MSEED", "rf.mseed", {"ray_parameter_s_km": 0.06, "shift_s": 1.0}),
])
def test_trace_reader_on_corrupted_files(fmt, name, options):
    valid = _trace_file(fmt)

    def reader(path):
        return read_rf_traces(path, gauss_rad_s=2.5, std=0.02, format=None, **options)

    assert _outcome(reader, name, valid) is None

    @FUZZ
    @given(content=corrupted(valid))
    def check(content):
        _outcome(reader, name, content)

    check()


# --- EDI and EMTF-XML (mt-metadata) ---------------------------------------------

def _shipped(name):
    mt_metadata = pytest.importorskip("mt_metadata")
    path = pathlib.Path(mt_metadata.__file__).parent / "data" / "transfer_functions" / name
    if not path.is_file():
        pytest.skip(f"{name} is not shipped with this mt-metadata version")
    return path.read_bytes()


@pytest.mark.parametrize("shipped, name", [("tf_edi_quantec.edi", "site.edi"),
                                           ("tf_xml.xml", "site.xml")])
def test_transfer_function_reader_on_corrupted_files(shipped, name):
    from bayesjoint.io.mt_files import read_mt_transfer_function

    valid = _shipped(shipped)

    def reader(path):
        return read_mt_transfer_function(path, rel_error_floor=0.05)

    assert _outcome(reader, name, valid) is None

    @settings(FUZZ, max_examples=MAX_EXAMPLES // 2)
    @given(content=corrupted(valid, "0123456789.-+E \n<>/=\">!"))
    def check(content):
        _outcome(reader, name, content)

    check()


# --- TOML run configuration -----------------------------------------------------

VALID_TOML = """[output]
dir = "out"
[[data]]
type = "mt"
file = "mt.csv"
[prior]
n_layers = 4
depth_max_km = 300.0
[sampler]
method = "nuts"
n_chains = 1
n_burn = 10
n_iterations = 20
[summary]
n_depths = 50
"""


def test_config_loader_on_corrupted_files():
    from bayesjoint.io.config import load_config

    assert _outcome(load_config, "run.toml", VALID_TOML.encode()) is None

    @FUZZ
    @given(content=corrupted(VALID_TOML.encode(), "0123456789.-[]{}=\"'#\n ,tfx\xff\x00"))
    def check(content):
        _outcome(load_config, "run.toml", content)

    check()


@pytest.mark.parametrize("text", [
    '[output]\ndir = 1\n[[data]]\ntype = "mt"\nfile = "a.csv"\n',
    '[[data]]\ntype = "mt"\nfile = 1\n',
    '[[data]]\ntype = "mt"\nfile = "a.csv"\n[truth]\nmodel = 3\n',
    '[[data]]\ntype = ["mt"]\nfile = "a.csv"\n',
    'data = 5\n',
    '[[data]]\ntype = "mt"\nfile = "a.csv"\n[sampler]\nmethod = ["nuts"]\n',
])
def test_config_loader_on_wrong_value_types(text):
    from bayesjoint.io.config import load_config

    _outcome(load_config, "run.toml", text.encode())
