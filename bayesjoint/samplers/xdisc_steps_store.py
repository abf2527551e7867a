"""The chains of the trans-dimensional step inversion on disk, written as they run.

:func:`bayesjoint.samplers.xdisc_steps_inversion.invert_steps` given a
``work_dir`` writes every chunk of every stage (the ``n_linearisations - 1``
pilot runs, then the final run) through the chain store
(:class:`~bayesjoint.samplers.store.RunFolder`: crash-safe files, a JSON
manifest, no pickles). Chunk ``i`` (``xdisc_steps_chunk_NNNNN.npz``) holds

* ``stage`` and ``iterations`` (per chain, of its stage, after the chunk);
* ``lin_factor``, shape (references, layers): the points at which the
  stage's forward is linearised;
* ``count_proposed``, ``count_accepted``, ``count_swaps_proposed``,
  ``count_swaps_accepted``: the chunk's move and swap counts;
* ``state_<field>`` for every field of
  :class:`~bayesjoint.samplers.xdisc_steps.StepState`: all replicas after
  the chunk, leading axes (chains, temperatures);
* ``draw_<field>``: the kept temperature-1 draws, leading axes (chains,
  draws), in chunks past the stage's burn-in only.

The manifest's ``config`` holds the settings the draws depend on (all of
:class:`~bayesjoint.samplers.xdisc_settings.StepsSettings` but
``n_iterations`` and ``time_budget_s``, which only say where the final run
stops) and a SHA-256 digest of the receiver functions, so a resume with
other data or settings is refused, naming what differs; ``stop`` records
why the final run ended.
"""

import dataclasses
import hashlib
import json
import os

import numpy as np

from bayesjoint.samplers.store import RunFolder
from bayesjoint.samplers.xdisc_steps import Chunk, StepState, count_totals, join_draws

FORMAT = "bayesjoint-xdisc-steps-1"
"""Manifest ``format`` of this layout."""

RESUMABLE_SETTINGS = ("n_iterations", "time_budget_s")
"""Settings a resume may change: they say only where the final run stops."""

COUNT_NAMES = Chunk._fields[1:]
"""The count fields of :class:`~bayesjoint.samplers.xdisc_steps.Chunk`, in order."""


def data_digest(data):
    """SHA-256 of what the likelihood reads from receiver functions ``data`` (hex)."""
    h = hashlib.sha256()
    for array in (data.rf, data.rf_std, data.ray_parameter_s_km):
        h.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
    h.update(repr((float(data.dt_s), float(data.shift_s), float(data.gauss_rad_s),
                   data.normalize, bool(data.earth_flattening), data.correlation,
                   None if data.correlation_s is None else float(data.correlation_s)))
             .encode())
    return h.hexdigest()


def run_config(data, settings):
    """The manifest ``config`` of a run: settings (JSON values) and the data digest."""
    config = {k: v for k, v in dataclasses.asdict(settings).items()
              if k not in RESUMABLE_SETTINGS}
    return json.loads(json.dumps({**config, "data_sha256": data_digest(data)}))


class StepsStore:
    """The chain files of one step inversion.

    Parameters
    ----------
    path : path-like
        The folder (created if absent).
    config : dict
        :func:`run_config` of the run.
    resume : bool
        Continue the run found in ``path``; without it a folder holding a
        run is refused (ValueError), as is a resume whose ``config``
        differs from the stored one.
    """

    def __init__(self, path, config, *, resume):
        self.folder = RunFolder(path, FORMAT, manifest="xdisc_steps_manifest.json",
                                chunk_prefix="xdisc_steps_chunk_")
        self.manifest = self.folder.open(config, resume=resume, new_manifest={"stop": None})
        if not self.folder.holds_run():
            self.folder.write_manifest(self.manifest)

    @property
    def stop(self):
        """How the final run ended (``{"iterations", "reason"}``), None while it runs."""
        return self.manifest["stop"]

    def _entries(self, stage):
        return [c for c in self.manifest["chunks"] if c["stage"] == stage]

    def write_chunk(self, stage, lin_factor, iterations, states, chunk: Chunk, draws):
        """Write one chunk (see the module docstring) and list it in the manifest."""
        arrays = {"stage": stage, "iterations": iterations, "lin_factor": lin_factor}
        arrays.update({f"count_{n}": getattr(chunk, n) for n in COUNT_NAMES})
        arrays.update({f"state_{f}": getattr(states, f) for f in StepState._fields})
        if draws is not None:
            arrays.update({f"draw_{f}": getattr(draws, f) for f in StepState._fields})
        index = len(self.manifest["chunks"])
        self.manifest["chunks"].append({
            "file": self.folder.write_chunk(index, arrays), "stage": int(stage),
            "iterations": int(iterations), "has_draws": draws is not None})
        self.folder.write_manifest(self.manifest)

    def write_stop(self, iterations, reason):
        """Record that the final run ended after ``iterations`` per chain, and why."""
        self.manifest["stop"] = {"iterations": int(iterations), "reason": reason}
        self.folder.write_manifest(self.manifest)

    def clear_stop(self):
        """Forget the final run's end before continuing it."""
        if self.manifest["stop"] is not None:
            self.manifest["stop"] = None
            self.folder.write_manifest(self.manifest)

    def stage_progress(self, stage):
        """What stage ``stage`` has written, or None where it has no chunk.

        Returns
        -------
        dict or None
            ``iterations`` (per chain, of the stage), ``lin_factor``,
            ``states`` (:class:`StepState` after the last chunk),
            ``totals`` (the stage's summed counts, as
            :func:`~bayesjoint.samplers.xdisc_steps.count_totals` makes
            them) and ``draws`` (the kept draws joined, None when none).
        """
        entries = self._entries(stage)
        if not entries:
            return None
        totals, draws = None, []
        for entry in entries:
            with np.load(os.path.join(self.folder.path, entry["file"]),
                         allow_pickle=False) as npz:
                counts = {n: npz[f"count_{n}"] for n in COUNT_NAMES}
                totals = count_totals(totals, Chunk(draws=None, **counts))
                if entry["has_draws"]:
                    draws.append(StepState(*(npz[f"draw_{f}"] for f in StepState._fields)))
                if entry is entries[-1]:
                    states = StepState(*(npz[f"state_{f}"] for f in StepState._fields))
                    lin_factor = npz["lin_factor"]
        return {"iterations": entries[-1]["iterations"], "lin_factor": lin_factor,
                "states": states, "totals": totals,
                "draws": join_draws(draws) if draws else None}
