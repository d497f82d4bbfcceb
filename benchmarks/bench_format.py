"""Issue 2, acceptance 6: .bib → GB/T 7714-2015 numeric text, end to end.

Prints wall time and peak memory for N synthetic mixed entries (default 10,000), run as a fresh
`citekit format` process, and the time of `citekit format` on the bundled library.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_library import library  # noqa: E402


def run(cmd: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr}")
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return elapsed, peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    citekit = [sys.executable, "-m", "citekit.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        bib = Path(tmp) / "lib.bib"
        bib.write_text(library(args.n), encoding="utf-8")
        times = []
        for _ in range(args.repeat):
            t, peak = run([*citekit, "format", "--library", str(bib), "--style", "gb-t-7714-2015-numeric"])
            times.append(t)
        print(f"format {args.n} entries (.bib -> GB/T 7714-2015 numeric text): median {sorted(times)[len(times) // 2]:.2f} s "
              f"(runs: {', '.join(f'{x:.2f}' for x in times)}), peak RSS {peak:.0f} MB")
    small = sorted(run([*citekit, "format"])[0] for _ in range(5))
    print(f"citekit format on the bundled library (14 entries, incl. start-up): median {small[2]:.2f} s")


if __name__ == "__main__":
    main()
