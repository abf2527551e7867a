"""The data types bayesjoint inverts: one descriptor each, one registry.

:data:`DATA_TYPES` maps the ``type`` of a ``[[data]]`` table to its
:class:`~bayesjoint.datatypes.base.DataType`; :func:`descriptor` finds the
descriptor of a dataset. Importing this package does not import JAX.
"""

from bayesjoint.datatypes.base import DataType
from bayesjoint.datatypes.geomag import DST, SQ
from bayesjoint.datatypes.mt import MT
from bayesjoint.datatypes.rf import RF

DATA_TYPES = {t.name: t for t in (MT, DST, SQ, RF)}
"""Descriptor of each data type, by the ``type`` of its ``[[data]]`` table."""


def descriptor(data) -> DataType:
    """The descriptor of a dataset's type.

    Raises
    ------
    TypeError
        If no data type has the dataset's class.
    """
    for t in DATA_TYPES.values():
        if type(data) is t.data_class:
            return t
    known = ", ".join(t.data_class.__name__ for t in DATA_TYPES.values())
    raise TypeError(f"{type(data).__name__} is not a data type of bayesjoint; known data "
                    f"classes: {known}")


def check_datasets(datasets, spec):
    """Run each dataset's ``check_prior`` against a prior specification."""
    for d in datasets:
        check = descriptor(d).check_prior
        if check is not None:
            check(d, spec)
