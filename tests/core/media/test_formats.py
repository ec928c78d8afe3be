"""One list of file types: the scanner, the watcher and the query parser agree (issue 20)."""

import pytest

from photoapp.core.media import formats
from photoapp.core.search.query import parse


@pytest.mark.parametrize("name", ["x.jpe", "x.JFIF", "x.hif", "x.CR3", "x.mp4", "x.avif"])
def test_a_file_the_library_indexes_is_an_image_term_of_a_query(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    assert formats.is_photo_name(name)
    [term] = parse(str(path))
    assert term.is_image and term.text == str(path)


def test_a_word_that_is_no_file_stays_text(tmp_path):
    [term] = parse("sunset.jpg")  # no such file here
    assert not term.is_image
