""".bib → GB/T 7714-2015 numeric text, end to end, as whole ``citekit format`` processes.

Prints wall time, CPU time (the process and its workers) and peak memory for N synthetic mixed
entries (default 10,000), and the time of ``citekit format`` on the bundled library.

``--against REV`` runs the same commands, interleaved in this one run, with the citekit of another
git revision (checked out with ``git worktree`` into a temporary folder), so that a change can be
measured as a before/after pair on one machine at one time.

    python benchmarks/bench_format.py [-n 10000] [--repeat 5] [--against 4212da5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_library import library  # noqa: E402


def run(cmd: list[str], pythonpath: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one process and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": pythonpath}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=pythonpath)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--against", metavar="REV", help="also run this git revision's citekit, interleaved")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"this tree": str(ROOT)}
        if args.against:
            other = Path(tmp) / "against"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(other), args.against],
                           check=True, capture_output=True)
            trees[args.against] = str(other)
        try:
            bib = Path(tmp) / "lib.bib"
            bib.write_text(library(args.n), encoding="utf-8")
            big = [sys.executable, "-m", "citekit.cli", "format", "--library", str(bib),
                   "--style", "gb-t-7714-2015-numeric"]
            small = [sys.executable, "-m", "citekit.cli", "format"]
            results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in trees}
            starts: dict[str, list[float]] = {name: [] for name in trees}
            for _ in range(args.repeat):
                for name, path in trees.items():  # interleaved, so load on the machine hits both alike
                    results[name].append(run(big, path))
                    starts[name].append(run(small, path)[0])
            for name, runs in results.items():
                walls = [w for w, _, _ in runs]
                cpus = [c for _, c, _ in runs]
                print(f"{name}: format {args.n} entries (.bib -> GB/T 7714-2015 numeric text): "
                      f"median {statistics.median(walls):.2f} s wall (runs: {', '.join(f'{x:.2f}' for x in walls)}), "
                      f"{statistics.median(cpus):.2f} s CPU, peak RSS {max(p for _, _, p in runs):.0f} MB; "
                      f"bundled library (14 entries, incl. start-up): median {statistics.median(starts[name]):.2f} s")
        finally:
            if args.against:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)],
                               capture_output=True)


if __name__ == "__main__":
    main()
