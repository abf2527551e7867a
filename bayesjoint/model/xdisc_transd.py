"""Likelihood of the trans-dimensional X-discontinuity inversion.

The trans-dimensional inversion of ``bayesjoint xdisc --method transd``
samples layered Earths with the shared prior of
:mod:`bayesjoint.model.prior`; its likelihood is that of the receiver
functions (:func:`bayesjoint.model.rf.correlated_log_likelihood`) over the
samples of one time window after the direct P only, as in the model
comparison: by default from 20 s, after the crust's reverberations.
"""

import jax.numpy as jnp

from bayesjoint.data import RFData
from bayesjoint.model.rf import correlated_log_likelihood, predict_rf


def windowed_rf_log_likelihood(data: RFData, window: slice):
    """Log-likelihood of ``data`` inside ``window``, ``f(earth, noise_scale) -> scalar``.

    Parameters
    ----------
    data : RFData
        With ``correlation`` ``"none"`` or a fixed ``correlation_s``.
    window : slice
        Samples of the time axis that enter the likelihood (the same for
        every trace).

    Returns
    -------
    callable
        Pure JAX, ``earth`` a :class:`~bayesjoint.earth.LayeredEarth` with
        ``vs_km_s`` and ``vp_vs`` and ``noise_scale`` of shape (1,);
        ``-inf`` for non-finite predictions. The forward recursion runs
        over the active layers only (no reverse-mode gradient), wrap-free
        (:func:`bayesjoint.model.rf.predict_rf`), as the model comparison's.
    """
    if data.correlation != "none" and data.correlation_s is None:
        raise ValueError("the trans-dimensional inversion needs a fixed correlation_s, not "
                         "correlation_s_bounds")
    shape = (data.n_traces, data.npts)
    observed = jnp.asarray(data.rf)[:, window]
    std = jnp.asarray(data.rf_std)[:, window]
    survey, law, correlation_s, dt_s = data.survey, data.correlation, data.correlation_s, data.dt_s

    def log_likelihood(earth, noise_scale):
        predicted = predict_rf(earth, survey, active_only=True,
                               wrap_free=True).reshape(shape)[:, window]
        ll = correlated_log_likelihood(observed - predicted, std, noise_scale[0], law,
                                       correlation_s, dt_s)
        return jnp.where(jnp.all(jnp.isfinite(predicted)), ll, -jnp.inf)

    return log_likelihood
