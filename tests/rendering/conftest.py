"""Test setup for docflow.rendering: no Django settings and no database are needed.

Puts the repository root (for ``import docflow.rendering``) and this folder (for
``rendering_helpers``) on ``sys.path``, so the tests run the same with or without the project's
pytest configuration, e.g. ``pytest tests/rendering -p no:django``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parent
for _path in (_HERE.parents[1], _HERE):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from rendering_helpers import make_document  # noqa: E402


@pytest.fixture
def document():
    """The standard one-page quyết định used across the tests."""
    return make_document()
