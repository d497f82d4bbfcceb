"""CSL-JSON items as the engine reads them: aliases resolved, names and dates in one shape.

Values that no style could print correctly (a title that is a JSON list, a name that is a number)
are refused with an ``ItemError`` naming the item; odd but usable ones (a name given as a string,
a date as text) are taken as citeproc-js takes them.
"""

from __future__ import annotations

import math
from typing import Any

from citekit.bibtex.names import is_cjk
from citekit.errors import CitekitError


class ItemError(CitekitError):
    """A CSL-JSON item the engine cannot use (names the item)."""


# CSL's name variables in citeproc-js's order (the first an item has gives a citation-label its names).
NAME_VARIABLES_IN_ORDER = (
    "author", "chair", "collection-editor", "compiler", "composer", "container-author", "contributor", "curator",
    "director", "editor", "editor-translator", "editorial-director", "executive-producer", "guest", "host",
    "illustrator", "interviewer", "narrator", "organizer", "original-author", "performer", "producer", "recipient",
    "reviewed-author", "script-writer", "series-creator", "translator", "commenter",
)
NAME_VARIABLES = frozenset(NAME_VARIABLES_IN_ORDER)
DATE_VARIABLES = frozenset({"accessed", "available-date", "event-date", "issued", "original-date", "submitted"})


_ALIASES = {"shortTitle": "title-short", "journalAbbreviation": "container-title-short",
            "container-title-short": "container-title-short"}


def normalize_item(raw: Any, index: int = 0) -> dict[str, Any]:
    """A CSL-JSON item as the renderers expect it (aliases resolved, names as lists of dicts)."""
    if not isinstance(raw, dict):
        raise ItemError(f"item {index + 1} is not a JSON object")
    if isinstance(raw.get("note"), str) and ":" in raw["note"]:
        from citekit.csljson import apply_note_fields

        raw = apply_note_fields(raw)  # "key: value" lines in note, as citeproc-js reads them
    item: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:
            continue
        key = _ALIASES.get(key, key)
        if key in NAME_VARIABLES:
            value = _names_value(raw, key, value)
        elif key in DATE_VARIABLES:
            value = _date_value(raw, key, value)
        elif type(value) is str:  # most values: taken as they are
            pass
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            value = _number_text(value)
        elif isinstance(value, (list, dict)) and key not in _STRUCTURED:
            if key in _CSL_VARIABLES:
                raise ItemError(f"item {raw.get('id')!r}: {key} must be text, not a JSON {type(value).__name__}")
            continue  # not a CSL variable: nothing can print it
        item[key] = value
    if "id" not in item:
        item["id"] = f"item-{index + 1}"
    item["id"] = str(item["id"])
    item.setdefault("type", "article")
    return item


# The CSL variables citeproc-py knows, standard and number variables with the
# names and dates among them; a test holds this to its list, which is not imported for it because
# importing citeproc-py loads lxml.
_CSL_VARIABLES = frozenset("""
    abstract accessed annote archive archive-location archive-place author authority call-number
    chapter-number citation-label citation-number collection-editor collection-number collection-title
    composer container container-author container-title container-title-short dimensions DOI edition
    editor editorial-director event event-date event-place first-reference-note-number genre
    illustrator interviewer ISBN ISSN issue issued jurisdiction keyword language locator medium note
    number number-of-pages number-of-volumes original-author original-date original-publisher
    original-publisher-place original-title page page-first PMCID PMID publisher publisher-place
    recipient references section source status submitted title title-short translator URL version
    volume year-suffix""".split())

_STRUCTURED = frozenset({"custom", "categories", "keyword-list"})
_NAME_PARTS = frozenset({"family", "given", "literal", "suffix", "dropping-particle", "non-dropping-particle",
                         "comma-suffix", "static-ordering", "parse-names", "isInstitution"})


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _names_value(raw: dict, key: str, value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        value = [value]
    if isinstance(value, str):
        return [{"literal": value}]
    if not isinstance(value, list):
        raise ItemError(f"item {raw.get('id')!r}: {key} must be a list of names")
    out = []
    for name in value:
        if name is None:
            continue
        if isinstance(name, str):
            out.append({"literal": name})
        elif isinstance(name, dict):
            clean = {part: v for part, v in name.items() if v is not None and part in _NAME_PARTS}
            for part, v in clean.items():
                if type(v) is str:
                    continue
                if isinstance(v, (list, dict)):
                    raise ItemError(f"item {raw.get('id')!r}: the {part} of a name in {key} must be text")
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    clean[part] = _number_text(v)
            if clean:
                out.append(clean)
        else:
            raise ItemError(f"item {raw.get('id')!r}: a name in {key} is neither an object nor a string")
    return out


def _date_value(raw: dict, key: str, value: Any) -> Any:
    if isinstance(value, (str, int)):
        return {"raw": str(value)}
    if isinstance(value, list):
        return {"date-parts": value}
    if not isinstance(value, dict):
        raise ItemError(f"item {raw.get('id')!r}: {key} must be a date object")
    return value


def whole_cjk_names(item: dict[str, Any]) -> None:
    """citekit:whole-cjk-names: a CJK personal name becomes one family name (陈晋镳, not 陈), so
    that short forms and sort keys keep the whole name, as GB/T 7714 prints Chinese authors."""
    for var in NAME_VARIABLES.intersection(item):
        for name in item[var]:
            if "family" not in name or "given" not in name:
                continue
            family, given = str(name["family"]), str(name["given"])
            if family and given and is_cjk(family + given):
                name["family"] = family + given
                del name["given"]


def doi_in_url(item: dict[str, Any]) -> bool:
    doi, url = item.get("DOI"), item.get("URL")
    return bool(doi and url and str(doi).lower() in str(url).lower())
