"""``citekit add``: new entries from identifiers, with metadata fetched through a session.

* DOI and NIST series ids: CSL-JSON by content negotiation on the DOI resolver
  (``Accept: application/vnd.citationstyles.csl+json``; base URL from ``CITEKIT_DOI_URL``,
  default https://doi.org), mapped to biblatex by :func:`citekit.bibtex.mapping.csl_to_bibtex`.
* Bills: a structured ``@legislation`` entry with the canonical congress.gov URL; title and
  introduction date from the Congress.gov API when ``CITEKIT_CONGRESS_API_KEY`` is set (base
  ``CITEKIT_CONGRESS_API_URL``), else from the bill page's metadata when it can be fetched.
* URLs: an ``@online`` entry with title, date and site name from the page's metadata.

Keys follow Better BibTeX's default formula and are checked against every key in the library.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from citekit.bibtex import mapping
from citekit.bibtex.writer import append_entries, format_entry
from citekit.care.config import CareConfig
from citekit.care.identifiers import BILL_TYPES, Identifier, parse_identifier
from citekit.care.keys import bbt_key, unique_key
from citekit.care.pagemeta import page_metadata
from citekit.care.tidy import tidy_entry_text
from citekit.errors import CitekitError
from citekit.model import Item

CSL_JSON = "application/vnd.citationstyles.csl+json"
DEFAULT_DOI_URL = "https://doi.org"
DEFAULT_CONGRESS_API_URL = "https://api.congress.gov/v3"
TIMEOUT = 20.0
# CSL variables worth keeping from a registration agency's record (the rest is references,
# licences, funders …).
_KEEP = {
    "type", "title", "author", "editor", "container-title", "collection-title", "collection-number",
    "publisher", "publisher-place", "issued", "volume", "issue", "page", "number", "DOI", "ISBN",
    "ISSN", "URL", "genre", "language", "edition", "event-title", "event-place", "title-short",
}


@dataclass
class NewEntry:
    identifier: str
    key: str
    text: str
    notes: list[str] = field(default_factory=list)  # what could not be filled in


def doi_base() -> str:
    return os.environ.get("CITEKIT_DOI_URL", DEFAULT_DOI_URL).rstrip("/")


def fetch_doi(doi: str, session: requests.Session, base: str | None = None) -> Item:
    """CSL-JSON for ``doi`` by content negotiation on the resolver (redirects followed)."""
    url = f"{base or doi_base()}/{doi}"
    try:
        r = session.get(url, headers={"Accept": CSL_JSON}, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise CitekitError(f"DOI {doi}: resolver not reachable ({type(exc).__name__})") from None
    if r.status_code == 404:
        raise CitekitError(f"DOI {doi} is not registered (404 from the resolver)")
    if r.status_code == 406:
        raise CitekitError(f"DOI {doi}: its registration agency offers no CSL-JSON (406)")
    if r.status_code != 200:
        raise CitekitError(f"DOI {doi}: the resolver answered HTTP {r.status_code}")
    try:
        data = json.loads(r.content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CitekitError(f"DOI {doi}: the resolver did not return CSL-JSON") from None
    if not isinstance(data, dict) or not data.get("title"):
        raise CitekitError(f"DOI {doi}: the record has no title")
    item = clean_item(data, doi)
    if not isinstance(item.get("title"), str) or not item["title"]:
        raise CitekitError(f"DOI {doi}: the record's title is not text")
    return item


def clean_item(data: dict[str, Any], doi: str | None = None) -> Item:
    item: Item = {k: v for k, v in data.items() if k in _KEEP}
    for var in ("title", "container-title", "collection-title", "publisher", "ISSN", "ISBN"):
        if isinstance(item.get(var), list):  # some agencies send lists
            item[var] = item[var][0] if item[var] else ""
        if isinstance(item.get(var), str):
            item[var] = " ".join(item[var].split())
    if doi:
        item["DOI"] = doi
        url = str(item.get("URL", ""))
        if re.match(r"^https?://(?:dx\.)?doi\.org/", url, re.I):
            del item["URL"]  # the doi field already says it
    return {k: v for k, v in item.items() if v not in (None, "", [])}


def _nist_fields(ident: Identifier, item: Item) -> Item:
    item = dict(item)
    item["type"] = "report"
    item["number"] = ident.label
    item.setdefault("publisher", "National Institute of Standards and Technology")
    if "National Institute of Standards" in str(item.get("publisher", "")):
        item["publisher"] = "National Institute of Standards and Technology"
        item.setdefault("publisher-place", "Gaithersburg, MD")
    return item


def _bill_item(ident: Identifier, session: requests.Session, today: dt.date, notes: list[str]) -> Item:
    _, _, chamber = BILL_TYPES[ident.bill_type]
    title, date = "", ""
    key = os.environ.get("CITEKIT_CONGRESS_API_KEY")
    if key:
        base = os.environ.get("CITEKIT_CONGRESS_API_URL", DEFAULT_CONGRESS_API_URL).rstrip("/")
        url = f"{base}/bill/{ident.congress}/{ident.bill_type}/{ident.number}"
        try:
            r = session.get(url, params={"api_key": key, "format": "json"}, timeout=TIMEOUT)
            if r.status_code == 200:
                data = r.json()
                bill = data.get("bill") if isinstance(data, dict) else None
                if not isinstance(bill, dict):
                    raise ValueError("not a bill record")  # the wrong JSON shape: fall back to the page
                title = bill.get("title") if isinstance(bill.get("title"), str) else ""
                date = bill.get("introducedDate") if isinstance(bill.get("introducedDate"), str) else ""
            else:
                notes.append(f"Congress.gov API answered HTTP {r.status_code}")
        except (requests.RequestException, ValueError) as exc:
            notes.append(f"Congress.gov API not usable ({type(exc).__name__})")
    if not title:
        meta = page_metadata(ident.value, session, notes)
        # "H.R.2996 - 113th Congress (2013-2014): Revitalize … | Congress.gov | Library of Congress"
        raw = meta.get("title", "")
        title = re.sub(r"\s*\|.*$", "", re.sub(r"^.*?\)\s*:\s*", "", raw)) if raw else ""
        date = date or meta.get("date", "")
    if not title:
        title = f"{ident.label} ({ident.congress}th Congress)"
        notes.append("title not found: replace the placeholder title")
    if not date:
        notes.append("introduction date not found: add a date field")
    item: Item = {
        "type": "bill", "title": title, "author": [{"literal": "United States Congress"}],
        "number": ident.label, "URL": ident.value, "chapter-number": f"{ident.congress}th Congress",
        "authority": chamber, "accessed": {"date-parts": [[today.year, today.month, today.day]]},
        "language": "en",
    }
    if date:
        item["issued"] = {"raw": date}
        m = re.match(r"(\d{4})(?:-(\d\d)(?:-(\d\d))?)?", date)
        if m:
            item["issued"] = {"date-parts": [[int(g) for g in m.groups() if g]]}
    return item


def _url_item(ident: Identifier, session: requests.Session, today: dt.date, notes: list[str]) -> Item:
    meta = page_metadata(ident.value, session, notes, required=True)
    item: Item = {
        "type": "webpage", "title": meta.get("title") or ident.value, "URL": meta.get("url") or ident.value,
        "accessed": {"date-parts": [[today.year, today.month, today.day]]},
    }
    if meta.get("site"):
        item["publisher"] = meta["site"]  # biblatex @online: organization
    if meta.get("authors"):
        item["author"] = [_name(a) for a in meta["authors"]]
    m = re.match(r"(\d{4})(?:-(\d\d)(?:-(\d\d))?)?", meta.get("date", ""))
    if m:
        item["issued"] = {"date-parts": [[int(g) for g in m.groups() if g]]}
    if meta.get("doi"):
        item["DOI"] = meta["doi"]
    if not meta.get("title"):
        notes.append("the page has no title: replace the placeholder")
    return item


def _name(text: str) -> dict[str, str]:
    if "," in text:
        family, given = (p.strip() for p in text.split(",", 1))
        return {"family": family, "given": given}
    words = text.split()
    if len(words) >= 2:
        return {"family": words[-1], "given": " ".join(words[:-1])}
    return {"literal": text}


def resolve(identifier: str, session: requests.Session, *, today: dt.date | None = None) -> tuple[Item, list[str]]:
    """A CSL-JSON item for one identifier, and notes on what could not be found."""
    today = today or dt.date.today()
    ident = parse_identifier(identifier)
    notes: list[str] = []
    if ident.kind == "doi":
        return fetch_doi(ident.value, session), notes
    if ident.kind == "nist":
        return _nist_fields(ident, fetch_doi(ident.value, session)), notes
    if ident.kind == "bill":
        return _bill_item(ident, session, today, notes), notes
    return _url_item(ident, session, today, notes), notes


def entry_text(item: Item, key: str, config: CareConfig | None = None, today: dt.date | None = None) -> str:
    """The biblatex entry for ``item`` under ``key``, in tidy's canonical layout."""
    etype, _, fields = mapping.csl_to_bibtex(item)
    if "url" in fields and "urldate" not in fields:
        fields["urldate"] = (today or dt.date.today()).isoformat()
    if item.get("type") == "bill":
        fields.pop("journaltitle", None)
    if item.get("author") and all("literal" in a for a in item["author"]):
        fields["author"] = " and ".join("{" + a["literal"] + "}" for a in item["author"])
    text = format_entry(etype, key, fields, bare_numbers=False)
    return tidy_entry_text(text, config)


def new_entries(
    identifiers: Sequence[str], session: requests.Session, taken: Iterable[str], *,
    config: CareConfig | None = None, today: dt.date | None = None,
) -> list[NewEntry]:
    """Resolve every identifier (all must succeed) and give each a fresh Better BibTeX key."""
    used = set(taken)
    out = []
    for ident in identifiers:
        item, notes = resolve(ident, session, today=today)
        key = unique_key(bbt_key(item), used)
        used.add(key)
        out.append(NewEntry(ident, key, entry_text(item, key, config, today), notes))
    return out


def add_to_file(path: str | Path, entries: Sequence[NewEntry], *, force: bool = False) -> list[str]:
    """Append the entries atomically, under the file's lock."""
    return append_entries(path, [e.text for e in entries], force=force)
