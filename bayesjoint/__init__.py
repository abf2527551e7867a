"""bayesjoint: Bayesian joint inversion of geophysical data for a 1-D layered Earth.

Importing the package configures JAX for the whole process, once, so that
no module needs to repeat it:

* 64-bit floating point (``jax_enable_x64``). Every forward model and
  likelihood in bayesjoint is written for float64: electromagnetic
  responses span many decades and the propagator recursions lose accuracy
  in float32.
* One XLA host device per CPU core (:func:`set_cpu_devices`), so that
  chains run on every core. The environment variable
  ``BAYESJOINT_CPU_DEVICES`` sets the count (``1`` keeps JAX's single CPU
  device); a count JAX has already fixed (it computed something before) is
  left as it is.
* JAX's persistent compilation cache in ``~/.cache/bayesjoint/jax`` (or
  ``$BAYESJOINT_CACHE_DIR``; ``off`` switches it off), so that a second run
  of the same problem does not compile again (:func:`set_compilation_cache`).

JAX itself is not imported here, so that the command line answers ``--help``
and argument errors at once: if JAX is already loaded its configuration is
updated, otherwise the settings go into the environment (``JAX_ENABLE_X64``,
``JAX_NUM_CPU_DEVICES``, ``JAX_COMPILATION_CACHE_DIR``, ...) from which JAX
reads them when it is first imported. ``LayeredEarth`` is loaded on first
use.
"""

import os as _os
import sys as _sys

__version__ = "0.1.0"

__all__ = ["LayeredEarth", "__version__", "set_compilation_cache", "set_cpu_devices"]


def _configure(name, value):
    """Set a JAX option now if JAX is loaded, else through its environment variable.

    Returns False when JAX refuses (the option is fixed once its backend runs).
    """
    if "jax" in _sys.modules:
        try:
            _sys.modules["jax"].config.update(name, value)
        except RuntimeError:
            return False
        return True
    _os.environ[name.upper()] = str(int(value) if isinstance(value, bool) else value)
    return True


def _available_cores():
    try:
        return len(_os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return _os.cpu_count() or 1


def set_cpu_devices(n=None):
    """Ask XLA for ``n`` CPU devices (default: one per available core).

    Must run before JAX first computes anything; returns False (and changes
    nothing) when the backend is already initialised or ``n`` is 1.

    Parameters
    ----------
    n : int, optional

    Returns
    -------
    bool
        Whether the setting was applied.
    """
    n = _available_cores() if n is None else int(n)
    if n < 1:
        raise ValueError(f"n = {n}: need at least one CPU device")
    if n == 1:
        return False
    return _configure("jax_num_cpu_devices", n)


def set_compilation_cache(path=None):
    """Switch JAX's persistent compilation cache on (in ``path``) or off (``"off"``).

    Parameters
    ----------
    path : str or None
        Cache folder; default ``$BAYESJOINT_CACHE_DIR`` or
        ``~/.cache/bayesjoint/jax``.

    Returns
    -------
    str or None
        The folder in use, or None when switched off.
    """
    if path is None:
        path = _os.environ.get("BAYESJOINT_CACHE_DIR") or _os.path.join(
            _os.path.expanduser("~"), ".cache", "bayesjoint", "jax")
    if str(path).lower() == "off":
        _configure("jax_enable_compilation_cache", False)
        return None
    _configure("jax_enable_compilation_cache", True)
    _configure("jax_compilation_cache_dir", str(path))
    _configure("jax_persistent_cache_min_compile_time_secs", 1.0)
    return str(path)


def _cpu_devices_from_environment():
    value = _os.environ.get("BAYESJOINT_CPU_DEVICES", "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"BAYESJOINT_CPU_DEVICES = {value!r}: must be an integer >= 1")
    return int(value)


_configure("jax_enable_x64", True)
set_cpu_devices(_cpu_devices_from_environment())
set_compilation_cache()


def __getattr__(name):
    if name == "LayeredEarth":
        from bayesjoint.earth import LayeredEarth

        return LayeredEarth
    raise AttributeError(f"module 'bayesjoint' has no attribute {name!r}")
