"""Crash safety: a writer killed mid-way leaves the original file intact (or fully replaced)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from citekit.bibtex.reader import parse_bib
from citekit.bibtex.writer import format_entry
from tests.stall import STALL_IN_ATOMIC_WRITE

ROOT = Path(__file__).resolve().parents[2]


def big_library(n: int) -> str:
    fields = {"title": "Title " + "x" * 200, "year": "2020"}
    entries = (format_entry("report", f"k{i}", fields) for i in range(n))
    return "\n\n".join(entries) + "\n"


# The child stops inside atomic_write after the temp file is written but before the rename: the
# worst moment to die. It announces it by creating a marker file, then the test kills it.
STALL_CHILD = STALL_IN_ATOMIC_WRITE + """
from citekit.bibtex.writer import update_entries
update_entries(sys.argv[1], {"k0": {"title": "changed"}})
"""

LOOP_CHILD = """
import sys
from citekit.bibtex.writer import update_entries
i = 0
while True:
    update_entries(sys.argv[1], {"k1": {"note": str(i)}})
    i += 1
"""


def run_child(code: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env)


def wait_for(pred, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, "child never reached the write"
        time.sleep(0.01)


def test_kill_between_temp_write_and_rename(tmp_path: Path) -> None:
    lib = tmp_path / "lib.bib"
    original = big_library(2000).encode()
    lib.write_bytes(original)
    marker = tmp_path / "marker"
    child = run_child(STALL_CHILD, str(lib), str(marker))
    try:
        wait_for(marker.exists)
        assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())  # the new text was on disk
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert lib.read_bytes() == original


def test_kill_during_repeated_writes(tmp_path: Path) -> None:
    lib = tmp_path / "lib.bib"
    original = big_library(3000)
    lib.write_text(original)
    child = run_child(LOOP_CHILD, str(lib))
    try:
        wait_for(lambda: "note" in lib.read_text())
        time.sleep(0.3)  # let it be somewhere in the middle of a later write
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    text = lib.read_text()
    bib = parse_bib(text, str(lib))
    assert bib.parsed_cleanly and len(bib.entries) == 3000
    # only entry k1 differs from the original
    k1 = bib.entries[1]
    assert text[: k1.start] == original[: original.index("@report{k1,")]
    assert text[k1.end:] == original[original.index("\n\n@report{k2,"):]
