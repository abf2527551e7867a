"""``bayesjoint forward rf``: the P receiver function of a layered model."""

import argparse

from bayesjoint.commands.output import write_columns
from bayesjoint.data.checks import renamed_message
from bayesjoint.data.rf import RF_NORMALIZATIONS

RENAMED_FLAGS = {"--gauss": "--gauss-rad-s", "--dt": "--dt-s"}
"""Former options of ``bayesjoint forward rf`` and the options that replaced them."""


class _Renamed(argparse.Action):
    """A former option: refused with a usage error naming its replacement."""

    def __call__(self, parser, namespace, values, option_string=None):
        parser.error(renamed_message(option_string, RENAMED_FLAGS))


def add_parsers(subparsers):
    p = subparsers.add_parser(
        "rf", help="P receiver function (radial over vertical) of a layered model",
        description="P receiver function of flat layers (Earth-flattened by default). "
                    "A ray parameter in s/deg is converted with 180 / (pi 6371 km) per degree.")
    p.add_argument("--model", required=True,
                   help="CSV with header top_depth_km,vp_km_s,vs_km_s,rho_g_cm3 "
                        "(last row: half-space)")
    ray = p.add_mutually_exclusive_group(required=True)
    ray.add_argument("--slowness-s-deg", type=float, help="ray parameter, s/deg")
    ray.add_argument("--ray-parameter-s-km", type=float, help="ray parameter, s/km")
    p.add_argument("--gauss-rad-s", required=True, type=float,
                   help="Gaussian parameter a in rad/s, G = exp(-omega^2 / (4 a^2))")
    p.add_argument("--dt-s", required=True, type=float, help="sample interval, s")
    p.add_argument("--npts", required=True, type=int, help="number of samples")
    p.add_argument("--shift-s", required=True, type=float,
                   help="record time of the direct P, s (time_s = n dt - shift)")
    p.add_argument("--flatten", action=argparse.BooleanOptionalAction, default=True,
                   help="Earth-flatten the layers first (default: yes)")
    p.add_argument("--normalize", choices=RF_NORMALIZATIONS, default="peak",
                   help="peak: unit-peak pulse (default); area: unit-area pulse, 1/s; "
                        "sum: unit-sum discrete pulse")
    p.add_argument("--out", help="output CSV (default: standard output)")
    for flag in RENAMED_FLAGS:
        # Spelled out, a former option would otherwise be taken as an
        # abbreviation of its replacement.
        p.add_argument(flag, action=_Renamed, nargs="?", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def run(args):
    """Columns ``time_s,rf``; ``ValueError`` (exit code 2) on invalid input."""
    import numpy as np

    from bayesjoint.data import RFSurvey, ray_parameter_s_km_from_s_deg
    from bayesjoint.io.seismic_files import read_velocity_model_csv
    from bayesjoint.model.rf import receiver_functions
    from bayesjoint.physics.rf import check_evanescent, check_npts, ps_delay_s
    from bayesjoint.resources import check_forward_size

    if args.npts < 2:
        raise ValueError(f"--npts = {args.npts}: must be >= 2")
    top, vp, vs, rho = read_velocity_model_csv(args.model)
    check_forward_size(f"--npts = {args.npts} samples", args.npts, top.size)
    if args.slowness_s_deg is not None:
        p = float(ray_parameter_s_km_from_s_deg(args.slowness_s_deg))
        p_text = f"--slowness-s-deg = {args.slowness_s_deg:g}"
    else:
        p = args.ray_parameter_s_km
        p_text = f"--ray-parameter-s-km = {p:g}"
    if not (np.isfinite(p) and p >= 0):
        raise ValueError(f"{p_text}: the ray parameter must be finite and >= 0")
    for flag, value in (("--gauss-rad-s", args.gauss_rad_s), ("--dt-s", args.dt_s)):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{flag} = {value:g}: must be finite and > 0")
    duration = args.npts * args.dt_s
    if not (np.isfinite(args.shift_s) and 0 <= args.shift_s < duration):
        raise ValueError(f"--shift-s = {args.shift_s:g}: the direct P must lie on the record, "
                         f"0 <= shift < npts * dt = {duration:g} s")
    check_evanescent(p, vp[-1], f"the model's half-space ({p_text})")
    thickness = np.diff(top)
    if thickness.size:
        delay = ps_delay_s(thickness, vp, vs, p, earth_flattening=args.flatten)
        check_npts(args.npts, args.dt_s, args.shift_s, delay, args.gauss_rad_s,
                   f"the Ps conversion from the half-space top at {float(top[-1]):g} km")
    survey = RFSurvey(p, args.gauss_rad_s, args.dt_s, args.npts, args.shift_s, args.normalize,
                      args.flatten)
    trace = receiver_functions(thickness, vp, vs, rho, survey)[0]
    write_columns({"time_s": survey.time_s(), "rf": np.asarray(trace)}, args.out)
    return 0
