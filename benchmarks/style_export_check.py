"""Do citekit's built-in styles, exported as CSL 1.0.2, render in citeproc-js and pandoc as in citekit?

    python benchmarks/style_export_check.py              # every built-in style
    python benchmarks/style_export_check.py -s nist --diff
    python benchmarks/style_export_check.py --pandoc ~/.cache/citekit-bench/pandoc3/pandoc

Each built-in style is exported (``citekit styles export``); the bundled library is rendered as a
bibliography and as one citation per entry by citeproc-js (npm ``citeproc``, installed into
``~/.cache/citekit-bench/citeproc-js`` as ``benchmarks/csl_agreement.py`` does) and by pandoc
(``pandoc --citeproc --csl``) with the exported style, and compared with citekit's own output of
the original style (what ``citekit format --style NAME`` prints). A difference is "listed" when
citekit's engine renders the exported style the same way as the other engine: it comes from
something the export reported as not expressible. Anything else is a real disagreement.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import csl_agreement  # noqa: E402  (the citeproc-js driver)

import citekit  # noqa: E402
from citekit.csl.processor import CiteRef, Cluster  # noqa: E402
from citekit.render.engine import entry_text, prepare, processor, render_entries  # noqa: E402
from citekit.styleexport import export_style  # noqa: E402
from citekit.styles import builtin_styles  # noqa: E402

Rendering = dict[str, dict[str, str]]  # {"bibliography": {key: text}, "citations": {key: text}}


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def library_items() -> list[dict[str, Any]]:
    """The bundled library as the engines get it: CSL-JSON with each entry's language set."""
    return [prepare(i) for i in citekit.read_library().items()]


def citekit_rendering(style: str | Path, items: list[dict[str, Any]]) -> Rendering:
    entries = render_entries(items, style, fmt="text")
    proc = processor(items, style, "text")
    ids = [str(i["id"]) for i in items]
    cites = proc.process([Cluster([CiteRef(i)]) for i in ids]) if proc.style.citation is not None else []
    return {"bibliography": {e.key: norm(entry_text(e, "text")) for e in entries},
            "citations": dict(zip(ids, map(norm, cites), strict=False))}


def citeproc_js_rendering(styles: dict[str, Path], items: list[dict[str, Any]]) -> dict[str, Rendering | str]:
    out: dict[str, Rendering | str] = {}
    for name, result in csl_agreement.citeproc_js_output(list(styles.values()), items).items():
        if "error" in result:
            out[name] = result["error"].splitlines()[0]
            continue
        out[name] = {"bibliography": {k: norm(t) for k, t in result["bibliography"]},
                     "citations": {k: norm(t) for k, t in result["citations"].items()}}
    return out


_DIV = re.compile(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>(.*?)</div>\s*(?=<div id="ref-|</div>)', re.S)
_CITE = re.compile(r'<span class="citation" data-cites="([^"]+)">(.*?)</span></p>', re.S)


def _text(fragment: str) -> str:
    fragment = re.sub(r"</div>\s*<div", "</div> <div", fragment)  # the label column, then the entry
    return norm(html.unescape(re.sub(r"<[^>]+>", "", fragment)))


def pandoc_rendering(csl: Path, items: list[dict[str, Any]], work: Path, binary: str = "pandoc") -> Rendering | str:
    bib = work / "items.json"
    bib.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    doc = work / "doc.md"
    doc.write_text("\n\n".join(f"[@{i['id']}]" for i in items) + "\n\n# References\n", encoding="utf-8")
    proc = subprocess.run([binary, str(doc), "--citeproc", "--csl", str(csl), "--bibliography", str(bib),
                           "-t", "html", "--wrap=none"], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
    out = proc.stdout
    return {"bibliography": {m.group(1): _text(m.group(2)) for m in _DIV.finditer(out)},
            "citations": {m.group(1): _text(m.group(2)) for m in _CITE.finditer(out)}}


def compare(ours: Rendering, exported: Rendering, theirs: Rendering, part: str) -> tuple[int, int, int, list]:
    """(identical, listed, total, [(key, theirs, ours)]) for one part (bibliography or citations)."""
    same = listed = 0
    other = []
    for key, text in ours[part].items():
        got = theirs[part].get(key, "(missing)")
        if got == text:
            same += 1
        elif got == exported[part].get(key):
            listed += 1
        else:
            other.append((key, got, text))
    return same, listed, len(ours[part]), other


def _js_agrees(other: list, js: Rendering | str | None, part: str) -> int:
    """How many of pandoc's other differences are pandoc disagreeing with citeproc-js, not with the export."""
    if not isinstance(js, dict):
        return 0
    return sum(1 for key, got, want in other if js[part].get(key) == want and got != want)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-s", "--style", help="only built-in styles whose name contains this")
    ap.add_argument("--diff", action="store_true", help="print entries that differ for unlisted reasons")
    ap.add_argument("--pandoc", default="pandoc", help="the pandoc binary (e.g. a pandoc 3.x from get_pandoc3.py)")
    ap.add_argument("--lang", help="export the layout for this entry language (styles export --lang)")
    args = ap.parse_args(argv)
    names = [s.name for s in builtin_styles() if not args.style or args.style in s.name]
    items = library_items()
    have_pandoc = shutil.which(args.pandoc) is not None
    unexplained = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        exported: dict[str, Path] = {}
        lost: dict[str, list[str]] = {}
        for name in names:
            result = export_style(name, lang=args.lang)
            exported[name] = work / f"{name}.csl"
            exported[name].write_text(result.xml, encoding="utf-8")
            lost[name] = result.lost
        js = citeproc_js_rendering(exported, items) if shutil.which("node") else {}
        for name in names:
            ours = citekit_rendering(name, items)
            mine = citekit_rendering(exported[name], items)
            print(f"{name}  ({len(lost[name])} listed as not expressible)")
            engines = [("citeproc-js", js.get(name, "node is not installed")),
                       ("pandoc", pandoc_rendering(exported[name], items, work, args.pandoc) if have_pandoc
                        else "pandoc is not installed")]
            for engine, theirs in engines:
                if isinstance(theirs, str):
                    print(f"  {engine:12} not run: {theirs}")
                    continue
                for part in ("bibliography", "citations"):
                    same, listed, total, other = compare(ours, mine, theirs, part)
                    unexplained += len(other)
                    print(f"  {engine:12} {part:12} identical {same}/{total}, listed differences {listed}, "
                          f"other {len(other)}" + (f" (citeproc-js renders {agree} of them as citekit does)"
                                                   if (agree := _js_agrees(other, js.get(name), part)) else ""))
                    if args.diff:
                        for key, got, want in other:
                            print(f"    {key}\n      {engine}: {got}\n      citekit:    {want}")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
