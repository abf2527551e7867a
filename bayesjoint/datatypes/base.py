"""The descriptor of a data type, and the parts that several types share.

A :class:`DataType` holds, as callables, everything the rest of bayesjoint
needs to know about one data type: its survey and data classes, the
prediction from a survey, the likelihood, the check against a prior, the
loader of a ``[[data]]`` table and its keys, the axis of its data, its
data-fit plot and its ``bayesjoint forward`` sub-command.

Descriptor modules import only the bottom layers (earth, data, physics) at
module level, so that ``import bayesjoint.datatypes`` stays light (no JAX):
the callables that need the model, the readers, matplotlib or the command
line import them when called.
"""

from dataclasses import dataclass, field
from typing import Callable

import numpy as np


def gaussian_log_likelihood(observed, std, predicted, noise_scale, data):
    """Independent Gaussian log-likelihood (pure JAX); see :mod:`bayesjoint.model.likelihoods`."""
    from bayesjoint.model.likelihoods import gaussian_log_likelihood as gaussian

    return gaussian(observed, std, predicted, noise_scale)


def gaussian_numpyro_likelihood(name, predicted, data, noise_scale, spec):
    """Independent Gaussian NumPyro observation site ``obs_<name>``."""
    from bayesjoint.model.likelihoods import gaussian_numpyro_likelihood as gaussian

    gaussian(name, predicted, data, noise_scale, spec)


def check_core_below_prior(data, spec):
    """Dst and Sq: the prior's deepest interface lies above the core (ValueError if not)."""
    from bayesjoint.model.geomag import check_core_below_prior as check

    check(data, spec)


def period_axis(data):
    """Data axis of period-sampled data: ``{"period_s": ("period", (P,) array)}``."""
    return {"period_s": ("period", np.asarray(data.survey.period_s))}


@dataclass(frozen=True)
class DataType:
    """Everything about one data type, as callables.

    Attributes
    ----------
    name : str
        Value of ``type`` in a ``[[data]]`` table of a run configuration.
    survey_class, data_class : type
        What was measured and how; the observations (``data.survey`` is
        its survey).
    predict : callable
        ``predict(earth, survey, active_only=False) -> array (N,)``: the
        predicted data vector, laid out like ``data.observed()``. With
        ``active_only`` the recursion visits only the model's active layers
        (same values, cost following the layer count, no reverse-mode
        gradient), for the trans-dimensional sampler.
    config_keys : frozenset of str
        Keys a ``[[data]]`` table of this type may hold.
    renamed_keys : dict of str to str
        Former keys of such a table and the keys that replaced them; a
        table holding a former key is refused with a message naming the
        new one.
    load : callable
        ``load(table) -> data``: the dataset of a validated table (``file``
        resolved against the configuration's folder).
    data_axis : callable
        ``data_axis(data) -> {name: (dim, array)}``: the coordinate of the
        data in the stored results (periods, or a time axis).
    plot_fit : callable
        ``plot_fit(data, envelope, *, axes=None) -> pair of Axes``.
    log_likelihood : callable
        ``log_likelihood(observed, std, predicted, noise_scale, data) ->
        scalar``, pure JAX (default: independent Gaussian).
    numpyro_likelihood : callable
        ``numpyro_likelihood(name, predicted, data, noise_scale, spec)``:
        the NumPyro observation site(s) of the same likelihood, free to
        declare extra sites such as a sampled noise correlation.
    check_prior : callable or None
        ``check_prior(data, spec)`` raises ``ValueError`` when the dataset
        cannot be used with a prior; called before any sampling.
    needs_seismic : bool
        Whether ``predict`` reads ``vs_km_s`` and ``vp_vs``.
    add_forward_parser : callable or None
        ``add_forward_parser(subparsers)`` adds the ``bayesjoint forward``
        sub-command of the type.
    warnings : callable or None
        ``warnings(data) -> list of str``: plain-language warnings about how
        a dataset will be modelled, written to ``summary.json`` (its
        ``datasets`` entry) and to the report.
    """

    name: str
    survey_class: type
    data_class: type
    predict: Callable
    config_keys: frozenset
    load: Callable
    data_axis: Callable
    plot_fit: Callable
    log_likelihood: Callable = gaussian_log_likelihood
    numpyro_likelihood: Callable = gaussian_numpyro_likelihood
    check_prior: Callable | None = None
    needs_seismic: bool = False
    add_forward_parser: Callable | None = None
    warnings: Callable | None = None
    renamed_keys: dict = field(default_factory=dict, compare=False)
