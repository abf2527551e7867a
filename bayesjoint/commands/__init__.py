"""Sub-commands of ``bayesjoint forward``, one module per physics.

Each module defines ``add_parsers(subparsers)``, which adds its parser(s)
with ``set_defaults(func=...)``; the function takes the parsed arguments and
returns an exit code.
"""
