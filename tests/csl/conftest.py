from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def render_cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Tests never read or write the user's render cache."""
    folder = tmp_path_factory.mktemp("render-cache")
    monkeypatch.setenv("CITEKIT_RENDER_CACHE", str(folder))
    return folder
