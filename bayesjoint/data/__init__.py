"""Surveys and dataset containers: NumPy arrays with units in their names, validated when built.

A survey (``MTSurvey``, ``DstSurvey``, ``SqSurvey``, ``RFSurvey``) states what
was measured and how; it is all a prediction needs. A dataset container adds
the observed values and their standard deviations to its survey
(``data.survey``).

Every container exposes the same views used by the likelihood and the
summaries: ``name``, ``observed()`` and ``std()`` (real vectors of equal
length N in a fixed layout: complex values as all real parts, then all
imaginary parts) and ``labels()``. The prediction of each type, laid out the
same way, is named by its descriptor in :mod:`bayesjoint.datatypes`.

All validation happens here, at the edge, so that bad input fails with a
clear :class:`ValueError` before any sampling starts.
"""

from bayesjoint.data.checks import (LN10, check_finite, check_periods, check_positive,
                                    check_same_length, complex_from_parts, error_from_relative)
from bayesjoint.data.geomag import DstData, DstSurvey, SqData, SqSurvey
from bayesjoint.data.mt import MT_KINDS, MTData, MTSurvey
from bayesjoint.data.rf import RFData, RFSurvey
from bayesjoint.physics.constants import ray_parameter_s_km_from_s_deg

__all__ = ["DstData", "DstSurvey", "SqData", "SqSurvey", "LN10", "MTData", "MTSurvey",
           "MT_KINDS", "RFData", "RFSurvey", "complex_from_parts",
           "ray_parameter_s_km_from_s_deg", "check_finite", "check_periods", "check_positive",
           "check_same_length", "error_from_relative"]
