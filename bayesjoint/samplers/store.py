"""The chain store: one run folder of numbered chunk files and a JSON manifest.

Both samplers write their draws through :class:`RunFolder`: the
reversible-jump runner (:mod:`~bayesjoint.samplers.run`, ``chunk_NNNNN.npz``
and ``manifest.json``) and the NUTS runner (:mod:`~bayesjoint.samplers.nuts`,
``nuts_segment_NNNNN.npz`` and ``nuts_manifest.json``).

Crash safety
    Every file is written under a temporary name (``.tmp-...``) in the same
    folder and moved into place with :func:`os.replace`; a chunk is written
    before the manifest that lists it, so the manifest only ever lists
    complete chunks and an interrupted run loses at most the chunk in
    progress. Temporary files left by a killed run are removed when the
    folder is next opened for writing (:meth:`RunFolder.open`), never when it
    is only read, so reading a running run's results cannot disturb it.
Manifest
    A JSON object with at least ``format`` (a string naming the layout of
    the chunk files), ``config`` (the settings the draws depend on, JSON
    values only) and ``chunks`` (one object per complete chunk, in order,
    with its ``file`` name); a sampler adds its own keys.
Resume rule
    A folder holding a run is refused unless resume is asked for, and a
    resume whose configuration differs from the stored one is refused,
    naming every difference (:func:`differences`).
No pickles
    Chunks are ``.npz`` archives of plain NumPy arrays (read with
    ``allow_pickle=False``) and the manifest is JSON.
"""

import json
import os
import tempfile

import numpy as np

TMP_PREFIX = ".tmp-"


def atomic_write(path, write):
    """Write a file under a temporary name in its folder, then move it into place.

    Parameters
    ----------
    path : str or path
        Final name of the file.
    write : callable ``write(f)``
        Writes the content into the binary file object ``f``.

    Notes
    -----
    The data are flushed to disk before :func:`os.replace`, so ``path`` is
    either absent, its old content or its complete new content. If
    ``write`` raises, the temporary file is removed and the error passes on.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=TMP_PREFIX, suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def differences(stored, given, prefix=""):
    """Every setting in which two configurations differ.

    Parameters
    ----------
    stored, given : dict
        JSON-like configurations (nested dicts are compared key by key).
    prefix : str
        Prepended to every key named (used for the nested dicts).

    Returns
    -------
    list of str
        ``"key.sub: stored 5, given 10"`` per differing setting, sorted by
        key; a key found on one side only is ``<absent>`` on the other.
    """
    out = []
    for key in sorted(set(stored) | set(given)):
        a, b = stored.get(key, "<absent>"), given.get(key, "<absent>")
        if isinstance(a, dict) and isinstance(b, dict):
            out += differences(a, b, prefix + key + ".")
        elif a != b:
            out.append(f"{prefix}{key}: stored {a!r}, given {b!r}")
    return out


class RunFolder:
    """One run on disk: numbered chunk files listed by a JSON manifest.

    Parameters
    ----------
    path : str or path
        The folder (created by :meth:`open` if absent).
    format : str
        The manifest's ``format``; a manifest with another is refused.
    manifest : str
        File name of the manifest.
    chunk_prefix : str
        Chunk ``i`` is ``{chunk_prefix}{i:05d}.npz``.
    """

    def __init__(self, path, format, *, manifest, chunk_prefix):
        self.path = os.fspath(path)
        self.format = format
        self.manifest_name = manifest
        self.chunk_prefix = chunk_prefix

    @property
    def manifest_path(self):
        """Path of the manifest file."""
        return os.path.join(self.path, self.manifest_name)

    def holds_run(self):
        """Whether the folder has a manifest."""
        return os.path.exists(self.manifest_path)

    def read_manifest(self):
        """The manifest, after checking its ``format``."""
        with open(self.manifest_path) as f:
            manifest = json.load(f)
        if manifest.get("format") != self.format:
            raise ValueError(f"{self.path}: manifest format {manifest.get('format')!r} is not "
                             f"{self.format!r}")
        return manifest

    def write_manifest(self, manifest):
        """Write the manifest atomically."""
        data = json.dumps(manifest, indent=1).encode()
        atomic_write(self.manifest_path, lambda f: f.write(data))

    def chunk_path(self, index):
        """Path of chunk ``index`` (counted from 0)."""
        return os.path.join(self.path, f"{self.chunk_prefix}{index:05d}.npz")

    def write_chunk(self, index, arrays):
        """Write chunk ``index`` atomically as an ``.npz`` archive of ``arrays``.

        Returns
        -------
        str
            The chunk's file name, for its entry in the manifest's ``chunks``.
        """
        path = self.chunk_path(index)
        arrays = {k: np.asarray(v) for k, v in arrays.items()}
        atomic_write(path, lambda f: np.savez(f, **arrays))
        return os.path.basename(path)

    def remove_temporaries(self):
        """Remove the temporary files of writes that never finished."""
        for name in os.listdir(self.path):
            if name.startswith(TMP_PREFIX):
                os.remove(os.path.join(self.path, name))

    def open(self, config, *, resume, new_manifest):
        """Open the folder for writing: a fresh run, or the resume of the stored one.

        Parameters
        ----------
        config : dict
            The settings the draws depend on (JSON values).
        resume : bool
            Continue a run found in the folder; without it a stored run is an
            error. Temporary files are removed only once the folder is
            known to be written by this run (fresh, or an accepted resume).
        new_manifest : dict
            The sampler's own keys of the manifest of a fresh run (``format``,
            ``config`` and ``chunks`` are added).

        Returns
        -------
        dict
            The stored manifest when resuming, else the fresh one (written
            to disk only by the caller).

        Raises
        ------
        ValueError
            When the folder holds a run and ``resume`` is False, or when the
            stored configuration differs from ``config`` (naming every
            difference).
        """
        os.makedirs(self.path, exist_ok=True)
        if not self.holds_run():
            self.remove_temporaries()
            return {"format": self.format, "config": config, **new_manifest, "chunks": []}
        if not resume:
            raise ValueError(f"{self.path!r} already holds a run; resume it (resume=True, or "
                             "--resume on the command line) or choose another folder")
        manifest = self.read_manifest()
        diff = differences(manifest["config"], config)
        if diff:
            raise ValueError(f"cannot resume the run in {self.path!r}: the configuration "
                             "differs: " + "; ".join(diff))
        self.remove_temporaries()
        return manifest

    def complete_chunks(self, manifest=None):
        """Paths of the chunks the manifest lists, in order."""
        manifest = self.read_manifest() if manifest is None else manifest
        return [os.path.join(self.path, c["file"]) for c in manifest["chunks"]]

    def concatenate(self, prefix, axis):
        """The arrays named ``prefix...`` of every complete chunk, joined along ``axis``.

        Parameters
        ----------
        prefix : str
            Arrays whose name starts with it are read; the prefix is dropped
            from the returned names.
        axis : int
            Axis along which the chunks follow each other (every array with
            the prefix must have it).

        Returns
        -------
        dict of ndarray
            Empty when no complete chunk holds such arrays.
        """
        parts = {}
        for path in self.complete_chunks():
            with np.load(path) as npz:
                for name in npz.files:
                    if name.startswith(prefix):
                        parts.setdefault(name[len(prefix):], []).append(npz[name])
        return {name: np.concatenate(pieces, axis=axis) for name, pieces in parts.items()}
