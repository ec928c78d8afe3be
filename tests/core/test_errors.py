"""One error base: every error the engine means a person to read is a PhotoappError, so the
CLI and the GUI decide by type (issue 20), and nothing else is dressed as a user error."""

import pytest

from photoapp.core.duplicates.trash import TrashError
from photoapp.core.embedding.clip import choose_device
from photoapp.core.embedding.models import ModelUnavailable
from photoapp.core.embedding.onnxrt import ExportFailed
from photoapp.core.embedding.preprocess import UnsupportedPreprocessing
from photoapp.core.errors import Cancelled, InvalidInput, LibraryError, NotIndexed, PhotoappError
from photoapp.core.media.decoding import DecodeError
from photoapp.core.search.query import parse
from photoapp.core.search.ranking import parse_date
from photoapp.core.store.catalog import CatalogError


@pytest.mark.parametrize(
    "error",
    [
        LibraryError,
        NotIndexed,
        InvalidInput,
        Cancelled,
        DecodeError,
        ModelUnavailable,
        ExportFailed,
        UnsupportedPreprocessing,
        CatalogError,
        TrashError,
    ],
)
def test_every_engine_error_has_the_one_base(error):
    assert issubclass(error, PhotoappError)


@pytest.mark.parametrize(
    "mistake",
    [lambda: parse("-cat"), lambda: parse("   "), lambda: parse_date("last tuesday"), lambda: choose_device("tpu")],
)
def test_a_users_mistake_is_invalid_input(mistake):
    with pytest.raises(InvalidInput) as raised:
        mistake()
    assert isinstance(raised.value, LibraryError) and isinstance(raised.value, ValueError)
    assert "\n" not in str(raised.value)
