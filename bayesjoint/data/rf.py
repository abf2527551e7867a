"""Teleseismic P receiver functions recorded at one station.

Conventions follow :mod:`bayesjoint.physics.rf`: radial over vertical, a
Gaussian low-pass ``G(omega) = exp(-omega^2 / (4 a^2))`` with ``a`` =
``gauss_rad_s`` (a filter written in Hz, ``exp(-f^2 / (4 a_hz^2))``,
has ``a = 2 pi a_hz``: :func:`bayesjoint.physics.rf.gauss_from_hz`), sample
``n`` at time ``n dt_s - shift_s`` after the direct P, and one of the
amplitude normalisations of :data:`bayesjoint.physics.constants.RF_NORMALIZATIONS`.

Noise model
-----------
The noise of each trace is Gaussian with standard deviations ``std`` per
sample (scaled by the hierarchical noise factor of the prior) and, within a
trace, a correlation ``R_ij = rho(|t_i - t_j|)`` of one of the laws of
:data:`CORRELATION_LAWS` (Bodin et al. 2012, JGR 117, B02301, section 3.3):
``"none"`` (independent samples), ``"exponential"``
(``exp(-|dt| / L)``) or ``"gaussian"`` (``exp(-dt^2 / (2 L^2))``). The
correlation length ``L`` in s is either fixed (``correlation_s``) or
sampled uniformly between ``correlation_s_bounds`` (NUTS only). Traces are
independent of each other.

:class:`RFSurvey` states what was recorded and how it was processed (ray
parameters, Gaussian width, sampling, time shift, normalisation,
flattening); :class:`RFData` adds the traces and their standard deviations
(and the noise-correlation law), and exposes its survey as ``data.survey``.
"""

from dataclasses import dataclass, field, replace

import numpy as np

from bayesjoint.data.checks import as_1d, check_finite, check_positive, check_same_length
from bayesjoint.physics.constants import RF_NORMALIZATIONS

CORRELATION_LAWS = ("none", "exponential", "gaussian")
"""Allowed noise-correlation laws within one trace."""

ALIAS_LEVEL = 1e-4
"""Largest value of the Gaussian filter at the Nyquist frequency that
:meth:`RFData.decimated` accepts (``exp(-pi^2)`` = 5.2e-5 at ``a`` = 1 rad/s and
0.5 s)."""

def _scalar(name, value, *, positive=True):
    v = float(value)
    if not np.isfinite(v) or (positive and v <= 0):
        raise ValueError(f"{name} = {v!r}: must be finite" + (" and > 0" if positive else ""))
    return v


@dataclass(frozen=True, eq=False)
class RFSurvey:
    """What a receiver-function survey recorded and how the traces were processed.

    Attributes
    ----------
    ray_parameter_s_km : ndarray, shape (R,)
        Ray parameter (horizontal slowness) of each trace, s/km, >= 0
        (0: vertical incidence).
    gauss_rad_s : float
        Gaussian parameter ``a`` in rad/s, ``G(omega) = exp(-omega^2 / (4 a^2))``.
    dt_s : float
        Sample interval, s.
    npts : int
        Samples per trace, >= 2.
    shift_s : float
        Record time of the direct P, s: sample ``n`` lies at ``n dt_s -
        shift_s`` after P; ``0 <= shift_s < npts dt_s``.
    normalize : {"peak", "area", "sum"}
        Amplitude normalisation (:data:`bayesjoint.physics.constants.RF_NORMALIZATIONS`).
    earth_flattening : bool
        Whether predictions flatten the spherical layers first.
    wrap_free : bool
        Whether the traces are windows of receiver functions that go on
        after them, as recorded ones do: predictions are then computed on a
        longer transform, so that later arrivals (the mantle's multiples)
        do not wrap into the record (:func:`bayesjoint.model.rf.predict_rf`).
        False: the traces are one period of a periodic transform, as
        :func:`bayesjoint.datasets.synthetic_rf` makes them by default.

    Data and predictions are the traces one after another, shape (R npts,).
    """

    ray_parameter_s_km: np.ndarray
    gauss_rad_s: float
    dt_s: float
    npts: int
    shift_s: float
    normalize: str = "peak"
    earth_flattening: bool = True
    wrap_free: bool = False

    def __post_init__(self):
        p = as_1d("ray_parameter_s_km", self.ray_parameter_s_km)
        check_finite("ray_parameter_s_km", p)
        if (p < 0).any():
            i = int(np.flatnonzero(p < 0)[0])
            raise ValueError(f"ray_parameter_s_km[{i}] = {float(p[i])!r}: values must be >= 0")
        if int(self.npts) != self.npts or self.npts < 2:
            raise ValueError(f"npts = {self.npts!r}: must be an integer >= 2")
        values = {"ray_parameter_s_km": p, "dt_s": _scalar("dt_s", self.dt_s),
                  "gauss_rad_s": _scalar("gauss_rad_s", self.gauss_rad_s),
                  "shift_s": _scalar("shift_s", self.shift_s, positive=False),
                  "npts": int(self.npts), "earth_flattening": bool(self.earth_flattening),
                  "wrap_free": bool(self.wrap_free)}
        duration = values["npts"] * values["dt_s"]
        if not 0.0 <= values["shift_s"] < duration:
            raise ValueError(f"shift_s = {float(self.shift_s)!r}: the direct P must lie on the "
                             f"record, 0 <= shift_s < npts * dt_s = {float(duration)!r} s")
        if self.normalize not in RF_NORMALIZATIONS:
            raise ValueError(f"normalize = {self.normalize!r}: allowed values are "
                             f"{RF_NORMALIZATIONS}")
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def n_traces(self):
        """Number of traces R."""
        return self.ray_parameter_s_km.size

    @property
    def n_data(self):
        """Number of data N = R npts."""
        return self.n_traces * self.npts

    def time_s(self):
        """Sample times after the direct P, s, shape (npts,)."""
        return np.arange(self.npts) * self.dt_s - self.shift_s


@dataclass(frozen=True)
class RFData:
    """P receiver functions of one station on a common time axis.

    Build with :meth:`from_traces`.

    Attributes
    ----------
    rf : ndarray, shape (R, npts)
        Receiver-function traces, one per row, in the unit of ``normalize``.
    ray_parameter_s_km : ndarray, shape (R,)
        Ray parameter (horizontal slowness) of each trace, s/km, > 0.
    rf_std : ndarray, shape (R, npts)
        Standard deviation of each sample, same unit as ``rf``, > 0.
    dt_s : float
        Sample interval, s.
    shift_s : float
        Record time of the direct P, s: sample ``n`` lies at ``n dt_s -
        shift_s`` after P; ``0 <= shift_s < npts dt_s``.
    gauss_rad_s : float
        Gaussian parameter ``a`` in rad/s.
    normalize : {"peak", "area", "sum"}
    correlation : {"none", "exponential", "gaussian"}
        Noise-correlation law within a trace (module docstring).
    correlation_s : float or None
        Fixed correlation length ``L`` in s.
    correlation_s_bounds : (float, float) or None
        Bounds of a sampled correlation length, s. For a correlated law give
        exactly one of ``correlation_s`` and ``correlation_s_bounds``; the
        pure log-likelihood of the trans-dimensional sampler needs
        ``correlation_s``.
    earth_flattening : bool
        Whether predictions flatten the spherical layers first.
    wrap_free : bool
        Whether the traces are windows of longer receiver functions
        (recorded ones) rather than one period of a periodic transform
        (:class:`RFSurvey`).
    name : str
    meta : dict
    survey : RFSurvey
        Ray parameters, Gaussian, sampling, shift, normalisation and
        flattening (derived from the fields above).
    """

    rf: np.ndarray
    ray_parameter_s_km: np.ndarray
    rf_std: np.ndarray
    dt_s: float
    shift_s: float
    gauss_rad_s: float
    normalize: str = "peak"
    correlation: str = "none"
    correlation_s: float | None = None
    correlation_s_bounds: tuple | None = None
    earth_flattening: bool = True
    wrap_free: bool = False
    name: str = "rf"
    meta: dict = field(default_factory=dict, compare=False)
    survey: RFSurvey = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.rf.ndim != 2 or self.rf.shape[0] < 1 or self.rf.shape[1] < 2:
            raise ValueError(f"rf must have shape (R, npts) with R >= 1 and npts >= 2, "
                             f"got {self.rf.shape}")
        check_same_length(rf=self.rf, ray_parameter_s_km=self.ray_parameter_s_km)
        if self.rf_std.shape != self.rf.shape:
            raise ValueError(f"rf_std has shape {self.rf_std.shape} but rf has {self.rf.shape}; "
                             "they must be equal")
        check_finite("rf", self.rf.ravel())
        check_positive("rf_std", self.rf_std.ravel())
        check_positive("ray_parameter_s_km", self.ray_parameter_s_km)
        object.__setattr__(self, "survey", RFSurvey(
            self.ray_parameter_s_km, self.gauss_rad_s, self.dt_s, self.npts, self.shift_s,
            self.normalize, self.earth_flattening, self.wrap_free))
        if self.correlation not in CORRELATION_LAWS:
            raise ValueError(f"correlation = {self.correlation!r}: allowed values are "
                             f"{CORRELATION_LAWS}")
        fixed, bounds = self.correlation_s, self.correlation_s_bounds
        if self.correlation == "none":
            if fixed is not None or bounds is not None:
                raise ValueError("correlation = 'none' takes no correlation_s or "
                                 "correlation_s_bounds")
            return
        if (fixed is None) == (bounds is None):
            raise ValueError(f"correlation = {self.correlation!r}: give exactly one of "
                             "correlation_s (fixed, s) and correlation_s_bounds (sampled, s)")
        if fixed is not None:
            _scalar("correlation_s", fixed)
        else:
            lo, hi = bounds
            if not (np.isfinite(lo) and np.isfinite(hi) and 0 < lo < hi):
                raise ValueError(f"correlation_s_bounds = {bounds!r}: need 0 < lower < upper, "
                                 "finite, in s")

    @classmethod
    def from_traces(cls, rf, ray_parameter_s_km, *, dt_s, shift_s, gauss_rad_s, std,
                    normalize="peak", correlation="none", correlation_s=None,
                    correlation_s_bounds=None, earth_flattening=True, wrap_free=False,
                    name="rf", meta=None):
        """Receiver functions from arrays.

        Parameters
        ----------
        rf : array_like, shape (npts,) or (R, npts)
            One trace or one per row (a single trace may take ``std`` of
            shape (npts,)).
        ray_parameter_s_km : float or array_like, shape (R,)
            Ray parameter of each trace, s/km (from s/deg:
            :func:`bayesjoint.physics.constants.ray_parameter_s_km_from_s_deg`).
        dt_s, shift_s : float
            Sample interval and record time of the direct P, s.
        gauss_rad_s : float
            Gaussian parameter in rad/s (from Hz:
            :func:`bayesjoint.physics.rf.gauss_from_hz`).
        std : float, array_like of shape (R,), or array_like of shape (R, npts)
            Standard deviation: one value for all samples, one per trace, or
            one per sample.
        normalize, correlation, correlation_s, correlation_s_bounds, earth_flattening
            See the class attributes.
        wrap_free, name
            See the class attributes.
        meta : dict, optional

        Returns
        -------
        RFData

        Raises
        ------
        ValueError
            Naming the offending field: non-finite values, ``gauss_rad_s <= 0``,
            ``dt_s <= 0``, non-positive ``std``, lengths that differ, an
            unknown normalisation or correlation law.
        """
        traces = np.asarray(rf, dtype=float)
        s = np.asarray(std, dtype=float)
        if traces.ndim == 1:
            traces = traces[None, :]
            s = s[None, :] if s.ndim == 1 and s.size == traces.shape[1] else s
        p = as_1d("ray_parameter_s_km", ray_parameter_s_km)
        if s.ndim == 1:
            if s.size != traces.shape[0]:
                raise ValueError(f"std has {s.size} values for {traces.shape[0]} traces; give "
                                 "one value, one per trace or an array of the shape of rf")
            s = s[:, None]
        if s.ndim > 2:
            raise ValueError(f"std must have at most two dimensions, got shape {s.shape}")
        try:
            s = np.broadcast_to(s, traces.shape).copy()
        except ValueError:
            raise ValueError(f"std has shape {s.shape} but rf has {traces.shape}") from None
        bounds = None if correlation_s_bounds is None else tuple(
            float(b) for b in correlation_s_bounds)
        return cls(traces, p, s, float(dt_s), float(shift_s), float(gauss_rad_s), normalize,
                   correlation, None if correlation_s is None else float(correlation_s),
                   bounds, bool(earth_flattening), bool(wrap_free), name, meta or {})

    def decimated(self, dt_s):
        """The traces at the coarser sample interval ``dt_s``: every ``k``-th sample,
        ``k = dt_s / self.dt_s`` (an integer), from the first.

        Direct decimation, with no further filter: the Gaussian has already
        removed what lies above the new Nyquist frequency when
        ``G(pi / dt_s) = exp(-(pi / dt_s)^2 / (4 a^2))`` is at most
        :data:`ALIAS_LEVEL`, and a ``dt_s`` where it is not is refused. The
        direct P keeps its record time ``shift_s``; the standard deviations
        are those of the kept samples; every other field is kept.

        Parameters
        ----------
        dt_s : float
            New sample interval, s.

        Returns
        -------
        RFData

        Raises
        ------
        ValueError
            When ``dt_s`` is not a positive integer multiple of ``self.dt_s``,
            leaves fewer than 2 samples, or would alias the Gaussian's band.
        """
        k = float(dt_s) / self.dt_s
        step = int(round(k)) if np.isfinite(k) else 0
        if not (step >= 1 and abs(k - step) < 1e-6):
            raise ValueError(f"dt_s = {dt_s!r}: must be a positive integer multiple of the "
                             f"data's {self.dt_s:g} s")
        level = float(np.exp(-(np.pi / (step * self.dt_s)) ** 2 / (4 * self.gauss_rad_s**2)))
        if level > ALIAS_LEVEL:
            raise ValueError(f"dt_s = {dt_s!r}: the Gaussian of {self.gauss_rad_s:g} rad/s is "
                             f"{level:.2g} at its Nyquist frequency, above {ALIAS_LEVEL:g}; "
                             "decimating would alias it: choose a smaller dt_s")
        if -(-self.npts // step) < 2:
            raise ValueError(f"dt_s = {dt_s!r}: leaves fewer than 2 samples of {self.npts}")
        return replace(self, rf=self.rf[:, ::step], rf_std=self.rf_std[:, ::step],
                       dt_s=step * self.dt_s, meta=dict(self.meta))

    @property
    def npts(self):
        """Samples per trace."""
        return self.rf.shape[1]

    @property
    def n_traces(self):
        """Number of traces R."""
        return self.rf.shape[0]

    @property
    def n_data(self):
        """Number of data N = R npts."""
        return self.rf.size

    def time_s(self):
        """Sample times after the direct P, s, shape (npts,)."""
        return self.survey.time_s()

    def observed(self):
        """Observed vector, shape (R npts,): the traces one after another."""
        return self.rf.ravel()

    def std(self):
        """Standard deviations matching :meth:`observed`, shape (R npts,)."""
        return self.rf_std.ravel()

    def labels(self):
        """Names of the R blocks of :meth:`observed` (``rf_0``, ``rf_1``, ...)."""
        return tuple(f"rf_{i}" for i in range(self.n_traces))
