"""Benchmark: ``citekit lint`` and ``citekit tidy`` on a generated 50,000-entry library.

The library (tests/care/care_synth.py, messy=True) mixes reports, web pages, bills and articles,
with @string macros, month macros, TeX accents, CJK titles, URLs with ``%``, and four layouts
(canonical, tabs with upper-case names, aligned ``=``, one line), so tidy rewrites about 3 in 4
entries. Each figure is the median of ``--runs`` whole ``citekit`` processes (interpreter start,
imports, parse, work, output), plus the in-process time of the work itself.

    python benchmarks/bench_care.py [--entries 50000] [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from citekit.care.lint import lint_paths  # noqa: E402
from citekit.care.tidy import tidy_file  # noqa: E402
from tests.care.care_synth import generate  # noqa: E402


def cli(*args: str) -> tuple[float, int]:
    exe = Path(sys.executable).with_name("citekit")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from citekit.cli import main; main()"]
    t0 = time.perf_counter()
    r = subprocess.run([*cmd, *args], capture_output=True, cwd=ROOT)
    return time.perf_counter() - t0, r.returncode


def timed(fn, *args, **kwargs) -> tuple[float, object]:  # noqa: ANN001
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="citekit-bench-care-"))
    try:
        messy = tmp / "messy.bib"
        t, _ = timed(lambda: messy.write_text(generate(args.entries, seed=1, messy=True), encoding="utf-8"))
        size = messy.stat().st_size / 1e6
        print(f"library: {args.entries} entries, {size:.1f} MB (generated in {t:.1f} s)")

        lint_in, diags = timed(lint_paths, [messy])
        print(f"lint   in-process: {lint_in:6.2f} s  ({len(diags)} diagnostics)")
        lint_wall = [cli("lint", str(messy))[0] for _ in range(args.runs)]

        check_wall = [cli("tidy", "--check", str(messy))[0] for _ in range(args.runs)]
        tidy_wall = []
        for _ in range(args.runs):
            work = tmp / "work.bib"
            shutil.copyfile(messy, work)
            tidy_wall.append(cli("tidy", str(work))[0])
        shutil.copyfile(messy, tmp / "work.bib")
        tidy_in, result = timed(tidy_file, tmp / "work.bib")
        print(f"tidy   in-process: {tidy_in:6.2f} s  ({len(result.changed)} entries rewritten)")  # type: ignore[attr-defined]
        again = [cli("tidy", str(tmp / "work.bib"))[0] for _ in range(args.runs)]

        def show(name: str, xs: list[float]) -> None:
            print(f"{name:<28} median {statistics.median(xs):6.2f} s   (runs: {', '.join(f'{x:.2f}' for x in xs)})")

        print(f"whole `citekit` processes, {args.runs} runs each:")
        show("citekit lint", lint_wall)
        show("citekit tidy --check", check_wall)
        show("citekit tidy (rewrite)", tidy_wall)
        show("citekit tidy (already tidy)", again)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
