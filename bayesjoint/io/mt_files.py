"""Read MT transfer-function files (EDI, EMTF-XML) into :class:`~bayesjoint.data.MTData`.

Files are parsed by mt-metadata (``mt_metadata.transfer_functions.TF``); this
module turns the 2 x 2 impedance tensor into the single 1-D response that the
layered-Earth forward model predicts.

Conventions
-----------
* Time dependence: EDI and EMTF-XML files use ``exp(+i omega t)``, as
  bayesjoint does; Z_xy of a 1-D Earth then lies in the first quadrant
  (phase 0..90 deg) and Z_yx in the third. Values are taken as they are,
  without conjugation.
* Units: mt-metadata keeps the impedance in the file's field units,
  mV/km/nT. With E in V/m = 1e-6 E[mV/km] and H in A/m = 1e-9 B[nT] / mu0::

      Z[ohm] = E / H = mu0 * 1e3 * Z[mV/km/nT] = 4 pi 1e-4 * Z[mV/km/nT],

  which reproduces the classical rho_a = 0.2 T |Z[mV/km/nT]|^2 ohm m.
  Impedances already in ohm are accepted as they are; other units are an
  error.
* Periods that no 1-D Earth can give -- an impedance outside the first
  quadrant (phase outside 0-90 deg) by more than
  :data:`~bayesjoint.data.checks.N_STD_BEYOND_BOUND` standard deviations,
  as 3-D structure or noise can make it -- are dropped with a warning that
  lists them.
* Errors: mt-metadata gives, per tensor element, the square root of the
  variance stored in the file (EDI ``Z**.VAR``, EMTF-XML ``Z.VAR``, or the
  value derived from the residual and inverse signal covariances). That value
  is used as the standard deviation of each of the real and imaginary parts,
  the usual practice of MT inversion codes (e.g. ModEM); for circular complex
  errors whose variance counts both parts it is conservative by sqrt(2).
"""

import warnings

import numpy as np

from bayesjoint.data import LN10, MTData
from bayesjoint.data.checks import N_STD_BEYOND_BOUND
from bayesjoint.io.files import readable_file
from bayesjoint.physics.constants import MU0
from bayesjoint.physics.mt import apparent_resistivity_phase

MV_PER_KM_PER_NT_TO_OHM = float(MU0) * 1e3
"""Factor from impedance in mV/km/nT to ohm: mu0 * 1e3 = 4 pi 1e-4."""

COMPONENTS = ("xy", "yx", "berdichevsky", "determinant")
"""1-D responses that :func:`read_mt_transfer_function` can form."""


def impedance_invariant(z_tensor, z_tensor_std, component):
    """One 1-D impedance and its standard deviation from a 2 x 2 tensor.

    Parameters
    ----------
    z_tensor : complex array_like, shape (P, 2, 2)
        Impedance tensor ``[[Zxx, Zxy], [Zyx, Zyy]]`` per period, any unit,
        ``exp(+i omega t)``.
    z_tensor_std : array_like, shape (P, 2, 2)
        Standard deviation of each of the real and imaginary parts of every
        element, same unit.
    component : {"xy", "yx", "berdichevsky", "determinant"}
        ``"xy"``: Zxy. ``"yx"``: -Zyx, the sign flip that brings Zyx of a 1-D
        Earth into the first quadrant. ``"berdichevsky"``: the arithmetic
        mean (Zxy - Zyx) / 2. ``"determinant"``: sqrt(Zxx Zyy - Zxy Zyx), on
        the branch closest to (Zxy - Zyx) / 2. The last two are invariant
        under rotation of the measurement axes (Berdichevsky & Dmitriev 2002,
        Magnetotellurics in the Context of the Theory of Ill-Posed Problems,
        sec. 1.3; Ranganayaki 1984, Geophysics 49, 1730-1748, for the
        determinant).

    Returns
    -------
    z : complex ndarray, shape (P,)
    z_std : ndarray, shape (P,)
        Standard deviation of each of Re z and Im z, to first order and for
        independent element errors: ``sqrt(s_xy^2 + s_yx^2) / 2`` for the
        Berdichevsky mean, and for the determinant, from
        ``dz = (Zyy dZxx + Zxx dZyy - Zyx dZxy - Zxy dZyx) / (2 z)``,
        ``sqrt(|Zyy|^2 s_xx^2 + |Zxx|^2 s_yy^2 + |Zyx|^2 s_xy^2 + |Zxy|^2 s_yx^2) / (2 |z|)``.
        0 where an element used has a zero std (no error known).

    Raises
    ------
    ValueError
        For an unknown ``component``.
    """
    z_t = np.asarray(z_tensor, dtype=complex)
    s_t = np.asarray(z_tensor_std, dtype=float)
    if component not in COMPONENTS:
        raise ValueError(f"component = {component!r}: allowed values are {COMPONENTS}")
    zxx, zxy, zyx, zyy = z_t[:, 0, 0], z_t[:, 0, 1], z_t[:, 1, 0], z_t[:, 1, 1]
    sxx, sxy, syx, syy = s_t[:, 0, 0], s_t[:, 0, 1], s_t[:, 1, 0], s_t[:, 1, 1]
    mean = 0.5 * (zxy - zyx)
    if component == "xy":
        z, std, used = zxy, sxy, [sxy]
    elif component == "yx":
        z, std, used = -zyx, syx, [syx]
    elif component == "berdichevsky":
        z, std, used = mean, 0.5 * np.hypot(sxy, syx), [sxy, syx]
    else:
        z = np.sqrt(zxx * zyy - zxy * zyx)
        z = np.where((z * np.conj(mean)).real < 0, -z, z)
        num = np.sqrt((np.abs(zyy) * sxx) ** 2 + (np.abs(zxx) * syy) ** 2
                      + (np.abs(zyx) * sxy) ** 2 + (np.abs(zxy) * syx) ** 2)
        z, std, used = z, num / (2.0 * np.abs(z)), [sxx, sxy, syx, syy]
    # A zero error on any element used means the file gives no error there.
    unknown = np.any([u <= 0 for u in used], axis=0)
    return z, np.where(unknown, 0.0, std)


def _unit_factor(units, path):
    text = (units or "").strip().lower()
    if "ohm" in text:
        return 1.0
    if text in ("", "[mv/km]/[nt]", "mv/km/nt") or ("millivolt" in text and "nanotesla" in text):
        # empty: mt-metadata's default, the EDI / EMTF-XML field unit
        return MV_PER_KM_PER_NT_TO_OHM
    raise ValueError(f"{path}: impedance unit {units!r} is not supported; "
                     "expected mV/km/nT (milliVolt per kilometer per nanoTesla) or ohm")


def read_mt_transfer_function(path, component="berdichevsky", kind="rho_phase",
                              rel_error_floor=None, name=None):
    """Read an EDI or EMTF-XML file into an :class:`~bayesjoint.data.MTData`.

    Parameters
    ----------
    path : str or path-like
        An ``.edi`` or EMTF ``.xml`` file (anything mt-metadata's ``TF``
        reads).
    component : {"berdichevsky", "determinant", "xy", "yx"}
        Which 1-D response to form from the tensor; see
        :func:`impedance_invariant`.
    kind : {"rho_phase", "impedance"}
        ``"impedance"``: complex Z in ohm with the std of each part.
        ``"rho_phase"``: ``rho_a = |Z|^2 / (omega mu0)`` and ``phase = arg Z``
        with first-order errors ``log10_rho_a_std = 2 s / (ln 10 |Z|)`` and
        ``phase_std_deg = (180 / pi) s / |Z|`` (s: std of Re Z and Im Z).
    rel_error_floor : float, optional
        Error floor relative to |Z|: ``s = max(s_file, rel_error_floor |Z|)``,
        applied before the conversion to ``kind``. Required when the file
        has no usable errors.
    name : str, optional
        Dataset name (default: the site name in the file).

    Returns
    -------
    MTData
        Periods ascending. ``meta`` holds ``source_path``, ``site``,
        ``latitude_deg``, ``longitude_deg``, ``elevation_m``, ``component``,
        ``file_impedance_units`` and ``dropped_period_s``.

    Raises
    ------
    ValueError
        For an unknown ``component`` or ``kind``; naming the file: a missing
        or unreadable file, one that mt-metadata cannot parse as EDI or
        EMTF-XML (truncated, garbage), an unsupported impedance unit, a file
        without an impedance tensor or without a usable period, or periods
        without a positive standard deviation when no floor is given.

    Warns
    -----
    UserWarning
        When periods with missing (NaN, infinite or zero) impedances or
        errors, or with impedances outside the first quadrant (see the
        module docstring), are dropped.
    """
    if component not in COMPONENTS:
        raise ValueError(f"component = {component!r}: allowed values are {COMPONENTS}")
    if kind not in ("rho_phase", "impedance"):
        raise ValueError(f"kind = {kind!r}: allowed values are ('rho_phase', 'impedance')")
    if rel_error_floor is not None:
        try:
            floor = float(rel_error_floor)
        except (TypeError, ValueError):
            floor = float("nan")
        if not (np.isfinite(floor) and floor > 0):
            raise ValueError(f"rel_error_floor = {rel_error_floor!r}: must be a number > 0")
    path = readable_file(path)
    tf, z_tensor, s_tensor, period, units = _parse(path)
    factor = _unit_factor(units, path)

    z, std = impedance_invariant(z_tensor * factor, s_tensor * factor, component)
    missing = ~(np.isfinite(period) & (period > 0) & np.isfinite(z.real) & np.isfinite(z.imag)
                & (np.abs(z) > 0) & np.isfinite(std))
    if missing.any():
        warnings.warn(f"{path}: dropped {int(missing.sum())} of {period.size} periods with "
                      f"missing {component} impedance or error: {period[missing].tolist()} s",
                      stacklevel=2)
    keep = ~missing
    dropped = period[missing]
    period, z, std = period[keep], z[keep], std[keep]
    if rel_error_floor is not None:
        std = np.maximum(std, rel_error_floor * np.abs(z))
    elif np.any(std <= 0):
        n_zero = int(np.sum(std <= 0))
        raise ValueError(f"{path}: no positive impedance error in the file at {n_zero} of "
                         f"{period.size} periods; give rel_error_floor")
    k = N_STD_BEYOND_BOUND
    outside = (z.real < -k * std) | (z.imag < -k * std)
    if outside.any():
        warnings.warn(f"{path}: dropped {int(outside.sum())} of {period.size} periods whose "
                      f"{component} impedance lies outside the first quadrant (phase outside "
                      f"0-90 deg) by more than {k:g} std, which no 1-D Earth gives: "
                      f"{period[outside].tolist()} s", stacklevel=2)
        dropped = np.concatenate([dropped, period[outside]])
        period, z, std = period[~outside], z[~outside], std[~outside]
    if period.size == 0:
        raise ValueError(f"{path}: no usable period of the {component} impedance is left")
    idx = np.argsort(period)
    period, z, std = period[idx], z[idx], std[idx]

    meta = {
        "source_path": str(path.resolve()),
        "site": str(tf.station),
        "latitude_deg": _number(tf.latitude),
        "longitude_deg": _number(tf.longitude),
        "elevation_m": _number(tf.elevation),
        "component": component,
        "file_impedance_units": units,
        "dropped_period_s": np.sort(dropped).tolist(),
    }
    name = str(tf.station) if name is None else name
    try:
        if kind == "impedance":
            return MTData.from_impedance(period, z, std, name=name, meta=meta)
        rho_a, phase = (np.asarray(a) for a in apparent_resistivity_phase(period, z))
        rel = std / np.abs(z)
        return MTData.from_rho_phase(period, rho_a, phase,
                                     log10_rho_a_std=2.0 * rel / LN10,
                                     phase_std_deg=np.degrees(rel), name=name, meta=meta)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err


def _parse(path):
    """Parse a transfer-function file with mt-metadata, quietly.

    Returns
    -------
    tf : mt_metadata.transfer_functions.TF
    z_tensor : complex ndarray, shape (P, 2, 2)
        ``[[Zxx, Zxy], [Zyx, Zyy]]`` in the file's unit.
    s_tensor : ndarray, shape (P, 2, 2)
        Standard deviation of each element (zeros when the file has none).
    period_s : ndarray, shape (P,)
    units : str
        The file's impedance unit.

    Raises
    ------
    ValueError
        Naming the file, whatever mt-metadata raises on a file it cannot
        parse (``KeyError``, ``ParseError``, ``IndexError``, ...).
    """
    from loguru import logger
    from mt_metadata.transfer_functions import TF

    logger.disable("mt_metadata")  # its notes on absent optional fields are not for the user
    try:
        tf = TF(fn=str(path))
        tf.read()
        z_da, err_da = tf.impedance, tf.impedance_error
        order = dict(output=["ex", "ey"], input=["hx", "hy"])
        z_tensor = None if z_da is None else np.asarray(
            z_da.sel(**order).transpose("period", "output", "input").values, dtype=complex)
        s_tensor = None if err_da is None else np.asarray(
            err_da.sel(**order).transpose("period", "output", "input").values, dtype=float)
        period = np.asarray(tf.period, dtype=float)
        units = tf.station_metadata.transfer_function.units
    except Exception as err:  # mt-metadata raises many kinds on malformed files
        raise ValueError(f"{path}: cannot read as an EDI or EMTF-XML transfer function "
                         f"({type(err).__name__}: {_first_line(err)})") from err
    finally:
        logger.enable("mt_metadata")
    if z_tensor is None:
        raise ValueError(f"{path}: the file holds no impedance tensor")
    if s_tensor is None:
        s_tensor = np.zeros(z_tensor.shape)
    if period.shape != z_tensor.shape[:1] or s_tensor.shape != z_tensor.shape:
        raise ValueError(f"{path}: {period.size} periods but impedances of shape "
                         f"{z_tensor.shape}; the file is inconsistent")
    return tf, z_tensor, s_tensor, period, units


def _number(value):
    """A metadata value as a float; NaN where the file gives none or no number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _first_line(err, n_chars=200):
    """The first line of an exception's message, at most ``n_chars`` characters."""
    lines = str(err).strip().splitlines()
    text = lines[0] if lines else ""
    return text if len(text) <= n_chars else text[: n_chars - 3] + "..."
