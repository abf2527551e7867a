"""``bayesjoint forward mt``: MT impedance, apparent resistivity and phase."""

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
    from bayesjoint.data import MTSurvey, check_periods, complex_from_parts
    from bayesjoint.earth import LayeredEarth
    from bayesjoint.io.csv_files import read_conductivity_model_csv
    from bayesjoint.model.mt import predict_mt
    from bayesjoint.physics.mt import apparent_resistivity_phase
    from bayesjoint.resources import check_forward_size

    top, sigma = read_conductivity_model_csv(args.model)
    check_periods("--periods-s", args.periods_s)
    check_forward_size(f"--periods-s with {args.periods_s.size} periods", args.periods_s.size,
                       top.size)
    survey = MTSurvey(args.periods_s, "impedance")
    z = complex_from_parts(predict_mt(LayeredEarth.from_layers(top, sigma), survey))
    rho_a, phase = apparent_resistivity_phase(survey.period_s, z)
    write_columns({"period_s": survey.period_s, "z_re_ohm": z.real, "z_im_ohm": z.imag,
                   "rho_a_ohm_m": rho_a, "phase_deg": phase}, args.out)
    return 0
