"""``citekit lint``, ``tidy``, ``add`` and ``dedupe``: a thin layer over :mod:`citekit.care`.

Exit codes: 0 clean; 1 lint errors, or ``tidy --check`` found entries to reformat; 2 usage or
input errors (including a file that failed to parse, which is never rewritten without --force).
"""

# No 'from __future__ import annotations': typer reads every command's annotations on each run,
# and evaluated ones save it ~20 ms of eval() per start-up.

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from citekit.cli.common import fail, renamed

Paths = Annotated[Optional[list[Path]], typer.Argument(help=".bib files or folders, or 'bundled' (read only); default: [tool.citekit] library, else the .bib files here.")]  # noqa: E501
ForceOpt = Annotated[bool, typer.Option("--force", help="Rewrite files even if a block failed to parse, or the file is read-only.")]  # noqa: E501


class LintFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


def _read_only_bundled(paths: list[Path] | None) -> None:
    from citekit.paths import BUNDLED

    if any(str(p) == BUNDLED for p in paths or ()):
        fail("the bundled library is read only: copy it into your project to change it")


def _config(paths: list[Path] | None):  # noqa: ANN202
    from citekit.care.config import load_config

    return load_config(paths[0] if paths else None)


def lint(
    paths: Paths = None,
    fmt: Annotated[LintFormat, typer.Option("--format", "-f", help="text, json or github annotations.")] = LintFormat.text,
) -> None:
    """Check entries: syntax, duplicates, required fields, field names, dates, URLs, DOIs, macros, Unicode."""
    from citekit.care.lint import format_diagnostics, has_errors, lint_paths

    diagnostics = lint_paths(paths, _config(paths))
    out = format_diagnostics(diagnostics, fmt.value)
    if out:
        print(out)
    elif fmt is LintFormat.text:
        print("no problems found")
    raise typer.Exit(1 if has_errors(diagnostics) else 0)


def tidy(
    paths: Paths = None,
    check: Annotated[bool, typer.Option("--check", help="Only report; exit 1 if anything would change.")] = False,
    force: ForceOpt = False,
) -> None:
    """Rewrite entries in the canonical layout (only entries that differ; idempotent)."""
    from citekit.care.tidy import tidy_paths

    if not check:
        _read_only_bundled(paths)
    results = tidy_paths(paths, _config(paths), check=check, force=force)
    pending = 0
    for r in results:
        for key, line, why in r.skipped:
            print(f"{r.path}:{line}: skipped {key!r}: {why}", file=sys.stderr)
        if r.changed:
            pending += len(r.changed)
            verb = "would reformat" if check else "reformatted"
            shown = ", ".join(r.changed[:10]) + (", …" if len(r.changed) > 10 else "")
            print(f"{verb} {r.path}: {len(r.changed)} entr{'y' if len(r.changed) == 1 else 'ies'} ({shown})")
            for old, new in r.renamed.items():
                print(f"  renamed {old} -> {new} (old key kept in ids)")
    if not pending:
        print(f"{len(results)} file(s) already tidy")
    raise typer.Exit(1 if check and pending else 0)


def add(
    identifiers: Annotated[list[str], typer.Argument(help="DOIs, NIST ids (NIST SP 800-53), bills (H.R. 2996 (113th)), URLs.")],
    library: Annotated[Optional[Path], typer.Option("--library", "-l", help="The .bib file to append to (default: the project library's only file).")] = None,  # noqa: E501
    to: Annotated[Optional[Path], typer.Option("--to", hidden=True)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the entries; write nothing.")] = False,
    force: ForceOpt = False,
) -> None:
    """Add entries from identifiers, with metadata fetched from the DOI resolver, Congress.gov or the page."""
    import requests

    from citekit.bibtex.reader import bib_files, read_library
    from citekit.care.add import add_to_file, new_entries
    from citekit.fileio import check_target

    if to is not None:
        renamed("add --to FILE", "add --library FILE")
    target = library or to
    if target is None:
        files = bib_files(None)
        if len(files) != 1:
            fail("the library has several .bib files: say which one with --library")
        target = files[0]
    else:
        _read_only_bundled([target])
    if not dry_run:
        check_target(target, force=force)  # before any network request: an unwritable file fails now
    # keys must be unique across the library folder the target lives in
    taken = set(read_library([target.parent]).keys()) if target.parent.is_dir() else set()
    with requests.Session() as session:
        session.headers["User-Agent"] = "citekit/0.1 (library care; +https://github.com/)"
        entries = new_entries(identifiers, session, taken, config=_config([target]))
    for e in entries:
        for note in e.notes:
            print(f"{e.identifier}: {note}", file=sys.stderr)
    if dry_run:
        print("\n\n".join(e.text for e in entries))
        return
    keys = add_to_file(target, entries, force=force)
    for key in keys:
        print(f"added {key} to {target}")


def dedupe(
    paths: Paths = None,
    merge: Annotated[bool, typer.Option("--merge", help="Merge each group into its first entry (ids keeps the dropped keys).")] = False,
    force: ForceOpt = False,
) -> None:
    """List works entered more than once; with --merge, merge them."""
    from citekit.bibtex.reader import read_library
    from citekit.care import dedupe as dd

    if merge:
        _read_only_bundled(paths)
        plans = dd.merge(paths, force=force)
        for p in plans:
            dropped = ", ".join(e.key for e in p.drop)
            print(f"merged {dropped} into {p.keep.key} ({p.keep.path}:{p.keep.line})")
        if not plans:
            print("no duplicate works")
        return
    groups = dd.find_groups(read_library(paths))
    for g in groups:
        head = g.entries[0]
        print(f"{head.key} ({head.path}:{head.line})")
        for e, why in zip(g.entries[1:], g.reasons[1:], strict=True):
            print(f"  {e.key} ({e.path}:{e.line}): {why}")
    if not groups:
        print("no duplicate works")


def register(app: typer.Typer) -> None:
    """Add this group's commands to ``app``."""
    app.command("lint")(lint)
    app.command("tidy")(tidy)
    app.command("add")(add)
    app.command("dedupe")(dedupe)
