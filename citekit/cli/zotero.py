"""``citekit export`` and ``citekit zotero push|pull``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from citekit.cli.common import fail
from citekit.errors import CitekitError
from citekit.export import FORMATS, export
from citekit.paths import LIBRARY_DIR

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
    return SyncState.load(state_path_for(paths, LIBRARY_DIR))


def _client(library: str, api_url: str | None):
    from citekit.zotero.webapi import API_URL, ZoteroClient

    key = os.environ.get("ZOTERO_API_KEY")
    if not key:
        fail("ZOTERO_API_KEY is not set: create a key with write access at zotero.org/settings/keys "
             "and export it in the environment")
    url = api_url or os.environ.get(API_URL_ENV) or API_URL
    import requests  # only commands that talk to Zotero pay for importing requests

    return ZoteroClient(requests.Session(), library, key, base_url=url)


@zotero_app.command("push")
def push_cmd(
    keys: Annotated[list[str] | None, typer.Argument(help="Citation keys (default: every entry).")] = None,
    library: Annotated[str | None, typer.Option(
        "--library", help="Zotero library: user:ID or group:ID.")] = None,
    collection: Annotated[str | None, typer.Option(
        "--collection", help="Put the items in this collection (created if missing).")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="List creates/updates/unchanged; write nothing.")] = False,
    local: Annotated[bool, typer.Option(
        "--local", help="Import into the running Zotero desktop instead.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Overwrite items edited in Zotero since the last push.")] = False,
    bib: Annotated[list[Path] | None, typer.Option(
        "--bib", help="BibTeX files or folders (default: library/).")] = None,
    state: Annotated[Path | None, typer.Option(
        "--state", help="Sync state file (default: .citekit-zotero.json next to the library).")] = None,
    api_url: Annotated[str | None, typer.Option(
        "--api-url", help="Web API base URL (default: https://api.zotero.org).")] = None,
    connector_url: Annotated[str, typer.Option("--connector-url", hidden=True)] = "http://127.0.0.1:23119",
) -> None:
    """Create or update the entries in a Zotero library, idempotently."""
    import requests  # lazily: most commands never touch the network

    try:
        items = _items(keys, bib)
        if local:
            _push_local(items, connector_url, dry_run)
            return
        if not library:
            fail("--library user:ID or group:ID is required (or --local for Zotero desktop)")
        from citekit.zotero.webapi import library_prefix, plan_push, push

        prefix = library_prefix(library)
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
        client = _client(library, api_url)
        report = push(client, items, lib, st.save, collection=collection, force=force)
        st.save()
    except CitekitError as exc:
        fail(str(exc))
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
    library: Annotated[str, typer.Option("--library", help="Zotero library: user:ID or group:ID.")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Write or merge into this .bib (default: stdout).")] = None,
    since: Annotated[int | None, typer.Option(
        "--since", help="Library version to pull from (default: the last pull).")] = None,
    full: Annotated[bool, typer.Option("--full", help="Pull every item (same as --since 0).")] = False,
    dialect: Annotated[str, typer.Option("--dialect", help="biblatex or bibtex.")] = "biblatex",
    bib: Annotated[list[Path] | None, typer.Option(
        "--bib", help="Library whose sync state to use (default: library/).")] = None,
    state: Annotated[Path | None, typer.Option("--state", help="Sync state file.")] = None,
    api_url: Annotated[str | None, typer.Option("--api-url", help="Web API base URL.")] = None,
) -> None:
    """Fetch items changed in Zotero and write or merge them as BibTeX."""
    import requests  # lazily: most commands never touch the network

    from citekit.export import bibtex_entry
    from citekit.zotero.webapi import library_prefix, pull

    try:
        prefix = library_prefix(library)
        st = _state(state, bib, output)
        lib = st.library(prefix)
        client = _client(library, api_url)
        result = pull(client, lib, since=0 if full else since)
        texts = {item["citation-key"]: bibtex_entry(item, dialect) for item in result.items}
        if output is None:
            sys.stdout.write("\n\n".join(texts.values()) + ("\n" if texts else ""))
        else:
            _merge(output, texts)
        st.save()
    except CitekitError as exc:
        fail(str(exc))
    except requests.RequestException as exc:
        fail(f"cannot reach the Zotero API ({type(exc).__name__})")
    where = f" into {output}" if output else ""
    print(f"pulled {len(result.items)} items from {prefix.strip('/')} (version {result.library_version})"
          f"{where}; {len(result.deleted)} deleted in Zotero", file=sys.stderr)


def _merge(path: Path, texts: dict[str, str]) -> None:
    """Replace entries already in ``path`` by key, append the others."""
    from citekit.bibtex.reader import read_bib
    from citekit.bibtex.writer import append_entries, replace_entries

    existing = {e.key for e in read_bib(path).entries} if path.exists() else set()
    replace = {k: t for k, t in texts.items() if k in existing}
    if replace:
        replace_entries(path, replace)
    new = [t for k, t in texts.items() if k not in existing]
    if new:
        append_entries(path, new)


def register(app: typer.Typer) -> None:
    """Add ``export`` and the ``zotero`` group to ``app``."""

    @app.command("export")
    def export_cmd(
        to: Annotated[str, typer.Option("--to", help=f"Format: {', '.join(FORMATS)}.")],
        keys: Annotated[list[str] | None, typer.Argument(
            help="Citation keys (default: every entry).")] = None,
        output: Annotated[Path | None, typer.Option(
            "-o", "--output", help="Write here (default: stdout).")] = None,
        library: Annotated[list[Path] | None, typer.Option(
            "--library", help="BibTeX files or folders (default: library/).")] = None,
    ) -> None:
        """Export entries as CSL-JSON, RIS, BibLaTeX, BibTeX, Zotero JSON or Zotero RDF."""
        from citekit.fileio import atomic_write

        if to not in FORMATS:
            fail(f"unknown format {to!r}: choose from {', '.join(FORMATS)}")
        try:
            text = export(_items(keys, library), to)
        except CitekitError as exc:
            fail(str(exc))
        if output is None:
            sys.stdout.write(text)
        else:
            atomic_write(output, text)

    app.add_typer(zotero_app, name="zotero")
