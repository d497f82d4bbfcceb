from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run (CI must not pass or fail by chance); the
# examples that found bugs are kept as explicit cases in the tests themselves.
settings.register_profile("citekit", derandomize=True, database=None)
settings.load_profile("citekit")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def shared() -> Path:
    """The team's reference material; tests that need it skip in a user's clone."""
    if not SHARED.is_dir():
        pytest.skip("../shared (reference material) is not present")
    return SHARED


@pytest.fixture(autouse=True)
def render_cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Tests never read or write the user's render cache (CLI subprocesses inherit the setting)."""
    from citekit.csl import xmlcache

    folder = tmp_path_factory.mktemp("render-cache")
    monkeypatch.setenv("CITEKIT_RENDER_CACHE", str(folder))
    yield folder
    xmlcache.configure(None)  # set by the render cache a test opened: not for the next test
