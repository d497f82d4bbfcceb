"""Does ``citekit-pandoc`` print what ``pandoc --citeproc`` prints, given the same style and items?

    python benchmarks/pandoc_filter_check.py
    python benchmarks/pandoc_filter_check.py --diff --pandoc ~/.cache/citekit-bench/pandoc3/pandoc

pandoc's own citeproc is a peer, not an oracle: where the two differ, each difference is either
citekit's or pandoc's. Each document of ``tests/pandoc`` is run through both with each style both
can run (citekit's styles exported as CSL 1.0.2, the tests' note style, GB/T's official note style
when ``../shared`` has it). With ``--same-data`` (the default) pandoc is given the items as citekit
read them (CSL-JSON), so that the comparison is of the citation processing, not of the two BibTeX
readers. Prints, per document and style, how many paragraphs of the plain-text output are identical.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from citekit.pandoc.filter import read_items, settings  # noqa: E402
from citekit.pandoc.references import inline_references, merge  # noqa: E402
from citekit.render.engine import prepare  # noqa: E402
from citekit.styleexport import export_style  # noqa: E402

TESTS = ROOT / "tests" / "pandoc"
DOCS = ["numeric.md", "author-date.md", "note.md", "paper.md", "paper-note.md", "inline-refs.md"]
EXPORTED = ["nist", "gb-t-7714-2015-numeric", "gb-t-7714-2015-author-date", "gb-t-7714-2025-author-date"]
OFFICIAL_NOTE = ROOT.parent / "shared" / "gbt7714" / "csl-official" / "china-national-standard-gb-t-7714-2015-note.csl"


def _run(args: list[str]) -> str:
    proc = subprocess.run(args, cwd=TESTS, capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "CITEKIT_PYTHON": sys.executable})
    return proc.stdout if proc.returncode == 0 else f"(exit {proc.returncode}: {proc.stderr.strip()[-200:]})"


def _items_json(pandoc: str, doc: str, work: Path) -> Path:
    """The document's items as the filter reads them (bibliography files and inline references)."""
    meta = json.loads(_run([pandoc, doc, "-t", "json"]))["meta"]
    cwd = Path.cwd()
    os.chdir(TESTS)
    try:
        items = merge(inline_references(meta, lambda _m: None), read_items(settings(meta).bibliography, print))
    finally:
        os.chdir(cwd)
    out = work / f"{Path(doc).stem}.json"
    out.write_text(json.dumps([prepare(i) for i in items], ensure_ascii=False), encoding="utf-8")
    return out


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.strip().split("\n\n") if p.strip()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pandoc", default="pandoc", help="the pandoc binary")
    ap.add_argument("--diff", action="store_true", help="print the paragraphs that differ")
    ap.add_argument("--own-data", action="store_true",
                    help="let pandoc read the bibliography files itself (its BibTeX reader, not citekit's)")
    args = ap.parse_args(argv)
    if shutil.which(args.pandoc) is None:
        print(f"{args.pandoc} is not installed")
        return 1
    version = _run([args.pandoc, "--version"]).splitlines()[0]
    print(version)
    wrapper = str(TESTS / "citekit-pandoc.sh")
    same = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        styles: dict[str, Path] = {}
        for name in EXPORTED:
            styles[name] = work / f"{name}.csl"
            styles[name].write_text(export_style(name).xml, encoding="utf-8")
        styles["simple-note"] = TESTS / "simple-note.csl"
        if OFFICIAL_NOTE.is_file():
            styles["gb-t-7714-2015-note (official)"] = OFFICIAL_NOTE
        for doc in DOCS:
            data = None if args.own_data else _items_json(args.pandoc, doc, work)
            for name, csl in styles.items():
                common = [doc, "-M", f"csl={csl}", "-M", f"citekit-style={csl}", "-t", "plain", "--wrap=none"]
                ours = _paragraphs(_run([args.pandoc, *common, "--filter", wrapper]))
                theirs_args = [args.pandoc, *common, "--citeproc"]
                if data is not None:
                    theirs_args += ["-M", f"bibliography={data}"]
                theirs = _paragraphs(_run(theirs_args))
                pairs = list(zip(ours, theirs, strict=False))
                n_same = sum(a == b for a, b in pairs)
                n = max(len(ours), len(theirs))
                same, total = same + n_same, total + n
                print(f"  {doc:16} {name:32} identical paragraphs {n_same}/{n}")
                if args.diff:
                    for a, b in pairs:
                        if a != b:
                            print(f"    citekit: {a}\n    pandoc:  {b}")
                    for extra in ours[len(theirs):] + theirs[len(ours):]:
                        print(f"    only one: {extra}")
    print(f"total identical paragraphs {same}/{total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
