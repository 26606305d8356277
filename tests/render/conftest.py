"""Fixtures of the rendering tests (helpers.py has the functions)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.render.helpers import SPECS


@pytest.fixture
def specs() -> Path:
    return SPECS
