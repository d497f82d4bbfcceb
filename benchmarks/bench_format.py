""".bib → GB/T 7714-2015 numeric, end to end, as whole processes: citekit against its peers.

Each peer that is installed runs in turn with citekit, in pairs, in this one run (so load on
the machine hits both alike), and the table gives the medians and citekit's ratio to each:

- Typst (the Python package ``typst``, its built-in ``gb-7714-2015-numeric`` style and hayagriva
  engine; a document with ``#bibliography("lib.bib", full: true, ...)`` compiled to HTML). It is
  found in this interpreter or in ``~/.cache/citekit-bench/typst-venv``; ``--install-typst``
  creates that scratch venv with pip. A benchmark peer, never a dependency.
- pandoc ``--citeproc`` with the style as ``citekit styles export`` writes it (plain CSL 1.0.2);
- citeproc-js (``benchmarks/csl_agreement.py`` installs it), CSL-JSON input, the same CSL.

citekit runs cold (the render cache off), then warm: a first run filling an empty cache, the same
library again, and again after one entry changed. Then 50,000 entries, each run between two
10,000-entry runs (µs per entry, against the mean of the two neighbours; ``--big-distinct``
repeats this on libraries where every author is distinct, so that no name recurs in either
size), and the start-up medians of ``citekit format`` on the bundled library and ``citekit --help``.
Wall, CPU (the process and its workers) and peak RSS (the largest single process) are per run.

    python benchmarks/bench_format.py [-n 10000] [--repeat 3] [--big 50000] [--big-distinct]
                                      [--peers typst,pandoc,citeproc-js]
    python benchmarks/bench_format.py --against 4212da5   # also another revision's citekit, interleaved
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT))
from gen_library import library  # noqa: E402

# The command as the installed ``citekit`` script runs it (citekit.launch), from the tree measured.
CITEKIT = [sys.executable, "-m", "citekit"]
SCRATCH = Path.home() / ".cache" / "citekit-bench"
TYPST_VENV = SCRATCH / "typst-venv"
STYLE = "gb-t-7714-2015-numeric"
TYPST_DOC = '#bibliography("lib.bib", full: true, style: "gb-7714-2015-numeric")\n'
TYPST_RUN = "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], format='html')"
CITEPROC_JS_RUN = r"""
const fs = require("fs"), path = require("path");
const CSL = require(path.join(process.argv[2], "node_modules", "citeproc", "citeproc_commonjs.js"));
const items = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const byId = {}; for (const it of items) byId[it.id] = it;
const locales = process.argv[5];
const engine = new CSL.Engine({
  retrieveItem: id => byId[id],
  retrieveLocale: lang => { const f = path.join(locales, "locales-" + lang + ".xml");
                            return fs.existsSync(f) ? fs.readFileSync(f, "utf8") : false; },
}, fs.readFileSync(process.argv[4], "utf8"));
engine.setOutputFormat("text");
engine.updateItems(items.map(it => it.id));
process.stdout.write(engine.makeBibliography()[1].join(""));
"""

Run = tuple[float, float, float]  # wall s, CPU s, peak RSS MB


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: str | Path | None = None) -> Run:
    """Wall seconds, CPU seconds (with the children it waited for) and peak RSS of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def citekit_env(tree: str, cache: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": tree, "CITEKIT_RENDER_CACHE": cache}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measured as an installed package runs: with .pyc files
    return env


def typst_python(install: bool) -> str | None:
    """An interpreter that can import ``typst`` (this one, or the scratch venv)."""
    probe = "import typst"
    for python in (sys.executable, str(TYPST_VENV / "bin" / "python")):
        if Path(python).exists() and subprocess.run([python, "-c", probe], capture_output=True).returncode == 0:
            return python
    if not install:
        return None
    subprocess.run([sys.executable, "-m", "venv", str(TYPST_VENV)], check=True)
    subprocess.run([str(TYPST_VENV / "bin" / "pip"), "install", "-q", "typst"], check=True)
    return str(TYPST_VENV / "bin" / "python")


def version_of(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return out.splitlines()[0] if out else "?"


class Peers:
    """The peers' commands for one library, and what they need (written once, outside the timing)."""

    def __init__(self, work: Path, bib: Path, wanted: set[str], install_typst: bool) -> None:
        self.commands: dict[str, Callable[[], Run]] = {}
        self.labels: dict[str, str] = {}
        if "typst" in wanted and (python := typst_python(install_typst)):
            folder = work / "typst"
            folder.mkdir()
            (folder / "lib.bib").symlink_to(bib)
            (folder / "doc.typ").write_text(TYPST_DOC, encoding="utf-8")
            version = version_of([python, "-c", "import typst; print(typst.__version__)"])
            self.labels["typst"] = f"Typst (python typst {version}, HTML)"
            self.commands["typst"] = lambda: run([python, "-c", TYPST_RUN, str(folder / "doc.typ"),
                                                  str(folder / "out.html")])
        csl = None
        if wanted & {"pandoc", "citeproc-js"}:
            from citekit.styleexport import write_export

            csl = work / "gbt.csl"
            write_export(STYLE, csl)
        if "pandoc" in wanted and shutil.which("pandoc"):
            self.labels["pandoc"] = version_of(["pandoc", "--version"]) + " --citeproc"
            cmd = ["pandoc", "--citeproc", "--bibliography", str(bib), "--csl", str(csl), "-M", "nocite=@*",
                   "-f", "markdown", "-t", "plain", "-o", str(work / "pandoc.txt"), os.devnull]
            self.commands["pandoc"] = lambda: run(cmd)
        module = SCRATCH / "citeproc-js" / "node_modules" / "citeproc"
        if "citeproc-js" in wanted and shutil.which("node") and module.is_dir():
            from citekit.bibtex.reader import read_library
            from citekit.csl.locale import _locales_dir

            items = work / "items.json"
            items.write_text(json.dumps(read_library([bib]).items(), ensure_ascii=False), encoding="utf-8")
            script = work / "citeproc.js"
            script.write_text(CITEPROC_JS_RUN, encoding="utf-8")
            version = json.loads((module / "package.json").read_text(encoding="utf-8"))["version"]
            self.labels["citeproc-js"] = f"citeproc-js {version} (CSL-JSON input)"
            cmd = ["node", str(script), str(SCRATCH / "citeproc-js"), str(items), str(csl), str(_locales_dir())]
            self.commands["citeproc-js"] = lambda: run(cmd)


def fmt_run(runs: list[Run]) -> str:
    wall, cpu, rss = (statistics.median(x[i] for x in runs) for i in range(3))
    return f"{wall:7.2f} s wall {cpu:7.2f} s CPU {max(r[2] for r in runs):6.0f} MB"


def med(runs: list[Run], i: int) -> float:
    return statistics.median(r[i] for r in runs)


def linearity(args: argparse.Namespace, work: Path, tree: str, citekit: Callable[[str, Path], Run], small: Path,
              label: str, distinct: bool = False) -> None:
    """``--big`` entries against ``-n``, with small and big runs in turn (S B S B ... B S): each big
    run is set against the mean of the small runs on either side of it. This machine's speed drifts
    by a third within minutes; against a neighbour on one side only, a drift during the pair went
    whole into the ratio, and with the sandwich a steady drift cancels."""
    big = work / f"big{'-distinct' if distinct else ''}.bib"
    big.write_text(library(args.big, distinct_names=distinct), encoding="utf-8")
    small_runs = [citekit(tree, small)]
    big_runs = []
    for _ in range(args.repeat):
        big_runs.append(citekit(tree, big))
        small_runs.append(citekit(tree, small))
    parts = []
    for i, what in enumerate(("wall", "CPU")):
        b, s = med(big_runs, i) / args.big * 1e6, med(small_runs, i) / args.n * 1e6
        ratios = [(bg[i] / args.big) / ((before[i] + after[i]) / 2 / args.n)
                  for before, bg, after in zip(small_runs, big_runs, small_runs[1:], strict=False)]
        each = ", ".join(f"{(r - 1) * 100:+.0f}" for r in ratios)
        parts.append(f"{what} {b:.0f} µs against {s:.0f} at {args.n:,} "
                     f"({(statistics.median(ratios) - 1) * 100:+.0f} % against the runs on either side; each: {each})")
    print(f"{args.big:,} entries, cold{label}, {args.repeat} runs between {args.repeat + 1} of {args.n:,}: "
          f"{fmt_run(big_runs)}; per entry " + "; ".join(parts))


def change_one_entry(bib: Path) -> None:
    text = bib.read_text(encoding="utf-8")
    at = text.index("title = {", len(text) // 2)
    bib.write_text(text[:at] + "title = {Revised " + text[at + len("title = {"):], encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--big", type=int, default=50_000, help="the linearity run's size (0: skip)")
    ap.add_argument("--big-distinct", action="store_true",
                    help="also the linearity pairs on libraries where every author is distinct")
    ap.add_argument("--peers", default="typst,pandoc,citeproc-js")
    ap.add_argument("--install-typst", action="store_true", help="pip-install typst into the scratch venv")
    ap.add_argument("--against", metavar="REV", help="also run this git revision's citekit, interleaved")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        trees = {"citekit": str(ROOT)}
        if args.against:
            other = work / "against"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(other), args.against],
                           check=True, capture_output=True)
            trees[f"citekit {args.against}"] = str(other)
        try:
            report(args, work, trees)
        finally:
            if args.against:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(work / "against")],
                               capture_output=True)


def report(args: argparse.Namespace, work: Path, trees: dict[str, str]) -> None:
    bib = work / "lib.bib"
    bib.write_text(library(args.n), encoding="utf-8")
    peers = Peers(work, bib, set(args.peers.split(",")) if args.peers else set(), args.install_typst)

    def citekit(tree: str, library_path: Path, cache: str = "off") -> Run:
        # cold: the render cache off (neither read nor written); the warm runs below give the
        # first run's cost of filling it
        cmd = [*CITEKIT, "format", "--library", str(library_path), "--style", STYLE]
        return run(cmd, citekit_env(tree, cache), cwd=tree)

    for tree in trees.values():  # compile .pyc files once, as an installed package has them
        run([*CITEKIT, "--help"], citekit_env(tree, "off"), cwd=tree)
    cold: dict[str, list[Run]] = {name: [] for name in trees}
    pairs: dict[str, list[tuple[Run, Run]]] = {name: [] for name in peers.commands}
    for _ in range(args.repeat):
        for name, tree in trees.items():
            cold[name].append(citekit(tree, bib))
        for name, command in peers.commands.items():  # a pair: citekit, then the peer
            ours = citekit(trees["citekit"], bib)
            cold["citekit"].append(ours)
            pairs[name].append((ours, command()))
    print(f"{args.n:,} entries, .bib -> GB/T 7714-2015 numeric, cold (medians; citekit and each peer in "
          f"{args.repeat} pairs):")
    for name, runs in cold.items():
        print(f"  {name:44} {fmt_run(runs)}")
    for name, paired in pairs.items():
        runs = [p for _, p in paired]
        wall = statistics.median(c[0] / p[0] for c, p in paired)
        cpu = statistics.median(c[1] / p[1] for c, p in paired)
        print(f"  {peers.labels[name]:44} {fmt_run(runs)}   citekit/peer: wall {wall:.2f}, CPU {cpu:.2f}")

    warm_cache = str(work / "warm-cache")
    warm_bib = work / "warm" / "lib.bib"
    warm_bib.parent.mkdir()
    shutil.copy(bib, warm_bib)
    filling = [citekit(trees["citekit"], warm_bib, warm_cache)]
    same = [citekit(trees["citekit"], warm_bib, warm_cache) for _ in range(args.repeat)]
    changed = []
    for _ in range(args.repeat):
        change_one_entry(warm_bib)
        changed.append(citekit(trees["citekit"], warm_bib, warm_cache))
    print("warm (the render cache filled by a first run):")
    print(f"  {'first run, filling an empty cache':44} {fmt_run(filling)}")
    print(f"  {'unchanged library':44} {fmt_run(same)}")
    typst_cold = statistics.median(p[0] for _, p in pairs["typst"]) if "typst" in pairs else None
    vs = f"   = {med(changed, 0) / typst_cold:.2f} x Typst's cold wall" if typst_cold else ""
    print(f"  {'one entry changed':44} {fmt_run(changed)}{vs}")

    if args.big:
        linearity(args, work, trees["citekit"], citekit, bib, "")
        if args.big_distinct:
            small = work / "distinct.bib"
            small.write_text(library(args.n, distinct_names=True), encoding="utf-8")
            linearity(args, work, trees["citekit"], citekit, small, " (every author distinct: names never repeat)",
                      distinct=True)

    starts = {"citekit format (bundled library)": ["format"], "citekit --help": ["--help"]}
    for label, argv in starts.items():
        runs = [run([*CITEKIT, *argv], citekit_env(trees["citekit"], warm_cache),
                    cwd=trees["citekit"]) for _ in range(max(7, args.repeat))]
        print(f"start-up, {label:34} median {med(runs, 0):.3f} s wall, {med(runs, 1):.3f} s CPU "
              f"(walls: {', '.join(f'{r[0]:.2f}' for r in runs)})")


if __name__ == "__main__":
    main()
