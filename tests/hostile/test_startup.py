"""``import citekit.cli`` works without fcntl (Windows) and imports no heavy module; locks still hold."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("citekit.render", "citekit.csl.processor", "requests", "bibtexparser", "rich", "citekit.zotero.webapi",
         "citekit.links.check", "citekit.bibtex.reader", "citekit.export", "citekit.sources")


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_the_cli_imports_without_fcntl_and_without_heavy_modules() -> None:
    proc = _python("import sys\nsys.modules['fcntl'] = None\nimport citekit.cli\n"
                   f"print([m for m in {HEAVY!r} if m in sys.modules])")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_fallback_lock_excludes_a_second_holder(tmp_path) -> None:  # noqa: ANN001
    code = f"""
import sys
sys.modules['fcntl'] = None
sys.modules['msvcrt'] = None
from citekit.fileio import file_lock, LockTimeout, lock_path_for
target = {str(tmp_path / 'a.bib')!r}
with file_lock(target):
    try:
        with file_lock(target, timeout=0.2):
            print('second holder got in')
    except LockTimeout as exc:
        print('refused:', exc)
with file_lock(target, timeout=0.2):
    print('free again')
"""
    proc = _python(code)
    assert proc.returncode == 0, proc.stderr
    assert "refused: " in proc.stdout and "free again" in proc.stdout and "second holder" not in proc.stdout
