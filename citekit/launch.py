"""The ``citekit`` command's entry point (and ``python -m citekit``'s).

``citekit format`` forks its first render worker here, before the command-line layer is even
imported, so that the worker loads the engine on another core while this process reads the
command line (``citekit.render.prefork``). Everything else goes straight to ``citekit.cli``.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    zygote = sys.argv[1:2] == ["format"] and hasattr(os, "fork") and "--help" not in sys.argv
    if zygote:
        from citekit.render import prefork
        from citekit.render.workers import cores

        prefork.start(cores())
    from citekit.cli import main as cli_main

    try:
        cli_main()
    finally:
        if zygote:
            prefork.release()  # a path that never rendered in bulk
