"""CSL-JSON input (as Zotero, Better BibTeX and pandoc write it), with Zotero's ``note`` lines.

Zotero keeps fields it has no slot for as ``Key: value`` lines at the top of Extra, exported to
CSL ``note`` ("cheater syntax"): ``type: standard``, ``original-date: 1865``, ``DOI: 10.…``.
citeproc-js reads them; citeproc-py does not, so citekit applies them here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from citekit.bibtex.dates import DateError, parse_date
from citekit.errors import CitekitError
from citekit.fileio import read_text
from citekit.model import Item

_DATE_VARS = {"accessed", "available-date", "event-date", "issued", "original-date", "submitted"}
_NAME_VARS = {"author", "editor", "translator", "container-author", "collection-editor", "composer",
              "director", "illustrator", "interviewer", "original-author", "recipient", "reviewed-author",
              "contributor", "editorial-director"}
# Zotero field labels that differ from the CSL variable they feed.
_ALIASES = {"doi": "DOI", "url": "URL", "isbn": "ISBN", "issn": "ISSN", "pmid": "PMID", "pmcid": "PMCID",
            "place": "publisher-place", "original date": "original-date", "originaldate": "original-date",
            "publisher place": "publisher-place", "number of pages": "number-of-pages",
            "number of volumes": "number-of-volumes", "citation key": "citation-key",
            "archive location": "archive_location", "call number": "call-number", "medium": "medium",
            "event place": "event-place", "container title": "container-title", "page": "page",
            "available date": "available-date", "status": "status", "genre": "genre"}
_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z _-]*?)\s*:\s*(.+?)\s*$")
_KNOWN_TYPES = {
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast",
    "chapter", "classic", "collection", "dataset", "document", "entry", "entry-dictionary",
    "entry-encyclopedia", "event", "figure", "graphic", "hearing", "interview", "legal_case", "legislation",
    "manuscript", "map", "motion_picture", "musical_score", "pamphlet", "paper-conference", "patent",
    "performance", "periodical", "personal_communication", "post", "post-weblog", "regulation", "report",
    "review", "review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage",
}


def _variable_for(label: str) -> str | None:
    low = label.strip().lower()
    if low in _ALIASES:
        return _ALIASES[low]
    var = low.replace(" ", "-")
    if var in _DATE_VARS or var in _NAME_VARS or var == "type":
        return var
    if re.fullmatch(r"[a-z][a-z-]*", var) and var not in ("tex", "bibtex", "biblatex"):
        return var
    return None


def apply_note_fields(item: Item) -> Item:
    """Move leading ``Key: value`` lines of ``note`` into empty variables (a new dict)."""
    note = item.get("note")
    if not isinstance(note, str) or ":" not in note:
        return item
    out = dict(item)
    kept: list[str] = []
    for line in note.splitlines():
        m = _LINE.match(line)
        var = _variable_for(m.group(1)) if m else None
        if m is None or var is None:
            kept.append(line)
            continue
        value = m.group(2)
        if var == "type":
            if value in _KNOWN_TYPES:
                out["type"] = value
            else:
                kept.append(line)
        elif var in _DATE_VARS:
            if var not in out:
                try:
                    out[var] = parse_date(value)
                except DateError:
                    out[var] = {"raw": value}
        elif var in _NAME_VARS:
            family, _, given = value.partition("||")
            name = {"family": family.strip(), "given": given.strip()} if given else {"literal": family.strip()}
            out.setdefault(var, [])
            out[var] = [*out[var], name]
        elif var not in out or out[var] in ("", None):
            out[var] = value
    rest = "\n".join(kept).strip()
    if rest:
        out["note"] = rest
    else:
        out.pop("note", None)
    return out


def read_csl_json(path: str | Path) -> list[Item]:
    """Read a CSL-JSON file (a list of items, or one item) with the note lines applied."""
    path = Path(path)
    text, _ = read_text(path)
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CitekitError(f"invalid JSON: {exc.msg}", path, exc.lineno) from None
    except RecursionError:
        raise CitekitError("invalid JSON: nested too deeply", path) from None
    except ValueError as exc:  # e.g. an integer beyond the interpreter's digit limit
        raise CitekitError(f"invalid JSON: {exc}", path) from None
    if isinstance(data, dict) and "items" in data:
        data = data["items"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise CitekitError("expected a list of CSL-JSON items", path, 1)
    items = []
    for n, raw in enumerate(data, 1):
        if not isinstance(raw, dict) or "id" not in raw:
            raise CitekitError(f"item {n} is not a CSL-JSON object with an 'id'", path, _line_of_item(text, n))
        from citekit.csl.items import ItemError, normalize_item  # the engine loads only when needed

        try:
            normalize_item(raw, n - 1)  # the engine's checks, reported here with the file and line
        except ItemError as exc:
            raise CitekitError(exc.message, path, _line_of_item(text, n)) from None
        item = apply_note_fields(raw)
        item.setdefault("type", "document")
        item.setdefault("citation-key", str(item["id"]))
        items.append(item)
    return items


def _line_of_item(text: str, n: int) -> int:
    """Line of the n-th element of the top-level JSON array, for error messages."""
    decoder = json.JSONDecoder()
    i = text.find("[") + 1
    for count in range(1, n + 1):
        while i < len(text) and text[i] in " \t\r\n,":
            i += 1
        if count == n:
            return text.count("\n", 0, i) + 1
        try:
            _, i = decoder.raw_decode(text, i)
        except json.JSONDecodeError:
            break
    return 1
