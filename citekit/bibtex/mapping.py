"""BibTeX/biblatex entries ⇄ CSL-JSON items: citekit's own mapping.

citeproc-py's BibTeX reader drops url, urldate, institution and type and crashes on ``@online``
(see the engines notes), so the mapping lives here, table-driven, in both directions.
"""

from __future__ import annotations

import dataclasses
import re

from citekit.bibtex import dates, latex, names, titlecase
from citekit.bibtex.titlecase import TitleCase
from citekit.model import Entry, Item

# Entry type → CSL type. Bills and statutes share ``@legislation``; see _legislation_type.
ENTRY_TYPES: dict[str, str] = {
    "article": "article-journal", "book": "book", "mvbook": "book", "inbook": "chapter",
    "bookinbook": "chapter", "suppbook": "chapter", "booklet": "pamphlet", "collection": "book",
    "mvcollection": "book", "incollection": "chapter", "suppcollection": "chapter", "manual": "report",
    "misc": "document", "online": "webpage", "www": "webpage", "electronic": "webpage", "patent": "patent",
    "periodical": "periodical", "suppperiodical": "article-journal", "proceedings": "book",
    "mvproceedings": "book", "inproceedings": "paper-conference", "conference": "paper-conference",
    "reference": "book", "mvreference": "book", "inreference": "entry-encyclopedia", "report": "report",
    "techreport": "report", "thesis": "thesis", "mastersthesis": "thesis", "phdthesis": "thesis",
    "unpublished": "manuscript", "dataset": "dataset", "software": "software", "standard": "standard",
    "legislation": "bill", "legal": "legislation", "newspaper": "article-newspaper",
    "archive": "collection", "jurisdiction": "legal_case", "hearing": "hearing",
    "letter": "personal_communication", "review": "review", "artwork": "graphic", "image": "graphic",
    "audio": "song", "music": "song", "video": "motion_picture", "movie": "motion_picture",
    "performance": "performance", "map": "map", "newsarticle": "article-newspaper", "preprint": "article",
    "set": "document", "xdata": "document", "commentary": "review", "regulation": "regulation",
}
_THESIS_GENRE = {"mastersthesis": "Master's thesis", "phdthesis": "PhD thesis"}
# biblatex's entrysubtype of an @article (biblatex-chicago's convention).
_ARTICLE_SUBTYPES = {"newspaper": "article-newspaper", "magazine": "article-magazine"}
_PROCEEDINGS = {"proceedings", "mvproceedings"}
# "1984, 1(1)-": gbt7714-bibtex-style's holdings statement of a whole serial, written in ``volume``
_HOLDINGS = re.compile(r"\s*(\d{4})\s*,\s*(\w+)\s*\(([^()]+)\)\s*[-\u2013\u2014]\s*")
# English ordinal words in ``edition`` (classic BibTeX's "Second") → the edition number.
_EDITION_WORDS = {w: n for n, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(), 1)}

# Fields whose value is a name list.
NAME_FIELDS = {
    "author": "author", "editor": "editor", "translator": "translator", "bookauthor": "container-author",
    "holder": "author", "editora": "contributor", "director": "director", "commentator": "contributor",
    "annotator": "contributor", "introduction": "contributor", "foreword": "contributor",
    "afterword": "contributor", "sponsor": "author", "cosponsor": "contributor",
}
# Plain text fields → CSL variable. ``number``, ``type``, ``journal`` … depend on the type (below).
TEXT_FIELDS = {
    "title": "title", "shorttitle": "title-short", "booktitle": "container-title",
    "journaltitle": "container-title", "journal": "container-title", "maintitle": "container-title",
    "series": "collection-title", "volume": "volume", "volumes": "number-of-volumes", "issue": "issue",
    "pages": "page", "pagetotal": "number-of-pages", "edition": "edition", "version": "version",
    "chapter": "chapter-number", "publisher": "publisher", "institution": "publisher",
    "organization": "publisher", "school": "publisher", "location": "publisher-place",
    "address": "publisher-place", "note": "note", "annotation": "annote", "annote": "annote",
    "abstract": "abstract", "keywords": "keyword", "eventtitle": "event-title", "venue": "event-place",
    "pubstate": "status", "isbn": "ISBN", "issn": "ISSN", "url": "URL", "doi": "DOI", "eprint": "number",
    "howpublished": "medium", "addendum": "note", "titleaddon": "title", "code": "container-title",
    "section": "section", "archive": "archive", "library": "call-number", "pmid": "PMID", "pmcid": "PMCID",
    "scale": "scale", "dimensions": "dimensions", "eid": "page", "cstr": "CSTR",
}
# Text fields that feed a variable only through the type-dependent rules below (tidy still groups
# them with that variable, so they stay in TEXT_FIELDS).
_SPECIAL_TEXT = {"titleaddon", "addendum", "eprint", "code", "eid", "edition"}
DATE_FIELDS = {"date": "issued", "urldate": "accessed", "eventdate": "event-date", "origdate": "original-date"}
# Fields citekit understands that have no CSL variable of their own (kept, never "unknown").
EXTRA_FIELDS = {
    "year", "month", "day", "type", "number", "langid", "language", "subtitle", "congress", "chamber",
    "archiveurl", "archivedate", "urlstatus", "ids", "crossref", "xref", "entryset", "file", "eprinttype",
    "eprintclass", "primaryclass", "archiveprefix", "urlaccessdate", "lastchecked", "options",
    "keywords", "shortjournal", "journalsubtitle", "booksubtitle", "mainsubtitle", "origlanguage",
    "entrysubtype",
}
KNOWN_FIELDS: frozenset[str] = frozenset(
    set(NAME_FIELDS) | set(TEXT_FIELDS) | set(DATE_FIELDS) | EXTRA_FIELDS
)
# Fields never passed through the LaTeX decoder: ``%`` and ``_`` in them are data.
VERBATIM_FIELDS = {"url", "doi", "eprint", "file", "archiveurl", "isbn", "issn", "pmid", "pmcid", "cstr"}

LANGIDS = {
    "english": "en", "american": "en-US", "british": "en-GB", "usenglish": "en-US", "ukenglish": "en-GB",
    "chinese": "zh-CN", "pinyin": "zh-CN", "schinese": "zh-CN", "tchinese": "zh-TW", "japanese": "ja",
    "german": "de", "ngerman": "de", "french": "fr", "spanish": "es", "russian": "ru", "korean": "ko",
    "italian": "it", "portuguese": "pt", "dutch": "nl",
}
_CSL_TO_LANGID = {"en": "english", "en-US": "american", "en-GB": "british", "zh": "chinese",
                  "zh-CN": "chinese", "zh-TW": "tchinese", "ja": "japanese", "de": "german",
                  "fr": "french", "es": "spanish", "ru": "russian", "ko": "korean"}
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_BILL_NUMBER = re.compile(r"^\s*(H\.?\s?R\.?|S\.?|H\.?\s?Res\.?|S\.?\s?Res\.?|H\.?\s?J\.?\s?Res\.?|"
                          r"S\.?\s?J\.?\s?Res\.?|H\.?\s?Con\.?\s?Res\.?|S\.?\s?Con\.?\s?Res\.?)\s*\d+", re.I)


# biblatex's default inheritance for crossref/xdata: a parent's title becomes the child's
# container title; every other field is inherited under its own name when the child lacks it.
_INHERIT_RENAMES = {
    ("book", "title"): "booktitle", ("book", "subtitle"): "booksubtitle", ("book", "author"): "bookauthor",
    ("mvbook", "title"): "maintitle", ("collection", "title"): "booktitle", ("mvcollection", "title"): "maintitle",
    ("proceedings", "title"): "booktitle", ("mvproceedings", "title"): "maintitle",
    ("reference", "title"): "booktitle", ("periodical", "title"): "journaltitle",
}
_NEVER_INHERITED = {"ids", "crossref", "xref", "xdata", "entryset", "label", "shorthand", "sortkey", "keywords"}


def inherit(entry: Entry, parent: Entry) -> Entry:
    """``entry`` with the fields it lacks filled from its ``crossref``/``xdata`` parent."""
    fields = dict(entry.fields)
    # Renamed fields first: the parent's title is the child's booktitle even when the parent
    # also has a booktitle of its own (biblatex's rule, independent of field order).
    ordered = sorted(parent.fields.items(), key=lambda kv: (parent.entry_type, kv[0]) not in _INHERIT_RENAMES)
    for name, f in ordered:
        if name in _NEVER_INHERITED:
            continue
        target = _INHERIT_RENAMES.get((parent.entry_type, name), name)
        if target not in fields:
            fields[target] = dataclasses.replace(f, name=target)
    return dataclasses.replace(entry, fields=fields)


def resolve_macros(raw: str, strings: dict[str, str]) -> str:
    """Expand a bare value: numbers, @string macros, month names and ``#`` concatenation."""
    pieces = []
    for part in re.split(r"\s*#\s*", raw.strip()):
        if len(part) >= 2 and part[0] in '{"' and part[-1] in '}"':
            pieces.append(part[1:-1])
        elif part.lower() in strings:
            pieces.append(strings[part.lower()])
        elif part.lower() in dates.MONTHS and part.isalpha():
            pieces.append(str(dates.MONTHS[part.lower()]))
        else:
            pieces.append(part)
    return "".join(pieces)


def _legislation_type(fields: dict[str, str]) -> str:
    kind = fields.get("type", "").lower()
    if kind in ("bill", "resolution"):
        return "bill"
    if kind in ("statute", "act", "law", "public law", "legislation"):
        return "legislation"
    if kind in ("regulation",):
        return "regulation"
    number = fields.get("number", "")
    if _BILL_NUMBER.match(number) or "congress" in fields:
        return "bill"
    return "legislation"


def entry_to_csl(entry: Entry, strings: dict[str, str] | None = None, *,
                 title_case: TitleCase | None = None) -> Item:
    """One BibTeX entry → a CSL-JSON item (``id`` and ``citation-key`` = the entry key).

    ``title_case="sentence"`` puts English titles in sentence case (:mod:`citekit.bibtex.titlecase`);
    None takes the project's ``[tool.citekit.format] title-case`` (default ``as-is``).
    """
    strings = strings or {}
    # a delimited value is as written; a bare one is numbers, macros and # concatenations
    raw = {name: (f.value if f.enclosing else resolve_macros(f.value, strings)) or ""
           for name, f in entry.fields.items()}
    item: Item = {"id": entry.key, "citation-key": entry.key}
    etype = entry.entry_type
    csl_type = ENTRY_TYPES.get(etype, "document")
    if etype == "legislation":
        csl_type = _legislation_type(raw)
    elif etype == "article":
        csl_type = _ARTICLE_SUBTYPES.get(raw.get("entrysubtype", "").strip().lower(), csl_type)
    item["type"] = csl_type
    if (title_case or titlecase.default_title_case()) == "sentence" and titlecase.is_english(
            raw.get("langid") or raw.get("language"), raw.get("title", "")):
        for name in titlecase.TITLE_FIELDS.intersection(raw):
            raw[name] = titlecase.sentence_case(raw[name], keep_first=not name.endswith(("subtitle", "addon")))

    def text(name: str) -> str:
        v = raw[name]
        return v.strip() if name in VERBATIM_FIELDS else latex.decode(v).strip()

    filled: set[str] = set()  # the fields with more than white space
    for name, value in raw.items():
        if not value.strip():
            continue
        filled.add(name)
        if name in NAME_FIELDS:
            item.setdefault(NAME_FIELDS[name], []).extend(names.parse_names(value))
        elif name in DATE_FIELDS:
            try:
                item[DATE_FIELDS[name]] = dates.parse_date(value)
            except dates.DateError:
                item[DATE_FIELDS[name]] = {"raw": value.strip()}
        elif name in TEXT_FIELDS and name not in _SPECIAL_TEXT:
            var = TEXT_FIELDS[name]
            if var in item and name in ("journal", "maintitle", "school", "organization", "address"):
                continue  # the biblatex name wins over its BibTeX alias
            # Page ranges are written 1--10 in BibTeX and 1-10 in CSL (styles choose the dash).
            item[var] = latex.decode(value.replace("--", "-")).strip() if name == "pages" else text(name)

    # Type-dependent fields.
    number = text("number") if "number" in filled else None
    if number:
        if csl_type in ("article-journal", "article-magazine", "article-newspaper", "periodical"):
            item.setdefault("issue", number)
        elif csl_type in ("book", "chapter", "paper-conference") and "series" in raw:
            item["collection-number"] = number
        else:
            item["number"] = number
    if "type" in filled and csl_type not in ("bill", "legislation"):
        item["genre"] = text("type")
    elif etype in _THESIS_GENRE:
        item["genre"] = _THESIS_GENRE[etype]
    _type_specific(item, raw, filled, etype, text)
    if "subtitle" in filled:
        item["title"] = f"{item.get('title', '')}: {text('subtitle')}"
    if "titleaddon" in filled:
        item["title"] = f"{item.get('title', '')}. {text('titleaddon')}"
    if "eprint" in filled and raw.get("eprinttype", "").lower() == "arxiv":
        item.setdefault("URL", f"https://arxiv.org/abs/{raw['eprint'].strip()}")
        item.setdefault("number", f"arXiv:{raw['eprint'].strip()}")
    if csl_type in ("bill", "legislation"):
        if "code" in filled or "journaltitle" in filled:
            item["container-title"] = text("code") if "code" in filled else text("journaltitle")
        if "congress" in filled:
            item["chapter-number"] = _ordinal_congress(text("congress"))
        if "chamber" in filled:
            item["authority"] = text("chamber")
    if "issued" not in item:
        issued = dates.from_fields(raw.get("year"), raw.get("month"), raw.get("day"))
        if issued:
            item["issued"] = issued
    lang = raw.get("langid") or raw.get("language")
    if lang and lang.strip():
        item["language"] = LANGIDS.get(lang.strip().lower(), lang.strip())
    if item.get("DOI"):
        item["DOI"] = _DOI_PREFIX.sub("", item["DOI"])
    archive = {k: raw[k].strip() for k in ("archiveurl", "archivedate", "urlstatus") if k in filled}
    if archive:
        names_ = {"archiveurl": "archive-url", "archivedate": "archive-date", "urlstatus": "url-status"}
        item["custom"] = {names_[k]: v for k, v in archive.items()}
    if "ids" in filled:
        item.setdefault("custom", {})["aliases"] = [k.strip() for k in raw["ids"].split(",") if k.strip()]
    return item


def _ordinal_congress(value: str) -> str:
    if value.isascii() and value.isdigit():
        # from the last two digits, not int(): a 5,000-digit number is text, not a conversion error
        tens = int(value[-2:])
        suffix = "th" if 10 <= tens <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(tens % 10, "th")
        return f"{value.lstrip('0') or '0'}{suffix} Congress"
    return value


def _type_specific(item: Item, raw: dict[str, str], filled: set[str], etype: str,
                   text) -> None:  # noqa: ANN001 (the caller's decoder)
    """Fields whose CSL variable depends on the entry type, or that need normalising."""
    has = filled.__contains__

    if has("edition"):
        edition = text("edition")
        item["edition"] = str(_EDITION_WORDS.get(edition.lower().removesuffix(" edition").strip(), edition))
    if has("eid") and "page" not in item:
        item["page"] = text("eid")  # an article number stands where the pages would
    if etype == "patent" and has("holder"):
        # GB/T 7714 4.5 (and biblatex's holder): the patentee leads; the inventors become contributors
        item["author"] = names.parse_names(raw["holder"])
        inventors = names.parse_names(raw["author"]) if has("author") else []
        if inventors and inventors != item["author"]:
            item["contributor"] = inventors
    if "CSTR" in item and item["CSTR"] in item.get("URL", ""):
        del item["CSTR"]  # the link already holds it (as GB/T 7714 8.7 drops such a DOI)
    if etype in _PROCEEDINGS and "event-title" not in item and "title" in item:
        # a proceedings volume records a meeting (CSL has no proceedings type): its title names it
        item["event-title"] = item["title"]
    holdings = _HOLDINGS.fullmatch(item.get("volume", "")) if etype == "periodical" else None
    if holdings:
        # the run "year, volume(issue)-" as CSL variables; styles add the open end
        year, item["volume"], item["issue"] = holdings.groups()
        item["issued"] = {"date-parts": [[int(year)]]}
    if item["type"] == "article" and "publisher" not in item:
        server = raw.get("archiveprefix", "").strip() or raw.get("eprinttype", "").strip()
        if server:
            item["publisher"] = "arXiv" if server.lower() == "arxiv" else server  # the preprint server


# --- CSL → BibTeX -----------------------------------------------------------------------------

_CSL_TO_BIBLATEX = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "article": "online", "book": "book", "chapter": "incollection", "paper-conference": "inproceedings",
    "report": "report", "thesis": "thesis", "webpage": "online", "post-weblog": "online", "post": "online",
    "bill": "legislation", "legislation": "legislation", "regulation": "legislation",
    "legal_case": "jurisdiction", "hearing": "jurisdiction", "dataset": "dataset", "software": "software",
    "standard": "standard", "patent": "patent", "manuscript": "unpublished", "periodical": "periodical",
    "entry-encyclopedia": "inreference", "entry-dictionary": "inreference", "pamphlet": "booklet",
    "personal_communication": "letter", "review": "review", "review-book": "review",
    "motion_picture": "video", "song": "audio", "graphic": "image", "map": "misc", "document": "misc",
}
_BIBLATEX_TO_BIBTEX = {
    "report": "techreport", "online": "misc", "legislation": "misc", "jurisdiction": "misc",
    "dataset": "misc", "software": "misc", "standard": "misc", "thesis": "phdthesis",
    "inreference": "incollection", "letter": "misc", "review": "article", "video": "misc",
    "audio": "misc", "image": "misc", "periodical": "misc",
}
_PUBLISHER_FIELD = {"report": "institution", "thesis": "institution", "online": "organization",
                    "techreport": "institution", "phdthesis": "school", "mastersthesis": "school",
                    "misc": "organization", "legislation": "publisher"}
_TEXT_BACK = [
    ("title", "title"), ("title-short", "shorttitle"), ("collection-title", "series"),
    ("volume", "volume"), ("number-of-volumes", "volumes"), ("page", "pages"),
    ("number-of-pages", "pagetotal"), ("edition", "edition"), ("version", "version"),
    ("event-title", "eventtitle"), ("event-place", "venue"), ("status", "pubstate"),
    ("ISBN", "isbn"), ("ISSN", "issn"), ("note", "note"), ("abstract", "abstract"),
    ("keyword", "keywords"), ("annote", "annotation"),
]


def csl_to_bibtex(item: Item, dialect: str = "biblatex") -> tuple[str, str, dict[str, str]]:
    """A CSL item → ``(entry type, key, fields)`` with LaTeX-safe values, Better BibTeX style."""
    csl_type = item.get("type", "document")
    etype = _CSL_TO_BIBLATEX.get(csl_type, "misc")
    if dialect == "bibtex":
        etype = _BIBLATEX_TO_BIBTEX.get(etype, etype)
    key = str(item.get("citation-key") or item.get("id") or "item")
    f: dict[str, str] = {}
    for var, field in (("author", "author"), ("editor", "editor"), ("translator", "translator"),
                       ("container-author", "bookauthor")):
        if item.get(var):
            f[field] = names.format_names(item[var])
    for var, field in _TEXT_BACK:
        if item.get(var) not in (None, ""):
            f[field] = latex.encode(str(item[var]))
    container = item.get("container-title")
    if container:
        if etype in ("article", "periodical"):
            f["journaltitle" if dialect == "biblatex" else "journal"] = latex.encode(container)
        elif etype == "legislation" or csl_type in ("bill", "legislation"):
            f["journaltitle" if dialect == "biblatex" else "journal"] = latex.encode(container)
        elif etype in ("online", "misc") and csl_type == "webpage":
            f["organization" if "publisher" in item or dialect == "bibtex" else "journaltitle"] = latex.encode(
                container)
        else:
            f["booktitle"] = latex.encode(container)
    if item.get("publisher"):
        field = _PUBLISHER_FIELD.get(etype, "publisher")
        if field in f:
            field = "publisher"
        f[field] = latex.encode(item["publisher"])
    if item.get("publisher-place"):
        f["location" if dialect == "biblatex" else "address"] = latex.encode(item["publisher-place"])
    if item.get("genre"):
        f["type"] = latex.encode(item["genre"])
    subtype = {v: k for k, v in _ARTICLE_SUBTYPES.items()}.get(csl_type)
    if subtype and etype == "article":
        f["entrysubtype"] = subtype  # read back as the same CSL type
    number = item.get("number") or item.get("collection-number")
    if csl_type.startswith("article") and item.get("issue"):
        f["number"] = latex.encode(str(item["issue"]))
    elif number:
        f["number"] = latex.encode(str(number))
    if item.get("issue") and "number" not in f:
        f["issue"] = latex.encode(str(item["issue"]))
    if csl_type == "bill" and dialect == "biblatex":
        f["type"] = "bill"
        m = re.match(r"(\d+)", str(item.get("chapter-number", "")))
        if m:
            f["congress"] = m.group(1)
        if item.get("authority"):
            f["chamber"] = latex.encode(item["authority"])
    elif item.get("chapter-number"):
        f["chapter"] = latex.encode(str(item["chapter-number"]))
    for var, field in (("issued", "date"), ("accessed", "urldate"), ("event-date", "eventdate"),
                       ("original-date", "origdate")):
        d = item.get(var)
        if d:
            text = dates.format_date(d)
            if not text:
                continue
            if dialect == "bibtex" and field == "date":
                parts = d.get("date-parts", [[None]])[0]
                if parts and parts[0] is not None:
                    f["year"] = str(parts[0])
                    if len(parts) > 1:
                        f["month"] = str(parts[1])
                else:
                    f["year"] = text
            else:
                f[field] = text
    if item.get("URL"):
        f["url"] = item["URL"]
    if item.get("DOI"):
        f["doi"] = item["DOI"]
    if item.get("language"):
        f["langid"] = _CSL_TO_LANGID.get(item["language"], item["language"])
    custom = item.get("custom") or {}
    if custom.get("archive-url"):
        f["archiveurl"] = custom["archive-url"]
    if custom.get("archive-date"):
        f["archivedate"] = custom["archive-date"]
    if custom.get("url-status"):
        f["urlstatus"] = custom["url-status"]
    if custom.get("aliases"):
        f["ids"] = ", ".join(custom["aliases"])
    return etype, key, f

