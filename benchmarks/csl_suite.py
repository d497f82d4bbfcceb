"""The CSL processor test suite through citekit's engine, with stock citeproc-py 0.11.1 for contrast.

    python benchmarks/csl_suite.py                 # run all 845 fixtures
    python benchmarks/csl_suite.py -k disambiguate -v
    python benchmarks/csl_suite.py --write-expected   # regenerate tests/csl/expected_failures.txt

The last line is always ``csl-suite: N/845 passed (citation a/646, bibliography b/199)``.
Stock citeproc-py's results (its own API, run in a subprocess so citekit's patches to it are not
loaded) are cached under the user cache directory, keyed by the fixture files.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.csl import suite  # noqa: E402

WORKERS = 2  # the machine has two cores


# --- stock citeproc-py (runs in a worker process) ---------------------------------------------

def _citeproc_py_render(fx: suite.Fixture) -> str:
    """The fixture through citeproc-py's own API, as its test runner drives it."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, Locator, formatter
    from citeproc.source.json import CiteProcJSON

    items = []
    for i, raw in enumerate(fx.input):
        item = dict(raw)
        item.setdefault("id", i)
        item["id"] = str(item["id"])
        item.setdefault("type", "book")
        items.append(item)
    style = CitationStylesStyle(io.BytesIO(fx.csl.encode("utf-8")), validate=False)
    bib = CitationStylesBibliography(style, CiteProcJSON(items), formatter.html)

    def cite_item(data: dict[str, Any]) -> CitationItem:
        options: dict[str, Any] = {}
        for key, value in data.items():
            key = key.replace("-", "_")
            if key == "locator":
                options["locator"] = Locator(data.get("label", "page"), str(value))
            elif key not in ("id", "label"):
                options[key] = value
        return CitationItem(str(data["id"]), **options)

    if fx.citation_items is not None:
        citations = [Citation([cite_item(d) for d in group]) for group in fx.citation_items]
    elif fx.citations:
        citations = []
        for step in fx.citations:
            cit = step[0]
            citation = Citation([cite_item(d) for d in cit["citationItems"]])
            citation.key = cit.get("citationID")
            citation.note_index = (cit.get("properties") or {}).get("noteIndex")
            citations.append(citation)
    else:
        ids = [str(i) for i in fx.bibentries[-1]] if fx.bibentries else [it["id"] for it in items]
        citations = [Citation([CitationItem(i) for i in ids])]
    for citation in citations:
        bib.register(citation)
    if style.has_bibliography():
        bib.sort()
    if fx.base_mode == "citation":
        texts = [str(bib.cite(c, lambda _item: None)) for c in citations]
        if fx.citations:
            texts = [f"{'>>' if i == len(texts) - 1 else '..'}[{i}] {t}" for i, t in enumerate(texts)]
        return "\n".join(texts)
    return suite.wrap_bibliography([str(e) for e in bib.bibliography()])


def _citeproc_py_worker(paths: list[str]) -> None:
    """Print {name: passed} for the given fixture files (run as a subprocess)."""
    results: dict[str, bool] = {}
    for path in paths:
        fx = suite.parse_fixture(path)
        try:
            with suite.time_limit(suite.TIME_LIMIT):
                got = _citeproc_py_render(fx)
        except Exception:  # a crash is a failure, as in citeproc-py's runner
            results[fx.name] = False
            continue
        got = suite.normalise(got.replace("&amp;", "&#38;"), fx.mode)
        results[fx.name] = got == suite.normalise(fx.result, fx.mode)
    json.dump(results, sys.stdout)


def _cache_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("citekit")) / "csl-suite-citeproc-py.json"


def citeproc_py_results(paths: list[Path]) -> dict[str, bool]:
    """{fixture name: stock citeproc-py passes}, computed once per fixture set and cached."""
    from importlib.metadata import version

    digest = hashlib.sha256(version("citeproc-py").encode())
    for p in paths:
        digest.update(p.name.encode() + p.read_bytes())
    key = digest.hexdigest()
    cache = _cache_file()
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("key") == key:
            return data["results"]
    except (OSError, ValueError, KeyError):
        pass
    chunks = [[str(p) for p in paths[i::WORKERS]] for i in range(WORKERS)]
    procs = [subprocess.Popen([sys.executable, __file__, "--citeproc-py-worker", *chunk], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, cwd=ROOT) for chunk in chunks if chunk]
    results: dict[str, bool] = {}
    for proc in procs:
        out, _ = proc.communicate()
        results.update(json.loads(out or "{}"))
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"key": key, "results": results}), encoding="utf-8")
    return results


# --- the report ----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--citeproc-py-worker":
        _citeproc_py_worker(argv[1:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", metavar="SUBSTRING", help="only fixtures whose name contains SUBSTRING")
    ap.add_argument("-v", action="store_true", help="print expected and got for each failure")
    ap.add_argument("--write-expected", action="store_true", help="rewrite tests/csl/expected_failures.txt")
    ap.add_argument("--no-citeproc-py", action="store_true", help="skip the comparison with stock citeproc-py")
    args = ap.parse_args(argv)

    all_paths = suite.fixture_paths()
    if not all_paths:
        print(f"no fixtures in {suite.FIXTURE_DIR}")
        return 1
    paths = [p for p in all_paths if not args.k or args.k.lower() in p.stem.lower()]
    outcomes = [suite.run_fixture(suite.parse_fixture(p)) for p in paths]

    expected = suite.read_expected_failures()
    by_category: dict[str, Counter[str]] = {}
    for o in outcomes:
        c = by_category.setdefault(o.name.split("_", 1)[0], Counter())
        c["total"] += 1
        c["passed"] += o.passed
    print(f"{'category':<16}{'passed':>8}{'total':>7}")
    for cat, c in sorted(by_category.items()):
        print(f"{cat:<16}{c['passed']:>8}{c['total']:>7}")

    slowest = sorted(outcomes, key=lambda o: o.seconds, reverse=True)[:3]
    print(f"time: {sum(o.seconds for o in outcomes):.1f} s; slowest: "
          + ", ".join(f"{o.name} {o.seconds:.2f} s" for o in slowest))
    failed = [o for o in outcomes if not o.passed]
    errors = Counter((o.error or "").split(":", 1)[0] for o in failed if o.error)
    if errors:
        print("exceptions: " + ", ".join(f"{name} ×{n}" for name, n in errors.most_common()))
    for o in failed:
        if args.v:
            print(f"\n--- {o.name} ({o.mode}){'  [expected failure]' if o.name in expected else ''}")
            print("expected:\n" + o.expected)
            print("got:\n" + (o.got if o.error is None else f"<{o.error}>"))
    unexpected = [o.name for o in failed if o.name not in expected]
    now_passing = [o.name for o in outcomes if o.passed and o.name in expected]
    if unexpected:
        shown = unexpected if args.v or len(unexpected) <= 40 else [*unexpected[:40], "…"]
        print(f"\nunexpected failures ({len(unexpected)}): " + " ".join(shown))
    if now_passing:
        shown = now_passing if args.v or len(now_passing) <= 40 else [*now_passing[:40], "…"]
        print(f"\nnow passing, listed as expected failures ({len(now_passing)}): " + " ".join(shown))

    if not args.no_citeproc_py:
        stock = citeproc_py_results(all_paths)
        regressions = [o.name for o in failed if stock.get(o.name)]
        print(f"\nstock citeproc-py 0.11.1 passes {sum(stock.values())}/{len(stock)}")
        print(f"regressions vs citeproc-py ({len(regressions)}): " + " ".join(regressions))

    if args.write_expected:
        ran = {o.name for o in outcomes}
        kept = {n: r for n, r in expected.items() if n not in ran}
        kept.update({o.name: expected.get(o.name) or suite.reason_for(o.name) for o in failed})
        suite.write_expected_failures(kept)
        print(f"\nwrote {suite.EXPECTED_FAILURES.relative_to(ROOT)} ({len(kept)} fixtures)")

    cit = [o for o in outcomes if o.mode == "citation"]
    bib = [o for o in outcomes if o.mode != "citation"]
    print(f"csl-suite: {sum(o.passed for o in outcomes)}/{len(outcomes)} passed "
          f"(citation {sum(o.passed for o in cit)}/{len(cit)}, bibliography {sum(o.passed for o in bib)}/{len(bib)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
