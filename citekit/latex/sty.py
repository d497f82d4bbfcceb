"""citekit.sty, the LaTeX package that hands each citation to ``citekit latex``, written beside a paper."""

from __future__ import annotations

from pathlib import Path

from citekit.errors import CitekitError
from citekit.fileio import atomic_write
from citekit.paths import PACKAGE_DIR

STY_NAME = "citekit.sty"
STY_SOURCE = PACKAGE_DIR / "data" / "latex" / STY_NAME


def sty_text() -> str:
    """The package as citekit ships it."""
    try:
        return STY_SOURCE.read_text(encoding="utf-8")
    except OSError:
        raise CitekitError("citekit.sty is missing from this installation (reinstall citekit)", STY_SOURCE) from None


def write_sty(folder: str | Path, *, force: bool = False) -> tuple[Path, bool]:
    """Write citekit.sty into ``folder``; (its path, whether it was written).

    The same file is left alone (nothing to change); a different one (an older version, or the
    author's own changes) is replaced only with ``force``.
    """
    target = Path(folder) / STY_NAME
    text = sty_text()
    if target.exists():
        try:
            current = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CitekitError(f"cannot read it: {exc}", target) from None
        if current == text:
            return target, False
        if not force:
            raise CitekitError("a different citekit.sty is already there (an older version or edited); "
                               "not replacing it (use --force)", target)
    atomic_write(target, text, force=force)
    return target, True
