"""Indexing end to end with the tiny model: incremental runs, moves, deletions, problems."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

from photoapp.core.library import Library, LibraryError
from photoapp.core.store.vector_index import VectorIndex


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "lib", model="toy") as library:
        yield library


def _index_ids(lib):
    return lib.vector_index().ids()


def test_first_run_embeds_everything_second_run_nothing(lib, toy_photos):
    folder, truth = toy_photos
    first = lib.index_folders([str(folder)])
    assert first.embedded == len(truth) == 72 and first.failed == 0
    second = lib.index_folders([str(folder)])
    assert second.embedded == 0 and second.skipped == 72
    assert lib.status()["indexed"] == 72 and _index_ids(lib) == lib.catalog.embedded_ids("toy")


def test_rename_and_move_keep_row_and_embedding(lib, toy_photos):
    folder, truth = toy_photos
    lib.index_folders([str(folder)])
    old = next(iter(truth))
    before = lib.photo(old)
    vector = lib.catalog.embedding(before["id"], "toy")
    (folder / "sub").mkdir()
    new = folder / "sub" / "renamed.jpg"
    os.rename(old, new)
    report = lib.index_folders()
    assert report.embedded == 0 and report.moved == 1
    after = lib.photo(new)
    assert after["id"] == before["id"]
    assert np.array_equal(lib.catalog.embedding(after["id"], "toy"), vector)
    with pytest.raises(LibraryError):
        lib.photo(old)


def test_deleted_files_leave_catalog_and_index(lib, toy_photos):
    folder, truth = toy_photos
    lib.index_folders([str(folder)])
    victims = list(truth)[:5]
    ids = {lib.photo(p)["id"] for p in victims}
    for p in victims:
        p.unlink()
    report = lib.index_folders()
    assert report.removed == 5
    assert not ids & _index_ids(lib)
    hits = lib.search("red circle", k=100, cutoff=False)
    assert all(os.path.exists(h.path) for h in hits) and len(hits) == 67


def test_copy_reuses_embedding_and_modified_file_is_reembedded(lib, toy_photos):
    folder, truth = toy_photos
    lib.index_folders([str(folder)])
    src = next(iter(truth))
    shutil.copy(src, folder / "copy.jpg")
    report = lib.index_folders()
    assert report.embedded == 0 and lib.status()["photos"] == 73
    # new content at an old path: re-decoded and re-embedded, same row id
    other = list(truth)[-1]
    pid = lib.photo(src)["id"]
    src.write_bytes(other.read_bytes())
    os.utime(src, (1, 1))
    report = lib.index_folders()
    assert report.embedded == 1 and lib.photo(src)["id"] == pid


def test_touched_but_unchanged_file_is_not_reembedded(lib, toy_photos):
    folder, truth = toy_photos
    lib.index_folders([str(folder)])
    path = next(iter(truth))
    os.utime(path, (12345, 12345))
    report = lib.index_folders()
    assert report.embedded == 0 and lib.photo(path)["mtime"] == 12345


def test_undecodable_files_are_problems_not_failures_of_the_run(lib, toy_photos):
    folder, truth = toy_photos
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    (folder / "empty.png").write_bytes(b"")
    report = lib.index_folders([str(folder)])
    assert report.embedded == 72 and report.failed == 2
    problems = {os.path.basename(p["path"]): p["error"] for p in lib.status()["problems"]}
    assert set(problems) == {"broken.jpg", "empty.png"} and "empty" in problems["empty.png"]
    again = lib.index_folders()
    assert again.failed == 0 and again.embedded == 0  # unchanged bad files are not retried
    (folder / "empty.png").unlink()
    lib.index_folders()
    assert [os.path.basename(p["path"]) for p in lib.status()["problems"]] == ["broken.jpg"]


def test_real_photos_index_with_metadata(lib, real_photos):
    report = lib.index_folders([str(real_photos)])
    assert report.embedded == 6 and report.failed == 0
    photo = lib.photo(next(real_photos.glob("*.jpg")))
    assert photo["width"] >= 1280 and photo["format"] == "JPEG" and photo["taken"] > 0


def test_offline_folder_keeps_its_photos(lib, toy_photos, tmp_path):
    folder, _ = toy_photos
    lib.index_folders([str(folder)])
    parked = tmp_path / "unplugged"
    os.rename(folder, parked)
    report = lib.index_folders()
    assert report.offline_folders == [str(folder)] and lib.status()["photos"] == 72


def test_index_is_rebuilt_when_missing_or_stale(tmp_path, toy_photos):
    folder, _ = toy_photos
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.index_folders([str(folder)])
        index_file = lib._index_file()
    index_file.unlink()
    with Library(tmp_path / "lib") as lib:
        assert len(lib.search("blue square", k=5, cutoff=False)) == 5  # rebuilt from stored embeddings
        assert index_file.exists()
    # an index that disagrees with the catalog (a crash between the two) is replaced
    stale = VectorIndex.build(np.array([999999]), np.ones((1, 64), np.float32), 64)
    stale.save(index_file, "toy")
    with Library(tmp_path / "lib") as lib:
        result = lib.check()
        assert result["index_agrees"] is False and result["index_rebuilt"] and result["ok"]
        assert lib.check()["index_agrees"] is True


def test_model_is_remembered_and_a_new_model_reembeds(tmp_path, toy_photos):
    folder, _ = toy_photos
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.index_folders([str(folder)])
        toy_folder = lib.embedder.source.folder
    with Library(tmp_path / "lib") as lib:
        assert lib.model_name == "toy" and lib.status()["indexed"] == 72
    other = tmp_path / "toy-copy"
    shutil.copytree(toy_folder, other)
    with Library(tmp_path / "lib", model=str(other)) as lib:
        report = lib.index_folders()
        assert report.embedded == 72 and lib.warnings and "switching" in lib.warnings[0]
        assert lib.catalog.count_embedded("toy") == 72  # the old embeddings are kept
    with Library(tmp_path / "lib") as lib:
        assert lib.model_name == str(other) and lib.pending_model is None


def test_interrupted_model_switch_keeps_search_and_resumes(tmp_path, toy_photos):
    import threading

    from photoapp.core.errors import Cancelled

    folder, _ = toy_photos
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.index_folders([str(folder)])
        other = tmp_path / "toy-copy"
        shutil.copytree(lib.embedder.source.folder, other)
    cancel = threading.Event()

    def stop_after_first_batch(phase, done, total):
        if phase == "embed" and done > 0:
            cancel.set()

    with Library(tmp_path / "lib", model=str(other)) as lib:
        lib.settings.batch_size = 8
        with pytest.raises(Cancelled):
            lib.index_folders(progress=stop_after_first_batch, cancel=cancel)
    with Library(tmp_path / "lib") as lib:
        status = lib.status()
        assert status["model"] == "toy" and status["switching_to"] == str(other)
        assert 0 < status["switch_progress"] < 72
        assert len(lib.search("red circle", k=5, cutoff=False)) == 5  # the old model still answers
        report = lib.index_folders()  # resumes the switch without naming the model again
        assert report.embedded == 72 - status["switch_progress"]
        assert lib.status()["model"] == str(other) and lib.pending_model is None
        assert len(lib.search("red circle", k=5, cutoff=False)) == 5


def test_two_libraries_never_interfere(tmp_path, toy_photos):
    folder, _ = toy_photos
    with Library(tmp_path / "a", model="toy") as a, Library(tmp_path / "b", model="toy") as b:
        a.index_folders([str(folder)])
        assert b.status()["photos"] == 0 and b.folders() == []


def test_similar_excludes_itself_and_accepts_outside_files(lib, toy_photos, tmp_path):
    folder, truth = toy_photos
    lib.index_folders([str(folder)])
    path = next(iter(truth))
    hits = lib.similar(path, k=5, cutoff=False)
    assert str(path) not in [h.path for h in hits] and len(hits) == 5
    outside = tmp_path / "outside.jpg"
    shutil.copy(path, outside)
    assert lib.similar(outside, k=3, cutoff=False)[0].score > 0.5
    with pytest.raises(LibraryError, match="no such file"):
        lib.similar(tmp_path / "nope.jpg")


def test_remove_folder_drops_its_photos_from_search(lib, toy_photos, real_photos):
    folder, _ = toy_photos
    lib.index_folders([str(folder), str(real_photos)])
    lib.remove_folder(real_photos)
    assert lib.status()["photos"] == 72
    assert all(h.path.startswith(str(folder)) for h in lib.search("a photo", k=100, cutoff=False))


def test_check_forgets_vanished_files(lib, toy_photos):
    folder, truth = toy_photos
    lib.index_folders([str(folder)])
    victim = next(iter(truth))
    victim.unlink()
    report = lib.check(repair=False)
    assert report["vanished_count"] == 1 and lib.status()["photos"] == 72
    report = lib.check()
    assert report["vanished_removed"] and lib.status()["photos"] == 71
    assert str(victim) not in [h.path for h in lib.search("a photo", k=100, cutoff=False)]
