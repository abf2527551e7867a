"""The chain store: atomic writes, manifest, chunks, the resume rule."""

import json

import numpy as np
import pytest

from bayesjoint.samplers.store import RunFolder, atomic_write, differences


def _folder(path):
    return RunFolder(path, "test-format-1", manifest="manifest.json", chunk_prefix="part_")


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "data.bin"
    atomic_write(path, lambda f: f.write(b"old"))

    def fails(f):
        f.write(b"half of the new cont")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, fails)
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.bin"]


def test_stale_temporaries_removed_when_opened_for_writing_only(tmp_path):
    folder = _folder(tmp_path)
    manifest = folder.open({"a": 1}, resume=False, new_manifest={})
    folder.write_manifest(manifest)
    (tmp_path / ".tmp-abc-part_00001.npz").write_bytes(b"partial")
    # reading, or a refused open, leaves them alone: a running run may own them
    folder.read_manifest()
    with pytest.raises(ValueError, match="already holds a run"):
        folder.open({"a": 1}, resume=False, new_manifest={})
    assert (tmp_path / ".tmp-abc-part_00001.npz").exists()
    folder.open({"a": 1}, resume=True, new_manifest={})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]


def test_manifest_round_trip_and_format_check(tmp_path):
    folder = _folder(tmp_path)
    manifest = folder.open({"seed": 3, "spec": {"k_max": 6}}, resume=False,
                           new_manifest={"n_iterations": 400})
    assert manifest == {"format": "test-format-1", "config": {"seed": 3, "spec": {"k_max": 6}},
                        "n_iterations": 400, "chunks": []}
    assert not folder.holds_run()  # nothing is written until the caller says so
    folder.write_manifest(manifest)
    assert folder.read_manifest() == manifest
    other = RunFolder(tmp_path, "test-format-2", manifest="manifest.json", chunk_prefix="part_")
    with pytest.raises(ValueError, match="manifest format 'test-format-1' is not "
                                         "'test-format-2'"):
        other.read_manifest()


def test_resume_refused_naming_every_difference(tmp_path):
    stored = {"thin": 5, "seed": 11, "spec": {"k_max": 6, "depth_max_km": 100.0},
              "birth": "prior"}
    folder = _folder(tmp_path)
    folder.write_manifest(folder.open(stored, resume=False, new_manifest={}))
    given = {"thin": 10, "seed": 11, "spec": {"k_max": 7, "depth_max_km": 100.0},
             "moves": "all"}
    with pytest.raises(ValueError) as info:
        folder.open(given, resume=True, new_manifest={})
    message = str(info.value)
    assert message.endswith(
        "the configuration differs: birth: stored 'prior', given '<absent>'; "
        "moves: stored '<absent>', given 'all'; spec.k_max: stored 6, given 7; "
        "thin: stored 5, given 10")
    assert differences(stored, json.loads(json.dumps(stored))) == []
    assert folder.open(json.loads(json.dumps(stored)), resume=True,
                       new_manifest={})["config"] == stored


def test_chunks_concatenate_in_manifest_order_along_the_given_axis(tmp_path):
    folder = _folder(tmp_path)
    manifest = folder.open({}, resume=False, new_manifest={})
    rng = np.random.default_rng(0)
    pieces = [rng.normal(size=(2, n, 3)) for n in (4, 1, 5)]
    for i, x in enumerate(pieces):
        name = folder.write_chunk(i, {"draw_x": x, "iteration": np.arange(x.shape[1]) + 10 * i,
                                      "state_x": x[:, -1]})
        assert name == f"part_{i:05d}.npz"
        manifest["chunks"].append({"file": name})
        if i < 2:  # the third chunk is on disk but not yet listed: it does not count
            folder.write_manifest(manifest)
    out = folder.concatenate("draw_", axis=1)
    assert set(out) == {"x"}
    np.testing.assert_array_equal(out["x"], np.concatenate(pieces[:2], axis=1))
    np.testing.assert_array_equal(folder.concatenate("iteration", axis=0)[""], [0, 1, 2, 3, 10])
    assert folder.complete_chunks() == [str(tmp_path / "part_00000.npz"),
                                        str(tmp_path / "part_00001.npz")]
    assert folder.concatenate("absent_", axis=0) == {}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]
