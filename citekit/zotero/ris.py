"""RIS written the way Zotero's RIS translator maps it, so Zotero's import gives the same item back.

Tags per item type follow the translator's export/import field map (``BILL``/``STAT``/``HEAR``/
``CASE``/``RPRT``/``ELEC``/``JOUR`` …; notes §2.3): a bill's number is ``M1``, its sponsor ``A2``,
cosponsors ``A3``, chamber ``T3``, Congress ``ET``; a report's number is ``SN``, institution ``PB``,
type ``M3``. RIS has no citation-key tag Zotero reads (``ID`` is ignored), so the key also goes in
one ``M2  - Citation Key: <key>`` line, which Zotero's importer puts into Extra, from where Zotero 8
moves it into the Citation Key field. Remaining Extra lines become ``N1`` notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from citekit.zotero.mapping import ZoteroItem
from citekit.zotero.schema import item_type

TYPE_TAGS = {
    "artwork": "ART", "audioRecording": "SOUND", "bill": "BILL", "blogPost": "BLOG", "book": "BOOK",
    "bookSection": "CHAP", "case": "CASE", "computerProgram": "COMP", "conferencePaper": "CONF",
    "dataset": "DATA", "dictionaryEntry": "DICT", "encyclopediaArticle": "ENCYC", "email": "ICOMM",
    "film": "MPCT", "hearing": "HEAR", "journalArticle": "JOUR", "letter": "PCOMM", "magazineArticle": "MGZN",
    "manuscript": "MANSCPT", "map": "MAP", "newspaperArticle": "NEWS", "patent": "PAT", "presentation": "SLIDE",
    "report": "RPRT", "statute": "STAT", "thesis": "THES", "videoRecording": "VIDEO", "webpage": "ELEC",
}

# tag -> (default Zotero field or None, {field: item types}); fields are type-specific names.
_FIELDS: list[tuple[str, str | None, dict[str, tuple[str, ...]]]] = [
    ("TI", "title", {"nameOfAct": ("statute",), "caseName": ("case",)}),
    ("T2", None, {"code": ("bill", "statute"), "bookTitle": ("bookSection",), "blogTitle": ("blogPost",),
                  "conferenceName": ("conferencePaper",), "committee": ("hearing",),
                  "websiteTitle": ("webpage",), "seriesTitle": ("computerProgram", "map", "report"),
                  "series": ("book",), "meetingName": ("presentation",),
                  "publicationTitle": ("journalArticle", "magazineArticle", "newspaperArticle")}),
    ("A2", None, {"reporter": ("case",)}),
    ("T3", None, {"legislativeBody": ("hearing", "bill"),
                  "series": ("bookSection", "conferencePaper", "journalArticle")}),
    ("CY", "place", {}),
    ("DA", "date", {"dateEnacted": ("statute",), "dateDecided": ("case",)}),
    ("ET", "edition", {"session": ("bill", "hearing", "statute"),
                       "versionNumber": ("computerProgram", "dataset")}),
    ("IS", "issue", {}),
    ("LA", "language", {}),
    ("M1", None, {"seriesNumber": ("book",), "billNumber": ("bill",), "documentNumber": ("hearing",),
                  "publicLawNumber": ("statute",)}),
    ("M3", None, {"reportType": ("report",), "websiteType": ("blogPost", "webpage"), "thesisType": ("thesis",),
                  "manuscriptType": ("manuscript",), "presentationType": ("presentation",)}),
    ("NV", "numberOfVolumes", {}),
    ("OP", None, {"history": ("hearing", "statute", "bill", "case")}),
    ("PB", "publisher", {"court": ("case",), "institution": ("report",), "university": ("thesis",),
                         "company": ("computerProgram",), "repository": ("dataset",)}),
    ("SE", "section", {}),
    ("SN", "ISBN", {"ISSN": ("journalArticle", "magazineArticle", "newspaperArticle"),
                    "reportNumber": ("report",)}),
    ("SP", "pages", {"codePages": ("bill",), "numPages": ("book", "thesis", "manuscript"),
                     "firstPage": ("case",)}),
    ("SV", None, {"docketNumber": ("case",), "seriesNumber": ("bookSection",)}),
    ("VL", "volume", {"codeNumber": ("statute",), "codeVolume": ("bill",), "reporterVolume": ("case",)}),
    ("AB", "abstractNote", {}), ("AN", "archiveLocation", {}), ("CN", "callNumber", {}), ("DB", "archive", {}),
    ("DO", "DOI", {}), ("DP", "libraryCatalog", {}), ("J2", "journalAbbreviation", {}), ("ST", "shortTitle", {}),
    ("UR", "url", {}),
]
# creator tag per (creator type, item type); "*" = any type that has the creator type.
_CREATOR_TAGS: dict[str, dict[str, str]] = {
    "sponsor": {"bill": "A2"}, "cosponsor": {"bill": "A3"}, "counsel": {"case": "A4"},
    # A2 is "editor" only for these types; elsewhere the importer reads the generic ED tag as editor
    "editor": {"book": "A3", "journalArticle": "A2", "bookSection": "A2", "conferencePaper": "A2",
               "dictionaryEntry": "A2", "document": "A2", "encyclopediaArticle": "A2", "*": "ED"},
    "seriesEditor": {"book": "A2", "report": "A2", "bookSection": "A3", "conferencePaper": "A3",
                     "dictionaryEntry": "A3", "encyclopediaArticle": "A3", "map": "A3"},
    "contributor": {"thesis": "A3", "conferencePaper": "A4", "dataset": "A4"},
    "translator": {"*": "A4"}, "author": {"*": "AU"}, "programmer": {"computerProgram": "AU"},
    "bookAuthor": {"bookSection": "C2"}, "presenter": {"presentation": "A2"},
}


def ris_date(text: str, with_time: bool = False) -> str:
    """Zotero date text as RIS ``YYYY/MM/DD/`` (the form Zotero writes and reads back)."""
    m = re.match(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if not m:
        return text
    y, mo, d = m.groups()
    out = f"{y}/{(mo or '').zfill(2) if mo else ''}/{(d or '').zfill(2) if d else ''}/"
    return out + ("00:00:00" if with_time else "")


def _creator(c: dict[str, str]) -> str:
    if "name" in c:
        return c["name"]
    return f"{c.get('lastName', '')}, {c.get('firstName', '')}".rstrip(", ")


def item_to_ris(z: ZoteroItem) -> str:
    ztype = z["itemType"]
    t = item_type(ztype)
    lines = [("TY", TYPE_TAGS.get(ztype, "GEN"))]
    for tag, default, specific in _FIELDS:
        field = next((f for f, types in specific.items() if ztype in types), default)
        if not field or not z.get(field) or field not in t.fields:
            continue
        value = str(z[field])
        if tag == "DA":
            lines.append(("DA", ris_date(value)))
            if re.match(r"^\d{4}", value):
                lines.append(("PY", value[:4]))
        else:
            lines.append((tag, value))
        if tag == "TI":
            for c in z.get("creators", []):
                ctype = c.get("creatorType", "")
                tags = _CREATOR_TAGS.get(ctype, {})
                ctag = tags.get(ztype) or tags.get("*")
                if ctag:
                    lines.append((ctag, _creator(c)))
    if z.get("accessDate"):
        lines.append(("Y2", ris_date(str(z["accessDate"]), with_time=True)))
    for tag in z.get("tags", []):
        lines.append(("KW", tag["tag"]))
    if z.get("citationKey"):
        lines.append(("ID", z["citationKey"]))
        lines.append(("M2", f"Citation Key: {z['citationKey']}"))
    extra = "\n".join(line for line in str(z.get("extra") or "").strip().split("\n")
                      if not line.lower().startswith("citation key:"))
    if extra:
        lines.append(("N1", extra))
    lines.append(("ER", ""))
    return "\n".join(f"{tag}  - {value}" for tag, value in lines)


def items_to_ris(items: Iterable[ZoteroItem]) -> str:
    return "\n\n".join(item_to_ris(z) for z in items) + "\n"
