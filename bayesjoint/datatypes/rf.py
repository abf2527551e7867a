"""P receiver functions of one station."""

import numpy as np

from bayesjoint.data.rf import RFData, RFSurvey
from bayesjoint.datatypes.base import DataType


def predict(earth, survey, active_only=False):
    """:func:`bayesjoint.model.rf.predict_rf`, wrap-free when the survey's traces are
    windows of longer receiver functions (``survey.wrap_free``)."""
    from bayesjoint.model.rf import predict_rf

    return predict_rf(earth, survey, active_only, wrap_free=survey.wrap_free)


def warnings(data):
    """A warning when the traces are predicted as one period of a periodic transform."""
    if data.wrap_free:
        return []
    return [f"Dataset {data.name}: receiver functions predicted as one period of a periodic "
            "transform (wrap_free = false): arrivals after the record's end, such as the "
            "mantle's multiples, wrap into it. Recorded receiver functions do not wrap; for "
            "them set wrap_free = true in the [[data]] table (the data_table of bayesjoint rf "
            "make does)."]


def log_likelihood(observed, std, predicted, noise_scale, data):
    """:func:`bayesjoint.model.rf.rf_log_likelihood` (correlated noise)."""
    from bayesjoint.model.rf import rf_log_likelihood

    return rf_log_likelihood(observed, std, predicted, noise_scale, data)


def numpyro_likelihood(name, predicted, data, noise_scale, spec):
    """:func:`bayesjoint.model.rf.rf_numpyro_likelihood`."""
    from bayesjoint.model.rf import rf_numpyro_likelihood

    rf_numpyro_likelihood(name, predicted, data, noise_scale, spec)


def check_prior(data, spec):
    """:func:`bayesjoint.model.rf.check_rf_prior`."""
    from bayesjoint.model.rf import check_rf_prior

    check_rf_prior(data, spec)


def load(table):
    """:func:`bayesjoint.io.seismic_files.load_rf`."""
    from bayesjoint.io.seismic_files import load_rf

    return load_rf(table)


def time_axis(data):
    """Data axis of receiver functions: ``{"time_s": ("time", (npts,) array)}``."""
    return {"time_s": ("time", np.asarray(data.survey.time_s()))}


def plot_fit(data, envelope, *, axes=None):
    """:func:`bayesjoint.plotting.datafit_rf.plot_rf_fit`."""
    from bayesjoint.plotting.datafit_rf import plot_rf_fit

    return plot_rf_fit(data, envelope, axes=axes)


def add_forward_parser(subparsers):
    """``bayesjoint forward rf``."""
    from bayesjoint.commands.forward_rf import add_parsers

    add_parsers(subparsers)


RF = DataType(
    name="rf", survey_class=RFSurvey, data_class=RFData, predict=predict,
    config_keys=frozenset({"type", "file", "name", "format", "gauss_rad_s", "std",
                           "ray_parameter_s_km", "shift_s", "normalize", "correlation",
                           "correlation_s", "correlation_s_bounds", "earth_flattening",
                           "wrap_free"}),
    load=load, data_axis=time_axis, plot_fit=plot_fit, log_likelihood=log_likelihood,
    numpyro_likelihood=numpyro_likelihood, check_prior=check_prior, needs_seismic=True,
    add_forward_parser=add_forward_parser, warnings=warnings,
    renamed_keys={"gauss": "gauss_rad_s"})
"""Descriptor of receiver-function data."""
