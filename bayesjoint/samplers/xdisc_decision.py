"""Decision on an X-discontinuity beneath one station, or why none can be made.

:func:`decision` turns the result of
:func:`bayesjoint.samplers.xdisc_comparison.compare` into ``x``, ``no_x``
or ``undecided``. A station stays undecided when

* its stacks rest on fewer than :data:`MIN_EVENTS` usable records: the
  standard errors come from the records themselves, and the Bayes factor
  scales with the squared misfit over them. Pooled over 10 s, as
  :func:`bayesjoint.io.rf_make.stack_with_errors` pools them by default
  (about ``5 (n - 1)`` degrees of freedom for noise correlated over 1 s),
  their level is uncertain by about ``1 / sqrt(10 (n - 1))``: 0.11 at
  ``n = 10``, 0.22 at ``n = 3``. And a stack of few records is the mean of
  few realisations of what a 1D Earth does not hold (scattered and
  back-azimuth-dependent arrivals), far from the Gaussian noise the
  likelihood assumes; or
* ``p_x_interval`` (``p_x`` at the log Bayes factor plus and minus two Monte
  Carlo standard errors) contains 0.5: the sampler has not run long enough
  to tell which model the data favour; or
* the result is of a trans-dimensional run (``converged`` in it) that has
  not met the convergence criterion: its draws are not yet the posterior's.

Otherwise the decision is ``x`` when ``p_x > 0.5`` and ``no_x`` when
``p_x < 0.5``.
"""

DECISIONS = ("x", "no_x", "undecided")
"""The values of ``decision``."""

MIN_EVENTS = 10
"""Usable records a station needs for a decision (see the module docstring)."""


def check_min_events(min_events):
    """``ValueError`` unless ``min_events`` is an integer >= 2."""
    if int(min_events) != min_events or min_events < 2:
        raise ValueError(f"min_events = {min_events!r}: must be an integer >= 2 (a stack with "
                         "a standard error needs 2 records)")


def decision(result, n_events, min_events=MIN_EVENTS):
    """Decide whether the station has an X-discontinuity.

    Parameters
    ----------
    result : dict
        With ``p_x`` (float in [0, 1]) and ``p_x_interval`` (two floats), as
        :func:`bayesjoint.samplers.xdisc_comparison.compare` returns, and
        ``converged`` (bool) for a trans-dimensional run.
    n_events : int or None
        Usable records behind the receiver functions; None when unknown
        (then only the Monte Carlo error can hold the decision back).
    min_events : int
        Fewest usable records for a decision, >= 2.

    Returns
    -------
    dict
        ``decision``: one of :data:`DECISIONS`; ``reason``: one sentence
        with the numbers behind it.

    Raises
    ------
    ValueError
        ``min_events`` below 2 or not an integer, ``n_events`` negative,
        or ``p_x`` / ``p_x_interval`` outside [0, 1].
    """
    check_min_events(min_events)
    if n_events is not None and (int(n_events) != n_events or n_events < 0):
        raise ValueError(f"n_events = {n_events!r}: must be an integer >= 0 or None")
    p_x = float(result["p_x"])
    lo, hi = (float(v) for v in result["p_x_interval"])
    if not all(0.0 <= v <= 1.0 for v in (p_x, lo, hi)):
        raise ValueError(f"p_x = {p_x!r}, p_x_interval = [{lo!r}, {hi!r}]: probabilities must "
                         "lie in [0, 1]")
    interval = f"p_x = {p_x:.3f}, interval {lo:.3f}-{hi:.3f}"
    reasons = []
    if n_events is not None and n_events < min_events:
        reasons.append(f"{n_events} usable record(s), fewer than the {min_events} needed for "
                       "trustworthy standard errors of the stacks")
    if result.get("converged") is False:
        reasons.append("the trans-dimensional run has not converged; sample longer "
                       "(--time-budget-s)")
    if lo <= 0.5 <= hi:
        reasons.append(f"{interval} contains 0.5: the Monte Carlo error is too large to decide "
                       "(run longer: --n-iterations)")
    if reasons:
        return {"decision": "undecided", "reason": "; ".join(reasons)}
    side = "above" if p_x > 0.5 else "below"
    count = "" if n_events is None else f" from {n_events} usable records"
    return {"decision": "x" if p_x > 0.5 else "no_x",
            "reason": f"{interval} lies {side} 0.5{count}"}
