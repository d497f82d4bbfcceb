"""Property-based tests: parser, mapping, lint and tidy never raise; tidy is idempotent and keeps
each entry's CSL-JSON; a field added then removed leaves the entry byte for byte as it was."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citekit.bibtex.layout import ScanError, scan_entry
from citekit.bibtex.mapping import entry_to_csl
from citekit.bibtex.reader import parse_bib
from citekit.bibtex.writer import edit_entry_text
from citekit.care.config import CareConfig
from citekit.care.lint import lint_library
from citekit.care.tidy import TidyResult, _tidy_text, tidy_entry_text
from citekit.model import Library

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# raw text made mostly of BibTeX's own characters, so the parser meets its hard cases
bibish = st.text(
    alphabet=st.sampled_from(list('@{}(),="#% \n\tabcdeKTXYZ0123456789\\~^-é\u0301中')), max_size=300
)
names = st.sampled_from(["author", "title", "date", "year", "month", "url", "urldate", "doi", "note",
                         "institution", "journaltitle", "journal", "number", "volume", "pages", "type",
                         "keywords", "holder", "sponsor", "booktitle", "location", "address", "langid",
                         "urldata", "x-custom", "publisher", "organization"])
plain = st.text(alphabet=st.sampled_from(list("abc XYZ 19:-/.,&ü\u0301中~'")), max_size=20)
braced_inner = st.recursive(plain, lambda inner: st.tuples(inner, inner).map(lambda t: f"{t[0]}{{{t[1]}}}"),
                            max_leaves=4)
value = st.one_of(
    braced_inner.map(lambda v: "{" + v + "}"),
    plain.filter(lambda v: '"' not in v).map(lambda v: f'"{v}"'),
    st.integers(0, 3000).map(str),
    st.sampled_from(["nist", "may", "undefinedmacro", 'nist # " Boulder"', '{A} # {B}']),
)
layout = st.sampled_from([("  ", " = ", ",\n", True), ("\t", "=", ",\n", False), ("", " = ", ", ", False)])


@st.composite
def entries(draw) -> str:
    etype = draw(st.sampled_from(["report", "Article", "online", "legislation", "misc", "book"]))
    key = draw(st.from_regex(r"[a-z][a-z0-9_:-]{0,12}", fullmatch=True))
    fields = draw(st.lists(st.tuples(names, value), max_size=7, unique_by=lambda t: t[0]))
    indent, eq, sep, trailing = draw(layout)
    body = sep.join(f"{indent}{n}{eq}{v}" for n, v in fields)
    nl = "\n" if "\n" in sep else " "
    return f"@{etype}{{{key},{nl}{body}{',' if trailing and fields else ''}{nl}}}"


@SETTINGS
@given(bibish)
def test_parser_mapping_lint_never_raise(text: str) -> None:
    bib = parse_bib(text, "h.bib")
    for e in bib.entries:
        entry_to_csl(e, bib.strings)
        tidy_or_skip(text[e.start:e.end])
    lint_library(Library([bib]), CareConfig(), dt.date(2026, 1, 1))
    if bib.parsed_cleanly:
        _tidy_text(bib, text, CareConfig(), TidyResult("h.bib"))


def tidy_or_skip(text: str) -> None:
    try:
        tidy_entry_text(text)
    except ScanError:
        pass


@SETTINGS
@given(st.lists(entries(), min_size=1, max_size=4), st.sampled_from(["\n", "\n\n", "\n% c\n"]))
def test_tidy_idempotent_and_meaning_preserving(items: list[str], gap: str) -> None:
    text = "@string{nist = {National Institute of Standards and Technology}}\n" + gap.join(items) + "\n"
    bib = parse_bib(text, "p.bib")
    if not bib.parsed_cleanly or len({e.key for e in bib.entries}) != len(bib.entries):
        return
    once = _tidy_text(bib, text, CareConfig(), TidyResult("p.bib"))
    bib1 = parse_bib(once, "p.bib")
    assert [entry_to_csl(e, bib1.strings) for e in bib1.entries] == [entry_to_csl(e, bib.strings) for e in bib.entries]
    twice = _tidy_text(bib1, once, CareConfig(), TidyResult("p.bib"))
    assert twice == once


@SETTINGS
@given(entries(), st.sampled_from(["urldate", "note", "zz-new"]), plain)
def test_add_then_remove_field_restores_bytes(text: str, name: str, new: str) -> None:
    try:
        layout = scan_entry(text)
    except ScanError:
        return
    if any(f.name == name for f in layout.fields):
        return
    added = edit_entry_text(text, {name: new})
    assert any(f.name == name for f in scan_entry(added).fields)
    assert edit_entry_text(added, {name: None}) == text
