"""One meaning per option name across every command (issue #10): --library is a .bib path (or
'bundled'), --to an output format, -o/--output a file written; old spellings only hidden."""

from __future__ import annotations

import typer
from typer.core import TyperOption
from typer.models import TyperPath as PathType

from citekit.cli import app


def _commands(group, path: str = "citekit"):  # noqa: ANN001  # noqa: ANN202
    yield path, group
    for name, cmd in getattr(group, "commands", {}).items():
        yield from _commands(cmd, f"{path} {name}")


def _options():  # noqa: ANN202
    root = typer.main.get_command(app)
    for path, cmd in _commands(root):
        for p in cmd.params:
            if isinstance(p, TyperOption):
                yield path, p


def test_library_is_always_a_path_and_to_always_a_format() -> None:
    seen = set()
    for path, opt in _options():
        if opt.hidden:
            continue
        if "--library" in opt.opts:
            seen.add(path)
            assert isinstance(opt.type, PathType), (path, opt.type)
        if "--to" in opt.opts:
            assert not isinstance(opt.type, PathType), path
            assert "-t" in opt.opts, path
        if "--output" in opt.opts:
            assert "-o" in opt.opts and isinstance(opt.type, PathType), path
    assert {"citekit format", "citekit export", "citekit add", "citekit zotero push", "citekit zotero pull"} <= seen


def test_old_spellings_are_hidden() -> None:
    hidden = {(path, o) for path, opt in _options() if opt.hidden for o in opt.opts}
    assert ("citekit add", "--to") in hidden
    assert ("citekit zotero push", "--bib") in hidden and ("citekit zotero pull", "--bib") in hidden
