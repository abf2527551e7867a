"""Which forward model and likelihood belong to which dataset type.

Each data type registers, once, at import of its module in
:mod:`bayesjoint.model`:

``predict(earth, survey) -> array (N,)``
    the predicted data vector of the dataset's survey (``data.survey``),
    laid out like ``data.observed()``;
``predict_active(earth, survey) -> array (N,)``, optional
    the same values from a recursion that visits only the model's active
    layers (cost following the layer count, no reverse-mode gradient), used
    by the trans-dimensional sampler;
``log_likelihood(observed, std, predicted, noise_scale, data) -> scalar``
    a pure JAX log-likelihood (default: independent Gaussian);
``numpyro_likelihood(name, predicted, data, noise_scale, spec)``
    the NumPyro observation site(s) of the same likelihood (default:
    independent Gaussian), free to declare extra sites such as a sampled
    noise correlation;
``needs_seismic``
    whether the forward model reads ``vs_km_s`` and ``vp_vs``;
``check_prior(data, spec)``
    raises ``ValueError`` when the dataset cannot be used with a prior
    (for example a core shallower than the deepest allowed interface);
    called before any sampling.
"""

from typing import Callable, NamedTuple

import numpyro
import numpyro.distributions as dist

from bayesjoint.model.likelihoods import gaussian_log_likelihood


def gaussian_numpyro_likelihood(name, predicted, data, noise_scale, spec):
    """Independent Gaussian observation site ``obs_<name>``."""
    numpyro.sample(f"obs_{name}",
                   dist.Normal(predicted, noise_scale * data.std()).to_event(1),
                   obs=data.observed())


def _gaussian(observed, std, predicted, noise_scale, data):
    return gaussian_log_likelihood(observed, std, predicted, noise_scale)


class Entry(NamedTuple):
    """Forward model and likelihood of one dataset type."""

    predict: Callable
    predict_active: Callable | None = None
    log_likelihood: Callable = _gaussian
    numpyro_likelihood: Callable = gaussian_numpyro_likelihood
    needs_seismic: bool = False
    check_prior: Callable | None = None


_REGISTRY: dict[type, Entry] = {}


def register(data_type, predict, *, predict_active=None, log_likelihood=None,
             numpyro_likelihood=None, needs_seismic=False, check_prior=None):
    """Register the forward model (and optionally the likelihood) of a data type."""
    _REGISTRY[data_type] = Entry(predict, predict_active, log_likelihood or _gaussian,
                                 numpyro_likelihood or gaussian_numpyro_likelihood,
                                 needs_seismic, check_prior)


def check_datasets(datasets, spec):
    """Run each dataset's ``check_prior`` against a prior specification."""
    for d in datasets:
        entry = lookup(d)
        if entry.check_prior is not None:
            entry.check_prior(d, spec)


def lookup(data) -> Entry:
    """The registered entry of a dataset's type."""
    try:
        return _REGISTRY[type(data)]
    except KeyError:
        known = ", ".join(sorted(t.__name__ for t in _REGISTRY))
        raise TypeError(f"no forward model is registered for {type(data).__name__}; "
                        f"registered types: {known}") from None
