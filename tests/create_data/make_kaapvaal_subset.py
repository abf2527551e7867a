"""Cut small Kaapvaal P records for the tests and the worked example of ``rf make``.

Source: ``kaapvaal_xa1997_p_zne.npz`` and ``kaapvaal_xa1997_p_meta.csv`` in
the shared real-data folder (Z, N, E displacement in m, 20 Hz, -30 to +150 s
about the ak135 P; network XA 1997-1999, the Southern Africa Seismic
Experiment of the Kaapvaal Project, data from the IRIS DMC, FDSN DOI
10.7914/SN/XA_1997; records gathered by smurfpy, github.com/sannecottaar/smurfpy
at 5c6a3af2f2d47f9cf7b9d20a274e59341bfa2cab, GPL-3.0; cite smurfpy and
Pugh et al. 2021, EPSL).

Writes

* ``tests/data/kaapvaal_sa70_subset.npz`` and ``_meta.csv``: three SA70
  records (two ``ok``, one flagged ``low_snr_z``), samples -30 to +20 s;
* ``docs/examples/kaapvaal_sa70_p_zne.npz`` and ``_meta.csv``: all 14 SA70
  records, whole windows;
* ``notebooks/data/kaapvaal_xa1997_p_zne_10hz.npz`` and ``_meta.csv``: all
  350 records of the 45 stations for notebook 04, decimated to 10 Hz
  (zero-phase FIR anti-alias filter, scipy) and cut to -30 to +115 s about P
  (the noise window of ``rf make`` and the Ps conversions from the 660 at
  about 70 s; the default receiver function ends at +100 s), float32
  rounded to :data:`NOTEBOOK_MANTISSA_BITS` mantissa bits so that the file
  compresses to 3.8 MiB.

Run from the repository root::

    .venv/bin/python tests/create_data/make_kaapvaal_subset.py [REALDATA_FOLDER]
"""

import csv
import io
import pathlib
import sys

import numpy as np
from scipy.signal import decimate

ROOT = pathlib.Path(__file__).resolve().parents[2]
STATION = "SA70"
CITATION = ("# Cut from kaapvaal_xa1997_p_zne.npz / _meta.csv: network XA (1997-1999), Southern "
            "Africa Seismic Experiment / Kaapvaal Project, IRIS DMC, FDSN DOI 10.7914/SN/XA_1997; "
            "records gathered by smurfpy (github.com/sannecottaar/smurfpy @ "
            "5c6a3af2f2d47f9cf7b9d20a274e59341bfa2cab, GPL-3.0); cite smurfpy and "
            "Pugh et al. (2021) EPSL.\n")


NOTEBOOK_RATE_HZ = 10.0
"""Sampling rate of the notebook's copy (the receiver functions are made at 10 Hz)."""

NOTEBOOK_END_S = 115.0
"""End of the notebook's copy after P, s."""

NOTEBOOK_MANTISSA_BITS = 12
"""Mantissa bits kept in the notebook's copy (of float32's 23): each sample is rounded to
a relative error of at most ``2**-13`` (1.2e-4), far below the records' noise, and the
trailing zero bits let the compressed file shrink from 5.4 to 3.8 MiB."""


def round_mantissa(values, bits):
    """``values`` as float32 with the mantissa rounded to nearest at ``bits`` bits.

    Parameters
    ----------
    values : array of finite numbers
    bits : int, 1 to 23

    Returns
    -------
    float32 array, same shape; relative error at most ``2**-(bits + 1)``.
    """
    drop = 23 - int(bits)
    u = np.asarray(values, dtype=np.float32).view(np.uint32)
    if drop <= 0:
        return u.view(np.float32)
    # adding half a unit of the last kept place rounds to nearest (a carry into the
    # exponent is the correct rounding); the mask clears the dropped bits
    rounded = (u + np.uint32(1 << (drop - 1))) & np.uint32((0xFFFFFFFF >> drop) << drop)
    return rounded.view(np.float32)


def write(folder, name, data, header, rows, components, rate_hz=None, note="",
          mantissa_bits=23):
    """An npz (data, components, sampling rates) and its CSV metadata, the citation on top.

    ``rate_hz`` replaces the sampling rate of every row (default: keep it);
    ``note`` is a further comment line under the citation; ``mantissa_bits``
    rounds the float32 data (:func:`round_mantissa`; 23 keeps them).
    """
    folder.mkdir(parents=True, exist_ok=True)
    rate, npts = header.index("sampling_rate_hz"), header.index("npts")
    rows = [list(r) for r in rows]
    for r in rows:
        r[npts] = str(data.shape[2])
        if rate_hz is not None:
            r[rate] = f"{rate_hz:f}"
    np.savez_compressed(folder / f"{name}.npz", data=round_mantissa(data, mantissa_bits),
                        components=components,
                        sampling_rate_hz=np.array([float(r[rate]) for r in rows]))
    text = io.StringIO()
    out = csv.writer(text, lineterminator="\n")
    out.writerow(header)
    out.writerows(rows)
    (folder / f"{name}_meta.csv").write_text(CITATION + note + text.getvalue())


def main():
    src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "realdata")
    archive = np.load(src / "kaapvaal_xa1997_p_zne.npz", allow_pickle=False)
    data, components = archive["data"], archive["components"]
    text = (src / "kaapvaal_xa1997_p_meta.csv").read_text()
    header, *rows = [r for r in csv.reader(io.StringIO(text)) if r and not r[0].startswith("#")]
    station, flag = header.index("station"), header.index("flag")
    mine = [i for i, r in enumerate(rows) if r[station] == STATION]
    write(ROOT / "docs" / "examples", f"kaapvaal_{STATION.lower()}_p_zne", data[mine], header,
          [rows[i] for i in mine], components)
    ok = [i for i in mine if rows[i][flag] == "ok"][:2]
    low = [i for i in mine if rows[i][flag] != "ok"][:1]
    pick = ok + low
    n = int(round(55.0 * 20.0))  # -30 to +25 s at 20 Hz
    write(ROOT / "tests" / "data", f"kaapvaal_{STATION.lower()}_subset", data[pick, :, :n],
          header, [rows[i] for i in pick], components)
    rates = {float(r[header.index("sampling_rate_hz")]) for r in rows}
    if len(rates) != 1:
        raise ValueError(f"records at several sampling rates {sorted(rates)} Hz")
    factor = int(round(rates.pop() / NOTEBOOK_RATE_HZ))
    decimated = decimate(data.astype(float), factor, ftype="fir", zero_phase=True, axis=2)
    t0 = max(float(r[header.index("t0_rel_p_s")]) for r in rows)
    n = int(np.floor((NOTEBOOK_END_S - t0) * NOTEBOOK_RATE_HZ)) + 1
    write(ROOT / "notebooks" / "data", "kaapvaal_xa1997_p_zne_10hz", decimated[:, :, :n], header,
          rows, components, rate_hz=NOTEBOOK_RATE_HZ, mantissa_bits=NOTEBOOK_MANTISSA_BITS,
          note=f"# Decimated from 20 Hz to {NOTEBOOK_RATE_HZ:g} Hz (zero-phase FIR anti-alias "
               f"filter), cut to {n} samples from t0_rel_p_s (to about "
               f"+{NOTEBOOK_END_S:g} s after P) and rounded to {NOTEBOOK_MANTISSA_BITS} "
               "mantissa bits (relative error <= 1.2e-4); npts and sampling_rate_hz are "
               "those of this copy.\n")


if __name__ == "__main__":
    main()
