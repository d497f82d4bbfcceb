"""``citekit export`` and ``citekit zotero push|pull``."""

# No 'from __future__ import annotations': typer reads every command's annotations on each run,
# and evaluated ones save it ~20 ms of eval() per start-up.

import os
import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from citekit.cli.common import check_output_is_not_an_input, fail, renamed, warn

# The export formats, spelled here so that 'citekit --help' need not import the exporters
# (tests/zotero checks this list against citekit.export.FORMATS).
FORMATS = ("csljson", "ris", "biblatex", "bibtex", "zotero-json", "zotero-rdf")

API_URL_ENV = "CITEKIT_ZOTERO_API_URL"  # a self-hosted or emulated Web API (tests, benchmarks)

zotero_app = typer.Typer(help="Push the library to Zotero (Web API or desktop) and pull it back.",
                         no_args_is_help=True)


def _items(keys: list[str] | None, library: list[Path] | None) -> list[dict]:
    from citekit.bibtex.reader import read_library

    lib = read_library(library or None)
    return lib.items(keys or None)


def _state(state: Path | None, bib: list[Path] | None, out: Path | None = None):
    from citekit.zotero.state import SyncState, state_path_for

    if state is not None:
        return SyncState.load(state)
    paths = bib or ([out] if out is not None else None)
    if paths is None:
        from citekit.errors import CitekitError
        from citekit.paths import default_library

        try:
            paths = default_library()
        except CitekitError:  # no project library: the state goes in the working folder
            paths = None
    return SyncState.load(state_path_for(paths, Path.cwd()))


def _client(library: str, api_url: str | None):
    from citekit.zotero.webapi import API_URL, ZoteroClient

    key = os.environ.get("ZOTERO_API_KEY")
    if not key:
        fail("ZOTERO_API_KEY is not set: create a key with write access at zotero.org/settings/keys "
             "and export it in the environment")
    url = api_url or os.environ.get(API_URL_ENV) or API_URL
    import requests  # only commands that talk to Zotero pay for importing requests

    return ZoteroClient(requests.Session(), library, key, base_url=url, notify=warn)


_ZOTERO_LIBRARY = re.compile(r"\s*(user|group)s?[:/]\d+\s*")


def _libraries(zotero_library: str | None, library: list[Path] | None,
               bib: list[Path] | None) -> tuple[str | None, list[Path] | None]:
    """The Zotero library and the .bib paths, with last release's spellings still understood.

    ``--library`` used to name the Zotero library in these commands; it now means the .bib
    files, as everywhere else. A value shaped like ``user:ID`` is still taken the old way.
    """
    paths = list(library or [])
    if paths and zotero_library is None and len(paths) == 1 and _ZOTERO_LIBRARY.fullmatch(str(paths[0])):
        renamed("--library user:ID", "--zotero-library user:ID")
        zotero_library, paths = str(paths[0]), []
    if bib:
        renamed("--bib", "--library")
        paths += bib
    return zotero_library, paths or None


ZoteroLibraryOpt = Annotated[str | None, typer.Option(
    "--zotero-library", "-z", help="Zotero library: user:ID or group:ID.")]
LibraryOpt = Annotated[list[Path] | None, typer.Option(
    "--library", "-l", help="A .bib file or folder (repeatable), or 'bundled'; default: the project's library.")]
OldBibOpt = Annotated[list[Path] | None, typer.Option("--bib", hidden=True)]


@zotero_app.command("push")
def push_cmd(
    keys: Annotated[list[str] | None, typer.Argument(help="Citation keys (default: every entry).")] = None,
    zotero_library: ZoteroLibraryOpt = None,
    library: LibraryOpt = None,
    collection: Annotated[str | None, typer.Option(
        "--collection", help="Put the items in this collection (created if missing).")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="List creates/updates/unchanged; write nothing.")] = False,
    local: Annotated[bool, typer.Option(
        "--local", help="Import into the running Zotero desktop instead.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Overwrite items edited in Zotero since the last push.")] = False,
    bib: OldBibOpt = None,
    state: Annotated[Path | None, typer.Option(
        "--state", help="Sync state file (default: .citekit-zotero.json next to the library).")] = None,
    api_url: Annotated[str | None, typer.Option(
        "--api-url", help="Web API base URL (default: https://api.zotero.org).")] = None,
    connector_url: Annotated[str, typer.Option("--connector-url", hidden=True)] = "http://127.0.0.1:23119",
) -> None:
    """Create or update the entries in a Zotero library, idempotently."""
    import requests  # lazily: most commands never touch the network

    zotero_library, bib = _libraries(zotero_library, library, bib)
    try:
        items = _items(keys, bib)
        if local:
            _push_local(items, connector_url, dry_run)
            return
        if not zotero_library:
            fail("--zotero-library user:ID or group:ID is required (or --local for Zotero desktop)")
        from citekit.zotero.webapi import library_prefix, plan_push, push

        prefix = library_prefix(zotero_library)
        st = _state(state, bib)
        lib = st.library(prefix)
        if dry_run:
            ckey = lib.collections.get(collection) if collection else None
            ops, unchanged = plan_push(items, lib, prefix, ckey)
            if collection and not ckey:
                print(f"collection {collection!r}: looked up, created if missing")
            for op in ops:
                print(f"{op.kind:9} {op.citekey}  ({op.obj['itemType']})")
            for k in unchanged:
                print(f"unchanged {k}")
            creates = sum(op.kind == "create" for op in ops)
            print(f"dry run: {creates} to create, {len(ops) - creates} to update, {len(unchanged)} unchanged")
            return
        client = _client(zotero_library, api_url)
        report = push(client, items, lib, st.save, collection=collection, force=force)
        st.save()
    except requests.RequestException as exc:
        fail(f"cannot reach the Zotero API ({type(exc).__name__}); run the push again: "
             "nothing already pushed is sent twice")
    for k, why in report.failed.items():
        print(f"failed    {k}: {why}", file=sys.stderr)
    print(f"pushed to {prefix.strip('/')}: {len(report.created)} created, {len(report.updated)} updated, "
          f"{len(report.unchanged)} unchanged, {len(report.failed)} failed "
          f"({report.requests} requests; state in {st.path})")
    if report.failed:
        raise typer.Exit(1)


def _push_local(items: list[dict], connector_url: str, dry_run: bool) -> None:
    import requests  # lazily: most commands never touch the network

    from citekit.export import export
    from citekit.zotero.connector import import_text, ping

    session = requests.Session()
    rdf = export(items, "zotero-rdf")
    if dry_run:
        running = "running" if ping(session, connector_url) else "NOT running"
        print(f"dry run: {len(items)} items would be imported into Zotero desktop ({running}) "
              "into the selected collection")
        return
    imported = import_text(session, rdf, base_url=connector_url)
    print(f"imported {len(imported) or len(items)} items into Zotero desktop (selected collection)")


@zotero_app.command("pull")
def pull_cmd(
    zotero_library: ZoteroLibraryOpt = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Write or merge into this .bib (default: stdout).")] = None,
    since: Annotated[int | None, typer.Option(
        "--since", help="Library version to pull from (default: the last pull).")] = None,
    full: Annotated[bool, typer.Option("--full", help="Pull every item (same as --since 0).")] = False,
    dialect: Annotated[str, typer.Option("--dialect", help="biblatex or bibtex.")] = "biblatex",
    library: Annotated[list[Path] | None, typer.Option(
        "--library", "-l", help="The .bib library whose sync state to use (default: the project's library).")] = None,
    bib: OldBibOpt = None,
    state: Annotated[Path | None, typer.Option("--state", help="Sync state file.")] = None,
    api_url: Annotated[str | None, typer.Option("--api-url", help="Web API base URL.")] = None,
    force: Annotated[bool, typer.Option("--force", help="With --output: rewrite a read-only file.")] = False,
) -> None:
    """Fetch items changed in Zotero and write or merge them as BibTeX."""
    import requests  # lazily: most commands never touch the network

    from citekit.export import bibtex_entry
    from citekit.zotero.webapi import library_prefix, pull

    zotero_library, bib = _libraries(zotero_library, library, bib)
    if not zotero_library:
        fail("--zotero-library user:ID or group:ID is required")
    try:
        prefix = library_prefix(zotero_library)
        st = _state(state, bib, output)
        lib = st.library(prefix)
        client = _client(zotero_library, api_url)
        result = pull(client, lib, since=0 if full else since)
        texts = {item["citation-key"]: bibtex_entry(item, dialect) for item in result.items}
        if output is None:
            sys.stdout.write("\n\n".join(texts.values()) + ("\n" if texts else ""))
        else:
            _merge(output, texts, force)
        st.save()
    except requests.RequestException as exc:
        fail(f"cannot reach the Zotero API ({type(exc).__name__})")
    where = f" into {output}" if output else ""
    print(f"pulled {len(result.items)} items from {prefix.strip('/')} (version {result.library_version})"
          f"{where}; {len(result.deleted)} deleted in Zotero", file=sys.stderr)


def _merge(path: Path, texts: dict[str, str], force: bool) -> None:
    """Replace entries already in ``path`` by key, append the others."""
    from citekit.bibtex.reader import read_bib
    from citekit.bibtex.writer import append_entries, replace_entries

    existing = {e.key for e in read_bib(path).entries} if path.exists() else set()
    replace = {k: t for k, t in texts.items() if k in existing}
    if replace:
        replace_entries(path, replace, force=force)
    new = [t for k, t in texts.items() if k not in existing]
    if new:
        append_entries(path, new, force=force)


def register(app: typer.Typer) -> None:
    """Add ``export`` and the ``zotero`` group to ``app``."""

    @app.command("export")
    def export_cmd(
        to: Annotated[str, typer.Option("--to", "-t", help=f"Format: {', '.join(FORMATS)}.")],
        keys: Annotated[list[str] | None, typer.Argument(
            help="Citation keys (default: every entry).")] = None,
        output: Annotated[Path | None, typer.Option(
            "-o", "--output", help="Write here (default: stdout).")] = None,
        library: LibraryOpt = None,
        force: Annotated[bool, typer.Option("--force", help="With --output: replace a read-only file.")] = False,
    ) -> None:
        """Export entries as CSL-JSON, RIS, BibLaTeX, BibTeX, Zotero JSON or Zotero RDF."""
        from citekit.export import export
        from citekit.fileio import atomic_write

        if to not in FORMATS:
            fail(f"unknown format {to!r}: choose from {', '.join(FORMATS)}")
        check_output_is_not_an_input(output, library)
        text = export(_items(keys, library), to)
        if output is None:
            sys.stdout.write(text)
        else:
            atomic_write(output, text, force=force)

    app.add_typer(zotero_app, name="zotero")
