"""P receiver functions from three-component event records (``bayesjoint rf make``).

Each record (:class:`bayesjoint.io.rf_records.EventRecord`) goes through

1. linear detrend, a 5 % cosine taper and a zero-phase Butterworth
   band-pass (obspy), then resampling onto the output grid with the direct P
   on a sample (obspy's Lanczos interpolation);
2. rotation (obspy): ZRT, radial positive away from the source, or LQT,
   with L along the incident P (positive up and away from the source) and Q
   its SV partner signed like R, so that Q/L and R/Z agree in polarity;
3. a signal-to-noise ratio on Z (or L): RMS in :attr:`RFSettings.signal_window_s`
   over RMS in :attr:`RFSettings.noise_window_s`, both relative to P;
4. deconvolution of R (or Q) by Z (or L) with the ``rf`` package:
   iterative time-domain (Ligorria & Ammon 1999) or frequency-domain water
   level (Clayton & Wiggins 1976), with the Gaussian ``exp(-omega^2 / (4
   a^2))``, ``a`` = ``gauss_rad_s`` in rad/s (``rf`` writes the same filter
   as ``exp(-f^2 / (2 f0^2))`` with ``f0 = a / (sqrt(2) pi)`` Hz), scaled to
   the project's ``peak`` normalisation (a direct P of ratio 1 has peak 1,
   as :func:`bayesjoint.physics.rf.receiver_function`);
5. quality control: the SNR, the fit of the iterative deconvolution (the
   percentage of the filtered radial energy the spike train explains), and
   outliers against the stack (RMS distance to the median receiver function
   beyond ``outlier_mad`` scaled median absolute deviations);
6. binning by ray parameter (equal-width bins or given edges); or a
   moveout correction of the Ps times to one reference ray parameter (the
   ``rf`` package, iasp91) and one stack; or that moveout correction and
   bins by the Ps conversion points at one depth (``bins="piercing"``):
   the S leg of a conversion at ``piercing_depth_km`` leaves the station's
   vertical at a horizontal offset that grows with the ray parameter (the
   ``rf`` package's ``ppoint_distance``, iasp91), in the direction of the
   back-azimuth, so the records fall into ``piercing_sectors`` equal
   back-azimuth sectors of conversion points around the station, each
   stacked on its own (a sector with fewer than 2 records is left out, its
   records rejected as ``too_few_in_sector``);
7. per bin the mean and its standard error, ``sqrt(v / n)``, where ``v``
   is the variance of the ``n`` records about their mean (``ddof=1``)
   averaged over a running window of ``error_window_s`` (default 10 s).
   Taken sample by sample, ``v`` has only ``n - 1`` degrees of freedom:
   with 10 records it scatters by a factor of several from sample to
   sample, and where a few records happen to agree it comes out many times
   too small. A likelihood then fits those samples closely with structure
   that is not there. The window pools about ``(n - 1) error_window_s /
   correlation`` degrees of freedom (the noise correlation of a Gaussian
   of ``a`` rad/s is about ``1 / a`` s).

The result (:class:`RFMakeResult`) holds an :class:`bayesjoint.data.RFData`
whose traces are the stacks and whose standard deviations are the standard
errors.
"""

import copy
import math
from dataclasses import dataclass, field

import numpy as np

from bayesjoint.data import RFData

METHODS = ("iterative", "water-level")
"""Deconvolution methods of :func:`make_receiver_functions`."""

ROTATIONS = ("zrt", "lqt")
"""Rotations of :func:`make_receiver_functions`."""

SURFACE_VP_KM_S = 5.8
"""P velocity under the station (iasp91's upper crust) that gives the LQT incidence
``asin(p vp)`` of a record without one."""

WATER_LEVEL_TAPER_S = 5.0
"""Length of the cosine taper at each end of the source before a water-level
deconvolution, s."""

BIN_MODES = ("moveout", "piercing")
"""The named binnings of :attr:`RFSettings.bins` (besides counts and edges)."""

PIERCING_DEPTH_MAX_KM = 800.0
"""Deepest conversion depth of the piercing points, km (the receiver functions' reach)."""

TELESEISMIC_P_S_KM = (0.04, 0.09)
"""Ray parameters of direct teleseismic P (about 30-95 deg), s/km; records outside
are skipped."""


@dataclass(frozen=True)
class RFSettings:
    """How ``bayesjoint rf make`` processes records (all times relative to the direct P).

    Attributes
    ----------
    gauss_rad_s : float
        Gaussian parameter ``a`` in rad/s, ``G = exp(-omega^2 / (4 a^2))``, > 0.
    dt_s : float
        Sample interval of the receiver functions, s.
    shift_s : float
        Time before the direct P kept in the receiver function, s (the
        record time of P: ``time_s = n dt_s - shift_s``).
    length_s : float
        Time after the direct P kept in the receiver function, s.
    method : {"iterative", "water-level"}
    rotation : {"zrt", "lqt"}
    freqmin_hz, freqmax_hz : float
        Band-pass corners, Hz; ``freqmax_hz`` below the Nyquist frequency
        ``1 / (2 dt_s)``.
    water_level : float
        Water level as a fraction of the maximum source power (water-level method).
    max_iterations : int
        Spikes of the iterative method at most.
    snr_min : float
        Records whose SNR on Z (or L) is lower are rejected.
    fit_min_percent : float
        Iterative records whose fit is lower are rejected (0 keeps all).
    outlier_mad : float
        Outlier threshold in scaled median absolute deviations (``inf``
        keeps all); applied with at least 3 records.
    noise_window_s, signal_window_s : (float, float)
        Windows of the SNR, s relative to P.
    bins : int, tuple of float, "moveout" or "piercing"
        Number of equal-width ray-parameter bins over the kept records,
        bin edges in s/km (increasing), ``"moveout"``: one stack after a
        Ps moveout correction to ``moveout_ref_s_km``, or ``"piercing"``:
        after that correction, one stack per back-azimuth sector of the Ps
        conversion points at ``piercing_depth_km`` (module docstring, step 6).
    moveout_ref_s_km : float or None
        Reference ray parameter of the moveout correction, s/km (default:
        the mean of the kept records).
    piercing_depth_km : float
        Conversion depth of the piercing points of ``bins="piercing"``, km
        (default 300, the middle of the X-discontinuity's range).
    piercing_sectors : int
        Number of equal back-azimuth sectors of ``bins="piercing"``, the
        first starting at north.
    error_window_s : float
        Width of the running window over which the records' variance about
        their stack is averaged before the standard error is taken, s
        (module docstring, step 7); 0 takes it sample by sample.
    """

    gauss_rad_s: float = 1.0
    dt_s: float = 0.1
    shift_s: float = 10.0
    length_s: float = 100.0
    method: str = "iterative"
    rotation: str = "zrt"
    freqmin_hz: float = 0.02
    freqmax_hz: float = 1.0
    water_level: float = 0.01
    max_iterations: int = 400
    snr_min: float = 2.0
    fit_min_percent: float = 60.0
    outlier_mad: float = 5.0
    noise_window_s: tuple = (-25.0, -5.0)
    signal_window_s: tuple = (-2.0, 20.0)
    bins: object = 1
    moveout_ref_s_km: float | None = None
    piercing_depth_km: float = 300.0
    piercing_sectors: int = 4
    error_window_s: float = 10.0

    def check(self):
        """Raise ``ValueError`` naming the first setting out of its allowed range."""
        for name in ("gauss_rad_s", "dt_s", "length_s", "freqmin_hz", "freqmax_hz",
                     "water_level"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0):
                raise ValueError(f"{name} = {v!r}: must be finite and > 0")
        nyquist = 0.5 / self.dt_s
        if self.gauss_rad_s / math.pi > nyquist:
            raise ValueError(f"gauss_rad_s = {self.gauss_rad_s!r}: the Gaussian passes "
                             f"frequencies above the Nyquist frequency {nyquist:g} Hz of dt_s = "
                             f"{self.dt_s!r} s; need gauss_rad_s <= pi / (2 dt_s) = "
                             f"{math.pi * nyquist:g} rad/s")
        if not self.freqmin_hz < self.freqmax_hz < nyquist:
            raise ValueError(f"band-pass {self.freqmin_hz!r}-{self.freqmax_hz!r} Hz: need "
                             f"freqmin < freqmax < the Nyquist frequency {nyquist:g} Hz")
        if not (math.isfinite(self.shift_s) and self.shift_s >= 0):
            raise ValueError(f"shift_s = {self.shift_s!r}: must be finite and >= 0")
        if not (math.isfinite(self.snr_min) and self.snr_min >= 0):
            raise ValueError(f"snr_min = {self.snr_min!r}: must be finite and >= 0")
        if not 0 <= self.fit_min_percent <= 100:
            raise ValueError(f"fit_min_percent = {self.fit_min_percent!r}: must lie in 0-100")
        span_s = self.shift_s + self.length_s
        if not (math.isfinite(self.error_window_s) and 0 <= self.error_window_s <= span_s):
            raise ValueError(f"error_window_s = {self.error_window_s!r}: must lie in 0 to the "
                             f"receiver function's shift_s + length_s = {span_s:g} s (0: sample "
                             "by sample)")
        if not self.outlier_mad > 0:
            raise ValueError(f"outlier_mad = {self.outlier_mad!r}: must be > 0 (inf keeps all)")
        if int(self.max_iterations) != self.max_iterations or self.max_iterations < 1:
            raise ValueError(f"max_iterations = {self.max_iterations!r}: must be an integer "
                             ">= 1")
        lo, hi = TELESEISMIC_P_S_KM
        if self.moveout_ref_s_km is not None and not lo <= self.moveout_ref_s_km <= hi:
            raise ValueError(f"moveout_ref_s_km = {self.moveout_ref_s_km!r}: must lie in the "
                             f"teleseismic range {lo:g}-{hi:g} s/km")
        if self.method not in METHODS:
            raise ValueError(f"method = {self.method!r}: allowed values are {METHODS}")
        if self.rotation not in ROTATIONS:
            raise ValueError(f"rotation = {self.rotation!r}: allowed values are {ROTATIONS}")
        for name in ("noise_window_s", "signal_window_s"):
            lo, hi = getattr(self, name)
            if not lo < hi:
                raise ValueError(f"{name} = ({lo!r}, {hi!r}): need start < end")
        if isinstance(self.bins, str):
            if self.bins not in BIN_MODES:
                raise ValueError(f"bins = {self.bins!r}: give a number of bins, edges in s/km, "
                                 "'moveout' or 'piercing'")
        elif isinstance(self.bins, int):
            if self.bins < 1:
                raise ValueError(f"bins = {self.bins}: need at least 1 bin")
        else:
            edges = np.asarray(self.bins, dtype=float)
            if edges.size < 2 or not np.all(np.isfinite(edges)) or np.any(np.diff(edges) <= 0):
                raise ValueError(f"bins = {list(self.bins)}: edges in s/km must be finite, "
                                 "at least two, and increasing")
        if not (math.isfinite(self.piercing_depth_km)
                and 0 < self.piercing_depth_km <= PIERCING_DEPTH_MAX_KM):
            raise ValueError(f"piercing_depth_km = {self.piercing_depth_km!r}: must lie in "
                             f"(0, {PIERCING_DEPTH_MAX_KM:g}] km")
        if int(self.piercing_sectors) != self.piercing_sectors or self.piercing_sectors < 1:
            raise ValueError(f"piercing_sectors = {self.piercing_sectors!r}: must be an integer "
                             ">= 1")

    @property
    def npts(self):
        """Samples per receiver function: from ``-shift_s`` to at most ``length_s``."""
        return _samples(self.shift_s + self.length_s, self.dt_s)

    @property
    def error_window_samples(self):
        """Odd number of samples of the running window of ``error_window_s`` (at least 1)."""
        return 2 * int(round(self.error_window_s / (2 * self.dt_s))) + 1

    def moveout_reference_s_km(self, p_s_km):
        """Reference ray parameter of the moveout, s/km: ``moveout_ref_s_km`` or the mean
        of ``p_s_km``, the ray parameters of the records kept."""
        if self.moveout_ref_s_km is None:
            return float(np.mean(p_s_km))
        return self.moveout_ref_s_km

    @property
    def rf_gauss_hz(self):
        """The Gaussian parameter of the ``rf`` package, ``a / (sqrt(2) pi)`` Hz."""
        return self.gauss_rad_s / (math.sqrt(2.0) * math.pi)

    def needed_window_s(self):
        """``(start, end)`` relative to P that each record must cover, s."""
        return (min(-self.shift_s, self.noise_window_s[0], self.signal_window_s[0]),
                max(self.length_s, self.signal_window_s[1]))


@dataclass
class RFMakeResult:
    """Receiver functions of one station made from its records.

    Attributes
    ----------
    data : RFData
        The stacks (one trace per bin, ``peak`` normalisation) with their
        per-sample standard errors as ``rf_std``.
    time_s : ndarray, shape (npts,)
    traces : ndarray, shape (M, npts)
        The receiver function of every record that was deconvolved (NaN
        rows for records skipped before deconvolution).
    records : list of dict
        One per input record: ``name``, ``ray_parameter_s_km``,
        ``back_azimuth_deg``, ``snr``, ``fit_percent``, ``status`` (``used``
        or ``rejected``), ``reason`` (empty when used) and ``bin`` (or None).
    bins : list of dict
        One per column: ``ray_parameter_s_km``, ``edges_s_km`` (or None),
        ``n_records``.
    settings : RFSettings
    """

    data: RFData
    time_s: np.ndarray
    traces: np.ndarray
    records: list
    bins: list
    settings: RFSettings = field(repr=False)

    def rejected_counts(self):
        """Number of rejected records by reason, dict."""
        return _rejected_counts(self.records)


def _samples(duration_s, dt_s):
    """Samples of step ``dt_s`` that fit into ``duration_s`` (both ends included)."""
    return int(math.floor(duration_s / dt_s + 1e-9)) + 1


def _rejected_counts(rows):
    """Number of rejected records by reason, sorted by reason."""
    counts = {}
    for r in rows:
        if r["status"] == "rejected":
            counts[r["reason"]] = counts.get(r["reason"], 0) + 1
    return dict(sorted(counts.items()))


def seismic_libraries():
    """The deconvolutions of the ``rf`` package; ``ImportError`` without obspy or rf."""
    try:
        import obspy  # noqa: F401
        from rf.deconvolve import deconv_iterative, deconv_waterlevel
    except ImportError as err:
        raise ImportError("bayesjoint rf make needs obspy and rf: "
                          "pip install bayesjoint[seismic]") from err
    return deconv_iterative, deconv_waterlevel


def check_records(records, settings, station=None):
    """The records of one station, checked before any processing.

    Parameters
    ----------
    records : list of EventRecord
    settings : RFSettings
    station : str, optional
        Keep only this station's records; required when several stations
        are present.

    Returns
    -------
    list of EventRecord

    Raises
    ------
    ValueError
        Settings out of range; no records; several stations and no
        ``station``; an unknown ``station``; fewer than 2 records left once
        those flagged, those whose ray parameter lies outside
        :data:`TELESEISMIC_P_S_KM` and those that do not cover
        :meth:`RFSettings.needed_window_s` are skipped (naming what the
        records span); explicit bin edges that hold no usable record or
        only one (an empty bin).
    """
    settings.check()
    stations = sorted({r.station for r in records})
    if not records:
        raise ValueError("no records given")
    if station is None:
        if len(stations) > 1:
            raise ValueError(f"records of {len(stations)} stations ({', '.join(stations[:6])}"
                             f"{', ...' if len(stations) > 6 else ''}); choose one with "
                             "--station")
    elif station not in stations:
        raise ValueError(f"--station {station}: no record of it; stations present: "
                         f"{', '.join(stations[:10])}{', ...' if len(stations) > 10 else ''}")
    chosen = [r for r in records if station is None or r.station == station]
    _check_enough_usable(chosen, settings)
    if not isinstance(settings.bins, (int, str)):
        edges = np.asarray(settings.bins, dtype=float)
        p = np.array([r.ray_parameter_s_km for r in chosen if _usable(r, settings) is None])
        for i in range(edges.size - 1):
            n = int(np.sum((p >= edges[i]) & (p < edges[i + 1])))
            if n < 2:
                raise ValueError(f"bins: bin {i} ({edges[i]:g}-{edges[i + 1]:g} s/km) holds {n} "
                                 "usable record(s); each bin needs at least 2 for a standard "
                                 f"error (usable ray parameters {p.min():.4f}-{p.max():.4f} "
                                 "s/km)" if p.size else "bins: no usable record")
    return chosen


def _check_enough_usable(records, settings):
    """``ValueError`` when fewer than 2 records pass :func:`_usable`, saying what they lack."""
    reasons = [_usable(r, settings) for r in records]
    n_usable = reasons.count(None)
    if n_usable >= 2:
        return
    counts = {}
    for reason in reasons:
        if reason is not None:
            counts[reason] = counts.get(reason, 0) + 1
    why = []
    lo, hi = TELESEISMIC_P_S_KM
    p = np.array([r.ray_parameter_s_km for r in records if r.flag == "ok"])
    p = p[np.isfinite(p)]
    if "ray_parameter_outside_teleseismic_range" in counts:
        why.append(f"their ray parameters are {p.min():.4f}-{p.max():.4f} s/km, teleseismic "
                   f"P needs {lo:g}-{hi:g} s/km (about 30-95 deg away)")
    if "window_not_covered" in counts:
        start, end = settings.needed_window_s()
        ok = [r for r in records if r.flag == "ok" and lo <= r.ray_parameter_s_km <= hi]
        span = (f"; the records span at most {min(r.t0_rel_p_s for r in ok):.1f} to "
                f"{max(r.end_rel_p_s for r in ok):.1f} s" if ok else "")
        why.append(f"the receiver functions and SNR windows need {start:g} to {end:g} s about "
                   f"P{span} (shorten --length-s or --shift-s)")
    skipped = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    raise ValueError(f"{n_usable} of {len(records)} record(s) usable before processing"
                     + (f" (skipped: {skipped})" if skipped else "")
                     + "; a stack with a standard error needs at least 2"
                     + "".join(f"; {w}" for w in why))


def _usable(record, settings):
    """None when the record can be processed, else the reason it is skipped."""
    if record.flag != "ok":
        return record.flag
    lo, hi = TELESEISMIC_P_S_KM
    if not lo <= record.ray_parameter_s_km <= hi:
        return "ray_parameter_outside_teleseismic_range"
    start, end = settings.needed_window_s()
    if record.t0_rel_p_s > start or record.end_rel_p_s < end:
        return "window_not_covered"
    return None


def _prepare(record, settings):
    """Filtered, resampled and rotated source and response on the output grid.

    Returns
    -------
    time_s : ndarray, shape (n,)
        Times relative to P from :meth:`RFSettings.needed_window_s`.
    source, response : ndarray, shape (n,)
        Z and R (ZRT) or L and Q (LQT).
    """
    from obspy import Stream, Trace, UTCDateTime
    from obspy.signal.rotate import rotate_ne_rt, rotate_zne_lqt

    p_time = UTCDateTime(2000, 1, 1)
    stream = Stream([Trace(np.array(x, dtype=float),
                           header={"delta": record.dt_s, "channel": c,
                                   "starttime": p_time + record.t0_rel_p_s})
                     for c, x in zip("ZNE", record.zne)])
    stream.detrend("linear")
    stream.taper(0.05, type="cosine")
    stream.filter("bandpass", freqmin=settings.freqmin_hz, freqmax=settings.freqmax_hz,
                  corners=4, zerophase=True)
    start, end = settings.needed_window_s()
    n = _samples(end - start, settings.dt_s)
    stream.interpolate(1.0 / settings.dt_s, method="lanczos", a=12, starttime=p_time + start,
                       npts=n)
    z, north, east = (tr.data for tr in stream)
    baz = record.back_azimuth_deg
    if settings.rotation == "zrt":
        radial, _ = rotate_ne_rt(north, east, baz)
        source, response = z, radial
    else:
        incidence = record.incidence_deg
        if incidence is None:
            incidence = math.degrees(math.asin(min(1.0, record.ray_parameter_s_km
                                                   * SURFACE_VP_KM_S)))
        # obspy's L follows Z for an upgoing P; its Q is signed against R.
        l_, q, _ = rotate_zne_lqt(z, north, east, baz, incidence)
        source, response = l_, -q
    return start + np.arange(n) * settings.dt_s, source, response


def _snr(time_s, source, settings):
    """RMS of the source in the signal window over its RMS in the noise window."""
    def rms(window):
        sel = (time_s >= window[0]) & (time_s <= window[1])
        return math.sqrt(float(np.mean(source[sel] ** 2)))

    noise = rms(settings.noise_window_s)
    return rms(settings.signal_window_s) / noise if noise > 0 else math.inf


def deconvolve(source, response, settings):
    """Receiver function of ``response`` over ``source``, both starting ``shift_s`` before P.

    Parameters
    ----------
    source, response : ndarray, shape (npts,)
        Z and R (or L and Q) on the output grid, sample 0 at ``-shift_s``.
    settings : RFSettings

    Returns
    -------
    rf : ndarray, shape (npts,)
        ``peak`` normalisation: a direct P of ratio ``r`` peaks at ``r`` at
        sample ``shift_s / dt_s``.
    fit_percent : float
        Percentage of the Gaussian-filtered response that the iterative
        spike train explains (NaN for the water-level method).
    """
    deconv_iterative, deconv_waterlevel = seismic_libraries()
    rate = 1.0 / settings.dt_s
    scale = math.sqrt(math.pi) / settings.gauss_rad_s
    if settings.method == "iterative":
        (rf,), (n_it,), (misfit,) = deconv_iterative(
            [response], source, rate, tshift=settings.shift_s, gauss=settings.rf_gauss_hz,
            itmax=settings.max_iterations, normalize=None)
        # rf's spike train is in 1/s (unit area per unit ratio)
        fit = 100.0 * (1.0 - float(misfit[n_it - 1])) if n_it else 0.0
        return np.real(rf) * scale, fit
    from scipy.signal.windows import tukey

    window = tukey(source.size, min(1.0, 2 * WATER_LEVEL_TAPER_S / (source.size * settings.dt_s)))
    (rf,) = deconv_waterlevel([response], source * window, rate, waterlevel=settings.water_level,
                              gauss=settings.rf_gauss_hz, tshift=settings.shift_s,
                              normalize=None)
    # the water-level quotient is a discrete (unit-sum) pulse
    return np.real(rf) * scale / settings.dt_s, math.nan


def stack_with_errors(traces, window_samples=1):
    """Mean of the traces and its standard error, the variance pooled in a running window.

    Parameters
    ----------
    traces : array_like, shape (n, npts), n >= 2
    window_samples : int
        Odd number of samples of the running window (module docstring,
        step 7); 1 gives the per-sample error. Near the ends the window is
        cut to the samples there are.

    Returns
    -------
    mean, standard_error : ndarray, shape (npts,)
        ``standard_error = sqrt(running_mean(var(traces, ddof=1)) / n)``.
    """
    x = np.asarray(traces, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"a stack with a standard error needs at least 2 traces, got "
                         f"{x.shape[0] if x.ndim == 2 else x.shape}")
    if int(window_samples) != window_samples or window_samples < 1 or window_samples % 2 == 0:
        raise ValueError(f"window_samples = {window_samples!r}: must be an odd integer >= 1")
    if window_samples > x.shape[1]:
        raise ValueError(f"window_samples = {window_samples}: longer than the traces "
                         f"({x.shape[1]} samples)")
    kernel = np.ones(int(window_samples))
    variance = np.convolve(x.var(axis=0, ddof=1), kernel, mode="same")
    variance /= np.convolve(np.ones(x.shape[1]), kernel, mode="same")
    return x.mean(axis=0), np.sqrt(variance / x.shape[0])


def with_stack_noise_correlation(data):
    """Receiver-function stacks with the noise correlation of Gaussian-filtered records.

    A stack of deconvolved records filtered by ``exp(-omega^2 / (4 a^2))``
    carries noise whose samples closer than ``1 / a`` s are not independent
    (:func:`bayesjoint.physics.rf.filtered_noise_correlation_s`). The
    X-discontinuity detectors take the exponential law at that length
    (``bayesjoint xdisc --from-rf-make``'s default; notebook 04; the
    Kaapvaal benchmark).

    Parameters
    ----------
    data : RFData
        Stacks made by :func:`make_receiver_functions` (or read from its
        output files), any correlation.

    Returns
    -------
    RFData
        ``data`` with ``correlation = "exponential"`` and ``correlation_s =
        1 / gauss_rad_s``, every other field kept.
    """
    from dataclasses import replace

    from bayesjoint.physics.rf import filtered_noise_correlation_s

    return replace(data, correlation="exponential",
                   correlation_s=filtered_noise_correlation_s(data.gauss_rad_s),
                   correlation_s_bounds=None)


def _outliers(traces):
    """Mask of outliers and their robust z-scores: RMS distance to the median trace."""
    median = np.median(traces, axis=0)
    dist = np.sqrt(np.mean((traces - median) ** 2, axis=1))
    centre = np.median(dist)
    mad = 1.4826 * np.median(np.abs(dist - centre))
    return (dist - centre) / mad if mad > 0 else np.zeros_like(dist)


def _piercing_stacks(kept, p, used, rows, settings, window):
    """Moveout-corrected stacks per back-azimuth sector of the piercing points (step 6).

    Records of a sector with fewer than 2 are marked rejected
    (``too_few_in_sector``) in ``rows``; returns ``(stacks, errors, bins)``.
    """
    ref = settings.moveout_reference_s_km(p)
    corrected = _moveout(kept, p, ref, settings)
    offset_km = piercing_offset_km(p, settings.piercing_depth_km)
    baz = np.array([rows[i]["back_azimuth_deg"] for i in used]) % 360.0
    width = 360.0 / settings.piercing_sectors
    sector = np.minimum((baz // width).astype(int), settings.piercing_sectors - 1)
    stacks, errors, bins = [], [], []
    for b in range(settings.piercing_sectors):
        inside = sector == b
        members = np.asarray(used)[inside]
        if inside.sum() < 2:
            for i in members:
                rows[i].update(status="rejected", reason="too_few_in_sector")
            continue
        mean, se = stack_with_errors(corrected[inside], window)
        stacks.append(mean)
        errors.append(se)
        bins.append({"ray_parameter_s_km": ref, "edges_s_km": None,
                     "back_azimuth_deg": [b * width, (b + 1) * width],
                     "piercing_depth_km": settings.piercing_depth_km,
                     "piercing_offset_km": [float(offset_km[inside].min()),
                                            float(offset_km[inside].max())],
                     "n_records": int(inside.sum()), "moveout": "Ps, iasp91"})
        for i in members:
            rows[i]["bin"] = len(bins) - 1
    if not stacks:
        raise ValueError(f"bins: no back-azimuth sector of the piercing points at "
                         f"{settings.piercing_depth_km:g} km holds 2 of the {len(used)} records "
                         f"left after quality control; choose fewer piercing_sectors (now "
                         f"{settings.piercing_sectors})")
    return stacks, errors, bins


def _moveout(traces, p_s_km, ref_s_km, settings):
    """Ps moveout of each trace to ``ref_s_km`` with the ``rf`` package (iasp91)."""
    from obspy import Trace, UTCDateTime
    from rf.simple_model import load_model

    from bayesjoint.physics.constants import ray_parameter_s_km_from_s_deg

    per_deg = float(ray_parameter_s_km_from_s_deg(1.0))
    start = UTCDateTime(2000, 1, 1)
    stream = [Trace(np.array(x), header={"delta": settings.dt_s, "starttime": start})
              for x in traces]
    for tr, p in zip(stream, p_s_km):
        tr.stats.onset = start + settings.shift_s
        tr.stats.slowness = p / per_deg
    # rf shares one iasp91 model per process and keeps on it the delay times of
    # the first reference it was given, ignoring later ones: a copy with none
    model = copy.copy(load_model("iasp91"))
    model.t_ref = {}
    model.moveout(stream, phase="Ps", ref=ref_s_km / per_deg)
    return np.stack([tr.data for tr in stream])


def piercing_offset_km(p_s_km, depth_km):
    """Horizontal offset of the Ps conversion point at ``depth_km`` from the station, km.

    The horizontal run of the S leg from the conversion point up to the
    station, ``x = int_0^z p vs / sqrt(1 - p^2 vs^2) dz`` (Snell's law,
    the ray integral of Snell's law ``sin i = p vs`` in a flat layered Earth),
    through iasp91 with the ``rf`` package's ``ppoint_distance``; the point
    lies in the direction of the back-azimuth.

    Parameters
    ----------
    p_s_km : array_like, shape (n,)
        Ray parameters, s/km.
    depth_km : float

    Returns
    -------
    ndarray, shape (n,)
    """
    from rf.simple_model import load_model

    from bayesjoint.physics.constants import ray_parameter_s_km_from_s_deg

    per_deg = float(ray_parameter_s_km_from_s_deg(1.0))
    model = load_model("iasp91")
    return np.array([float(model.ppoint_distance(depth_km, p / per_deg, phase="S"))
                     for p in np.atleast_1d(np.asarray(p_s_km, dtype=float))])


def make_receiver_functions(records, settings, *, station=None, name=None):
    """Receiver functions of one station from its event records.

    Parameters
    ----------
    records : list of EventRecord
    settings : RFSettings
    station : str, optional
        The station to process (required when the records hold several).
    name : str, optional
        Dataset name (default: the station code).

    Returns
    -------
    RFMakeResult

    Raises
    ------
    ImportError
        Without obspy and rf.
    ValueError
        Everything :func:`check_records` checks, before any work; after
        quality control, fewer than 2 records left, or a bin with fewer
        than 2 (naming the bin and the rejections).
    """
    seismic_libraries()
    chosen = check_records(records, settings, station)
    npts = settings.npts
    traces = np.full((len(chosen), npts), np.nan)
    rows = []
    for i, rec in enumerate(chosen):
        row = {"name": rec.name, "ray_parameter_s_km": rec.ray_parameter_s_km,
               "back_azimuth_deg": rec.back_azimuth_deg, "snr": math.nan,
               "fit_percent": math.nan, "status": "rejected", "reason": "", "bin": None}
        rows.append(row)
        reason = _usable(rec, settings)
        if reason is not None:
            row["reason"] = reason
            continue
        time_s, source, response = _prepare(rec, settings)
        row["snr"] = _snr(time_s, source, settings)
        if row["snr"] < settings.snr_min:
            row["reason"] = "low_snr"
            continue
        first = int(round((-settings.shift_s - time_s[0]) / settings.dt_s))
        rf, row["fit_percent"] = deconvolve(source[first:first + npts],
                                            response[first:first + npts], settings)
        if not np.all(np.isfinite(rf)):
            row["reason"] = "deconvolution_failed"
            continue
        traces[i] = rf
        if settings.method == "iterative" and row["fit_percent"] < settings.fit_min_percent:
            row["reason"] = "poor_deconvolution_fit"
            continue
        row["status"] = "used"
    used = [i for i, r in enumerate(rows) if r["status"] == "used"]
    if len(used) >= 3 and math.isfinite(settings.outlier_mad):
        score = _outliers(traces[used])
        for i, s in zip(used, score):
            if s > settings.outlier_mad:
                rows[i].update(status="rejected", reason="outlier_against_stack")
        used = [i for i, r in enumerate(rows) if r["status"] == "used"]
    counts = _rejected_counts(rows)
    if len(used) < 2:
        raise ValueError(f"{len(used)} record(s) left after quality control (rejected: "
                         + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                         + "); a stack with a standard error needs at least 2")
    p = np.array([rows[i]["ray_parameter_s_km"] for i in used])
    kept = traces[used]
    stacks, errors, bins = [], [], []
    window = settings.error_window_samples
    if settings.bins == "moveout":
        ref = settings.moveout_reference_s_km(p)
        mean, se = stack_with_errors(_moveout(kept, p, ref, settings), window)
        stacks, errors = [mean], [se]
        bins.append({"ray_parameter_s_km": ref, "edges_s_km": None, "n_records": len(used),
                     "moveout": "Ps, iasp91"})
        for i in used:
            rows[i]["bin"] = 0
    elif settings.bins == "piercing":
        stacks, errors, bins = _piercing_stacks(kept, p, used, rows, settings, window)
    else:
        if isinstance(settings.bins, int):
            lo, hi = float(p.min()), float(p.max())
            edges = np.linspace(lo, hi + 1e-9 * max(hi, 1.0), settings.bins + 1)
        else:
            edges = np.asarray(settings.bins, dtype=float)
        for b in range(edges.size - 1):
            inside = (p >= edges[b]) & (p < edges[b + 1])
            if inside.sum() < 2:
                raise ValueError(
                    f"bins: bin {b} ({edges[b]:.4f}-{edges[b + 1]:.4f} s/km) holds "
                    f"{int(inside.sum())} record(s) after quality control; each needs at "
                    "least 2 (choose fewer or wider bins)")
            mean, se = stack_with_errors(kept[inside], window)
            stacks.append(mean)
            errors.append(se)
            bins.append({"ray_parameter_s_km": float(p[inside].mean()),
                         "edges_s_km": [float(edges[b]), float(edges[b + 1])],
                         "n_records": int(inside.sum())})
            for i in np.asarray(used)[inside]:
                rows[i]["bin"] = b
    data = RFData.from_traces(
        np.array(stacks), [b["ray_parameter_s_km"] for b in bins], dt_s=settings.dt_s,
        shift_s=settings.shift_s, gauss_rad_s=settings.gauss_rad_s, std=np.array(errors),
        name=name or (station or chosen[0].station), normalize="peak", wrap_free=True)
    time_s = np.arange(npts) * settings.dt_s - settings.shift_s
    return RFMakeResult(data, time_s, traces, rows, bins, settings)
