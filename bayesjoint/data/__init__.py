"""Dataset containers: NumPy arrays with units in their names, validated when built.

Every container exposes the same views used by the likelihood and the
summaries: ``name``, ``observed()`` and ``std()`` (real vectors of equal
length N in a fixed layout: complex values as all real parts, then all
imaginary parts) and ``labels()``. The matching prediction is registered in
:mod:`bayesjoint.model.registry`.

All validation happens here, at the edge, so that bad input fails with a
clear :class:`ValueError` before any sampling starts.
"""

from bayesjoint.data.checks import (LN10, check_finite, check_periods, check_positive,
                                    check_same_length, error_from_relative)
from bayesjoint.data.geomag import DstData, SqData
from bayesjoint.data.mt import MT_KINDS, MTData
from bayesjoint.data.rf import RFData
from bayesjoint.physics.constants import ray_parameter_s_km_from_s_deg

__all__ = ["DstData", "SqData", "LN10", "MTData", "MT_KINDS", "RFData",
           "ray_parameter_s_km_from_s_deg", "check_finite", "check_periods", "check_positive",
           "check_same_length", "error_from_relative"]
