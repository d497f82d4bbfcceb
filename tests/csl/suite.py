"""The CSL processor test suite: fixture parsing and a runner driving ``citekit.csl.processor``.

Shared by ``tests/csl/test_suite.py`` (the golden test) and ``benchmarks/csl_suite.py``.
The runner follows what citeproc-js's own test runner does with a fixture:

* every INPUT item is registered first (``updateItems``), in input order, unless the fixture has
  CITATIONS (then only cited items count) or BIBENTRIES (the last id set is the bibliography);
* CITATION-ITEMS: each inner list is one cluster rendered on its own (``makeCitationCluster``);
  positions are first unless an item gives one (0 first, 1 subsequent, 2 ibid, 3 ibid-with-locator);
* CITATIONS: ``[citation, citationsPre, citationsPost]`` steps building a document; after the last
  step every citation is printed as ``>>[i] text`` if the last step changed or added it, else
  ``..[i] text``;
* no citation block: one cluster of every item, in bibliography order (citeproc-js's registry);
* bibliography: ``<div class="csl-bib-body">``, one ``  <div class="csl-entry">…</div>`` line per
  entry, ``</div>``.

Comparison is exact except for line endings, surrounding blank space, and (bibliography mode)
white space touching ``<div>``/``</div>`` tags, which HTML does not render and which citeproc-js
lays out differently around ``display`` blocks.
"""

from __future__ import annotations

import json
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DIR = ROOT.parent / "shared" / "csl" / "test-suite" / "processor-tests" / "humans"
EXPECTED_FAILURES = Path(__file__).resolve().parent / "expected_failures.txt"
TIME_LIMIT = 10  # seconds per fixture

_OPEN = re.compile(r"^\s*>>=+\s*([A-Z][A-Z0-9-]*)\s*=+>>\s*$")
_CLOSE = re.compile(r"^\s*<<=+\s*([A-Z][A-Z0-9-]*)\s*=+<<\s*$")
_JSON_SECTIONS = {"INPUT", "CITATION-ITEMS", "CITATIONS", "BIBENTRIES", "BIBSECTION", "ABBREVIATIONS",
                  "OPTIONS", "LANGPARAMS", "MULTIAFFIX", "INPUT2"}
# citeproc-js's numeric positions (CSL.POSITION_*).
POSITIONS = {0: "first", 1: "subsequent", 2: "ibid", 3: "ibid-with-locator"}


class FixtureError(Exception):
    """A fixture file that cannot be read (missing section, bad JSON)."""


class FixtureTimeout(Exception):
    """The engine took longer than the per-fixture time limit."""


@dataclass(slots=True)
class Fixture:
    """One parsed fixture: its sections, JSON ones decoded."""

    name: str
    path: Path
    mode: str
    result: str
    csl: str
    input: list[dict[str, Any]]
    citation_items: list[list[dict[str, Any]]] | None = None
    citations: list[list[Any]] | None = None
    bibentries: list[list[Any]] | None = None
    bibsection: dict[str, Any] | None = None
    abbreviations: dict[str, Any] | None = None
    options: dict[str, Any] | None = None
    description: str = ""

    @property
    def category(self) -> str:
        return self.name.split("_", 1)[0]

    @property
    def base_mode(self) -> str:
        """``citation`` or ``bibliography`` (submodes such as ``-nosort`` dropped)."""
        return self.mode.split("-", 1)[0]


@dataclass(slots=True)
class Outcome:
    """What running one fixture gave."""

    name: str
    mode: str
    passed: bool
    expected: str
    got: str | None = None
    error: str | None = None  # exception class name (and message) when the engine raised
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def split_sections(text: str) -> dict[str, str]:
    """``>>== NAME ==>>`` … ``<<== NAME ==<<`` blocks → {NAME: body} (a UTF-8 BOM is ignored)."""
    sections: dict[str, str] = {}
    current: str | None = None
    buf: list[str] = []
    for line in text.lstrip("\ufeff").splitlines():
        if current is None:
            m = _OPEN.match(line)
            if m:
                current, buf = m.group(1), []
            continue
        m = _CLOSE.match(line)
        if m and m.group(1) == current:
            sections[current] = "\n".join(buf)
            current = None
        else:
            buf.append(line)
    if current is not None:
        raise FixtureError(f"section {current} is never closed")
    return sections


def parse_fixture(path: Path | str) -> Fixture:
    """Read one fixture file."""
    path = Path(path)
    sections = split_sections(path.read_text(encoding="utf-8"))
    for required in ("MODE", "RESULT", "CSL", "INPUT"):
        if required not in sections:
            raise FixtureError(f"{path.name}: no {required} section")
    data: dict[str, Any] = {}
    for key in _JSON_SECTIONS & sections.keys():
        body = sections[key].strip()
        try:
            data[key] = json.loads(body) if body else None
        except json.JSONDecodeError as exc:
            raise FixtureError(f"{path.name}: {key} is not JSON ({exc})") from None
    return Fixture(
        name=path.stem, path=path, mode=sections["MODE"].strip(), result=sections["RESULT"],
        csl=sections["CSL"].strip(), input=data.get("INPUT") or [],
        citation_items=data.get("CITATION-ITEMS"), citations=data.get("CITATIONS"),
        bibentries=data.get("BIBENTRIES"), bibsection=data.get("BIBSECTION"),
        abbreviations=data.get("ABBREVIATIONS"), options=data.get("OPTIONS"),
        description=sections.get("DESCRIPTION", "").strip(),
    )


def fixture_paths(directory: Path | None = None) -> list[Path]:
    """The suite's fixture files, sorted by name (subfolders such as ``off-spec`` are not part of it)."""
    directory = directory or FIXTURE_DIR
    if not directory.is_dir():
        return []
    return sorted(directory.glob("*.txt"))


def load_fixtures(directory: Path | None = None, substring: str | None = None) -> list[Fixture]:
    """Every fixture (optionally only names containing ``substring``, case-insensitive)."""
    paths = fixture_paths(directory)
    if substring:
        paths = [p for p in paths if substring.lower() in p.stem.lower()]
    return [parse_fixture(p) for p in paths]


def read_expected_failures(path: Path = EXPECTED_FAILURES) -> dict[str, str]:
    """``name  # reason`` lines → {name: reason}; blank lines and ``#`` comments skipped."""
    found: dict[str, str] = {}
    if not path.exists():
        return found
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, reason = line.partition("#")
        name = name.strip()
        if name:
            found[name] = reason.strip()
    return found


def write_expected_failures(failures: dict[str, str], path: Path = EXPECTED_FAILURES) -> None:
    """Write the list sorted by name, reasons aligned."""
    width = max((len(n) for n in failures), default=0) + 2
    lines = [f"{name.ljust(width)}# {reason}" for name, reason in sorted(failures.items())]
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")


# --- comparison -----------------------------------------------------------------------------

_DIV_SPACE = re.compile(r"\s*(<div\b[^>]*>|</div>)\s*")


def normalise(text: str, mode: str) -> str:
    """The form both sides are compared in."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if mode.startswith("bibliography"):
        text = _DIV_SPACE.sub(r"\1", text)
    return text


def wrap_bibliography(entries: list[str]) -> str:
    """citeproc-js's HTML bibliography layout around the engine's entries."""
    lines = ['<div class="csl-bib-body">']
    for entry in entries:
        if entry.lstrip().startswith('<div class="csl-entry"'):
            lines.append("  " + entry.strip())
        else:
            lines.append(f'  <div class="csl-entry">{entry}</div>')
    lines.append("</div>")
    return "\n".join(lines)


# --- driving the engine ---------------------------------------------------------------------

@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise FixtureTimeout in the main thread after ``seconds`` (no limit elsewhere)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise FixtureTimeout(f"over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def load_engine() -> ModuleType:
    """``citekit.csl.processor`` (raises ImportError while it does not exist)."""
    from citekit.csl import processor

    return processor


def _str_id(value: Any) -> str:
    return str(value)


def prepare_items(fx: Fixture) -> list[dict[str, Any]]:
    """INPUT items with string ids (a missing id becomes the item's index, as in citeproc-py)."""
    items = []
    for i, raw in enumerate(fx.input):
        item = dict(raw)
        item["id"] = _str_id(item.get("id", i))
        items.append(item)
    return items


def cite_ref(engine: ModuleType, data: dict[str, Any], explicit_positions: bool) -> Any:
    """A CSL-JSON citation item → ``CiteRef``."""
    locator = data.get("locator")
    position = data.get("position")
    if isinstance(position, int):
        position = POSITIONS.get(position, "first")
    elif position is None and explicit_positions:
        position = "first"
    return engine.CiteRef(
        _str_id(data["id"]),
        locator=None if locator is None else str(locator),
        label=data.get("label"),
        prefix=data.get("prefix"),
        suffix=data.get("suffix"),
        suppress_author=bool(data.get("suppress-author")),
        author_only=bool(data.get("author-only")),
        position=position,
    )


def _order_items(items: list[dict[str, Any]], first_ids: list[str]) -> list[dict[str, Any]]:
    """Items reordered so ``first_ids`` come first (registration order), the rest after."""
    by_id = {it["id"]: it for it in items}
    seen: set[str] = set()
    out = []
    for i in first_ids:
        if i in by_id and i not in seen:
            seen.add(i)
            out.append(by_id[i])
    out.extend(it for it in items if it["id"] not in seen)
    return out


def _citation_documents(fx: Fixture) -> list[list[tuple[dict[str, Any], int | None]]]:
    """The document after each CITATIONS step: (citation, note number) in document order."""
    store: dict[str, dict[str, Any]] = {}
    documents = []
    for step in fx.citations or []:
        citation, pre, post = (list(step) + [[], []])[:3]
        cid = str(citation.get("citationID", f"CITATION-{len(store)}"))
        store[cid] = citation
        note = (citation.get("properties") or {}).get("noteIndex")
        doc: list[tuple[dict[str, Any], int | None]] = []
        for entry_id, entry_note in pre or []:
            if str(entry_id) in store:
                doc.append((store[str(entry_id)], entry_note))
        doc.append((citation, note))
        for entry_id, entry_note in post or []:
            if str(entry_id) in store:
                doc.append((store[str(entry_id)], entry_note))
        documents.append(doc)
    return documents


def _cluster(engine: ModuleType, citation: dict[str, Any], note: int | None) -> Any:
    refs = [cite_ref(engine, d, explicit_positions=False) for d in citation.get("citationItems", [])]
    return engine.Cluster(refs, note_number=note, id=str(citation.get("citationID")))


def _cited_ids(clusters: list[Any]) -> list[str]:
    return [ref.id for cl in clusters for ref in cl.items]


@dataclass(slots=True)
class _Step:
    """The document after one CITATIONS step, as rendered."""

    clusters: list[Any]
    texts: dict[str, str]
    numbers: dict[str, int]
    counts: dict[str, int]  # item id → how many citations cite it
    probes: dict[str, str]  # item id → a subsequent cite of it appended to the document


_NOTE_STYLE = re.compile(r"<style\b[^>]*\bclass=[\"']note[\"']")
_DISAMBIGUATES = re.compile(r"\bdisambiguate-add-(?:names|givenname|year-suffix)=[\"']true[\"']")
_DISAMBIGUATE_TEST = re.compile(r"\bdisambiguate=[\"']true[\"']")  # citeproc-js's has_disambiguate


def _updated(fx: Fixture, before: _Step | None, after: _Step, processed: str) -> set[str]:
    """The citations citeproc-js reports as updated by the last processCitationCluster call.

    citeproc-js re-renders (and reports, changed or not) the citation it was given, citations whose
    output or cite positions change, and every citation of an item whose first-reference note
    number changes, that is renumbered while citations show citation numbers, or, in a note style,
    that goes from one citation to several (with a ``disambiguate="true"`` test in the style) or
    whose disambiguation is re-run (seen here as a change in a probe: a subsequent cite of the item
    after the document). Position changes show as changed text, and an item's note-number change
    as changed text in one of its citations.
    """
    old = before or _Step([], {}, {}, {}, {})
    updated = {cid for cid, text in after.texts.items() if old.texts.get(cid) != text} | {processed}
    tainted: set[str] = set()
    for cl in after.clusters:
        if cl.id in updated and cl.id != processed and cl.id in old.texts:
            tainted.update(ref.id for ref in cl.items)
    if "citation-number" in fx.csl:
        tainted.update(i for i, n in after.numbers.items() if i in old.numbers and old.numbers[i] != n)
    note_style = bool(_NOTE_STYLE.search(fx.csl))
    if note_style and _DISAMBIGUATE_TEST.search(fx.csl):
        for cl in after.clusters:
            if cl.id == processed:
                tainted.update(ref.id for ref in cl.items
                               if (old.counts.get(ref.id, 0) < 2) != (after.counts.get(ref.id, 0) < 2))
    if note_style and _DISAMBIGUATES.search(fx.csl):
        # Disambiguation re-run for the new cite's items can change how an item's later cites
        # read without changing the cites shown: the item is re-rendered all the same.
        tainted.update(i for i, text in after.probes.items() if i in old.probes and old.probes[i] != text)
    for cl in after.clusters:
        if any(ref.id in tainted for ref in cl.items):
            updated.add(cl.id)
    return updated


def _render_citations(fx: Fixture, engine: ModuleType, items: list[dict[str, Any]]) -> tuple[str, Any, list[str]]:
    """CITATIONS: every step rendered afresh; the last step printed with citeproc-js's markers."""
    steps: list[_Step] = []
    proc = None
    documents = _citation_documents(fx)
    for n, doc in enumerate(documents):
        clusters = [_cluster(engine, cit, note) for cit, note in doc]
        proc = engine.Processor(fx.csl, _order_items(items, _cited_ids(clusters)))
        rendered = proc.process(clusters)
        number = getattr(proc, "citation_number", None)
        counts: dict[str, int] = {}
        for cl in clusters:
            for item_id in {ref.id for ref in cl.items}:
                counts[item_id] = counts.get(item_id, 0) + 1
        probes: dict[str, str] = {}
        if n >= len(documents) - 2 and _NOTE_STYLE.search(fx.csl) and _DISAMBIGUATES.search(fx.csl):
            extra = [engine.Cluster([engine.CiteRef(i, position="subsequent")]) for i in counts]
            probe = engine.Processor(fx.csl, _order_items(items, _cited_ids(clusters)))
            probes = dict(zip(counts, probe.process(clusters + extra)[len(clusters):], strict=True))
        steps.append(_Step(clusters, {cl.id: t for cl, t in zip(clusters, rendered, strict=True)},
                           {i: number(i) for i in counts} if number else {}, counts, probes))
    last = steps[-1]
    processed = str(fx.citations[-1][0].get("citationID")) if fx.citations else ""
    updated = _updated(fx, steps[-2] if len(steps) > 1 else None, last, processed)
    lines = [f"{'>>' if cl.id in updated else '..'}[{i}] {last.texts[cl.id]}" for i, cl in enumerate(last.clusters)]
    return "\n".join(lines), proc, list(dict.fromkeys(_cited_ids(last.clusters)))


def render_fixture(fx: Fixture, engine: ModuleType) -> str:
    """Run the fixture through ``engine`` (a module with Processor, Cluster, CiteRef)."""
    # citeproc-js's runner keys items by id: a repeated id is one item, the later data winning.
    by_id = {it["id"]: it for it in prepare_items(fx)}
    items = list(by_id.values())
    all_ids = list(by_id)
    if fx.citations:
        text, proc, cited = _render_citations(fx, engine, items)
        if fx.base_mode == "citation":
            return text
        return wrap_bibliography(proc.bibliography(cited))
    bib_ids = [_str_id(i) for i in fx.bibentries[-1]] if fx.bibentries else all_ids
    proc = engine.Processor(fx.csl, _order_items(items, bib_ids))
    register = getattr(proc, "register", None)
    if register is not None:  # citeproc-js's runner registers every item (updateItems) before citing
        register(bib_ids)
    if fx.citation_items is not None:
        clusters = [engine.Cluster([cite_ref(engine, d, explicit_positions=True) for d in group])
                    for group in fx.citation_items]
    else:
        # The runner cites the registry's list, which citeproc-js keeps in bibliography order.
        order = getattr(proc, "bibliography_order", None)
        ordered = order(bib_ids) if order is not None else bib_ids
        clusters = [engine.Cluster([engine.CiteRef(i, position="first") for i in ordered])]
    rendered = proc.process(clusters)
    if fx.base_mode == "citation":
        return "\n".join(rendered)
    return wrap_bibliography(proc.bibliography(bib_ids))


def run_fixture(fx: Fixture, engine: ModuleType | None = None, limit: float = TIME_LIMIT) -> Outcome:
    """Render and compare one fixture; an exception or time-out is a failure naming its class."""
    expected = normalise(fx.result, fx.mode)
    start = time.perf_counter()
    try:
        with time_limit(limit):
            engine = engine or load_engine()
            got = render_fixture(fx, engine)
    except Exception as exc:  # any engine failure is the fixture's failure
        message = str(exc).splitlines()[0][:200] if str(exc) else ""
        return Outcome(fx.name, fx.base_mode, False, expected, None,
                       f"{type(exc).__name__}: {message}" if message else type(exc).__name__,
                       time.perf_counter() - start)
    got = normalise(got, fx.mode)
    return Outcome(fx.name, fx.base_mode, got == expected, expected, got, None, time.perf_counter() - start)


def reason_for(name: str) -> str:
    """A first guess at why a fixture fails, from its category (the team refines these)."""
    category = name.split("_", 1)[0]
    return f"{category}: not implemented yet"
