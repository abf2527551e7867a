"""``bayesjoint forward dst | sq``: sphere responses of a layered Earth with a core.

The model CSV (``top_depth_km,sigma_s_per_m``) lists the shells from the
surface down; its LAST row is the core (its depth is the core depth).
"""

import numpy as np

from bayesjoint.commands.output import periods_argument, write_columns

_MODEL_HELP = ("CSV with header top_depth_km,sigma_s_per_m, one row per shell from the "
               "surface down; the last row is the core")


def add_dst_parser(subparsers):
    """Add ``dst`` to the sub-commands of ``bayesjoint forward``."""
    from bayesjoint.physics.constants import DEFAULT_SHELL_LAW, SHELL_LAWS

    dst = subparsers.add_parser("dst", help="Dst Q- and C-responses of one degree")
    dst.add_argument("--model", required=True, help=_MODEL_HELP)
    dst.add_argument("--periods-s", required=True, type=periods_argument,
                     help="comma-separated periods, s (1 hour to 1 year)")
    dst.add_argument("--degree", type=int, default=1, help="degree n of the source (default 1)")
    dst.add_argument("--shell-law", choices=SHELL_LAWS, default=DEFAULT_SHELL_LAW,
                     help=f"conductivity law inside each shell (default {DEFAULT_SHELL_LAW})")
    dst.add_argument("--out", help="output CSV (default: standard output)")
    dst.set_defaults(func=run_dst)


def add_sq_parser(subparsers):
    """Add ``sq`` to the sub-commands of ``bayesjoint forward``."""
    from bayesjoint.physics.constants import DEFAULT_SHELL_LAW, SHELL_LAWS

    sq = subparsers.add_parser("sq", help="Sq global-to-local transfer function of one term")
    sq.add_argument("--model", required=True, help=_MODEL_HELP)
    sq.add_argument("--periods-s", required=True, type=periods_argument,
                    help="comma-separated periods, s (1 hour to 1 year; Sq: 86400/p)")
    sq.add_argument("--n", required=True, type=int, help="degree n >= 1 of the source term")
    sq.add_argument("--m", required=True, type=int, help="order m, |m| <= n")
    sq.add_argument("--colat-deg", required=True, type=float,
                    help="geographic colatitude of the site, in (0, 180) degrees")
    sq.add_argument("--lon-deg", required=True, type=float, help="east longitude, degrees")
    sq.add_argument("--shell-law", choices=SHELL_LAWS, default=DEFAULT_SHELL_LAW,
                    help=f"conductivity law inside each shell (default {DEFAULT_SHELL_LAW})")
    sq.add_argument("--out", help="output CSV (default: standard output)")
    sq.set_defaults(func=run_sq)


def _mantle_and_core(path, period_s):
    """The mantle rows as a LayeredEarth, and the core's depth (km) and conductivity (S/m).

    Checks that the response of ``period_s`` fits in memory, and warns about
    a core that conducts less than the shell above it.
    """
    from bayesjoint.data.geomag import check_core_below_layers
    from bayesjoint.earth import LayeredEarth
    from bayesjoint.io.csv_files import read_conductivity_model_csv
    from bayesjoint.resources import check_forward_size

    top, sigma = read_conductivity_model_csv(path)
    if top.size < 2:
        raise ValueError(f"{path}: needs at least two rows, the shells and the core (last row)")
    check_forward_size(f"--periods-s with {period_s.size} periods", period_s.size, top.size)
    check_core_below_layers(top[:-1], sigma[:-1], top[-1], sigma[-1])
    return LayeredEarth.from_layers(top[:-1], sigma[:-1]), float(top[-1]), float(sigma[-1])


def run_dst(args):
    """Columns ``period_s,q_re,q_im,c_re_km,c_im_km``."""
    from bayesjoint.data import DstSurvey, complex_from_parts
    from bayesjoint.data.geomag import check_geomag_periods
    from bayesjoint.model.geomag import predict_dst
    from bayesjoint.physics.sphere import c_from_q

    p = args.periods_s
    check_geomag_periods("--periods-s", p)
    earth, core_depth_km, core_sigma = _mantle_and_core(args.model, p)
    survey = DstSurvey(p, "q", args.degree, args.shell_law, core_depth_km, core_sigma)
    q = complex_from_parts(predict_dst(earth, survey))
    c = np.asarray(c_from_q(q, args.degree))
    write_columns({"period_s": p, "q_re": q.real, "q_im": q.imag, "c_re_km": c.real,
                   "c_im_km": c.imag}, args.out)
    return 0


def run_sq(args):
    """Columns ``period_s,t_re,t_im``."""
    from bayesjoint.data import SqSurvey, complex_from_parts
    from bayesjoint.data.geomag import check_geomag_periods
    from bayesjoint.model.geomag import predict_sq

    p = args.periods_s
    check_geomag_periods("--periods-s", p)
    earth, core_depth_km, core_sigma = _mantle_and_core(args.model, p)
    survey = SqSurvey(p, args.n, args.m, args.colat_deg, args.lon_deg, args.shell_law,
                      core_depth_km, core_sigma)
    t = complex_from_parts(predict_sq(earth, survey))
    write_columns({"period_s": p, "t_re": t.real, "t_im": t.imag}, args.out)
    return 0
