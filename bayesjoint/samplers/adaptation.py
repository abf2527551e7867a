"""Adaptation of the random-walk step sizes during burn-in, keyed by move name.

Each replica carries an :class:`AdaptState`: the log of every adapted step
and how often it has been proposed. The steps live in *slots*; a move has
one slot, or one per depth bin when its step depends on depth
(:mod:`~bayesjoint.samplers.moves`). :class:`Layout` maps move names to
their slots.

Each time a move is proposed during burn-in, the step of the slot it used
is updated by Robbins-Monro on its log (Andrieu & Thoms 2008, sec. 5)::

    log s += (n + 1)^-0.6 (min(1, alpha) - target)

with ``n`` the number of earlier proposals from that slot, so rarely used
slots (a deep bin, a seldom-picked move) adapt as fast per proposal as the
busy ones. From the end of burn-in on the steps are frozen and the chain is
a fixed Markov kernel.
"""

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from bayesjoint.samplers import moves as mv

ADAPTED_MOVES = ("move", "perturb", "perturb_vs", "perturb_vp_vs", "noise", "move_delay")
"""Moves whose step adapts, in the order of the first fields of
:class:`~bayesjoint.samplers.rjmcmc.ProposalScales`."""

BINNED_MOVES = ("move", "perturb", "perturb_vs", "perturb_vp_vs", "move_delay")
"""Adapted moves with one step per depth bin."""

GAIN_EXPONENT = 0.6


class AdaptState(NamedTuple):
    """Adaptation state of one replica.

    Attributes
    ----------
    log_scales : array, shape (S,)
        Log of each slot's step.
    n_proposed : int array, shape (S,)
        Proposals made from each slot during burn-in.
    """

    log_scales: jnp.ndarray
    n_proposed: jnp.ndarray


class Layout(NamedTuple):
    """Where each adapted move's steps sit in the slot vector.

    Attributes
    ----------
    n_bins : int
        Depth bins of the binned moves.
    """

    n_bins: int

    def size(self, name):
        """Number of slots of move ``name``."""
        return self.n_bins if name in BINNED_MOVES else 1

    def start(self, name):
        """First slot of move ``name``."""
        i = ADAPTED_MOVES.index(name)
        return sum(self.size(m) for m in ADAPTED_MOVES[:i])

    @property
    def n_slots(self):
        """Total number of slots."""
        return sum(self.size(m) for m in ADAPTED_MOVES)

    def slot_tables(self):
        """Per move id of :data:`~bayesjoint.samplers.moves.MOVES`: first slot (-1 when the
        move does not adapt) and number of slots, as int arrays."""
        start = np.full(len(mv.MOVES), -1, dtype=np.int32)
        size = np.ones(len(mv.MOVES), dtype=np.int32)
        for name in ADAPTED_MOVES:
            start[mv.MOVES.index(name)] = self.start(name)
            size[mv.MOVES.index(name)] = self.size(name)
        return start, size

    def initial(self, steps):
        """Initial :class:`AdaptState` from the steps of the adapted moves.

        Parameters
        ----------
        steps : sequence
            One entry per name of :data:`ADAPTED_MOVES`: a float, or for a
            binned move an array of shape (n_bins,).
        """
        parts = [np.broadcast_to(np.asarray(s, dtype=float), (self.size(name),))
                 for name, s in zip(ADAPTED_MOVES, steps)]
        log_scales = np.log(np.concatenate(parts))
        return AdaptState(jnp.asarray(log_scales), jnp.zeros(log_scales.size, dtype=jnp.int32))

    def steps(self, log_scales):
        """The steps of the adapted moves from a slot vector, by name (arrays)."""
        s = jnp.exp(log_scales)
        return {name: s[self.start(name):self.start(name) + self.size(name)]
                if name in BINNED_MOVES else s[self.start(name)]
                for name in ADAPTED_MOVES}


def update(state: AdaptState, layout: Layout, move, depth_bin, log_acceptance, adapting,
           target):
    """One Robbins-Monro step for the slot a proposal used.

    Parameters
    ----------
    state : AdaptState
    layout : Layout
    move : int scalar
        Id of the move proposed (index into :data:`~bayesjoint.samplers.moves.MOVES`).
    depth_bin : int scalar
        Depth bin the move used.
    log_acceptance : scalar
        ``min(0, log alpha)`` of the proposal.
    adapting : bool scalar
        Whether burn-in is still on.
    target : float
        Target acceptance rate.

    Returns
    -------
    AdaptState
    """
    start, size = (jnp.asarray(a) for a in layout.slot_tables())
    slot = start[move] + jnp.minimum(depth_bin, size[move] - 1)
    hit = (jnp.arange(layout.n_slots) == slot) & (start[move] >= 0) & adapting
    gain = (state.n_proposed + 1.0) ** -GAIN_EXPONENT
    step = gain * (jnp.exp(log_acceptance) - target)
    return AdaptState(state.log_scales + jnp.where(hit, step, 0.0),
                      state.n_proposed + hit.astype(state.n_proposed.dtype))
