"""``citekit format``, ``citekit cite`` and ``citekit styles``."""

# No 'from __future__ import annotations': typer reads every command's annotations on each run,
# and evaluated ones save it ~20 ms of eval() per start-up.

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from citekit.cli.common import check_output_is_not_an_input
from citekit.errors import CitekitError
from citekit.styles import DEFAULT_STYLE

# The engine, the renderers and the readers are imported inside the commands: 'citekit --help'
# and every other command must not pay for them.


class OutputFormat(str, Enum):  # noqa: UP042 (typer needs str-valued enums)
    text = "text"
    html = "html"
    markdown = "markdown"
    latex = "latex"
    json = "json"


class Order(str, Enum):  # noqa: UP042
    cited = "cited"
    style = "style"


def _warn(problems) -> None:
    for p in problems:
        print(f"citekit: warning: {p}", file=sys.stderr)


LibraryOpt = Annotated[Optional[list[Path]], typer.Option("--library", "-l", help="A .bib file or folder (repeatable), or 'bundled'; default: [tool.citekit] library, else the .bib files here.")]  # noqa: E501
ForceOpt = Annotated[bool, typer.Option("--force", help="With --output: replace a read-only file.")]
InputOpt = Annotated[Optional[Path], typer.Option("--input", "-i", help="Read items from this .bib or CSL-JSON file instead.")]  # noqa: E501
StyleOpt = Annotated[str, typer.Option("--style", "-s", help="A built-in style name (see 'citekit styles') or a .csl file.")]  # noqa: E501


def format_command(
    keys: Annotated[Optional[list[str]], typer.Argument(help="Citation keys, in citation order (default: all).")] = None,
    library: LibraryOpt = None,
    input_file: InputOpt = None,
    style: StyleOpt = DEFAULT_STYLE,
    to: Annotated[OutputFormat, typer.Option("--to", "-t", help="Output format.")] = OutputFormat.text,
    order: Annotated[Optional[Order], typer.Option(help="'cited': keep the given order; 'style': let the style sort (the default when the style sorts).")] = None,  # noqa: E501
    cited_from: Annotated[Optional[Path], typer.Option("--cited-from", help="Take keys in order of first citation from a .md/.tex/.aux file.")] = None,  # noqa: E501
    citations: Annotated[bool, typer.Option("--citations", help="Print the in-text citation for KEYS instead.")] = False,  # noqa: E501
    prefer_archive: Annotated[bool, typer.Option("--prefer-archive", help="Print archived URLs for links known to be dead.")] = False,  # noqa: E501
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,  # noqa: E501
    standalone: Annotated[bool, typer.Option("--standalone", help="With --to html: a whole page (lang, title, inline style sheet), not a fragment.")] = False,  # noqa: E501
    force: ForceOpt = False,
    title_case: Annotated[Optional[str], typer.Option("--title-case", help="English BibTeX titles: 'as-is' or 'sentence' (braced words, acronyms and inner capitals kept); default: [tool.citekit.format] title-case, else as-is.")] = None,  # noqa: E501
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Render everything afresh: neither read nor write the render cache (also CITEKIT_RENDER_CACHE=off).")] = False,  # noqa: E501
) -> None:
    """Print a reference list (default: the project's library in GB/T 7714-2015 numeric)."""
    from citekit.bibtex.titlecase import use_title_case

    use_title_case(title_case)  # None: the project's setting, which the BibTeX mapping reads
    if no_cache:
        import os

        from citekit.render.cache import ENV

        os.environ[ENV] = "off"  # the environment reaches the forked render workers too
    import json

    from citekit.render import format_citation, render_document, render_entries, robust_links
    from citekit.render.bulk import render_files
    from citekit.sources import select_items

    check_output_is_not_an_input(output, library, input_file, cited_from)
    if standalone and (to != OutputFormat.html or citations):
        raise CitekitError("--standalone needs --to html (and a reference list, not --citations)")
    whole_library = not (keys or cited_from or citations or prefer_archive or to == OutputFormat.json)
    if whole_library and (input_file is None or input_file.suffix.lower() == ".bib"):
        # Large libraries are parsed and rendered on every core; None when that does not apply.
        bulk = render_files([input_file] if input_file else (library or None), style, fmt=to.value)
        if bulk is not None:
            entries, problems, robust = bulk
            _warn(problems)
            text = render_document(entries, to.value, robust_links=robust)
            _emit(_page(text, style, None) if standalone else text, output, force)
            return
    else:
        from citekit.render import prefork

        prefork.release()  # the first bulk worker, started in case: not needed
    selection = select_items(keys or (), libraries=library or (), input_file=input_file, cited_from=cited_from)
    _warn(selection.problems)
    items = selection.items
    if prefer_archive:
        from citekit.links.archive import preferred_urls  # only this option needs the link cache

        items = preferred_urls(items)
    if citations:
        text = format_citation(items, [(str(i["id"]), None) for i in items], style,
                               "text" if to == OutputFormat.json else to.value) + "\n"
    elif to == OutputFormat.json:
        text = json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    else:
        entries = render_entries(items, style, sort=order != Order.cited, fmt=to.value)
        text = render_document(entries, to.value, robust_links=robust_links(items))
        if standalone:
            text = _page(text, style, items)
    _emit(text, output, force)


def _page(fragment: str, style: str, items: list | None) -> str:
    """The HTML fragment as a whole page, its language from the style or the entries."""
    from citekit.htmlpage import page_language, standalone_page
    from citekit.render.engine import load_style, prepare

    languages = {str(i.get("id")): prepare(i).get("language") for i in items or ()}
    lang = page_language(load_style(style).default_locale, languages.values())
    return standalone_page(fragment, lang=lang, entry_languages=languages)


def _emit(text: str, output: Path | None, force: bool = False) -> None:
    if output:
        from citekit.fileio import atomic_write

        atomic_write(output, text, force=force)
    else:
        sys.stdout.write(text)


def cite_command(
    keys: Annotated[list[str], typer.Argument(help="Keys to cite; KEY@LOCATOR adds a page (e.g. smith2020@12).")],
    library: LibraryOpt = None,
    input_file: InputOpt = None,
    style: StyleOpt = DEFAULT_STYLE,
    to: Annotated[OutputFormat, typer.Option("--to", "-t", help="Output format.")] = OutputFormat.text,
    cited_from: Annotated[Optional[Path], typer.Option("--cited-from", help="Number entries by first citation in this manuscript.")] = None,  # noqa: E501
) -> None:
    """Print the in-text citation for KEYS (numbers follow the library or --cited-from order)."""
    from citekit.render import format_citation
    from citekit.sources import select_items

    cites = [(k.split("@", 1)[0], k.split("@", 1)[1] if "@" in k else None) for k in keys]
    selection = select_items(libraries=library or (), input_file=input_file, cited_from=cited_from)
    _warn(selection.problems)
    fmt = "text" if to == OutputFormat.json else to.value
    sys.stdout.write(format_citation(selection.items, cites, style, fmt) + "\n")


styles_app = typer.Typer(help="The built-in styles: 'citekit styles' lists them; 'export' writes one as CSL 1.0.2.",
                         no_args_is_help=False, add_completion=False)


@styles_app.callback(invoke_without_command=True)
def styles_main(ctx: typer.Context) -> None:
    """List the built-in styles (the same as 'citekit styles list')."""
    if ctx.invoked_subcommand is None:
        styles_list()


@styles_app.command("list")
def styles_list() -> None:
    """List the built-in styles."""
    from citekit.styles import builtin_styles

    for info in builtin_styles():
        print(f"{info.name:32} {info.summary or info.title}")


@styles_app.command("export")
def styles_export(
    name: Annotated[str, typer.Argument(help="A built-in style name (or a .csl file).")],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this .csl file instead of stdout.")] = None,  # noqa: E501
    lang: Annotated[Optional[str], typer.Option("--lang", help="Keep the layout for entries in this language (e.g. en); default: the style's main layout.")] = None,  # noqa: E501
) -> None:
    """Write a style as plain CSL 1.0.2 (pandoc, Zotero, citeproc-js); what it cannot express goes to stderr."""
    from citekit.styleexport import write_export

    exported = write_export(name, output, lang=lang)
    for line in exported.lost:
        print(f"citekit: not in CSL 1.0.2: {line}", file=sys.stderr)
    if output is None:
        sys.stdout.write(exported.xml)


def register(app: typer.Typer) -> None:
    app.command("format")(format_command)
    app.command("cite")(cite_command)
    app.add_typer(styles_app, name="styles")
