"""The ``citekit`` command: a thin typer layer over the library API.

Each command group lives in its own module with a ``register(app)`` function; this module only
assembles them and turns failures into one line: bad input (:class:`~citekit.errors.CitekitError`,
a usage error) exits 2, an internal error exits 3 asking for a bug report (the traceback with
``--debug`` or ``CITEKIT_DEBUG=1``). Command modules import their heavy modules inside the
commands, so ``citekit --help`` starts fast.
"""

from __future__ import annotations

import gc

# Start-up allocates tens of thousands of objects that live as long as the process (typer, click,
# the commands' signatures): the cyclic collector would scan that growing heap over and over and
# find nothing, which was 40 % of `citekit --help`. It is off while the command line is assembled
# and parsed, and those objects are then frozen out of later collections.
gc.disable()

import os  # noqa: E402
import sys  # noqa: E402
from typing import Annotated, Any  # noqa: E402

import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

from citekit.cli import care, formatting, latex, links, zotero  # noqa: E402
from citekit.errors import CitekitError  # noqa: E402
from citekit.secrets import RedactingStream, secret_values  # noqa: E402

DEBUG_ENV = "CITEKIT_DEBUG"
_state = {"debug": False}


def _debug() -> bool:
    return _state["debug"] or os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _say(message: str) -> None:
    print(f"citekit: error: {message}", file=sys.stderr)


class CitekitGroup(TyperGroup):
    """The top-level group: every way a command can fail ends in one line and a known exit code."""

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
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich costs 0.1 s of start-up for every command
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


for _module in (formatting, latex, links, zotero, care):
    _module.register(app)


def _collect() -> None:
    gc.freeze()
    gc.enable()


_collect()  # importing this module leaves the collector as it found it (tests, library callers)


def main() -> None:
    gc.disable()  # until the command line is parsed (see the top of this module)
    app()
