"""Two Library objects on one library (the GUI's and its folder watcher's): what one
indexes reaches the other's loaded vector index through ``refresh_indexes``."""

from __future__ import annotations

import os
import shutil

import numpy as np

from photoapp.core.library import Library
from photoapp.toy.domain import generate_library


def test_changes_by_a_second_library_reach_the_loaded_index(tmp_path, toy_photos):
    folder, _truth = toy_photos
    extra = sorted(generate_library(tmp_path / "extra", per_class=1, seed=99))
    with Library(tmp_path / "lib", model="toy") as gui:
        gui.index_folders([str(folder)])
        model = gui.model_name
        watcher = Library(tmp_path / "lib")  # opened later, like the GUI's: the library knows its model
        watcher.share_models(gui)
        assert watcher.embedder is gui.embedder  # one copy of the model in memory

        existing = sorted(str(p) for p in folder.iterdir())
        added = [shutil.copy2(p, folder / f"new_{p.name}") for p in extra[:3]]
        os.remove(existing[0])
        changed = existing[1]
        shutil.copyfile(extra[5], changed)  # new content under an indexed path
        watcher.index_paths([*map(str, added), existing[0], changed])
        assert gui.vector_index().ids() != gui.catalog.embedded_ids(model)  # stale until refreshed

        gui.refresh_indexes([changed])
        assert gui.vector_index().ids() == gui.catalog.embedded_ids(model)
        photo = gui.catalog.photo_by_path(changed)
        ids, sims = gui.vector_index().query(gui.catalog.embedding(photo.id, model), 1)
        assert ids[0] == photo.id and np.isclose(sims[0], 1.0, atol=1e-4)  # the new vector, not the old
        assert existing[0] not in {h.path for h in gui.search("red circle", k=100)}
        watcher.close()
