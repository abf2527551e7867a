"""Magnetotelluric transfer functions of one site."""

from bayesjoint.data.mt import MTData, MTSurvey
from bayesjoint.datatypes.base import DataType, period_axis


def predict(earth, survey, active_only=False):
    """:func:`bayesjoint.model.mt.predict_mt`."""
    from bayesjoint.model.mt import predict_mt

    return predict_mt(earth, survey, active_only)


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
    config_keys=frozenset({"type", "file", "name", "component", "kind", "rel_error_floor"}),
    load=load, data_axis=period_axis, plot_fit=plot_fit, add_forward_parser=add_forward_parser)
"""Descriptor of MT data."""
