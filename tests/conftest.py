from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def shared() -> Path:
    """The team's reference material; tests that need it skip in a user's clone."""
    if not SHARED.is_dir():
        pytest.skip("../shared (reference material) is not present")
    return SHARED
