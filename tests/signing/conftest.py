import pytest

from tests.signing.pki import pki_make


@pytest.fixture
def pki(db, tmp_path, settings):
    return pki_make(tmp_path, settings)
