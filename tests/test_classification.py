"""Scores of a probabilistic binary classifier against hand-computed values."""

import numpy as np
import pytest

from bayesjoint.summaries import classification as cls

P = np.array([0.9, 0.8, 0.4, 0.6, 0.2, 0.4, 0.05])
Y = np.array([1, 1, 1, 0, 0, 0, 0])


def test_accuracy_at_the_threshold():
    # decisions 1 1 0 1 0 0 0 -> wrong only on 0.4 (y=1) and 0.6 (y=0)
    assert cls.accuracy(P, Y) == pytest.approx(5 / 7)
    assert cls.accuracy([0.5], [1]) == 1.0  # p = threshold decides for the positive class
    assert cls.accuracy(P, Y, threshold=0.3) == pytest.approx(5 / 7)  # 0.4 y=0 wrong, 0.4 y=1 right


def test_auc_counts_pairs_with_ties_as_half():
    # positives 0.9, 0.8, 0.4 against negatives 0.6, 0.2, 0.4, 0.05:
    # 0.9 and 0.8 beat all four (8); 0.4 beats 0.2 and 0.05, ties 0.4, loses to 0.6 (2.5)
    assert cls.roc_auc(P, Y) == pytest.approx(10.5 / 12)
    assert cls.roc_auc([0.2, 0.7], [0, 1]) == 1.0
    assert cls.roc_auc([0.7, 0.2], [0, 1]) == 0.0
    assert np.isnan(cls.roc_auc([0.3, 0.4], [0, 0]))


def test_roc_curve_area_is_the_auc():
    fpr, tpr = cls.roc_curve(P, Y)
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0.0, 0.0, 1.0, 1.0)
    # thresholds 0.9 0.8 0.6 0.4 0.2 0.05
    np.testing.assert_allclose(tpr, [0, 1 / 3, 2 / 3, 2 / 3, 1, 1, 1])
    np.testing.assert_allclose(fpr, [0, 0, 0, 0.25, 0.5, 0.75, 1])
    area = np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2)
    assert area == pytest.approx(cls.roc_auc(P, Y))


def test_brier_score():
    expected = (0.01 + 0.04 + 0.36 + 0.36 + 0.04 + 0.16 + 0.0025) / 7
    assert cls.brier_score(P, Y) == pytest.approx(expected)
    assert cls.brier_score([0.5, 0.5], [0, 1]) == 0.25


def test_expected_accuracy_by_hand_and_of_calibrated_probabilities():
    assert cls.expected_accuracy([0.9, 0.2, 0.5]) == pytest.approx((0.9 + 0.8 + 0.5) / 3)
    # labels drawn with the stated probabilities: the achieved accuracy scatters around
    # the expected one with the binomial standard error
    rng = np.random.default_rng(1)
    p = rng.uniform(size=20_000)
    y = (rng.uniform(size=p.size) < p).astype(int)
    expected = cls.expected_accuracy(p)
    assert expected == pytest.approx(0.75, abs=0.01)
    se = np.sqrt(expected * (1 - expected) / p.size)
    assert abs(cls.accuracy(p, y) - expected) < 4 * se
    with pytest.raises(ValueError, match="must lie in"):
        cls.expected_accuracy([1.5])


def test_reliability_bins():
    r = cls.reliability(P, Y, n_bins=5)
    np.testing.assert_allclose(r["bin_edges"], [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    # bins: [0,.2): 0.05 | [.2,.4): 0.2 | [.4,.6): 0.4, 0.4 | [.6,.8): 0.6 | [.8,1]: 0.9, 0.8
    assert r["count"] == [1, 1, 2, 1, 2]
    np.testing.assert_allclose(r["mean_predicted"], [0.05, 0.2, 0.4, 0.6, 0.85])
    np.testing.assert_allclose(r["observed_frequency"], [0, 0, 0.5, 0, 1])
    one = cls.reliability([1.0], [1], n_bins=10)
    assert one["count"][-1] == 1 and np.isnan(one["mean_predicted"][0])


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="must lie in"):
        cls.brier_score([1.2], [1])
    with pytest.raises(ValueError, match="0 or 1"):
        cls.accuracy([0.2], [2])
    with pytest.raises(ValueError, match="has 2 values"):
        cls.roc_auc([0.2, 0.3], [1])
