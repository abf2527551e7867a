"""Memory that the sizes a user chooses will take, checked before anything is allocated.

Every size a user can give (samples of a receiver function, periods, layers,
chains, iterations and kept draws) is turned into an estimate of the bytes
it needs, and compared with a fraction of the machine's physical memory
(:data:`MEMORY_FRACTION`): over it, :func:`check_memory` raises a
``ValueError`` that names the size and the memory it would need, instead of
letting the process grow until the system kills it.

This module imports nothing from bayesjoint and may be used by every layer.
"""

import os

MEMORY_FRACTION = 0.5
"""Share of the physical memory that one request may take."""

FORWARD_BYTES_PER_VALUE = 1024
"""Peak bytes per output value (period or sample) of one forward response,
MT, sphere or receiver function. Measured: about 350 (receiver function,
per sample) to 420 (MT, per period) bytes, independent of the number of
layers (the layer recursions are scans); rounded up for a margin."""

FORWARD_BYTES_PER_VALUE_AND_LAYER = 16
"""Additional bytes per output value and layer (one complex number)."""

CSV_BYTES_PER_FILE_BYTE = 16
"""Peak bytes per byte of a CSV file while it is parsed (its text, the rows as
Python floats, then the arrays)."""


def physical_memory_bytes():
    """Physical memory of the machine, bytes; None where the system does not say."""
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None
    return pages * page_size if pages > 0 and page_size > 0 else None


def format_bytes(n_bytes):
    """``n_bytes`` as a short text with a binary unit: ``'1.5 GiB'``."""
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    value, i = float(n_bytes), 0
    while value >= 1024 and i < len(units) - 1:
        value, i = value / 1024, i + 1
    return f"{value:.3g} {units[i]}"


def check_memory(what, n_bytes, total_bytes=None):
    """Raise if ``what`` would need more than :data:`MEMORY_FRACTION` of the memory.

    Parameters
    ----------
    what : str
        What would be allocated, with the sizes that set it, for the message
        (e.g. ``"--npts = 2000000000 samples"``).
    n_bytes : int or float
        Estimated peak memory, bytes.
    total_bytes : int, optional
        Memory of the machine, bytes; default :func:`physical_memory_bytes`
        (no check where it is unknown).

    Raises
    ------
    ValueError
        Saying how much memory ``what`` would need and how much may be used.
    """
    total = physical_memory_bytes() if total_bytes is None else total_bytes
    if total is None:
        return
    limit = MEMORY_FRACTION * total
    if n_bytes > limit:
        raise ValueError(
            f"{what} would need about {format_bytes(n_bytes)} of memory, more than "
            f"{MEMORY_FRACTION:.0%} of this machine's {format_bytes(total)} "
            f"({format_bytes(limit)}); choose smaller sizes")


def forward_memory_bytes(n_values, n_layers=1):
    """Estimated peak bytes of one forward response.

    Parameters
    ----------
    n_values : int
        Output values: periods (MT, Dst, Sq) or samples (receiver function).
    n_layers : int
        Layers of the model.
    """
    return n_values * (FORWARD_BYTES_PER_VALUE + FORWARD_BYTES_PER_VALUE_AND_LAYER * n_layers)


def check_forward_size(what, n_values, n_layers=1, total_bytes=None):
    """Raise if a forward response of ``n_values`` values and ``n_layers`` layers is too large.

    Parameters
    ----------
    what : str
        The option or field that sets ``n_values`` and its value, for the message.
    n_values, n_layers : int
    total_bytes : int, optional
        As in :func:`check_memory`.
    """
    check_memory(f"{what} with {n_layers} layer(s)", forward_memory_bytes(n_values, n_layers),
                 total_bytes)


def draws_memory_bytes(n_chains, n_draws_per_chain, n_values_per_draw, n_replicas=1):
    """Estimated bytes of the draws a sampler keeps, float64, twice (run and export).

    Parameters
    ----------
    n_chains : int
        Independent chains.
    n_draws_per_chain : int
        Draws kept per chain (after thinning; warm-up or burn-in included
        where the sampler keeps it).
    n_values_per_draw : int
        Numbers in one draw (e.g. ``k_max`` times the per-layer properties,
        plus the layer count and the noise scales).
    n_replicas : int
        Tempered replicas per chain whose draws are kept (1 when only the
        ``T = 1`` chain is kept).
    """
    return 2 * 8 * n_chains * n_replicas * n_draws_per_chain * n_values_per_draw


def check_sampler_size(n_chains, n_draws_per_chain, n_values_per_draw, n_replicas=1,
                       total_bytes=None):
    """Raise if the draws of a run would not fit in memory.

    For a run configuration: call it once the sampler settings and the prior
    are known, before the data are read and anything is compiled.

    Parameters
    ----------
    n_chains, n_draws_per_chain, n_values_per_draw, n_replicas : int
        As in :func:`draws_memory_bytes`.
    total_bytes : int, optional
        As in :func:`check_memory`.
    """
    what = (f"{n_chains} chain(s) x {n_replicas} replica(s) x {n_draws_per_chain} kept draws "
            f"x {n_values_per_draw} values")
    check_memory(what, draws_memory_bytes(n_chains, n_draws_per_chain, n_values_per_draw,
                                          n_replicas), total_bytes)
