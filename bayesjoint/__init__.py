"""bayesjoint: Bayesian joint inversion of geophysical data for a 1-D layered Earth.

Importing the package configures JAX for the whole process, once, so that
no module needs to repeat it:

* 64-bit floating point (``jax_enable_x64``). Every forward model and
  likelihood in bayesjoint is written for float64: electromagnetic
  responses span many decades and the propagator recursions lose accuracy
  in float32.
* One XLA host device per CPU core (:func:`set_cpu_devices`), so that
  chains run on every core, when JAX has not computed anything yet. The
  environment variable ``BAYESJOINT_CPU_DEVICES`` sets the count (``1``
  keeps JAX's single CPU device).
* JAX's persistent compilation cache in ``~/.cache/bayesjoint/jax`` (or
  ``$BAYESJOINT_CACHE_DIR``; ``off`` switches it off), so that a second run
  of the same problem does not compile again (:func:`set_compilation_cache`).
"""

import os as _os

import jax as _jax

_jax.config.update("jax_enable_x64", True)


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
    try:
        _jax.config.update("jax_num_cpu_devices", n)
    except RuntimeError:
        return False
    return True


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
        _jax.config.update("jax_enable_compilation_cache", False)
        return None
    _jax.config.update("jax_enable_compilation_cache", True)
    _jax.config.update("jax_compilation_cache_dir", str(path))
    _jax.config.update("jax_persistent_cache_min_compile_time_secs", 1.0)
    return str(path)


def _cpu_devices_from_environment():
    value = _os.environ.get("BAYESJOINT_CPU_DEVICES", "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"BAYESJOINT_CPU_DEVICES = {value!r}: must be an integer >= 1")
    return int(value)


set_cpu_devices(_cpu_devices_from_environment())
set_compilation_cache()

from bayesjoint.earth import LayeredEarth  # noqa: E402

__version__ = "0.1.0"

__all__ = ["LayeredEarth", "__version__", "set_compilation_cache", "set_cpu_devices"]
