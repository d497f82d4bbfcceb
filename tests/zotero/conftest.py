"""Fixtures for the Zotero tests: the loopback Web API emulation and the shared reference files."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "zotero"
SCHEMA = SHARED / "schema.json"
SAMPLES = SHARED / "translator-samples"


def _load(name: str, path: Path) -> types.ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


zotero_api = _load("citekit_test_zotero_api", ROOT / "tests" / "servers" / "zotero_api.py")


def _cli_importable() -> None:
    """citekit.cli imports every command group; stand in for groups not written yet."""
    for group in ("care", "formatting", "links"):
        if not (ROOT / "citekit" / "cli" / f"{group}.py").exists():
            stub = types.ModuleType(f"citekit.cli.{group}")
            stub.register = lambda app: None  # type: ignore[attr-defined]
            sys.modules.setdefault(f"citekit.cli.{group}", stub)


_cli_importable()


@pytest.fixture
def emu():
    server = zotero_api.ZoteroAPIEmulator(schema_path=SCHEMA if SCHEMA.exists() else None)
    with server:
        yield server


@pytest.fixture
def library_items():
    from citekit.bibtex.reader import read_library

    return read_library().items()


def needs_shared(path: Path = SHARED):
    return pytest.mark.skipif(not path.exists(), reason=f"{path} (reference material) is absent")
