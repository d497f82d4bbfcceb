"""Lint rules that look at one entry at a time.

Each rule yields ``Finding``s; :mod:`citekit.care.lint` turns them into located diagnostics and
applies the project's configuration. The checks read the raw values the reader kept, decode
nothing, and so stay cheap enough for libraries of tens of thousands of entries.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from citekit.bibtex.dates import MONTHS, DateError, parse_date
from citekit.bibtex.mapping import KNOWN_FIELDS
from citekit.bibtex.reader import closing_delimiter
from citekit.bibtex.titlecase import TITLE_FIELDS, TitleCase, default_title_case, is_english, suspicious_words
from citekit.care.duplicates import normalise_doi, normalise_url
from citekit.model import Entry

# code → (default severity, what it means); the README's rule table is generated from this.
RULES: dict[str, tuple[str, str]] = {
    "parse-error": ("error", "a block that cannot be parsed (unbalanced braces, missing comma, …)"),
    "empty-key": ("error", "an entry without a citation key (@article{,): it cannot be cited"),
    "duplicate-key": ("error", "two entries with the same key"),
    "duplicate-field": ("error", "a field written twice in one entry"),
    "duplicate-work": ("error", "the same work entered twice (same DOI, URL, or title and year)"),
    "missing-field": ("error", "a field the shipped styles need for this entry type"),
    "misspelt-field": ("error", "an unknown field close to a known one (did you mean …)"),
    "unknown-field": ("warning", "a field that maps to nothing in CSL"),
    "invalid-date": ("error", "a date that is not ISO 8601, an access date in the future or before the date"),
    "malformed-url": ("error", "a URL that is not an absolute http(s) URL"),
    "malformed-doi": ("error", "a DOI that is not 10.<registrant>/<suffix>"),
    "doi-in-url": ("warning", "the url field repeats the DOI"),
    "undefined-macro": ("error", "a bare word that is not a number or a defined @string macro"),
    "concatenation": ("warning", "a # concatenation, which Zotero and CSL tools do not resolve"),
    "non-nfc": ("warning", "text not in Unicode NFC form"),
    "unbraced-proper-noun": ("warning", "with title-case = \"sentence\": a proper noun or acronym sentence case "
                             "would lower-case (brace it: {China})"),
}

# Entry type → groups of fields; each group needs at least one member. These are what GB/T 7714
# and the NIST styles cannot render without.
_TITLE = ("title",)
_DATE = ("date", "year")
_CREATOR = ("author", "editor", "institution", "organization", "publisher")
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "article": (_TITLE, ("author",), ("journaltitle", "journal"), _DATE),
    "book": (_TITLE, ("author", "editor", "publisher", "organization"), _DATE),
    "inbook": (_TITLE, ("author", "editor"), ("booktitle",), _DATE),
    "incollection": (_TITLE, ("author",), ("booktitle",), _DATE),
    "inproceedings": (_TITLE, ("author",), ("booktitle",), _DATE),
    "report": (_TITLE, ("author", "institution"), _DATE),
    "techreport": (_TITLE, ("author", "institution"), _DATE),
    "thesis": (_TITLE, ("author",), ("institution", "school"), _DATE),
    "phdthesis": (_TITLE, ("author",), ("institution", "school"), _DATE),
    "mastersthesis": (_TITLE, ("author",), ("institution", "school"), _DATE),
    "online": (_TITLE, ("url",), ("urldate",)),
    "legislation": (_TITLE, ("number",), _DATE),
    "standard": (_TITLE, _CREATOR, ("number",), _DATE),
    "dataset": (_TITLE, _CREATOR, _DATE),
}
_DEFAULT_REQUIRED: tuple[tuple[str, ...], ...] = (_TITLE,)
DATE_FIELD_NAMES = ("date", "urldate", "eventdate", "origdate")
URL_FIELDS = ("url", "archiveurl")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_NUMBER = re.compile(r"-?\d+")
_MACRO = re.compile(r"[A-Za-z_][\w:.+/'-]*")
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}|localhost|\d+\.\d+\.\d+\.\d+", re.I)


@dataclass(frozen=True)
class Finding:
    entry: Entry
    field: str | None  # where to point; None = the entry's first line
    code: str
    message: str


def _split_top(raw: str) -> list[str]:
    """Split a bare value on ``#`` outside braces and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i].strip())
            start = i + 1
    parts.append(raw[start:].strip())
    return parts


def _braces_ok(value: str) -> bool:
    """Inner braces never close more than they open (else the reader glued two fields together)."""
    if "}" not in value:
        return True
    depth = 0
    for m in re.finditer(r"[{}]", value):
        depth += 1 if m.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0


# Fields of the biblatex and BibTeX data models (and common tool bookkeeping) that citekit does
# not map: unknown to CSL, so worth a warning, but never a misspelling of something else.
DATA_MODEL_FIELDS = frozenset("""
    afterword annotator authortype bibdate bibsource bookpagination booktitleaddon commentator comment
    editoratype editorb editorbtype editorc editorctype editortype eid entrysubtype eprintclass execute
    foreword gender indexsorttitle indextitle institutiontype introduction isan ismn isrn issuesubtitle
    issuetitle iswc issn-l label lccn library mrclass mrnumber mrreviewer nameaddon origlocation
    origpublisher origtitle pagination presort related relatedoptions relatedstring relatedtype reprinttitle
    shortauthor shorteditor shorthand shorthandintro shortseries shorttitle sortkey sortname sortshorthand
    sorttitle sortyear timestamp owner zbmath zbl mendeley-tags mendeley-groups creationdate modificationdate
    groups ranking readstatus printed qualityassured citeulike-article-id citeulike-linkout coden""".split())


@functools.lru_cache(maxsize=4096)
def suggest_field(name: str) -> str | None:
    if name in DATA_MODEL_FIELDS:
        return None
    match = difflib.get_close_matches(name, sorted(KNOWN_FIELDS), n=1, cutoff=0.8)
    return match[0] if match else None


def check_entry(
    entry: Entry, strings: dict[str, str], today: dt.date, suspect: set[str] | None = None,
    *, title_case: TitleCase | None = None,
) -> Iterator[Finding]:
    """All single-entry findings. ``suspect`` receives the names of fields whose raw text looks
    like two fields run together (a missing comma), for the caller to locate exactly.

    ``title_case``: the project's choice (None: the working directory's ``[tool.citekit.format]``);
    with ``"sentence"`` the titles are checked for words sentence case would wrongly lower."""
    fields = entry.fields
    if (title_case or default_title_case()) == "sentence":
        yield from _check_title_words(entry, strings)
    for name, f in fields.items():
        value = f.value
        if name not in KNOWN_FIELDS:
            guess = suggest_field(name)
            if guess and guess not in fields:
                yield Finding(entry, name, "misspelt-field", f"unknown field {name!r}: did you mean {guess!r}?")
            else:
                yield Finding(entry, name, "unknown-field", f"unknown field {name!r} (no CSL variable)")
        if not value.isascii() and not unicodedata.is_normalized("NFC", value):
            yield Finding(entry, name, "non-nfc", f"{name} is not in Unicode NFC form")
        if f.enclosing == "":
            yield from _check_bare(entry, name, value, strings, suspect)
        elif f.enclosing == "{" and not _braces_ok(value) and suspect is not None:
            suspect.add(name)
        elif f.enclosing == '"' and re.search(r'(?<!\\)"', _strip_braced(value)) and suspect is not None:
            suspect.add(name)
    if not entry.key.isascii() and not unicodedata.is_normalized("NFC", entry.key):
        yield Finding(entry, None, "non-nfc", "the key is not in Unicode NFC form")
    yield from _check_required(entry)
    yield from _check_dates(entry, strings, today)
    yield from _check_identifiers(entry)


def _check_title_words(entry: Entry, strings: dict[str, str]) -> Iterator[Finding]:
    lang = entry.fields.get("langid") or entry.fields.get("language")
    title = entry.fields.get("title")
    if not is_english(lang.value if lang else None, title.value if title else ""):
        return
    for name in sorted(TITLE_FIELDS.intersection(entry.fields)):
        f = entry.fields[name]
        raw = f.value if f.enclosing else strings.get(f.value.strip().lower(), f.value)
        for word in dict.fromkeys(suspicious_words(raw)):
            yield Finding(entry, name, "unbraced-proper-noun",
                          f"{name}: sentence case would print {word!r} as {word.lower()!r}; "
                          f"if it is a proper noun or an acronym, brace it: {{{word}}}")


def _strip_braced(value: str) -> str:
    prev = None
    while prev != value:
        prev, value = value, re.sub(r"\{[^{}]*\}", "", value)
    return value


def _check_bare(
    entry: Entry, name: str, raw: str, strings: dict[str, str], suspect: set[str] | None
) -> Iterator[Finding]:
    parts = _split_top(raw)
    if len(parts) > 1:
        yield Finding(entry, name, "concatenation", f"{name} uses # concatenation")
    for part in parts:
        if not part:
            continue
        if part[0] in '{"':
            # one delimited group must be the whole part ({a}\n date = {b} is a lost comma)
            if not (len(part) >= 2 and closing_delimiter(part, 0) == len(part) - 1) and suspect is not None:
                suspect.add(name)
            continue
        if _NUMBER.fullmatch(part):
            continue
        if not _MACRO.fullmatch(part):
            if suspect is not None:
                suspect.add(name)
            continue
        low = part.lower()
        if low not in strings and low not in MONTHS:
            yield Finding(entry, name, "undefined-macro", f"{name} uses the undefined @string macro {part!r}")


def _check_required(entry: Entry) -> Iterator[Finding]:
    fields = entry.fields
    for group in REQUIRED.get(entry.entry_type, _DEFAULT_REQUIRED):
        if not any(fields.get(n) is not None and fields[n].value.strip() for n in group):
            want = " or ".join(group)
            yield Finding(entry, None, "missing-field", f"@{entry.entry_type} {entry.key!r} has no {want}")
    if entry.entry_type != "online" and "url" in fields and "urldate" not in fields:
        yield Finding(entry, "url", "missing-field",
                      f"{entry.key!r} has a url but no urldate (GB/T 7714 prints the access date)")


def _date_value(entry: Entry, name: str, strings: dict[str, str]) -> str:
    f = entry.fields[name]
    if f.enclosing:
        return f.value.strip()
    low = f.value.strip().lower()
    return strings.get(low, f.value.strip())


def _as_tuple(parts: list[int]) -> tuple[int, ...]:
    return tuple(parts)


def _check_dates(entry: Entry, strings: dict[str, str], today: dt.date) -> Iterator[Finding]:
    fields = entry.fields
    parsed: dict[str, tuple[int, ...]] = {}
    for name in DATE_FIELD_NAMES:
        if name not in fields:
            continue
        value = _date_value(entry, name, strings)
        try:
            date = parse_date(value)
        except DateError as exc:
            yield Finding(entry, name, "invalid-date", f"{name}: {exc}")
            continue
        if not re.fullmatch(r"\d{4}(?:-\d\d(?:-\d\d)?)?(?:/(?:\d{4}(?:-\d\d(?:-\d\d)?)?|\.\.)?)?[?~%]?", value) \
                and not re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?", value):
            yield Finding(entry, name, "invalid-date", f"{name}: {value!r} is not an ISO 8601 date (YYYY-MM-DD)")
            continue
        first = (date.get("date-parts") or [[]])[0]
        if len(first) == 3:
            try:
                dt.date(*first)
            except ValueError:
                yield Finding(entry, name, "invalid-date", f"{name}: {value!r} is not a calendar date")
                continue
        if first:
            parsed[name] = _as_tuple(first)
    if "year" in fields:
        year = _date_value(entry, "year", strings)
        if not re.fullmatch(r"\d{4}", year):
            yield Finding(entry, "year", "invalid-date", f"year: {year!r} is not a four-digit year")
        elif "date" not in parsed:
            parsed["date"] = (int(year),)
    if "month" in fields:
        month = _date_value(entry, "month", strings).lower()
        if month not in MONTHS and not (month.isdigit() and 1 <= int(month) <= 12):
            yield Finding(entry, "month", "invalid-date", f"month: {month!r} is not a month")
    accessed = parsed.get("urldate")
    if accessed:
        if accessed > (today.year, today.month, today.day)[: len(accessed)]:
            yield Finding(entry, "urldate", "invalid-date", f"urldate {'-'.join(map(str, accessed))} is in the future")
        issued = parsed.get("date")
        if issued:
            n = min(len(issued), len(accessed))
            if accessed[:n] < issued[:n]:
                yield Finding(entry, "urldate", "invalid-date", "urldate is before the date of the work")


def check_url(value: str) -> str | None:
    """Why ``value`` is not a usable URL, or None."""
    value = value.strip()
    if not value:
        return "empty URL"
    if re.search(r"\s", value):
        return "URL contains whitespace"
    if "\\" in value:
        return "URL contains a backslash (url is a verbatim field: write _ and % unescaped)"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as exc:
        return f"URL cannot be parsed ({exc})"
    if parts.scheme.lower() not in ("http", "https", "ftp"):
        return "URL needs an http:// or https:// scheme"
    if not parts.hostname or not _HOST.fullmatch(parts.hostname):
        return "URL has no valid host name"
    return None


def _check_identifiers(entry: Entry) -> Iterator[Finding]:
    fields = entry.fields
    for name in URL_FIELDS:
        f = fields.get(name)
        if f is not None:
            why = check_url(f.value)
            if why:
                yield Finding(entry, name, "malformed-url", f"{name}: {why}: {f.value.strip()[:80]!r}")
    doi = fields.get("doi")
    if doi is not None:
        bare = normalise_doi(doi.value)
        if not _DOI.fullmatch(bare):
            yield Finding(entry, "doi", "malformed-doi", f"doi {doi.value.strip()[:80]!r} is not 10.<prefix>/<suffix>")
        url = fields.get("url")
        if url is not None and _DOI.fullmatch(bare):
            u = normalise_url(url.value)
            if u.lower() in (f"doi.org/{bare}", f"dx.doi.org/{bare}"):
                yield Finding(entry, "url", "doi-in-url", "url repeats the DOI; the doi field is enough")
