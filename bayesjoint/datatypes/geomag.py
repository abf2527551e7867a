"""Geomagnetic depth sounding: Dst Q/C-responses and Sq transfer functions."""

from bayesjoint.data.geomag import DstData, DstSurvey, SqData, SqSurvey
from bayesjoint.datatypes.base import DataType, check_core_below_prior, period_axis


def predict_dst(earth, survey, active_only=False):
    """:func:`bayesjoint.model.geomag.predict_dst`."""
    from bayesjoint.model.geomag import predict_dst as predict

    return predict(earth, survey, active_only)


def predict_sq(earth, survey, active_only=False):
    """:func:`bayesjoint.model.geomag.predict_sq`."""
    from bayesjoint.model.geomag import predict_sq as predict

    return predict(earth, survey, active_only)


def load_dst(table):
    """:func:`bayesjoint.io.geomag_files.load_dst`."""
    from bayesjoint.io.geomag_files import load_dst as load

    return load(table)


def load_sq(table):
    """:func:`bayesjoint.io.geomag_files.load_sq`."""
    from bayesjoint.io.geomag_files import load_sq as load

    return load(table)


def plot_dst_fit(data, envelope, *, axes=None):
    """:func:`bayesjoint.plotting.datafit.plot_period_pair_fit`."""
    from bayesjoint.plotting.datafit import plot_period_pair_fit

    return plot_period_pair_fit(data, envelope, axes=axes)


def plot_sq_fit(data, envelope, *, axes=None):
    """:func:`bayesjoint.plotting.datafit.plot_sq_fit`."""
    from bayesjoint.plotting.datafit import plot_sq_fit as plot

    return plot(data, envelope, axes=axes)


def add_dst_parser(subparsers):
    """``bayesjoint forward dst``."""
    from bayesjoint.commands.forward_geomag import add_dst_parser as add

    add(subparsers)


def add_sq_parser(subparsers):
    """``bayesjoint forward sq``."""
    from bayesjoint.commands.forward_geomag import add_sq_parser as add

    add(subparsers)


_SPHERE_KEYS = {"type", "file", "name", "shell_law", "core_depth_km", "core_sigma_s_per_m"}

DST = DataType(
    name="dst", survey_class=DstSurvey, data_class=DstData, predict=predict_dst,
    config_keys=frozenset(_SPHERE_KEYS | {"degree"}), load=load_dst, data_axis=period_axis,
    plot_fit=plot_dst_fit, check_prior=check_core_below_prior, add_forward_parser=add_dst_parser)
"""Descriptor of Dst data."""

SQ = DataType(
    name="sq", survey_class=SqSurvey, data_class=SqData, predict=predict_sq,
    config_keys=frozenset(_SPHERE_KEYS | {"colat_deg", "lon_deg"}), load=load_sq,
    data_axis=period_axis, plot_fit=plot_sq_fit, check_prior=check_core_below_prior,
    add_forward_parser=add_sq_parser)
"""Descriptor of Sq data."""
