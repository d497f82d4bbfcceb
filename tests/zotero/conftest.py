"""Fixtures for the Zotero tests: the loopback Web API emulation and the shared reference files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers import zotero_api

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "zotero"
SCHEMA = SHARED / "schema.json"
SAMPLES = SHARED / "translator-samples"


@pytest.fixture
def emu():
    server = zotero_api.ZoteroAPIEmulator(schema_path=SCHEMA if SCHEMA.exists() else None)
    with server:
        yield server


@pytest.fixture
def library_items():
    from citekit.bibtex.reader import read_library

    return read_library(["bundled"]).items()


def needs_shared(path: Path = SHARED):
    return pytest.mark.skipif(not path.exists(), reason=f"{path} (reference material) is absent")
