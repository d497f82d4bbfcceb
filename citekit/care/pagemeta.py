"""Title, date, authors and site name of a web page, from its HTML metadata.

Sources, best first: Highwire ``citation_*`` tags (what Google Scholar reads; many government
sites emit them), Dublin Core ``dc.*``/``DC.*``, Open Graph and ``article:*`` properties, then
``<title>``. JSON-LD is not read.
"""

from __future__ import annotations

from html.parser import HTMLParser

import requests

from citekit.errors import CitekitError

MAX_BYTES = 2_000_000
TIMEOUT = 20.0
_TITLE_KEYS = ("citation_title", "dc.title", "og:title", "twitter:title")
_DATE_KEYS = (
    "citation_publication_date", "citation_date", "citation_online_date", "dc.date", "dc.date.issued",
    "dcterms.date", "dcterms.issued", "article:published_time", "date", "pubdate",
)
_SITE_KEYS = ("citation_publisher", "og:site_name", "dc.publisher", "citation_technical_report_institution")


class _MetaParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.title = ""
        self.canonical = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            name = (a.get("name") or a.get("property") or a.get("itemprop") or "").strip().lower()
            if name and a.get("content", "").strip():
                self.meta.setdefault(name, []).append(" ".join(a["content"].split()))
        elif tag == "title":
            self._in_title = True
        elif tag == "link" and "canonical" in a.get("rel", "").lower().split():
            self.canonical = a.get("href", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def parse_metadata(html: str) -> dict:
    """``{"title", "date", "site", "authors", "doi", "url"}`` (only keys found)."""
    p = _MetaParser()
    p.feed(html)
    p.close()
    out: dict = {}

    def first(keys: tuple[str, ...]) -> str:
        for k in keys:
            if p.meta.get(k):
                return p.meta[k][0]
        return ""

    title = first(_TITLE_KEYS) or " ".join(p.title.split())
    if title:
        out["title"] = title
    date = first(_DATE_KEYS)
    if date:
        out["date"] = date.replace("/", "-")[:10]
    site = first(_SITE_KEYS)
    if site:
        out["site"] = site
    authors = p.meta.get("citation_author") or p.meta.get("dc.creator") or []
    if authors:
        out["authors"] = authors
    doi = first(("citation_doi", "dc.identifier"))
    if doi.lower().startswith(("10.", "doi:10.")):
        out["doi"] = doi.split(":", 1)[-1] if doi.lower().startswith("doi:") else doi
    if p.canonical.startswith(("http://", "https://")):
        out["url"] = p.canonical
    return out


def page_metadata(url: str, session: requests.Session, notes: list[str], *, required: bool = False) -> dict:
    """Fetch ``url`` and read its metadata; failures become notes (or an error if ``required``)."""
    try:
        with session.get(url, timeout=TIMEOUT, stream=True, headers={"Accept": "text/html,*/*;q=0.5"}) as r:
            if r.status_code != 200:
                raise CitekitError(f"{url}: HTTP {r.status_code}")
            chunks, size = [], 0
            for chunk in r.iter_content(65536):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BYTES:
                    break
            body = b"".join(chunks)
            encoding = r.encoding if r.encoding and "charset" in r.headers.get("Content-Type", "") else "utf-8"
    except (requests.RequestException, CitekitError) as exc:
        message = str(exc) if isinstance(exc, CitekitError) else f"{url}: {type(exc).__name__}"
        if required:
            raise CitekitError(f"cannot read the page: {message}") from None
        notes.append(f"page not readable ({message})")
        return {}
    return parse_metadata(body.decode(encoding, errors="replace"))
