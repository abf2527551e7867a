"""Geomagnetic depth-sounding data: Dst Q/C-responses and Sq transfer functions.

Both containers describe responses of a radially layered sphere with a
conducting core (:mod:`bayesjoint.physics.sphere`); the mantle is the shared
layered Earth, whose last active layer extends down to the core at
``core_depth_km``. Complex values use ``exp(+i omega t)`` (``Im Q > 0``,
``Re C > 0``, ``Im C < 0``) and enter the likelihood as real and imaginary
parts, each with the stated standard deviation.

:class:`DstSurvey` and :class:`SqSurvey` state what was measured and how
(periods, degree and order, site, core, shell law); :class:`DstData` and
:class:`SqData` add the observed values and their standard deviations, and
expose their survey as ``data.survey``.
"""

from dataclasses import dataclass, field

import numpy as np

from bayesjoint.data.checks import (as_1d, check_finite, check_periods, check_positive,
                                    check_same_length, check_within_bounds, error_from_relative,
                                    warn_implausible)
from bayesjoint.physics.constants import (DEFAULT_SHELL_LAW, GEOMAGNETIC_REFERENCE_RADIUS_KM,
                                          SHELL_LAWS)

DST_KINDS = ("q", "c")
"""``"q"``: global Q-response (dimensionless); ``"c"``: C-response in km."""

PERIOD_RANGE_S = (3600.0, 365.25 * 86400.0)
"""Periods accepted for geomagnetic sounding data, s: 1 hour to 1 year, inside
the range where the sphere responses are validated."""

MAX_DEGREE = 12
"""Largest spherical-harmonic degree accepted (validated range of the physics)."""

DEFAULT_CORE_DEPTH_KM = 2890.0
"""Depth of the core-mantle boundary, km."""

DEFAULT_CORE_SIGMA_S_PER_M = 5e5
"""Conductivity of the core, S/m."""

PLAUSIBLE_CORE_DEPTH_KM = 1000.0
"""Shallowest plausible core depth, km: a core above it (the core-mantle
boundary lies near 2890 km) gives a warning."""

PLAUSIBLE_CORE_SIGMA_S_PER_M = 1e3
"""Lowest plausible core conductivity, S/m (the outer core has about
1e5-1e6 S/m): a lower one gives a warning."""

_SIGN_REASON = ("with exp(+i omega t) every radially layered Earth has Re C >= 0, Im C <= 0 "
                "and Im Q >= 0 (docs/conventions.md)")


def check_geomag_periods(name, period_s, *, distinct=True):
    """Periods that are finite, > 0 and within :data:`PERIOD_RANGE_S`.

    Parameters
    ----------
    name : str
        Name of the field for the error message.
    period_s : ndarray, shape (P,)
    distinct : bool
        Whether a period may appear only once.
    """
    if distinct:
        check_periods(name, period_s)
    else:
        check_positive(name, period_s)
    lo, hi = PERIOD_RANGE_S
    bad = (period_s < lo) | (period_s > hi)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name}[{i}] = {float(period_s[i])!r} s: outside the stable range of the sphere "
            f"responses, {lo:g} s (1 hour) to {hi:g} s (1 year)")


def check_degree_order(degree, order):
    """Integer spherical-harmonic degree ``1 <= n <= MAX_DEGREE`` and order ``|m| <= n``.

    Parameters
    ----------
    degree, order : int or numeric ndarray, shape (P,)
    """
    n = np.atleast_1d(np.asarray(degree))
    m = np.atleast_1d(np.asarray(order))
    for label, x in (("n", n), ("m", m)):
        x = np.asarray(x, dtype=float)
        check_finite(f"{label}", x)
        bad = x != np.round(x)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{label}[{i}] = {float(x[i])!r}: must be an integer")
    bad = (n < 1) | (n > MAX_DEGREE)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"n[{i}] = {int(n[i])}: degree must satisfy 1 <= n <= {MAX_DEGREE}")
    bad = np.abs(m) > n
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"m[{i}] = {int(m[i])} with n = {int(n[i])}: order must satisfy "
                         "|m| <= n")


def check_colatitude(colat_deg):
    """Colatitude strictly between 0 and 180 degrees."""
    c = float(colat_deg)
    if not (np.isfinite(c) and 0.0 < c < 180.0):
        raise ValueError(f"colat_deg = {c!r}: colatitude must lie in (0, 180) degrees")


def check_sphere_settings(shell_law, core_depth_km, core_sigma_s_per_m):
    """Shell law, core depth (0 < depth < a) and core conductivity (> 0).

    A core shallower than :data:`PLAUSIBLE_CORE_DEPTH_KM` or less conductive
    than :data:`PLAUSIBLE_CORE_SIGMA_S_PER_M` gives a ``UserWarning`` naming
    the value.
    """
    if shell_law not in SHELL_LAWS:
        raise ValueError(f"shell_law = {shell_law!r}: allowed values are {SHELL_LAWS}")
    d = float(core_depth_km)
    if not (np.isfinite(d) and 0.0 < d < GEOMAGNETIC_REFERENCE_RADIUS_KM):
        raise ValueError(f"core_depth_km = {d!r}: must lie in "
                         f"(0, {GEOMAGNETIC_REFERENCE_RADIUS_KM}) km")
    s = float(core_sigma_s_per_m)
    if not (np.isfinite(s) and s > 0):
        raise ValueError(f"core_sigma_s_per_m = {s!r}: conductivity must be finite and > 0 S/m")
    if d < PLAUSIBLE_CORE_DEPTH_KM:
        warn_implausible(f"core_depth_km = {d:g} km: implausibly shallow for the Earth's core "
                         f"(core-mantle boundary near {DEFAULT_CORE_DEPTH_KM:g} km; expected "
                         f">= {PLAUSIBLE_CORE_DEPTH_KM:g} km)")
    if s < PLAUSIBLE_CORE_SIGMA_S_PER_M:
        warn_implausible(f"core_sigma_s_per_m = {s:g} S/m: implausibly low for the Earth's core "
                         f"(about 1e5-1e6 S/m; expected >= {PLAUSIBLE_CORE_SIGMA_S_PER_M:g} S/m)")


def check_core_below_layers(top_depth_km, sigma_s_per_m, core_depth_km, core_sigma_s_per_m):
    """A core that lies below every layer of a model, and conducts better than the last.

    Parameters
    ----------
    top_depth_km, sigma_s_per_m : ndarray, shape (K,)
        Layer tops (km, increasing) and conductivities (S/m) of the mantle.
    core_depth_km, core_sigma_s_per_m : float

    Raises
    ------
    ValueError
        If a layer top lies at or below the core.

    Warns
    -----
    UserWarning
        If the core conducts less than the deepest layer above it.
    """
    deepest = float(np.max(top_depth_km))
    if deepest >= core_depth_km:
        raise ValueError(f"core_depth_km = {float(core_depth_km):g}: the core must lie below "
                         f"every layer, but a layer starts at {deepest:g} km")
    above = float(np.asarray(sigma_s_per_m)[np.argmax(top_depth_km)])
    if core_sigma_s_per_m < above:
        warn_implausible(f"core_sigma_s_per_m = {float(core_sigma_s_per_m):g} S/m is below the "
                         f"{above:g} S/m of the layer above it (from {deepest:g} km): "
                         "implausible for the core")


@dataclass(frozen=True, eq=False)
class DstSurvey:
    """What a Dst sounding measured: periods and source degree, and the sphere it sees.

    Attributes
    ----------
    period_s : ndarray, shape (P,)
        Periods in s, distinct, within :data:`PERIOD_RANGE_S`.
    kind : {"q", "c"}
        Layout of data and predictions, shape (2P,): ``[Re Q_n, Im Q_n]``
        (dimensionless) or ``[Re C_n, Im C_n]`` in km.
    degree : int
        Spherical-harmonic degree n of the source (1 for Dst, geomagnetic
        coordinates).
    shell_law : {"quadratic", "constant"}
        Conductivity law inside each shell (``sigma ~ r^-2`` or constant;
        they differ by about 0.1 % in Q_1).
    core_depth_km : float
        Depth of the core, km; the deepest layer of a model extends to it.
    core_sigma_s_per_m : float
        Core conductivity, S/m.
    """

    period_s: np.ndarray
    kind: str = "q"
    degree: int = 1
    shell_law: str = DEFAULT_SHELL_LAW
    core_depth_km: float = DEFAULT_CORE_DEPTH_KM
    core_sigma_s_per_m: float = DEFAULT_CORE_SIGMA_S_PER_M

    def __post_init__(self):
        if self.kind not in DST_KINDS:
            raise ValueError(f"kind = {self.kind!r}: allowed values are {DST_KINDS}")
        object.__setattr__(self, "period_s", as_1d("period_s", self.period_s))
        check_geomag_periods("period_s", self.period_s)
        if not (float(self.degree) == int(self.degree) and 1 <= self.degree <= MAX_DEGREE):
            raise ValueError(f"degree = {self.degree!r}: must be an integer with "
                             f"1 <= n <= {MAX_DEGREE}")
        check_sphere_settings(self.shell_law, self.core_depth_km, self.core_sigma_s_per_m)

    @property
    def n_data(self):
        """Number of real data N (2 per period)."""
        return 2 * self.period_s.size


@dataclass(frozen=True, eq=False)
class SqSurvey:
    """What an Sq sounding measured: source terms at one site, and the sphere it sees.

    Attributes
    ----------
    period_s : ndarray, shape (P,)
        Period of each term in s (24/p hours for the Sq harmonics), within
        :data:`PERIOD_RANGE_S`; a period may repeat for different terms.
    degree, order : int ndarray, shape (P,)
        Degree ``1 <= n <= 12`` and order ``|m| <= n`` of each term (a
        single value applies to every period).
    colat_deg : float
        Geographic colatitude of the site in (0, 180) degrees.
    lon_deg : float
        East longitude of the site, degrees.
    shell_law, core_depth_km, core_sigma_s_per_m
        As for :class:`DstSurvey`.

    Data and predictions are ``[Re T, Im T]``, shape (2P,).
    """

    period_s: np.ndarray
    degree: np.ndarray
    order: np.ndarray
    colat_deg: float
    lon_deg: float
    shell_law: str = DEFAULT_SHELL_LAW
    core_depth_km: float = DEFAULT_CORE_DEPTH_KM
    core_sigma_s_per_m: float = DEFAULT_CORE_SIGMA_S_PER_M

    def __post_init__(self):
        period_s = as_1d("period_s", self.period_s)
        n, m = as_1d("n", self.degree), as_1d("m", self.order)
        n = np.full(period_s.shape, n[0]) if n.size == 1 else n
        m = np.full(period_s.shape, m[0]) if m.size == 1 else m
        check_same_length(period_s=period_s, n=n, m=m)
        check_geomag_periods("period_s", period_s, distinct=False)
        check_degree_order(n, m)
        check_colatitude(self.colat_deg)
        if not np.isfinite(self.lon_deg):
            raise ValueError(f"lon_deg = {float(self.lon_deg)!r}: must be finite")
        check_sphere_settings(self.shell_law, self.core_depth_km, self.core_sigma_s_per_m)
        keys = list(zip(period_s.tolist(), n.tolist(), m.tolist()))
        if len(set(keys)) != len(keys):
            dup = next(k for k in keys if keys.count(k) > 1)
            raise ValueError(f"the term (period_s, n, m) = {dup} appears more than once")
        for name, value in (("period_s", period_s), ("degree", n.astype(int)),
                            ("order", m.astype(int)), ("colat_deg", float(self.colat_deg)),
                            ("lon_deg", float(self.lon_deg))):
            object.__setattr__(self, name, value)

    @property
    def n_data(self):
        """Number of real data N (2 per term)."""
        return 2 * self.period_s.size


def _std(name, value, std, rel_error, floor):
    if std is None:
        if rel_error is None and floor is None:
            raise ValueError(f"give {name}, or rel_error and/or a floor")
        return error_from_relative(value, rel_error, floor)
    return as_1d(name, std)


@dataclass(frozen=True)
class DstData:
    """Dst responses: global Q-responses or local C-responses of one degree.

    Build with :meth:`from_q` or :meth:`from_c`.

    Responses that no radially layered Earth can give (``Im Q < 0``,
    ``Re C < 0``, ``Im C > 0`` by more than
    :data:`~bayesjoint.data.checks.N_STD_BEYOND_BOUND` standard deviations)
    are rejected; an implausible core (:func:`check_sphere_settings`) gives a
    warning.

    Attributes
    ----------
    period_s : ndarray, shape (P,)
        Periods in s, distinct, within :data:`PERIOD_RANGE_S`.
    kind : {"q", "c"}
        ``"q"``: Q_n, the ratio of internal to external potential
        coefficients (dimensionless); ``"c"``: C_n in km (from Z/H or from
        Q_n, Olsen 1999).
    q, q_std : ndarray, shape (P,)
        Complex Q_n and the std of each of its real and imaginary parts
        (``kind="q"``).
    c_km, c_std_km : ndarray, shape (P,)
        Complex C_n in km and the std of each part, km (``kind="c"``).
    degree : int
        Spherical-harmonic degree n of the source (1 for Dst, geomagnetic
        coordinates).
    shell_law : {"quadratic", "constant"}
        Conductivity law inside each shell (default ``"quadratic"``,
        ``sigma ~ r^-2``; the two differ by about 0.1 % in Q_1).
    core_depth_km : float
        Depth of the core; the deepest layer of the model extends to it.
    core_sigma_s_per_m : float
        Core conductivity, S/m.
    name : str
    survey : DstSurvey
        Periods, kind, degree, shell law and core (derived from the fields above).
    """

    period_s: np.ndarray
    kind: str
    q: np.ndarray | None = None
    q_std: np.ndarray | None = None
    c_km: np.ndarray | None = None
    c_std_km: np.ndarray | None = None
    degree: int = 1
    shell_law: str = DEFAULT_SHELL_LAW
    core_depth_km: float = DEFAULT_CORE_DEPTH_KM
    core_sigma_s_per_m: float = DEFAULT_CORE_SIGMA_S_PER_M
    name: str = "dst"
    meta: dict = field(default_factory=dict, compare=False)
    survey: DstSurvey = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "survey", DstSurvey(
            self.period_s, self.kind, self.degree, self.shell_law, self.core_depth_km,
            self.core_sigma_s_per_m))
        if self.kind == "q":
            value, std, vname, sname = self.q, self.q_std, "q", "q_std"
        else:
            value, std, vname, sname = self.c_km, self.c_std_km, "c_km", "c_std_km"
        if value is None or std is None:
            raise ValueError(f"kind = {self.kind!r} needs {vname} and {sname}")
        check_same_length(**{"period_s": self.period_s, vname: value, sname: std})
        check_finite(f"{vname}.real", value.real)
        check_finite(f"{vname}.imag", value.imag)
        check_positive(sname, std)
        if self.kind == "q":
            check_within_bounds("q.imag", value.imag, std, lower=0.0, why=_SIGN_REASON)
        else:
            check_within_bounds("c_km.real", value.real, std, lower=0.0, unit=" km",
                                why=_SIGN_REASON)
            check_within_bounds("c_km.imag", value.imag, std, upper=0.0, unit=" km",
                                why=_SIGN_REASON)

    @classmethod
    def from_q(cls, period_s, q, q_std=None, *, rel_error=None, floor=None, degree=1,
               shell_law=DEFAULT_SHELL_LAW, core_depth_km=DEFAULT_CORE_DEPTH_KM,
               core_sigma_s_per_m=DEFAULT_CORE_SIGMA_S_PER_M, name="dst", meta=None):
        """Q-response data; the std is given, or ``max(rel_error |Q|, floor)``.

        Parameters
        ----------
        period_s : array_like, shape (P,)
        q : array_like complex, shape (P,)
        q_std : array_like, shape (P,), optional
            Standard deviation of each of Re Q and Im Q.
        rel_error, floor : float, optional
            Used when ``q_std`` is not given.
        degree, shell_law, core_depth_km, core_sigma_s_per_m, name
            See the class attributes.
        """
        q = as_1d("q", q, dtype=complex)
        std = _std("q_std", q, q_std, rel_error, floor)
        return cls(as_1d("period_s", period_s), "q", q=q, q_std=std, degree=int(degree),
                   shell_law=shell_law, core_depth_km=float(core_depth_km),
                   core_sigma_s_per_m=float(core_sigma_s_per_m), name=name, meta=meta or {})

    @classmethod
    def from_c(cls, period_s, c_km, c_std_km=None, *, rel_error=None, floor_km=None, degree=1,
               shell_law=DEFAULT_SHELL_LAW, core_depth_km=DEFAULT_CORE_DEPTH_KM,
               core_sigma_s_per_m=DEFAULT_CORE_SIGMA_S_PER_M, name="dst", meta=None):
        """C-response data in km; the std is given, or ``max(rel_error |C|, floor_km)``.

        Parameters
        ----------
        period_s : array_like, shape (P,)
        c_km : array_like complex, shape (P,)
        c_std_km : array_like, shape (P,), optional
            Standard deviation of each of Re C and Im C, km.
        rel_error, floor_km : float, optional
            Used when ``c_std_km`` is not given.
        degree, shell_law, core_depth_km, core_sigma_s_per_m, name
            See the class attributes.
        """
        c = as_1d("c_km", c_km, dtype=complex)
        std = _std("c_std_km", c, c_std_km, rel_error, floor_km)
        return cls(as_1d("period_s", period_s), "c", c_km=c, c_std_km=std, degree=int(degree),
                   shell_law=shell_law, core_depth_km=float(core_depth_km),
                   core_sigma_s_per_m=float(core_sigma_s_per_m), name=name, meta=meta or {})

    @property
    def n_data(self):
        """Number of real data N (2 per period)."""
        return self.survey.n_data

    def values(self):
        """The complex responses, shape (P,): Q_n or C_n in km."""
        return self.q if self.kind == "q" else self.c_km

    def observed(self):
        """Observed real vector, shape (2P,): [Re, Im] of Q_n or C_n (km)."""
        v = self.values()
        return np.concatenate([v.real, v.imag])

    def std(self):
        """Standard deviations matching :meth:`observed`, shape (2P,)."""
        s = self.q_std if self.kind == "q" else self.c_std_km
        return np.concatenate([s, s])

    def labels(self):
        """Names of the two halves of :meth:`observed`."""
        return ("q_re", "q_im") if self.kind == "q" else ("c_re_km", "c_im_km")


@dataclass(frozen=True)
class SqData:
    """Sq global-to-local transfer functions at one site.

    One datum per source term: the vertical field of a unit external
    coefficient of degree n and order m at the given period,
    ``T = [n - (n+1) Q_n] P_n^|m|(cos theta) exp(i m phi)`` (Schmucker 1985;
    Olsen 1999; Schmidt semi-normalised, no Condon-Shortley phase),
    dimensionless, geographic coordinates.

    Build with :meth:`from_transfer_function`.

    Attributes
    ----------
    period_s : ndarray, shape (P,)
        Periods in s (24/p hours for the Sq harmonics), within
        :data:`PERIOD_RANGE_S`; a period may repeat for different terms.
    degree, order : int ndarray, shape (P,)
        Degree ``1 <= n <= 12`` and order ``|m| <= n`` of each term.
    transfer_function : complex ndarray, shape (P,)
        Transfer function ``T`` of each term, dimensionless.
    transfer_function_std : ndarray, shape (P,)
        Standard deviation of each of Re T and Im T, dimensionless.
    colat_deg : float
        Geographic colatitude of the site in (0, 180) degrees.
    lon_deg : float
        East longitude of the site, degrees.
    shell_law, core_depth_km, core_sigma_s_per_m, name
        As for :class:`DstData`.
    survey : SqSurvey
        Terms, site, shell law and core (derived from the fields above).
    """

    period_s: np.ndarray
    degree: np.ndarray
    order: np.ndarray
    transfer_function: np.ndarray
    transfer_function_std: np.ndarray
    colat_deg: float
    lon_deg: float
    shell_law: str = DEFAULT_SHELL_LAW
    core_depth_km: float = DEFAULT_CORE_DEPTH_KM
    core_sigma_s_per_m: float = DEFAULT_CORE_SIGMA_S_PER_M
    name: str = "sq"
    meta: dict = field(default_factory=dict, compare=False)
    survey: SqSurvey = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        check_same_length(period_s=self.period_s, n=self.degree, m=self.order,
                          transfer_function=self.transfer_function,
                          transfer_function_std=self.transfer_function_std)
        object.__setattr__(self, "survey", SqSurvey(
            self.period_s, self.degree, self.order, self.colat_deg, self.lon_deg,
            self.shell_law, self.core_depth_km, self.core_sigma_s_per_m))
        check_finite("transfer_function.real", self.transfer_function.real)
        check_finite("transfer_function.imag", self.transfer_function.imag)
        check_positive("transfer_function_std", self.transfer_function_std)

    @classmethod
    def from_transfer_function(cls, period_s, degree, order, transfer_function,
                               transfer_function_std=None, *, colat_deg, lon_deg,
                               rel_error=None, floor=None,
                               shell_law=DEFAULT_SHELL_LAW, core_depth_km=DEFAULT_CORE_DEPTH_KM,
                               core_sigma_s_per_m=DEFAULT_CORE_SIGMA_S_PER_M, name="sq",
                               meta=None):
        """Transfer-function data; the std is given, or ``max(rel_error |T|, floor)``.

        Parameters
        ----------
        period_s : array_like, shape (P,)
        degree, order : array_like of int, shape (P,) (a scalar applies to all)
        transfer_function : array_like complex, shape (P,)
            Transfer function ``T`` of each term, dimensionless.
        transfer_function_std : array_like, shape (P,), optional
            Standard deviation of each of Re T and Im T, dimensionless.
        colat_deg, lon_deg : float
            Site colatitude and east longitude, degrees.
        rel_error, floor : float, optional
            Used when ``transfer_function_std`` is not given.
        shell_law, core_depth_km, core_sigma_s_per_m, name
            See :class:`DstData`.
        """
        period_s = as_1d("period_s", period_s)
        transfer_function = as_1d("transfer_function", transfer_function, dtype=complex)
        n, m = as_1d("n", degree), as_1d("m", order)
        n = np.full(period_s.shape, n[0]) if n.size == 1 else n
        m = np.full(period_s.shape, m[0]) if m.size == 1 else m
        check_same_length(period_s=period_s, n=n, m=m, transfer_function=transfer_function)
        check_degree_order(n, m)
        std = _std("transfer_function_std", transfer_function, transfer_function_std, rel_error,
                   floor)
        return cls(period_s, n.astype(int), m.astype(int), transfer_function, std,
                   float(colat_deg), float(lon_deg), shell_law=shell_law,
                   core_depth_km=float(core_depth_km),
                   core_sigma_s_per_m=float(core_sigma_s_per_m), name=name, meta=meta or {})

    @property
    def n_data(self):
        """Number of real data N (2 per term)."""
        return self.survey.n_data

    def observed(self):
        """Observed real vector, shape (2P,): [Re T, Im T]."""
        return np.concatenate([self.transfer_function.real, self.transfer_function.imag])

    def std(self):
        """Standard deviations matching :meth:`observed`, shape (2P,)."""
        return np.concatenate([self.transfer_function_std, self.transfer_function_std])

    def labels(self):
        """Names of the two halves of :meth:`observed`."""
        return ("t_re", "t_im")
