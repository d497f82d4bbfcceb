"""How often citekit's CSL engine renders exactly what citeproc-js (the behaviour of record) renders.

    python benchmarks/csl_agreement.py                  # every style in ../shared/csl/styles
    python benchmarks/csl_agreement.py -s apa --diff    # one style, with the differing entries

``benchmarks/agreement_items.json`` (about 60 CSL-JSON items) is rendered with each style as a
bibliography and as one citation per item, in plain text, by citeproc-js (npm ``citeproc`` 2.4,
installed once into ``~/.cache/citekit-bench/citeproc-js``; its output is cached next to it) and by
``citekit.csl.processor.Processor(..., fmt="text")``. citeproc-js reads its locales from
citeproc-py's bundled folder, the same files citekit uses. citeproc-js is an oracle here, never a
dependency of citekit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ITEMS = Path(__file__).resolve().parent / "agreement_items.json"
STYLES = ROOT.parent / "shared" / "csl" / "styles"
SCRATCH = Path.home() / ".cache" / "citekit-bench"
CITEPROC_JS = SCRATCH / "citeproc-js"
CITEPROC_JS_VERSION = "2.4"

# Reads {"styles": {name: xml}, "items": [...], "locales": dir} on stdin; writes
# {name: {"bibliography": [[id, text], ...], "citations": {id: text}} | {"error": msg}}.
NODE_SCRIPT = r"""
const fs = require("fs");
const path = require("path");
const CSL = require(path.join(__dirname, "node_modules", "citeproc", "citeproc_commonjs.js"));
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const byId = {};
for (const item of input.items) byId[item.id] = item;
const ids = input.items.map(it => it.id);
const sys = {
  retrieveItem: id => byId[id],
  retrieveLocale: lang => {
    const file = path.join(input.locales, "locales-" + lang + ".xml");
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : false;
  },
};
const out = {};
for (const [name, xml] of Object.entries(input.styles)) {
  try {
    const engine = new CSL.Engine(sys, xml);
    engine.setOutputFormat("text");
    engine.updateItems(ids);
    const citations = {};
    for (const id of ids) citations[id] = engine.makeCitationCluster([{ id: id }]);
    const bib = engine.makeBibliography();
    const entries = [];
    if (bib) {
      const [meta, texts] = bib;
      // entry_ids still lists items left out for having no printed form (bibliography_errors).
      const skipped = new Set((meta.bibliography_errors || []).map(e => e.index));
      const ids = meta.entry_ids.filter((_, i) => !skipped.has(i));
      texts.forEach((t, i) => entries.push([String(ids[i][0]), t.trim()]));
    }
    out[name] = { bibliography: entries, citations: citations };
  } catch (err) {
    out[name] = { error: String(err && err.stack || err) };
  }
}
process.stdout.write(JSON.stringify(out));
"""


def style_paths(substring: str | None = None) -> list[Path]:
    paths = sorted(STYLES.glob("*.csl"))
    return [p for p in paths if not substring or substring.lower() in p.stem.lower()]


def ensure_citeproc_js() -> Path:
    """Install citeproc-js into the scratch folder if it is not there yet; return the node script."""
    module = CITEPROC_JS / "node_modules" / "citeproc" / "citeproc_commonjs.js"
    if not module.exists():
        if shutil.which("npm") is None:
            sys.exit("npm is not installed: citeproc-js cannot be fetched")
        CITEPROC_JS.mkdir(parents=True, exist_ok=True)
        package = CITEPROC_JS / "package.json"
        if not package.exists():
            package.write_text('{"name": "citekit-bench-citeproc-js", "private": true}\n', encoding="utf-8")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", f"citeproc@{CITEPROC_JS_VERSION}"],
                       cwd=CITEPROC_JS, check=True, stdout=subprocess.DEVNULL)
    script = CITEPROC_JS / "render.js"
    if not script.exists() or script.read_text(encoding="utf-8") != NODE_SCRIPT:
        script.write_text(NODE_SCRIPT, encoding="utf-8")
    return script


def locales_dir() -> Path:
    import citeproc

    return Path(citeproc.LOCALES_PATH)


def citeproc_js_output(styles: list[Path], items: list[dict[str, Any]]) -> dict[str, Any]:
    """citeproc-js's rendering of every style, from the cache when inputs are unchanged."""
    script = ensure_citeproc_js()
    version = json.loads((CITEPROC_JS / "node_modules" / "citeproc" / "package.json").read_text())["version"]
    wanted = {p.stem: p.read_text(encoding="utf-8") for p in styles}
    cache_file = SCRATCH / "citeproc-js-output.json"
    try:
        cache = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache = {}
    base = hashlib.sha256((version + NODE_SCRIPT + json.dumps(items, sort_keys=True)).encode())
    loc = locales_dir()
    for f in sorted(loc.glob("locales-*.xml")):
        base.update(f.name.encode() + f.read_bytes())
    keys = {name: hashlib.sha256((base.hexdigest() + xml).encode()).hexdigest() for name, xml in wanted.items()}
    missing = {name: xml for name, xml in wanted.items() if cache.get(name, {}).get("key") != keys[name]}
    if missing:
        payload = json.dumps({"styles": missing, "items": items, "locales": str(loc)})
        proc = subprocess.run(["node", str(script)], input=payload, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.exit(f"citeproc-js failed:\n{proc.stderr[-2000:]}")
        for name, result in json.loads(proc.stdout).items():
            cache[name] = {"key": keys[name], "result": result}
        cache_file.write_text(json.dumps(cache, ensure_ascii=False), encoding="utf-8")
    return {name: cache[name]["result"] for name in wanted}


def citekit_output(style: Path, items: list[dict[str, Any]]) -> dict[str, Any]:
    """The same rendering through citekit's engine (an exception is reported, not raised)."""
    try:
        from citekit.csl.processor import CiteRef, Cluster, Processor

        proc = Processor(style, items, fmt="text")
        ids = [str(it["id"]) for it in items]
        texts = proc.process([Cluster([CiteRef(i, position="first")]) for i in ids])
        entries = [t.strip() for t in proc.bibliography()]
        nodes = getattr(proc, "bibliography_nodes", None)
        entry_ids = [i for i, _ in nodes()] if nodes is not None else [""] * len(entries)
        return {"bibliography": [[i, t] for i, t in zip(entry_ids, entries, strict=True) if t],
                "citations": dict(zip(ids, texts, strict=True))}
    except Exception as exc:  # the benchmark reports engine failures per style
        return {"error": f"{type(exc).__name__}: {exc}"}


def compare(js: dict[str, Any], ck: dict[str, Any]) -> tuple[int, int, list[tuple[str, str, str]]]:
    """(identical, total, [(what, citeproc-js, citekit)]) over bibliography entries and citations.

    Entries are matched by item id (by position when the engine gives no ids), so one missing
    entry does not shift every later one; a different order is reported as one more difference.
    """
    entries = js.get("bibliography", [])
    cites = js.get("citations", {})
    total = len(entries) + len(cites)
    if "error" in ck or "error" in js:
        return 0, total, [("error", js.get("error", ""), ck.get("error", ""))]
    diffs: list[tuple[str, str, str]] = []
    same = 0
    got_entries = ck["bibliography"]
    by_id = {i: t for i, t in got_entries if i}
    for n, (item_id, text) in enumerate(entries):
        if by_id:
            got = by_id.get(item_id, "<missing>")
        else:
            got = got_entries[n][1] if n < len(got_entries) else "<missing>"
        if got == text:
            same += 1
        else:
            diffs.append((f"bib #{n + 1} ({item_id})", text, got))
    expected_ids = [i for i, _ in entries]
    extra = [i for i, _ in got_entries if i and i not in set(expected_ids)]
    if extra:
        diffs.append(("bib extra", "", ", ".join(extra)))
    got_ids = [i for i, _ in got_entries if i in set(expected_ids)]
    if by_id and got_ids != [i for i in expected_ids if i in by_id]:
        diffs.append(("bib order", " ".join(expected_ids), " ".join(got_ids)))
    for item_id, text in cites.items():
        got = ck["citations"].get(item_id, "<missing>")
        if got == text.strip():
            same += 1
        else:
            diffs.append((f"cite {item_id}", text, got))
    return same, total, diffs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-s", "--style", help="only styles whose file name contains STYLE")
    ap.add_argument("--diff", action="store_true", help="print the entries that differ")
    ap.add_argument("--js-only", action="store_true", help="render (and cache) citeproc-js's output only")
    args = ap.parse_args(argv)

    styles = style_paths(args.style)
    if not styles:
        print(f"no styles in {STYLES}" + (f" matching {args.style!r}" if args.style else ""))
        return 1
    items = json.loads(ITEMS.read_text(encoding="utf-8"))
    js_all = citeproc_js_output(styles, items)
    if args.js_only:
        for name, result in js_all.items():
            state = result.get("error", "").splitlines()[0] if "error" in result else (
                f"{len(result['bibliography'])} entries, {len(result['citations'])} citations")
            print(f"{name:<52} {state}")
        return 0

    sys.path.insert(0, str(ROOT))
    grand_same = grand_total = 0
    print(f"{'style':<52}{'identical':>10}{'total':>7}")
    for style in styles:
        js = js_all[style.stem]
        ck = citekit_output(style, items)
        same, total, diffs = compare(js, ck)
        grand_same += same
        grand_total += total
        note = f"  ({ck['error'][:60]})" if "error" in ck else ""
        print(f"{style.stem:<52}{same:>10}{total:>7}{note}")
        if args.diff:
            for what, expected, got in diffs:
                print(f"  {what}\n    citeproc-js: {expected}\n    citekit:     {got}")
    share = 100 * grand_same / grand_total if grand_total else 0.0
    print(f"csl-agreement: {grand_same}/{grand_total} identical ({share:.1f}%) over {len(styles)} styles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
