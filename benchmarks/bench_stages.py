"""CPU per entry of each stage of ``citekit format`` in one process: parse, map, prepare, evaluate, output.

``bench_format.py`` times whole processes against peers; this one says where a worker's time goes,
so that a change to one stage can be measured on its own. Each stage is timed with the process
clock (CPU, not wall: other load on the machine inflates it less) and the best of ``--repeat``
runs is printed, in µs per entry.

    python benchmarks/bench_stages.py [-n 3000] [--repeat 3] [--style gb-t-7714-2015-numeric] [--fmt text]
                                      [--distinct-names]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(ROOT))
from gen_library import library  # noqa: E402


def stages(text: str, style: str, fmt: str) -> dict[str, float]:
    """CPU seconds of each stage over the whole of ``text``."""
    from citekit.bibtex.mapping import entry_to_csl
    from citekit.bibtex.reader import parse_bib
    from citekit.csl.output import render
    from citekit.render.engine import load_style, prepare, processor

    loaded = load_style(style)
    out: dict[str, float] = {}
    clock = time.process_time
    t = clock()
    bib = parse_bib(text, "lib.bib")
    out["parse"] = clock() - t
    t = clock()
    items = [entry_to_csl(e, bib.strings) for e in bib.entries]
    out["map"] = clock() - t
    t = clock()
    prepared = [prepare(i) for i in items]
    proc = processor(prepared, loaded, fmt, prepared=True)
    ids = proc.bibliography_plan([str(i["id"]) for i in prepared], sort=False)
    out["prepare"] = clock() - t
    t = clock()
    entries = proc.render_bibliography(ids)
    out["evaluate"] = clock() - t
    t = clock()
    for e in entries:
        if e.label is not None:
            render(e.label, fmt, proc.locale)
        if e.body is not None:
            render(e.body, fmt, proc.locale)
    out["output"] = clock() - t
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--style", default="gb-t-7714-2015-numeric")
    ap.add_argument("--fmt", default="text")
    ap.add_argument("--distinct-names", action="store_true",
                    help="Every author of every entry a surname of its own (no name repeats).")
    args = ap.parse_args()
    text = library(args.n, distinct_names=args.distinct_names)
    gc.disable()  # as in the forked workers (citekit.render.bulk)
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        for name, secs in stages(text, args.style, args.fmt).items():
            best[name] = min(best.get(name, float("inf")), secs)
        gc.collect()
    total = sum(best.values())
    names = ", every name distinct" if args.distinct_names else ""
    print(f"{args.n:,} entries{names}, {args.style}, {args.fmt}: µs of CPU per entry (best of {args.repeat})")
    for name, secs in best.items():
        print(f"  {name:9} {secs / args.n * 1e6:8.1f}  ({secs / total:4.0%})")
    print(f"  {'total':9} {total / args.n * 1e6:8.1f}")


if __name__ == "__main__":
    main()
