"""``bayesjoint.samplers.xdisc_decision``: x, no_x or undecided, and why."""

import pytest

from bayesjoint.samplers.xdisc_decision import MIN_EVENTS, decision


def _result(p_x, lo, hi):
    return {"p_x": p_x, "p_x_interval": [lo, hi]}


@pytest.mark.parametrize("p_x, lo, hi, n_events, expected, words", [
    (0.93, 0.88, 0.96, 25, "x", "p_x = 0.930, interval 0.880-0.960 lies above 0.5 from 25"),
    (0.07, 0.04, 0.12, 25, "no_x", "p_x = 0.070, interval 0.040-0.120 lies below 0.5"),
    (0.93, 0.88, 0.96, None, "x", "lies above 0.5"),
    (0.93, 0.88, 0.96, MIN_EVENTS - 1, "undecided",
     f"{MIN_EVENTS - 1} usable record(s), fewer than the {MIN_EVENTS} needed"),
    (0.62, 0.41, 0.78, 25, "undecided", "interval 0.410-0.780 contains 0.5: the Monte Carlo "
                                        "error is too large to decide"),
    (0.5, 0.5, 0.5, 25, "undecided", "contains 0.5"),
    (0.45, 0.3, 0.6, 3, "undecided", "3 usable record(s), fewer than the 10 needed for "
                                     "trustworthy standard errors of the stacks; p_x = 0.450"),
])
def test_each_branch_of_the_decision(p_x, lo, hi, n_events, expected, words):
    out = decision(_result(p_x, lo, hi), n_events)
    assert out["decision"] == expected
    assert words in out["reason"], out["reason"]
    assert set(out) == {"decision", "reason"}


@pytest.mark.parametrize("converged, expected", [(True, "x"), (False, "undecided"),
                                                  (None, "x")])
def test_an_unconverged_trans_dimensional_run_decides_nothing(converged, expected):
    result = _result(0.93, 0.88, 0.96)
    if converged is not None:
        result["converged"] = converged
    out = decision(result, 25)
    assert out["decision"] == expected
    assert ("has not converged" in out["reason"]) == (converged is False)


def test_min_events_sets_the_threshold():
    result = _result(0.93, 0.88, 0.96)
    assert decision(result, MIN_EVENTS)["decision"] == "x"
    assert decision(result, 4, min_events=4)["decision"] == "x"
    assert decision(result, 4, min_events=5)["decision"] == "undecided"


def test_the_default_needs_standard_errors_good_to_a_quarter():
    """1 / sqrt(2 (n - 1)), the relative error of a sample standard deviation, < 0.25."""
    assert (2 * (MIN_EVENTS - 1)) ** -0.5 < 0.25 <= (2 * (MIN_EVENTS - 2)) ** -0.5


@pytest.mark.parametrize("result, n_events, min_events, message", [
    (_result(0.9, 0.8, 0.95), 10, 1, "min_events = 1: must be an integer >= 2"),
    (_result(0.9, 0.8, 0.95), 10, 2.5, "min_events = 2.5"),
    (_result(0.9, 0.8, 0.95), -1, 10, "n_events = -1"),
    (_result(1.2, 0.8, 0.95), 10, 10, "probabilities must lie in [0, 1]"),
])
def test_bad_arguments(result, n_events, min_events, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        decision(result, n_events, min_events)
