"""GB/T 7714 oracle benchmark: citekit's own styles against the standard's own examples.

Renders the CSL-JSON transcriptions of the GB/T 7714-2015 examples (zepinglee/gb-t-7714-csl-style,
copied under ../shared/gbt7714/) through citekit's render API with citekit's styles and compares
each entry with the expected text after normalising ’ vs ' and whitespace. Prints the exact
matches and every mismatch with a short reason. Reference: citeproc-js with the official CSL
reaches 83/117 on the numeric set, stock citeproc-py 13/117.

Then the BibTeX path: the example libraries of gbt7714-bibtex-style (2015 and 2025 editions)
are read by citekit's .bib reader with ``title-case = "sentence"``, rendered with the numeric
style of that edition, and compared with that implementation's recorded output (its .tlg files)
entry by entry, after folding full-width and half-width punctuation and removing whitespace.
The sections that show one element alone (2015 §8, 2025 §7) are left out.

    python benchmarks/bench_gbt7714_oracles.py [--shared PATH] [--json] [--bib-only]

Exits 0 (with a message) when the reference material is absent.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
ORACLE_DIR = Path("gbt7714") / "zepinglee-gb-t-7714-csl-style"

# Why an entry cannot match, for the examples whose cause is known (keyed by the example's id,
# clause:number in the standard). Everything else is classified by `classify` below.
KNOWN_REASONS: dict[str, str] = {
    "04.1.2:07": "non-Gregorian year '1865(清同治四年)': the input has no original-date",
    "04.1.2:08": "input is a plain edited `book`; the standard codes this proceedings [C]",
    "A.02:01": "input is a plain edited `book`; the standard codes this compilation [G]",
    "A.02:02": "input is a plain edited `book`; the standard codes this proceedings [C]",
    "A.02:03": "input is a plain edited `book`; the standard codes this proceedings [C]",
    "A.02:04": "input is a plain edited `book`; the standard codes this proceedings [C/OL]",
    "04.1.2:14": "generational suffix 'Jr' is not in the input",
    "A.07:07": "generational suffix 'Jr' is not in the input",
    "04.2.2:06": "'Jr' is stored inside the family name ('Sodeman, Jr'), so it cannot follow the initials",
    "04.3.2:02": "a run of serial issues '1957(1)-1990(4)' cannot be expressed in CSL",
    "08.7:02": "the standard drops the DOI because the URL contains it (8.7); the style prints both fields",
    "10.1.3:03": "oracle writes '等译' here but '等, 译' in its note example; the style uses the latter",
    "A.06:01": "oracle typo: GB/T 3792.7—2009 where the input (and the standard) has 3792.4",
    "A.06:04": "oracle typos ('the Dublin cord', 'ISO 15836: 2009') against the input",
    "A.08:08": "oracle capitalises 'ACS Chemical Biology'; the input has 'ACS Chemical biology'",
    "08.1.03": "the standard's example uses the journal abbreviation 'Br Med J'; the style prints the full title",
}


@dataclass
class Result:
    name: str
    total: int
    exact: int = 0
    unordered: int = 0  # entries whose text matches some expected entry, wherever it is
    mismatches: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    citations: tuple[int, int] | None = None  # (matching, total) in-text citations
    citation_mismatches: list[dict[str, str]] = field(default_factory=list)


def normalise(text: str) -> str:
    """Curly vs straight apostrophes and all whitespace runs do not count."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split())


def read_expected(path: Path) -> tuple[list[str], list[str]]:
    """(citation lines, bibliography entries) of a standard-*.txt file."""
    blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    citations: list[str] = []
    entries: list[str] = []
    for block in blocks:
        lines = block.splitlines()
        if all(line.startswith("<sup>") or line.startswith("(") for line in lines):
            citations.extend(lines)
        else:
            entries.append(block)
    return citations, entries


_LABEL = re.compile(r"^\[\d+\]\s*")


def classify(item_id: str, got: str, expected: str) -> str:
    if item_id in KNOWN_REASONS:
        return KNOWN_REASONS[item_id]
    g, e = _LABEL.sub("", got), _LABEL.sub("", expected)
    if g.lower() == e.lower():
        return "letter case differs (corporate/literal name upper-cased?)"
    if re.search(r"\d,\u2013\d", g):
        return "date range rendered by citeproc-py as 'D,–D, Month YYYY'"
    if re.search(r"\d(st|nd|rd|th) 版", g):
        return "English ordinal in a Chinese edition statement"
    for code in re.findall(r"\[([A-Z]{1,2})(?:/[A-Z]{2})?\]", e):
        if f"[{code}" not in g:
            return f"type code differs (expected [{code}…])"
    return "differs: " + _first_difference(g, e)


def _first_difference(got: str, expected: str, width: int = 28) -> str:
    n = next((i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b), min(len(got), len(expected)))
    start = max(0, n - 8)
    return f"got '…{got[start:n + width]}…' vs '…{expected[start:n + width]}…'"


def _load(oracle: Path, kind: str) -> tuple[list[dict], list, list[str], list[str]]:
    items = json.loads((oracle / f"gbt7714-{kind}-data.json").read_text(encoding="utf-8"))
    clusters = json.loads((oracle / f"gbt7714-{kind}-citation.json").read_text(encoding="utf-8"))
    cites, entries = read_expected(oracle / f"standard-{kind}.txt")
    return items, clusters, cites, entries


def run(oracle: Path, kind: str, style: str) -> Result:
    """Render one oracle set with one style and compare entry by entry."""
    from citekit.render import format_bibliography

    items, clusters, expected_cites, expected = _load(oracle, kind)
    started = time.perf_counter()
    got = format_bibliography(items, style, "text")
    seconds = time.perf_counter() - started
    result = Result(name=f"{kind} / {style}", total=len(expected), seconds=seconds)
    # Numeric lists keep the input order; author-date lists are sorted by the style, so the
    # entry at each position is identified by matching the text back to an input item.
    if kind == "numeric":
        ids = [str(i["id"]) for i in items]
    else:
        ids = _ids_by_position(items, got, style)
    expected_norm = [normalise(e) for e in expected]
    pool = list(expected_norm)
    for n, exp in enumerate(expected_norm):
        g = normalise(got[n]) if n < len(got) else ""
        if g in pool:
            pool.remove(g)
            result.unordered += 1
        if g == exp:
            result.exact += 1
            continue
        item_id = ids[n] if n < len(ids) else "?"
        if g in expected_norm:
            reason = f"entry text matches expected entry {expected_norm.index(g) + 1}: list order differs"
        else:
            reason = classify(item_id, g, _best_expected(g, expected_norm, exp))
        result.mismatches.append({"position": str(n + 1), "id": item_id, "reason": reason, "got": g, "expected": exp})
    if kind == "author-date":
        _compare_citations(result, items, clusters, expected_cites, style)
    return result


def _ids_by_position(items: list[dict], got: list[str], style: str) -> list[str]:
    """Author-date: which input item each rendered line came from (by its title)."""
    ids = []
    for line in got:
        best = max(items, key=lambda i: len(str(i.get("title", ""))) if str(i.get("title", "")) in line else -1)
        ids.append(str(best["id"]) if str(best.get("title", "")) in line else "?")
    return ids


def _best_expected(got: str, expected: list[str], fallback: str) -> str:
    """The expected entry that shares the longest title-ish prefix with ``got`` (author-date)."""
    def score(e: str) -> int:
        return next((i for i, (a, b) in enumerate(zip(got, e, strict=False)) if a != b), min(len(got), len(e)))
    best = max(expected, key=score)
    return best if score(best) > score(fallback) else fallback


def _compare_citations(result: Result, items: list[dict], clusters: list, expected: list[str], style: str) -> None:
    from citekit.render import format_citation

    ok = 0
    for cluster, exp in zip(clusters, expected, strict=False):
        cites = [(str(c["id"]), c.get("locator")) for c in cluster]
        got = format_citation(items, cites, style, "text")
        # The standard prints the page superscript after the parenthesis: "(…, 1996)<sup>235</sup>".
        exp_plain = normalise(re.sub(r"</?sup>", "", exp))
        if normalise(got) == exp_plain:
            ok += 1
        else:
            result.citation_mismatches.append({"got": normalise(got), "expected": exp_plain})
    result.citations = (ok, len(expected))


def report(result: Result) -> str:
    lines = [f"{result.name}: {result.exact}/{result.total} exact "
             f"({result.unordered}/{result.total} entry texts match irrespective of position), "
             f"{result.seconds:.2f} s"]
    for m in result.mismatches:
        lines.append(f"  [{m['position']}] {m['id']}: {m['reason']}")
    if result.citations is not None:
        ok, total = result.citations
        lines.append(f"  in-text citations: {ok}/{total} exact")
        for m in result.citation_mismatches:
            lines.append(f"    got {m['got']!r} expected {m['expected']!r}")
    return "\n".join(lines)


SETS = [("numeric", "gb-t-7714-2015-numeric"), ("author-date", "gb-t-7714-2015-author-date")]

# --- the BibTeX path against gbt7714-bibtex-style ----------------------------------------------

BIBTEX_DIR = Path("gbt7714") / "gbt7714-bibtex-style"
# (edition, library, recorded output, style, key prefix of the single-element section left out)
BIB_SETS = [
    ("2015", "tests/support/gbt7714-2015-examples.bib", "tests/testfiles/2015-numeric.tlg",
     "gb-t-7714-2015-numeric", "gbt7714.8."),
    ("2025", "gbt7714-examples.bib", "tests/testfiles/2025-numeric.tlg", "gb-t-7714-2025-numeric", "gbt7714.7."),
]
_BIBITEM = re.compile(r"\\bibitem(?:\[(?:[^\[\]]|\[[^\]]*\])*\])?\{([^}]*)\}")
_VERBATIM_ARG = re.compile(r"\\(?:url|doi|cstr|nolinkurl)\{([^{}]*)\}")


def read_tlg(path: Path) -> dict[str, str]:
    """Key → the LaTeX text of each ``\\bibitem`` in a recorded .bbl (.tlg)."""
    out: dict[str, str] = {}
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        m = _BIBITEM.search(block)
        if m:
            out[m.group(1)] = block[m.end():].replace("\\end{thebibliography}", "")
    return out


def tlg_text(latex: str) -> str:
    """What the .bbl text prints: commands, braces and TeX ligatures resolved; URLs verbatim."""
    urls: list[str] = []

    def keep(m: re.Match[str]) -> str:
        urls.append(m.group(1))
        return f"\x00{len(urls) - 1}\x00"

    text = re.sub(r"\\href\{[^{}]*\}\{\\nolinkurl\{([^{}]*)\}\}", lambda m: keep(m), latex)
    text = _VERBATIM_ARG.sub(keep, text)
    text = re.sub(r"\\(?:newblock|allowbreak|quad|em)\b", " ", text)
    for tex, char in (("\\times", "×"), ("\\&", "&"), ("\\%", "%"), ("\\_", "_"), ("\\#", "#"),
                      ("\\ ", " "), ("~", " "), ("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"),
                      ("''", "\u201d"), ("$", ""), ("{", ""), ("}", "")):
        text = text.replace(tex, char)
    return re.sub("\x00(\\d+)\x00", lambda m: urls[int(m.group(1))], text)


def fold(text: str) -> str:
    """Full-width punctuation as half-width, curly apostrophes straight, no whitespace."""
    text = "".join(unicodedata.normalize("NFKC", c) if "\uff01" <= c <= "\uff5e" else c for c in text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u3000", " ")
    return re.sub(r"\s+", "", text)


@dataclass
class BibResult:
    name: str
    total: int = 0
    exact: int = 0
    mismatches: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def run_bib(root: Path, edition: str, library: str, tlg: str, style: str, skip: str) -> BibResult:
    """One edition's example library through the .bib path, compared with the recorded output."""
    from citekit.bibtex.reader import read_library
    from citekit.bibtex.titlecase import use_title_case
    from citekit.render import format_bibliography

    expected = read_tlg(root / tlg)
    started = time.perf_counter()
    use_title_case("sentence")  # as `citekit format --title-case sentence` does
    try:
        items = read_library([root / library]).items()
    finally:
        use_title_case(None)
    got = format_bibliography(items, style, "text", sort=False)
    result = BibResult(name=f"{edition} BibTeX / {style}", seconds=time.perf_counter() - started)
    for item, line in zip(items, got, strict=True):
        key = str(item["id"])
        if key.startswith(skip) or key not in expected:
            continue
        result.total += 1
        g, e = fold(_LABEL.sub("", line)), fold(tlg_text(expected[key]))
        if g == e:
            result.exact += 1
        else:
            result.mismatches.append({"id": key, "why": _first_difference(g, e), "got": g, "expected": e})
    return result


def report_bib(result: BibResult) -> str:
    share = 100 * result.exact / result.total if result.total else 0.0
    lines = [f"{result.name}: {result.exact}/{result.total} full entries identical ({share:.1f}%), "
             f"{result.seconds:.2f} s"]
    lines += [f"  {m['id']}: {m['why']}" for m in result.mismatches]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the ../shared reference folder")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--bib-only", action="store_true", help="only the BibTeX path")
    args = parser.parse_args(argv)
    oracle = args.shared / ORACLE_DIR
    bibtex = args.shared / BIBTEX_DIR
    if not (oracle / "standard-numeric.txt").is_file():
        print(f"skipped: GB/T 7714 oracles not found under {oracle}")
        return 0
    sys.path.insert(0, str(ROOT))
    results = [] if args.bib_only else [run(oracle, kind, style) for kind, style in SETS]
    bib_results = [run_bib(bibtex, *s) for s in BIB_SETS] if (bibtex / BIB_SETS[0][2]).is_file() else []
    if args.json:
        print(json.dumps([r.__dict__ for r in results + bib_results], ensure_ascii=False, indent=1))
        return 0
    if results:
        print("\n\n".join(report(r) for r in results))
        print("\nnote examples: citekit ships no GB/T note style, so standard-note.txt is not compared\n")
    if bib_results:
        print("\n\n".join(report_bib(r) for r in bib_results))
    else:
        print(f"skipped: gbt7714-bibtex-style examples not found under {bibtex}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
