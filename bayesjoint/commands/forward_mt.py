"""``bayesjoint forward mt``: MT impedance, apparent resistivity and phase."""

import numpy as np

from bayesjoint.commands.output import periods_argument, write_columns


def add_parsers(subparsers):
    p = subparsers.add_parser("mt", help="MT impedance, apparent resistivity and phase")
    p.add_argument("--model", required=True,
                   help="CSV with header top_depth_km,sigma_s_per_m (last row: half-space)")
    p.add_argument("--periods-s", required=True, type=periods_argument,
                   help="comma-separated periods, s")
    p.add_argument("--out", help="output CSV (default: standard output)")
    p.set_defaults(func=run)


def run(args):
    """Columns ``period_s,z_re_ohm,z_im_ohm,rho_a_ohm_m,phase_deg``."""
    from bayesjoint.data import check_periods
    from bayesjoint.earth import LayeredEarth
    from bayesjoint.io.csv_files import read_conductivity_model_csv
    from bayesjoint.physics import mt
    from bayesjoint.resources import check_forward_size

    top, sigma = read_conductivity_model_csv(args.model)
    check_periods("--periods-s", args.periods_s)
    check_forward_size(f"--periods-s with {args.periods_s.size} periods", args.periods_s.size,
                       top.size)
    thickness_m, sig = LayeredEarth.from_layers(top, sigma).sigma_stack()
    res = mt.forward(args.periods_s, thickness_m, sig)
    write_columns({"period_s": args.periods_s, "z_re_ohm": np.real(res["z_ohm"]),
                   "z_im_ohm": np.imag(res["z_ohm"]), "rho_a_ohm_m": res["rho_a_ohm_m"],
                   "phase_deg": res["phase_deg"]}, args.out)
    return 0
