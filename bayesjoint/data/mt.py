"""Magnetotelluric transfer-function data of one site.

:class:`MTSurvey` states what was measured (periods, and which quantity is
compared); :class:`MTData` adds the observed values and their standard
deviations, and exposes its survey as ``data.survey``.
"""

from dataclasses import dataclass, field, replace

import numpy as np

from bayesjoint.data.checks import (LN10, as_1d, check_finite, check_periods, check_positive,
                                    check_same_length, check_within_bounds, error_from_relative)

MT_KINDS = ("impedance", "rho_phase")

PHASE_RANGE_DEG = (0.0, 90.0)
"""MT phases that a 1-D Earth can give, degrees: with ``exp(+i omega t)`` the
impedance of any layered Earth lies in the first quadrant (Re Z >= 0,
Im Z >= 0), e.g. +45 deg over a half-space (Weidelt 1972)."""

_ONE_D_REASON = ("a 1-D Earth gives phases in [0, 90] deg, i.e. Re Z >= 0 and Im Z >= 0, "
                 "with exp(+i omega t) (docs/conventions.md)")


@dataclass(frozen=True, eq=False)
class MTSurvey:
    """What an MT sounding measured: the periods and the quantity compared.

    Attributes
    ----------
    period_s : ndarray, shape (P,)
        Periods in s, distinct and > 0.
    kind : {"impedance", "rho_phase"}
        Layout of data and predictions, shape (2P,): ``[Re Z, Im Z]`` in
        ohm (``exp(+i omega t)``), or ``[log10 rho_a, phase_deg]``.
    """

    period_s: np.ndarray
    kind: str = "impedance"

    def __post_init__(self):
        if self.kind not in MT_KINDS:
            raise ValueError(f"kind = {self.kind!r}: allowed values are {MT_KINDS}")
        object.__setattr__(self, "period_s", as_1d("period_s", self.period_s))
        check_periods("period_s", self.period_s)

    @property
    def n_data(self):
        """Number of real data N (2 per period)."""
        return 2 * self.period_s.size


@dataclass(frozen=True)
class MTData:
    """Magnetotelluric transfer-function data of one site.

    Build with :meth:`from_impedance` or :meth:`from_rho_phase`.

    Values that no 1-D Earth can give are rejected: a phase outside
    :data:`PHASE_RANGE_DEG`, or an impedance outside the first quadrant, by
    more than :data:`~bayesjoint.data.checks.N_STD_BEYOND_BOUND` standard
    deviations.

    Attributes
    ----------
    period_s : ndarray, shape (P,)
        Periods in s, distinct and > 0.
    kind : {"impedance", "rho_phase"}
        Which quantity is inverted. ``"impedance"``: real and imaginary parts
        of the complex impedance Z (ohm), ``exp(+i omega t)``.
        ``"rho_phase"``: log10 apparent resistivity (log10 ohm m) and
        phase (degrees).
    z_ohm, z_std_ohm : ndarray, shape (P,)
        Complex impedance and the standard deviation of each of its real and
        imaginary parts (``kind="impedance"``).
    log10_rho_a, log10_rho_a_std, phase_deg, phase_std_deg : ndarray, shape (P,)
        Apparent resistivity and phase with their standard deviations
        (``kind="rho_phase"``).
    name : str
        Label of the dataset (used for its noise parameter).
    static_shift_std_log10 : float or None
        With ``kind="rho_phase"``: the site's log10 apparent resistivity may
        be shifted by an unknown constant (galvanic distortion, "static
        shift"), Gaussian with mean 0 and this std (log10 units) times the
        dataset's noise scale; the likelihood integrates the shift out
        (:mod:`bayesjoint.model.mt`). None: no static shift.
    survey : MTSurvey
        Periods and kind (derived from the fields above).
    """

    period_s: np.ndarray
    kind: str
    z_ohm: np.ndarray | None = None
    z_std_ohm: np.ndarray | None = None
    log10_rho_a: np.ndarray | None = None
    log10_rho_a_std: np.ndarray | None = None
    phase_deg: np.ndarray | None = None
    phase_std_deg: np.ndarray | None = None
    name: str = "mt"
    meta: dict = field(default_factory=dict, compare=False)
    static_shift_std_log10: float | None = None
    survey: MTSurvey = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "survey", MTSurvey(self.period_s, self.kind))
        if self.static_shift_std_log10 is not None:
            s = _positive_number("static_shift_std_log10", self.static_shift_std_log10)
            if self.kind != "rho_phase":
                raise ValueError(f"static_shift_std_log10 = {s!r}: a static shift applies to "
                                 "apparent-resistivity data (kind 'rho_phase'), not to "
                                 f"kind {self.kind!r}")
            object.__setattr__(self, "static_shift_std_log10", s)
        if self.kind == "impedance":
            check_same_length(period_s=self.period_s, z_ohm=self.z_ohm, z_std_ohm=self.z_std_ohm)
            check_finite("z_ohm.real", self.z_ohm.real)
            check_finite("z_ohm.imag", self.z_ohm.imag)
            check_positive("z_std_ohm", self.z_std_ohm)
            for part, values in (("real", self.z_ohm.real), ("imag", self.z_ohm.imag)):
                check_within_bounds(f"z_ohm.{part}", values, self.z_std_ohm, lower=0.0,
                                    unit=" ohm", why=_ONE_D_REASON)
        else:
            check_same_length(period_s=self.period_s, log10_rho_a=self.log10_rho_a,
                              log10_rho_a_std=self.log10_rho_a_std, phase_deg=self.phase_deg,
                              phase_std_deg=self.phase_std_deg)
            check_finite("log10_rho_a", self.log10_rho_a)
            check_finite("phase_deg", self.phase_deg)
            check_positive("log10_rho_a_std", self.log10_rho_a_std)
            check_positive("phase_std_deg", self.phase_std_deg)
            lo, hi = PHASE_RANGE_DEG
            check_within_bounds("phase_deg", self.phase_deg, self.phase_std_deg, lower=lo,
                                upper=hi, unit=" deg", why=_ONE_D_REASON)

    @classmethod
    def from_impedance(cls, period_s, z_ohm, z_std_ohm=None, *, rel_error=None, floor_ohm=None,
                       name="mt", meta=None):
        """Impedance data; the std is given, or ``max(rel_error |Z|, floor_ohm)``.

        Parameters
        ----------
        period_s : array_like, shape (P,)
        z_ohm : array_like complex, shape (P,)
        z_std_ohm : array_like, shape (P,), optional
            Standard deviation of each of Re Z and Im Z, ohm.
        rel_error, floor_ohm : float, optional
            Used when ``z_std_ohm`` is not given.
        """
        period_s = as_1d("period_s", period_s)
        z = as_1d("z_ohm", z_ohm, dtype=complex)
        if z_std_ohm is None:
            if rel_error is None and floor_ohm is None:
                raise ValueError("give z_std_ohm, or rel_error and/or floor_ohm")
            std = error_from_relative(z, rel_error, floor_ohm)
        else:
            std = as_1d("z_std_ohm", z_std_ohm)
        return cls(period_s, "impedance", z_ohm=z, z_std_ohm=std, name=name, meta=meta or {})

    @classmethod
    def from_rho_phase(cls, period_s, rho_a_ohm_m, phase_deg, *, log10_rho_a_std=None,
                       phase_std_deg=None, rel_error=None, phase_floor_deg=None,
                       name="mt", meta=None):
        """Apparent resistivity and phase data.

        Standard deviations are given directly, or derived from a relative
        error ``e`` of each value: ``std(rho_a) = e rho_a``, i.e.
        ``log10_rho_a_std = e / ln 10``, and ``phase_std_deg =
        max(e |phase_deg|, phase_floor_deg)``.

        Parameters
        ----------
        period_s, rho_a_ohm_m, phase_deg : array_like, shape (P,)
        log10_rho_a_std, phase_std_deg : array_like, shape (P,), optional
        rel_error : float, optional
        phase_floor_deg : float, optional
        """
        period_s = as_1d("period_s", period_s)
        rho = as_1d("rho_a_ohm_m", rho_a_ohm_m)
        phase = as_1d("phase_deg", phase_deg)
        check_positive("rho_a_ohm_m", rho)
        if log10_rho_a_std is None:
            if rel_error is None:
                raise ValueError("give log10_rho_a_std, or rel_error")
            log_std = error_from_relative(np.ones_like(rho), rel_error, None) / LN10
        else:
            log_std = as_1d("log10_rho_a_std", log10_rho_a_std)
        if phase_std_deg is None:
            if rel_error is None and phase_floor_deg is None:
                raise ValueError("give phase_std_deg, or rel_error and/or phase_floor_deg")
            ph_std = error_from_relative(phase, rel_error, phase_floor_deg)
        else:
            ph_std = as_1d("phase_std_deg", phase_std_deg)
        return cls(period_s, "rho_phase", log10_rho_a=np.log10(rho), log10_rho_a_std=log_std,
                   phase_deg=phase, phase_std_deg=ph_std, name=name, meta=meta or {})

    def with_error_floor(self, rel_error_floor):
        """The same data with their errors raised to an error floor relative to |Z|.

        The floor ``e`` has the meaning it has for EDI and EMTF-XML files
        (:func:`bayesjoint.io.mt_files.read_mt_transfer_function`): the std
        of Re Z and Im Z is at least ``e |Z|``. To first order that is a
        relative error ``2 e`` of the apparent resistivity and ``e`` radians
        of the phase, so ``kind="rho_phase"`` data get ``log10_rho_a_std >=
        2 e / ln 10`` and ``phase_std_deg >= (180 / pi) e`` (``e = 0.05``:
        0.043 in log10 rho_a, i.e. 10 % in rho_a, and 2.9 deg).

        Parameters
        ----------
        rel_error_floor : float
            ``e > 0``.

        Returns
        -------
        MTData
            ``meta["rel_error_floor"]`` records ``e``.
        """
        e = _positive_number("rel_error_floor", rel_error_floor)
        meta = {**self.meta, "rel_error_floor": e}
        if self.kind == "impedance":
            return replace(self, z_std_ohm=np.maximum(self.z_std_ohm, e * np.abs(self.z_ohm)),
                           meta=meta)
        return replace(self, log10_rho_a_std=np.maximum(self.log10_rho_a_std, 2.0 * e / LN10),
                       phase_std_deg=np.maximum(self.phase_std_deg, np.degrees(e)), meta=meta)

    def with_static_shift(self, static_shift_std_log10):
        """The same data with a static shift of this prior std (None: without one)."""
        return replace(self, static_shift_std_log10=static_shift_std_log10)

    @property
    def n_data(self):
        """Number of real data N (2 per period)."""
        return self.survey.n_data

    def observed(self):
        """Observed real vector, shape (2P,): [Re Z, Im Z] or [log10 rho_a, phase]."""
        if self.kind == "impedance":
            return np.concatenate([self.z_ohm.real, self.z_ohm.imag])
        return np.concatenate([self.log10_rho_a, self.phase_deg])

    def std(self):
        """Standard deviations matching :meth:`observed`, shape (2P,)."""
        if self.kind == "impedance":
            return np.concatenate([self.z_std_ohm, self.z_std_ohm])
        return np.concatenate([self.log10_rho_a_std, self.phase_std_deg])

    def labels(self):
        """Names of the two halves of :meth:`observed`."""
        return ("z_re_ohm", "z_im_ohm") if self.kind == "impedance" else ("log10_rho_a", "phase_deg")


def _positive_number(name, value):
    """``value`` as a float, checked finite and > 0 (ValueError naming ``name``)."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = float("nan")
    if not (np.isfinite(x) and x > 0):
        raise ValueError(f"{name} = {value!r}: must be a number > 0")
    return x
