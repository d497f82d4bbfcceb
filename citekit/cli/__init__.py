"""The ``citekit`` command: a thin typer layer over the library API.

Each command group lives in its own module with a ``register(app)`` function. This module names
them (:data:`COMMANDS`) and builds only the one a command line invokes, and it turns failures into
one line: bad input (:class:`~citekit.errors.CitekitError`, a usage error) exits 2, an internal
error exits 3 asking for a bug report (the traceback with ``--debug`` or ``CITEKIT_DEBUG=1``).
Command modules import their heavy modules inside the commands, so ``citekit --help`` starts fast.
"""

from __future__ import annotations

import gc

# Start-up allocates tens of thousands of objects that live as long as the process (typer, click,
# the commands' signatures): the cyclic collector would scan that growing heap over and over and
# find nothing, which was 40 % of `citekit --help`. It is off while the command line is assembled
# and parsed, and those objects are then frozen out of later collections.
gc.disable()

import importlib  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Iterator, MutableMapping  # noqa: E402
from typing import Annotated, Any  # noqa: E402

import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

from citekit.errors import CitekitError  # noqa: E402
from citekit.secrets import RedactingStream, secret_values  # noqa: E402

DEBUG_ENV = "CITEKIT_DEBUG"
_state = {"debug": False}


def _debug() -> bool:
    return _state["debug"] or os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _say(message: str) -> None:
    print(f"citekit: error: {message}", file=sys.stderr)


# Every command, in the order `citekit --help` lists them: the module (under citekit.cli) whose
# register() adds it, and the first paragraph of its help. Building a typer command reads its
# function's signature and type hints, which for all of them was most of `citekit --help`; with
# this table the help lists them and only the invoked command's module is imported and built.
# tests/hostile/test_startup.py holds the help texts to the commands' own.
COMMANDS: dict[str, tuple[str, str]] = {
    "format": ("formatting", "Print a reference list (default: the project's library in GB/T 7714-2015 numeric)."),
    "cite": ("formatting", "Print the in-text citation for KEYS (numbers follow the library or --cited-from order)."),
    "latex": ("latex", "Write PAPER.bbl (natbib's conventions, or citekit.sty's) and PAPER.blg from PAPER.aux: "
                       "pdflatex; citekit latex; pdflatex."),
    "check": ("links", "Check every url and doi of the library; report dead links with archived copies."),
    "archive": ("links", "Find the snapshot nearest each entry's urldate; --write records it in the .bib files."),
    "export": ("zotero", "Export entries as CSL-JSON, RIS, BibLaTeX, BibTeX, Zotero JSON or Zotero RDF."),
    "lint": ("care", "Check entries: syntax, duplicates, required fields, field names, dates, URLs, DOIs, macros, "
                     "Unicode."),
    "tidy": ("care", "Rewrite entries in the canonical layout (only entries that differ; idempotent)."),
    "add": ("care", "Add entries from identifiers, with metadata fetched from the DOI resolver, Congress.gov or "
                    "the page."),
    "dedupe": ("care", "List works entered more than once; with --merge, merge them."),
    "styles": ("formatting", "The built-in styles: 'citekit styles' lists them; 'export' writes one as CSL 1.0.2."),
    "zotero": ("zotero", "Push the library to Zotero (Web API or desktop) and pull it back."),
}

_SETTINGS: dict[str, Any] = {
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,  # plain help: rich costs 0.1 s of start-up for every command
}


class _Commands(MutableMapping[str, Any]):
    """The group's commands by name: every name is known up front, a command is built when looked up."""

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            sub = typer.Typer(**_SETTINGS)
            importlib.import_module(f"citekit.cli.{COMMANDS[name][0]}").register(sub)
            self._built.update(typer.main.get_group(sub).commands)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(COMMANDS), **self._built})

    def __len__(self) -> int:
        return len(COMMANDS.keys() | self._built.keys())

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self._built


class CitekitGroup(TyperGroup):
    """The top-level group: every way a command can fail ends in one line and a known exit code."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        commands = _Commands()
        commands.update(self.commands)
        self.commands = commands

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def _short_help(self, name: str, limit: int = 45) -> str:
        from typer._click.utils import make_default_short_help

        if name in COMMANDS:
            return make_default_short_help(COMMANDS[name][1], limit)
        return self.commands[name].get_short_help_str(limit)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # Click's own listing, from the table: no command module is imported for the help.
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        with formatter.section("Commands"):
            formatter.write_dl([(name, self._short_help(name, limit)) for name in names])

    def shell_complete(self, ctx: Any, incomplete: str) -> list[Any]:
        from typer._click.shell_completion import CompletionItem

        results = [CompletionItem(name, help=self._short_help(name))
                   for name in self.list_commands(ctx) if name.startswith(incomplete)]
        results.extend(super(TyperGroup, self).shell_complete(ctx, incomplete))
        return results

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        from typer import _click as click  # typer vendors click

        _state["debug"] = False
        secrets = secret_values()
        saved = sys.stdout, sys.stderr
        if secrets:  # every message and log line passes the redactor before it is printed
            sys.stdout, sys.stderr = RedactingStream(sys.stdout, secrets), RedactingStream(sys.stderr, secrets)
        for stream in (sys.stdout, sys.stderr):
            if hasattr(stream, "reconfigure"):  # an unpaired surrogate prints as '?', not a crash
                stream.reconfigure(errors="replace")
        code: Any = 0
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            _say("interrupted")
            code = 130
        except click.exceptions.NoArgsIsHelpError as exc:  # 'citekit' alone: the help, as click shows it
            exc.show()
            code = exc.exit_code
        except click.ClickException as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if getattr(exc, "ctx", None) else ""
            _say(" ".join(exc.format_message().split()) + hint)
            code = exc.exit_code
        except CitekitError as exc:
            if _debug():
                raise
            _say(" ".join(str(exc).splitlines()))
            code = 2
        except KeyboardInterrupt:
            code = 130
        except BrokenPipeError:
            code = 1
        except Exception as exc:  # noqa: BLE001 - an internal error: one line, unless debugging
            if _debug():
                raise
            if isinstance(exc, OSError) and exc.filename:  # a file the user named that cannot be opened
                _say(f"{exc.filename}: {exc.strerror or type(exc).__name__}")
                code = 2
            else:
                _say(f"internal error ({type(exc).__name__}); this is a bug, please report it with the "
                     f"command you ran (run again with --debug or {DEBUG_ENV}=1 for the traceback)")
                code = 3
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (OSError, ValueError):
                    pass
            sys.stdout, sys.stderr = saved
        return _exit(code, standalone_mode)


def _exit(code: Any, standalone_mode: bool) -> int:
    code = code if isinstance(code, int) else 0
    if standalone_mode:
        sys.exit(code)
    return code


app = typer.Typer(
    name="citekit",
    cls=CitekitGroup,
    help="Reference lists, link checks and Zotero export for a curated BibTeX library.",
    no_args_is_help=True,
    add_completion=True,
    **_SETTINGS,
)


def _version(value: bool) -> None:
    if value:
        from citekit import __version__

        print(f"citekit {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print citekit's version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help=f"Show the traceback of an internal error (also {DEBUG_ENV}=1).")] = False,  # noqa: E501
) -> None:
    """Reference lists, link checks and Zotero export for a curated BibTeX library."""
    _state["debug"] = debug
    _collect()  # a command is about to run: it may make cycles of its own


def _collect() -> None:
    gc.freeze()
    gc.enable()


_collect()  # importing this module leaves the collector as it found it (tests, library callers)


def main() -> None:
    gc.disable()  # until the command line is parsed (see the top of this module)
    app()
