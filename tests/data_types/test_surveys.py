"""Surveys: what a prediction needs, without observations."""

import ast
import pathlib

import numpy as np
import pytest

from bayesjoint.data import DstSurvey, MTSurvey, RFSurvey, SqSurvey, complex_from_parts
from bayesjoint.datasets import (REFERENCE_SQ_COLAT_DEG, REFERENCE_SQ_LON_DEG, reference_model,
                                 synthetic_dst, synthetic_mt, synthetic_rf, synthetic_sq)
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.geomag import predict_dst, predict_sq
from bayesjoint.model.mt import predict_mt
from bayesjoint.model.rf import predict_rf

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "bayesjoint"
DAY_S = 86400.0


def test_a_dataset_carries_its_survey():
    earth = reference_model()
    mt = synthetic_mt(earth, [1.0, 10.0, 100.0], kind="impedance")
    assert mt.survey.kind == "impedance"
    np.testing.assert_array_equal(mt.survey.period_s, [1.0, 10.0, 100.0])
    dst = synthetic_dst(earth, DAY_S * np.array([2.0, 10.0]), kind="c", degree=2,
                        shell_law="constant", core_depth_km=2800.0)
    assert (dst.survey.kind, dst.survey.degree, dst.survey.shell_law,
            dst.survey.core_depth_km) == ("c", 2, "constant", 2800.0)
    sq = synthetic_sq(earth, DAY_S / np.arange(1, 4), [2, 3, 4], [1, 2, 3],
                      colat_deg=REFERENCE_SQ_COLAT_DEG, lon_deg=REFERENCE_SQ_LON_DEG)
    np.testing.assert_array_equal(sq.survey.order, [1, 2, 3])
    assert sq.survey.colat_deg == REFERENCE_SQ_COLAT_DEG


@pytest.mark.parametrize("kind", ["impedance", "rho_phase"])
def test_noise_free_synthetic_data_equal_the_prediction_of_their_survey(kind):
    earth = reference_model()
    mt = synthetic_mt(earth, np.logspace(0, 3, 5), kind=kind, rel_error=1e-12)
    np.testing.assert_allclose(mt.observed(), predict_mt(earth, mt.survey), rtol=1e-9)
    dst = synthetic_dst(earth, DAY_S * np.array([2.0, 20.0]), rel_error=1e-12)
    np.testing.assert_allclose(dst.observed(), predict_dst(earth, dst.survey), rtol=1e-9)
    survey = SqSurvey(DAY_S / np.arange(1, 3), [2, 3], [1, 2], REFERENCE_SQ_COLAT_DEG,
                      REFERENCE_SQ_LON_DEG)
    sq = synthetic_sq(earth, survey.period_s, survey.degree, survey.order,
                      colat_deg=survey.colat_deg, lon_deg=survey.lon_deg, rel_error=1e-12)
    np.testing.assert_allclose(sq.observed(), predict_sq(earth, survey), rtol=1e-9)


def test_rf_survey_predicts_without_traces():
    earth = LayeredEarth.from_layers([0.0, 35.0], [1e-3, 1e-3], vs_km_s=[3.5, 4.5],
                                     vp_vs=[1.75, 1.8])
    survey = RFSurvey([0.05, 0.07], gauss_rad_s=2.5, dt_s=0.1, npts=300, shift_s=5.0)
    pred = np.asarray(predict_rf(earth, survey))
    assert pred.shape == (survey.n_data,) == (600,)
    data = synthetic_rf(earth, [0.05, 0.07], dt_s=0.1, npts=300, shift_s=5.0, gauss_rad_s=2.5,
                        noise_std=1e-12)
    assert (data.survey.gauss_rad_s, data.survey.dt_s, data.survey.npts, data.survey.shift_s,
            data.survey.normalize) == (2.5, 0.1, 300, 5.0, "peak")
    np.testing.assert_allclose(data.observed(), pred, atol=1e-9)
    np.testing.assert_allclose(survey.time_s()[[0, -1]], [-5.0, 24.9])


def test_rf_data_made_wrap_free_are_predicted_wrap_free():
    """A dataset states whether its traces wrap; the descriptor predicts them so."""
    from bayesjoint.datatypes import descriptor

    earth = LayeredEarth.from_layers([0.0, 35.0, 410.0, 660.0], [1e-3] * 4,
                                     vs_km_s=[3.6, 4.5, 4.95, 5.6], vp_vs=[1.75, 1.8, 1.82, 1.8])
    kw = dict(dt_s=0.4, npts=375, shift_s=5.0, gauss_rad_s=1.25, noise_std=1e-12)
    periodic = synthetic_rf(earth, [0.05, 0.07], **kw)
    recorded = synthetic_rf(earth, [0.05, 0.07], wrap_free=True, **kw)
    assert (periodic.wrap_free, periodic.survey.wrap_free) == (False, False)
    assert (recorded.wrap_free, recorded.survey.wrap_free) == (True, True)
    # the 660's multiples come after the 150 s record: they wrap into it unless wrap-free
    assert np.max(np.abs(recorded.observed() - periodic.observed())) > 0.02
    for data in (periodic, recorded):
        pred = np.asarray(descriptor(data).predict(earth, data.survey))
        np.testing.assert_allclose(pred, data.observed(), atol=1e-9)
    assert RFSurvey([0.06], 1.0, 0.5, 100, 5.0, wrap_free=1).wrap_free is True


@pytest.mark.parametrize("build, match", [
    (lambda: MTSurvey([1.0, 1.0]), "period_s"),
    (lambda: MTSurvey([1.0], kind="tipper"), "kind = 'tipper'"),
    (lambda: DstSurvey([DAY_S], shell_law="cubic"), "shell_law = 'cubic'"),
    (lambda: DstSurvey([DAY_S], degree=13), "degree = 13"),
    (lambda: SqSurvey([DAY_S], 2, 3, 60.0, 0.0), "order must satisfy"),
    (lambda: SqSurvey([DAY_S, DAY_S], 2, 1, 60.0, 0.0), "appears more than once"),
    (lambda: SqSurvey([DAY_S], 2, 1, 180.0, 0.0), "colat_deg"),
    (lambda: RFSurvey([0.06], 2.5, 0.1, 100, 10.0), "shift_s = 10.0"),
    (lambda: RFSurvey([0.06], 2.5, 0.1, 100, 1.0, normalize="max"), "normalize = 'max'"),
    (lambda: RFSurvey([-0.06], 2.5, 0.1, 100, 1.0), "ray_parameter_s_km"),
])
def test_surveys_reject_bad_settings(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_complex_from_parts():
    np.testing.assert_array_equal(complex_from_parts([1.0, 2.0, 3.0, 4.0]), [1 + 3j, 2 + 4j])


_CONSTRUCTORS = {"from_q", "from_c", "from_transfer_function", "from_traces", "from_impedance",
                 "from_rho_phase"}


def test_no_placeholder_observations_in_the_package():
    """A prediction is made from a survey, never from a container filled with ones or zeros."""
    bad = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in _CONSTRUCTORS):
                continue
            for arg in list(node.args) + [k.value for k in node.keywords]:
                for inner in ast.walk(arg):
                    if (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute)
                            and inner.func.attr in ("ones", "zeros", "ones_like", "zeros_like")):
                        bad.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not bad, "observations filled with placeholders:\n" + "\n".join(bad)
