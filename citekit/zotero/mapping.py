"""CSL-JSON items <-> Zotero item JSON (the Web API format), without losing anything.

Field and type names follow Zotero's schema (:mod:`citekit.zotero.schema`): a CSL variable goes to
the first Zotero field listed for it that the item type has, under the type-specific name
(``number`` -> ``billNumber`` on a bill, ``reportNumber`` on a report). A CSL variable the Zotero
type has no field for is not dropped: it becomes a ``variable: value`` line at the top of Extra,
Zotero's own "cheater" syntax, which Zotero desktop migrates into a field when it can and which
:func:`zotero_to_csl` reads back. Cosponsors (no CSL role) travel the same way
(``cosponsor: Doe || Jane`` in CSL ``note``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from citekit.model import Item
from citekit.zotero.schema import (
    CREATOR_TO_CSL,
    CSL_DATE_FIELDS,
    CSL_TEXT_FIELDS,
    CSL_TO_CREATOR,
    CSL_TO_ZOTERO_TYPE,
    ZOTERO_TO_CSL_TYPE,
    ItemType,
    item_type,
)

ZoteroItem = dict[str, Any]

# Bill numbers as Congress writes them (H.R. 2996, S. 1, H.Res. 5, S.J.Res. 2 …): a CSL
# "legislation" item with one of these is a bill, not an enacted statute.
_BILL_NUMBER = re.compile(
    r"^\s*(H\.?\s*R\.?|S\.?|H\.?\s*(J\.?\s*|Con\.?\s*)?Res\.?|S\.?\s*(J\.?\s*|Con\.?\s*)?Res\.?)\s*\d+", re.I
)
_CHEATER = re.compile(r"^([A-Za-z][A-Za-z -]*?):\s*(.*)$")
_NAME_VARS = set(CSL_TO_CREATOR) | {"cosponsor", "counsel", "sponsor"}
# CSL 1.0.2 variables: a leading "variable: value" line of Extra/note with one of these names,
# spelled exactly so, is data (what csl_to_zotero wrote for a variable with no Zotero field).
CSL_VARIABLES = set(CSL_TEXT_FIELDS) | set(CSL_DATE_FIELDS) | _NAME_VARS | set("""
abstract annote archive archive_collection archive_location archive-place authority call-number chapter-number
citation-key citation-label collection-number collection-title container-title container-title-short
dimensions division DOI edition event event-title event-place genre ISBN ISSN issue jurisdiction language
license medium note number number-of-pages number-of-volumes original-publisher original-publisher-place
original-title page page-first part part-title PMCID PMID printing publisher publisher-place references
reviewed-genre reviewed-title scale section source status supplement title title-short URL version volume
volume-title available-date event-date submitted author chair collection-editor compiler composer
container-author contributor curator director editor editorial-director executive-producer guest host
interviewer illustrator narrator organizer original-author performer producer recipient reviewed-author
script-writer series-creator translator custom type""".split())
_DATE_VARS = {"accessed", "available-date", "event-date", "issued", "original-date", "submitted"}
_PERSON_VARS = _NAME_VARS | {
    "chair", "compiler", "composer", "container-author", "curator", "director", "editorial-director",
    "executive-producer", "guest", "host", "interviewer", "illustrator", "narrator", "organizer",
    "original-author", "performer", "producer", "recipient", "reviewed-author", "script-writer",
    "series-creator"}


def zotero_type_of(item: Item) -> str:
    """The Zotero item type for a CSL item (unknown CSL types become ``document``, as in Zotero)."""
    ctype = str(item.get("type") or "document")
    if ctype == "legislation" and _BILL_NUMBER.match(str(item.get("number") or "")):
        return "bill"
    return CSL_TO_ZOTERO_TYPE.get(ctype, "document")


# ---------------------------------------------------------------- dates

def date_to_text(value: Any) -> str:
    """A CSL date object as Zotero date text: ``raw`` when given, else ISO from date-parts."""
    if not isinstance(value, dict):
        return str(value or "")
    if value.get("raw"):
        return str(value["raw"])
    if value.get("literal"):
        return str(value["literal"])
    parts = value.get("date-parts") or []
    if parts and parts[0]:
        out = [iso_parts(parts[0])]
        if len(parts) > 1 and parts[1]:
            out.append(iso_parts(parts[1]))
        return "/".join(out)
    return ""


def iso_parts(part: list[Any]) -> str:
    nums = [int(p) for p in part[:3]]
    return "-".join([f"{nums[0]:04d}"] + [f"{n:02d}" for n in nums[1:]])


_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?(?:[T ][0-9:.]+Z?)?$")


def text_to_date(text: str) -> dict[str, Any]:
    """Zotero date text as a CSL date with both ``date-parts`` (when ISO-like) and ``raw``."""
    text = text.strip()
    out: dict[str, Any] = {}
    halves = text.split("/") if text.count("/") == 1 else [text]
    parts = []
    for half in halves:
        m = _ISO.match(half.strip())
        if not m:
            parts = []
            break
        parts.append([int(g) for g in m.groups() if g])
    if parts:
        out["date-parts"] = parts
    out["raw"] = text
    return out


def normalize_date(value: Any) -> Any:
    """Give a CSL date both ``date-parts`` and ``raw`` where one can be derived from the other."""
    if not isinstance(value, dict):
        return text_to_date(str(value)) if value else value
    out = dict(value)
    if "date-parts" not in out and out.get("raw"):
        parts = text_to_date(str(out["raw"])).get("date-parts")
        if parts:
            out["date-parts"] = parts
    if "raw" not in out and out.get("date-parts") and out["date-parts"][0]:
        out["raw"] = date_to_text({"date-parts": out["date-parts"]})
    return out


def access_date(value: Any) -> str:
    """accessDate must be ISO 8601 on the Web API (anything else is a 400)."""
    text = date_to_text(value)
    if _ISO.match(text):
        return text
    parts = (value or {}).get("date-parts") if isinstance(value, dict) else None
    if parts and parts[0] and len(parts[0]) >= 3:
        return iso_parts(parts[0])
    return text


# ---------------------------------------------------------------- names

def _name_to_creator(name: dict[str, Any], ctype: str) -> dict[str, str]:
    if name.get("literal") or not name.get("given"):
        full = name.get("literal") or " ".join(
            str(name[p]) for p in ("non-dropping-particle", "family", "suffix") if name.get(p)
        )
        return {"creatorType": ctype, "name": str(full)}
    last = " ".join(str(name[p]) for p in ("non-dropping-particle", "family") if name.get(p))
    first = " ".join(str(name[p]) for p in ("given", "dropping-particle") if name.get(p))
    if name.get("suffix"):
        first = f"{first}, {name['suffix']}" if first else str(name["suffix"])
    return {"creatorType": ctype, "firstName": first, "lastName": last}


def _creator_to_name(creator: dict[str, str]) -> dict[str, str]:
    if "name" in creator:
        return {"literal": creator["name"]}
    out = {"family": creator.get("lastName", "")}
    if creator.get("firstName"):
        out["given"] = creator["firstName"]
    return out


def _cheater_name(text: str) -> dict[str, str]:
    family, sep, given = text.partition("||")
    if not sep:
        return {"literal": text.strip()}
    return {"family": family.strip(), "given": given.strip()}


def _name_line(role: str, name: dict[str, Any]) -> str:
    if name.get("literal") or not name.get("given"):
        return f"{role}: {name.get('literal') or name.get('family', '')}"
    return f"{role}: {name.get('family', '')} || {name['given']}"


# ---------------------------------------------------------------- CSL -> Zotero

def _split_note(note: str) -> tuple[list[tuple[str, str, str]], str]:
    """Leading ``key: value`` lines of a note (Zotero cheater syntax) and the remaining text.

    Each pair comes with its line as written, so a line that stays in Extra keeps its spelling.
    """
    lines = note.split("\n")
    pairs: list[tuple[str, str, str]] = []
    i = 0
    while i < len(lines):
        m = _CHEATER.match(lines[i])
        key = m.group(1).strip() if m else ""
        if key.lower() == "citation key":
            key = "citation key"
        elif key not in CSL_VARIABLES:
            break
        pairs.append((key, m.group(2), lines[i]))
        i += 1
    return pairs, "\n".join(lines[i:])


def csl_to_zotero(item: Item) -> ZoteroItem:
    """A Zotero item (Web API JSON, no key/version) carrying everything in a CSL item."""
    ztype = zotero_type_of(item)
    t = item_type(ztype)
    out: ZoteroItem = {"itemType": ztype, "creators": []}
    extra_lines: list[str] = []
    note_text = ""
    if item.get("type") and item["type"] not in CSL_TO_ZOTERO_TYPE:
        extra_lines.append(f"type: {item['type']}")  # e.g. regulation: kept for the way back

    def put(var: str, value: str) -> None:
        for cand in CSL_TEXT_FIELDS.get(var, ()):
            field = t.field_for(cand)
            if field and not out.get(field):
                out[field] = value
                return
        extra_lines.append(f"{var}: {value}")

    for var, value in item.items():
        if value in (None, "", [], {}) or var in ("id", "type", "keyword", "note"):
            continue
        if var in CSL_DATE_FIELDS:
            field = t.field_for(CSL_DATE_FIELDS[var]) if var in CSL_DATE_FIELDS else None
            text = access_date(value) if var == "accessed" else date_to_text(value)
            if field:
                out[field] = text
            else:
                extra_lines.append(f"{var}: {text}")
        elif isinstance(value, list) and value and isinstance(value[0], dict):  # names
            ctype = t.primary if var == "author" else CSL_TO_CREATOR.get(var, var)
            for name in value:
                # next to CSL authors, a role that is also the type's primary one (a hearing's
                # contributor) could not be told apart on the way back: it travels in Extra
                clash = ctype == t.primary and var != "author" and bool(item.get("author"))
                if ctype in t.creator_types and not clash:
                    out["creators"].append(_name_to_creator(name, ctype))
                else:
                    extra_lines.append(_name_line(var, name))
        elif var in CSL_TEXT_FIELDS:
            put(var, str(value))
        elif isinstance(value, (dict, list)):
            extra_lines.append(f"{var}: {json.dumps(value, ensure_ascii=False, sort_keys=True)}")
        else:
            extra_lines.append(f"{var}: {value}")
    if item.get("note"):
        pairs, note_text = _split_note(str(item["note"]))
        for key, value, line in pairs:
            if key in t.creator_types and key != t.primary:
                out["creators"].append(_name_to_creator(_cheater_name(value), key))
            elif key == "citation key" and not out.get("citationKey"):
                out["citationKey"] = value
            elif key != "citation key":
                extra_lines.append(line)
    if not out.get("citationKey") and item.get("id"):
        out["citationKey"] = str(item["id"])
    extra = "\n".join(extra_lines + ([note_text] if note_text else []))
    if extra:
        out["extra"] = extra
    keywords = item.get("keyword")
    tags = [k.strip() for k in re.split(r"[,;]", str(keywords))] if keywords else []
    out["tags"] = [{"tag": k} for k in tags if k]
    return _ordered(out, t)


def _ordered(z: ZoteroItem, t: ItemType) -> ZoteroItem:
    """Fields in the order of Zotero's item template (stable output, easy diffs)."""
    out: ZoteroItem = {"itemType": z["itemType"]}
    for key in ("key", "version"):
        if key in z:
            out[key] = z[key]
    for i, field in enumerate(t.fields):
        if field in z:
            out[field] = z[field]
        if i == 0:
            out["creators"] = z.get("creators", [])
    for key in ("tags", "collections", "relations"):
        if key in z:
            out[key] = z[key]
    return out


# ---------------------------------------------------------------- Zotero -> CSL

_FIELD_TO_CSL: dict[str, str] = {}
for _var, _fields in CSL_TEXT_FIELDS.items():
    for _f in _fields:
        _FIELD_TO_CSL.setdefault(_f, _var)
_FIELD_TO_CSL["shortTitle"] = "title-short"
_DATE_TO_CSL = {z: c for c, z in CSL_DATE_FIELDS.items()}


def zotero_to_csl(z: ZoteroItem) -> Item:
    """The CSL item for a Zotero item; inverse of :func:`csl_to_zotero` for everything it writes."""
    ztype = z.get("itemType", "document")
    t = item_type(ztype) if ztype in ZOTERO_TO_CSL_TYPE else item_type("document")
    item: Item = {"type": ZOTERO_TO_CSL_TYPE.get(ztype, "document")}
    for field in t.fields:
        value = z.get(field)
        if value in (None, ""):
            continue
        generic = t.generic(field)
        if generic in _DATE_TO_CSL:
            item[_DATE_TO_CSL[generic]] = text_to_date(str(value))
        elif field == "extra":
            continue
        elif generic in _FIELD_TO_CSL or field in _FIELD_TO_CSL:
            item[_FIELD_TO_CSL.get(generic) or _FIELD_TO_CSL[field]] = value
    note_lines: list[str] = []
    for creator in z.get("creators", []):
        ctype = creator.get("creatorType", t.primary)
        name = _creator_to_name(creator)
        var = "author" if ctype == t.primary else CREATOR_TO_CSL.get(ctype)
        if var:
            item.setdefault(var, []).append(name)
        else:
            note_lines.append(_name_line(ctype, name))
    extra = str(z.get("extra") or "")
    if extra:
        pairs, rest = _split_note(extra)
        for key, value, line in pairs:
            if key == "type" and item["type"] == "document":
                item["type"] = value.strip()
            elif key == "citation key":
                item.setdefault("citation-key", value)
            elif key in _PERSON_VARS:
                item.setdefault(key, []).append(_cheater_name(value))
            elif key in item or key in ("type", "note"):
                note_lines.append(line)
            elif key in _DATE_VARS:
                item[key] = text_to_date(value)
            elif key == "custom" or value[:1] in "{[":
                try:
                    item[key] = json.loads(value)
                except ValueError:
                    item[key] = value
            else:
                item[key] = value
        if rest:
            note_lines.append(rest)
    if note_lines:
        item["note"] = "\n".join(note_lines)
    if z.get("tags"):
        item["keyword"] = ", ".join(tag["tag"] for tag in z["tags"])
    if item.get("citation-key"):
        item["id"] = item["citation-key"]
    return item


def validate_zotero_item(z: ZoteroItem) -> list[str]:
    """Problems the Web API would answer with a per-item 400 (citekit's table of the schema)."""
    ztype = z.get("itemType")
    try:
        t = item_type(str(ztype))
    except KeyError:
        return [f"'{ztype}' is not a valid itemType"]
    allowed = set(t.fields) | {"itemType", "creators", "tags", "collections", "relations", "key", "version"}
    problems = [f"'{k}' is not a valid field for type '{ztype}'" for k in z if k not in allowed]
    for c in z.get("creators", []):
        if c.get("creatorType") not in t.creator_types:
            problems.append(f"'{c.get('creatorType')}' is not a valid creator type for item type '{ztype}'")
    if z.get("accessDate") and not _ISO.match(str(z["accessDate"])):
        problems.append(f"'{z['accessDate']}' is not a valid accessDate")
    return problems
