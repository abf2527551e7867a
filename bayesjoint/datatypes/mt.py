"""Magnetotelluric transfer functions of one site."""

from bayesjoint.data.mt import MTData, MTSurvey
from bayesjoint.datatypes.base import DataType, period_axis


def predict(earth, survey, active_only=False):
    """:func:`bayesjoint.model.mt.predict_mt`."""
    from bayesjoint.model.mt import predict_mt

    return predict_mt(earth, survey, active_only)


def log_likelihood(observed, std, predicted, noise_scale, data):
    """:func:`bayesjoint.model.mt.mt_log_likelihood` (with the static shift when set)."""
    from bayesjoint.model.mt import mt_log_likelihood

    return mt_log_likelihood(observed, std, predicted, noise_scale, data)


def numpyro_likelihood(name, predicted, data, noise_scale, spec):
    """:func:`bayesjoint.model.mt.mt_numpyro_likelihood`."""
    from bayesjoint.model.mt import mt_numpyro_likelihood

    mt_numpyro_likelihood(name, predicted, data, noise_scale, spec)


def load(table):
    """:func:`bayesjoint.io.datasets.load_mt` (CSV, EDI or EMTF-XML)."""
    from bayesjoint.io.datasets import load_mt

    return load_mt(table)


def plot_fit(data, envelope, *, axes=None):
    """:func:`bayesjoint.plotting.datafit.plot_period_pair_fit`."""
    from bayesjoint.plotting.datafit import plot_period_pair_fit

    return plot_period_pair_fit(data, envelope, axes=axes)


def add_forward_parser(subparsers):
    """``bayesjoint forward mt``."""
    from bayesjoint.commands.forward_mt import add_parsers

    add_parsers(subparsers)


MT = DataType(
    name="mt", survey_class=MTSurvey, data_class=MTData, predict=predict,
    config_keys=frozenset({"type", "file", "name", "component", "kind", "rel_error_floor",
                           "static_shift_std_log10"}),
    load=load, data_axis=period_axis, plot_fit=plot_fit, log_likelihood=log_likelihood,
    numpyro_likelihood=numpyro_likelihood, add_forward_parser=add_forward_parser)
"""Descriptor of MT data."""
