"""Sub-commands of ``bayesjoint forward``, one module per physics.

Each module defines the function(s) that add its parser(s) with
``set_defaults(func=...)`` (``add_parsers``, or ``add_dst_parser`` and
``add_sq_parser``), named by the ``add_forward_parser`` of each data type's
descriptor (:mod:`bayesjoint.datatypes`); ``func`` takes the parsed
arguments and returns an exit code.
"""
