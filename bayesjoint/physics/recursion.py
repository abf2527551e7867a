"""Layer recursions over the whole padded stack or over its active layers only.

The layered-Earth stack has a fixed capacity; a model with fewer layers is
padded with zero-thickness layers at the top, which leave every response
unchanged. A recursion that starts at the bottom can therefore stop after
the active layers (:func:`bottom_up`), and one that starts at the top can
start below the padding (:func:`top_down`): the result is the same (bit for
bit when the recursion passes a zero-thickness layer through exactly), and
the cost follows the active layer count instead of the capacity.
"""

import jax


def bottom_up(step, initial, layers, n_steps=None):
    """Apply ``step`` to the layers from the bottom of the stack upward.

    Parameters
    ----------
    step : callable ``step(carry, layer) -> (carry, None)``
        One layer of the recursion (the :func:`jax.lax.scan` form).
    initial : pytree
        Carry at the bottom (the half-space or core response).
    layers : pytree of arrays, leading axis (L,)
        Per-layer inputs, deepest first.
    n_steps : int scalar or None
        None: visit all ``L`` layers with :func:`jax.lax.scan` (reverse-mode
        differentiable). Otherwise visit only the first ``n_steps`` (the
        deepest), in a loop whose trip count is a traced value: exact when
        the layers beyond them have zero thickness; ``jit`` and ``vmap``
        apply (under ``vmap`` the loop runs to the largest count of the
        batch), reverse-mode ``grad`` does not (forward mode does).

    Returns
    -------
    pytree
        The carry after the last visited layer.
    """
    return _visit(step, initial, layers, n_steps, first=True)


def top_down(step, initial, layers, n_steps=None):
    """Apply ``step`` to the layers from the top of the stack downward.

    Parameters
    ----------
    step : callable ``step(carry, layer) -> (carry, None)``
        One layer of the recursion (the :func:`jax.lax.scan` form).
    initial : pytree
        Carry at the top of the first visited layer.
    layers : pytree of arrays, leading axis (L,)
        Per-layer inputs, shallowest first.
    n_steps : int scalar or None
        None: visit all ``L`` layers with :func:`jax.lax.scan` (reverse-mode
        differentiable). Otherwise visit only the last ``n_steps`` (the
        deepest), in a loop whose trip count is a traced value: exact when
        the layers above them have zero thickness and ``initial`` belongs to
        the first visited layer; ``jit`` and ``vmap`` apply (under ``vmap``
        the loop runs to the largest count of the batch), reverse-mode
        ``grad`` does not.

    Returns
    -------
    pytree
        The carry after the last layer.
    """
    return _visit(step, initial, layers, n_steps, first=False)


def _visit(step, initial, layers, n_steps, first):
    """``step`` over all layers (``n_steps`` None, a scan) or over the first
    (``first``) or last ``n_steps`` of them, in order, with a traced trip count."""
    if n_steps is None:
        carry, _ = jax.lax.scan(step, initial, layers)
        return carry
    n_layers = jax.tree.leaves(layers)[0].shape[0]
    start, stop = (0, n_steps) if first else (n_layers - n_steps, n_layers)

    def body(i, carry):
        return step(carry, jax.tree.map(lambda a: a[i], layers))[0]

    return jax.lax.fori_loop(start, stop, body, initial)
