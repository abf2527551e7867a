"""Probability: the shared layered-Earth prior, likelihoods and joint models.

NumPyro is allowed here; no sampler code is. Importing this package
registers the forward model of every dataset type (see
:mod:`bayesjoint.model.registry`).
"""

from bayesjoint.model import geomag  # noqa: F401  (registers DstData, SqData)
from bayesjoint.model import mt  # noqa: F401  (registers MTData)
from bayesjoint.model import rf  # noqa: F401  (registers RFData)
