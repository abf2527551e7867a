"""Reference 1-D Earth models as layer stacks: AK135, IASP91 and PREM.

The velocity tables are the ones obspy ships for its TauP travel-time code
(``obspy/taup/data``): ``ak135.tvel`` (Kennett, Engdahl & Buland 1995),
``iasp91.tvel`` (Kennett & Engdahl 1991) and ``prem.nd`` (Dziewonski &
Anderson 1981, isotropic, 1 s reference period). obspy is an optional
dependency (``pip install bayesjoint[seismic]``); it is imported only when a
table is read.

Each table is piecewise linear in depth; a depth listed twice is a
first-order discontinuity. :func:`reference_layers` turns a table into
constant-property layers: every interval between discontinuities is split
into equal sub-layers no thicker than the requested thickness, each taking
the depth average of the (linear) model over its range, so discontinuities
stay exact layer boundaries. The half-space below the last layer takes the
model's values just below the bottom depth.

These functions are plain NumPy (they read files); the arrays they return
feed the JAX physics after
``thickness_km = numpy.diff(top_depth_km)``.
"""

from pathlib import Path

import numpy as np

MODELS = {"ak135": "ak135.tvel", "iasp91": "iasp91.tvel", "prem": "prem.nd"}
"""Model names accepted by :func:`read_reference_table` and the file of each."""


def _taup_data_dir():
    try:
        import obspy.taup
    except ImportError as err:
        raise ImportError(
            "reading the AK135 / IASP91 / PREM tables needs obspy: "
            "pip install bayesjoint[seismic]") from err
    return Path(obspy.taup.__file__).parent / "data"


def read_reference_table(name):
    """Read a reference model table as shipped with obspy's TauP.

    Parameters
    ----------
    name : {"ak135", "iasp91", "prem"}

    Returns
    -------
    depth_km, vp_km_s, vs_km_s, rho_g_cm3 : arrays, shape (N,)
        Table nodes, depth non-decreasing; a repeated depth is a
        discontinuity (first row above it, second below). PREM's 3 km ocean
        is replaced by its upper crust (the receiver-function physics needs
        ``vs > 0``): the crust's first values are extended to the surface.

    Raises
    ------
    ImportError
        If obspy is not installed.
    ValueError
        If the name is unknown.
    """
    key = name.lower()
    if key not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {sorted(MODELS)}")
    path = _taup_data_dir() / MODELS[key]
    rows = []
    with open(path) as f:
        lines = f.read().splitlines()
    if path.suffix == ".tvel":
        lines = lines[2:]  # two header lines
    for line in lines:
        parts = line.split()
        if len(parts) < 4:
            continue  # named discontinuities of the .nd format ("mantle", ...)
        rows.append([float(x) for x in parts[:4]])
    table = np.asarray(rows)
    depth, vp, vs, rho = table.T
    water = vs <= 0.0
    if water[0]:
        first_solid = np.argmax(~water)
        keep = np.arange(first_solid, depth.size)
        depth, vp, vs, rho = depth[keep], vp[keep], vs[keep], rho[keep]
        depth[0] = 0.0
    return depth, vp, vs, rho


def _segment_average(depth, values, z0, z1):
    """Depth average of a piecewise-linear profile over [z0, z1] (no jumps inside)."""
    inside = (depth > z0) & (depth < z1)
    z = np.concatenate([[z0], depth[inside], [z1]])
    v = np.interp(z, depth, values)
    return np.sum(0.5 * (v[1:] + v[:-1]) * np.diff(z)) / (z1 - z0)


def _interval_nodes(depth, z0, z1):
    """Indices of the table nodes describing the profile on [z0, z1].

    At a discontinuity ``z0`` takes the node below it and ``z1`` the node
    above it; a neighbouring node is added where an end is not a node.
    """
    repeat_next = np.r_[depth[1:] == depth[:-1], False]
    repeat_prev = np.r_[False, depth[1:] == depth[:-1]]
    keep = (depth >= z0) & (depth <= z1)
    keep &= ~((depth == z0) & repeat_next)
    keep &= ~((depth == z1) & repeat_prev)
    sel = np.flatnonzero(keep)
    if sel.size == 0 or depth[sel[-1]] < z1:
        nxt = np.flatnonzero(depth > z1)[0]
        sel = np.r_[sel, nxt]
    if depth[sel[0]] > z0:
        sel = np.r_[sel[0] - 1, sel]
    return sel


def reference_layers(name, max_depth_km=800.0, layer_thickness_km=10.0):
    """A reference model as constant-property layers over a half-space.

    Parameters
    ----------
    name : {"ak135", "iasp91", "prem"}
    max_depth_km : float
        Depth of the top of the half-space, km.
    layer_thickness_km : float
        Largest sub-layer thickness, km. Each interval between
        discontinuities is split into ``ceil(length / layer_thickness_km)``
        equal sub-layers.

    Returns
    -------
    top_depth_km : array, shape (K,)
        Depth of the top of each layer, starting at 0; the last is the
        half-space, at ``max_depth_km``.
    vp_km_s, vs_km_s, rho_g_cm3 : arrays, shape (K,)
        Depth-averaged properties of each sub-layer; the half-space takes
        the values just below ``max_depth_km``.
    """
    depth, vp, vs, rho = read_reference_table(name)
    jumps = depth[1:][np.diff(depth) == 0.0]
    bounds = np.unique(np.concatenate([[0.0], jumps[jumps < max_depth_km], [max_depth_km]]))
    tops, props = [], []
    for z0, z1 in zip(bounds[:-1], bounds[1:]):
        n = int(np.ceil((z1 - z0) / layer_thickness_km - 1e-9))
        edges = np.linspace(z0, z1, n + 1)
        seg = _interval_nodes(depth, z0, z1)
        for a, b in zip(edges[:-1], edges[1:]):
            tops.append(a)
            props.append([_segment_average(depth[seg], x[seg], a, b) for x in (vp, vs, rho)])
    at_bottom = np.flatnonzero(depth == max_depth_km)
    if at_bottom.size:
        half = [x[at_bottom[-1]] for x in (vp, vs, rho)]  # lower side of a jump
    else:
        half = [np.interp(max_depth_km, depth, x) for x in (vp, vs, rho)]
    tops.append(max_depth_km)
    props.append(half)
    props = np.asarray(props)
    return np.asarray(tops), props[:, 0], props[:, 1], props[:, 2]


def insert_discontinuity(top_depth_km, vp_km_s, vs_km_s, rho_g_cm3, depth_km, *,
                         dvp_km_s=0.0, dvs_km_s=0.0, drho_g_cm3=0.0, taper_km=50.0):
    """Add a first-order discontinuity to a layered model.

    The layer containing ``depth_km`` is split there (unless it is already a
    boundary). The properties then change by ``-jump/2`` above and
    ``+jump/2`` below the new boundary, tapering linearly to zero at
    ``taper_km`` from it: a layer whose nearer edge lies at distance ``d``
    from the boundary changes by ``+-(jump/2) max(0, 1 - d / taper_km)``.
    The jump across the boundary is therefore exactly ``jump``, the model
    beyond the taper is untouched and no secondary discontinuity appears.

    Parameters
    ----------
    top_depth_km, vp_km_s, vs_km_s, rho_g_cm3 : arrays, shape (K,)
        A layered model as returned by :func:`reference_layers`.
    depth_km : float
        Depth of the discontinuity, km, inside the stack (above the
        half-space top).
    dvp_km_s, dvs_km_s, drho_g_cm3 : float
        Jumps (below minus above), km/s and g/cm^3.
    taper_km : float
        Distance over which the perturbation returns to zero, km.

    Returns
    -------
    top_depth_km, vp_km_s, vs_km_s, rho_g_cm3 : arrays, shape (K,) or (K+1,)
    """
    tops, vp, vs, rho = (np.asarray(a, dtype=float).copy()
                         for a in (top_depth_km, vp_km_s, vs_km_s, rho_g_cm3))
    if not 0.0 < depth_km < tops[-1]:
        raise ValueError("the discontinuity must lie inside the layer stack")
    if not np.any(np.isclose(tops, depth_km)):
        k = np.searchsorted(tops, depth_km)  # new layer index
        tops = np.insert(tops, k, depth_km)
        vp, vs, rho = (np.insert(x, k, x[k - 1]) for x in (vp, vs, rho))
    bottoms = np.append(tops[1:], np.inf)
    below = tops >= depth_km - 1e-9
    distance = np.where(below, tops - depth_km, depth_km - bottoms)
    weight = np.maximum(0.0, 1.0 - np.maximum(distance, 0.0) / taper_km)
    sign = np.where(below, 0.5, -0.5)
    return (tops, vp + sign * weight * dvp_km_s, vs + sign * weight * dvs_km_s,
            rho + sign * weight * drho_g_cm3)


def remove_discontinuity(top_depth_km, vp_km_s, vs_km_s, rho_g_cm3, depth_km, *,
                         half_width_km=25.0):
    """Replace the discontinuity at ``depth_km`` by a linear gradient.

    Every layer whose mid-point lies within ``half_width_km`` of the
    discontinuity takes the value of the straight line, in depth, between
    the model at ``depth_km - half_width_km`` and at
    ``depth_km + half_width_km`` (each read from the layer containing that
    depth), evaluated at the layer mid-point. Layer boundaries are kept.

    Parameters
    ----------
    top_depth_km, vp_km_s, vs_km_s, rho_g_cm3 : arrays, shape (K,)
    depth_km : float
        Depth of the discontinuity to smooth, km.
    half_width_km : float
        Half-width of the gradient zone, km (>= the sub-layer thickness for
        the jump to disappear).

    Returns
    -------
    top_depth_km, vp_km_s, vs_km_s, rho_g_cm3 : arrays, shape (K,)
    """
    tops = np.asarray(top_depth_km, dtype=float)
    z0, z1 = depth_km - half_width_km, depth_km + half_width_km
    mids = 0.5 * (tops[:-1] + tops[1:])
    zone = np.flatnonzero((mids > z0) & (mids < z1))
    i0 = np.searchsorted(tops, z0, side="right") - 1
    i1 = np.searchsorted(tops, z1, side="right") - 1
    out = []
    for x in (vp_km_s, vs_km_s, rho_g_cm3):
        x = np.asarray(x, dtype=float).copy()
        x0, x1 = x[i0], x[i1]
        x[zone] = x0 + (x1 - x0) * (mids[zone] - z0) / (z1 - z0)
        out.append(x)
    return (tops.copy(), *out)
