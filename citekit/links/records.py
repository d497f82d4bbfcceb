"""Link records: what the checker checks, built from a Library by one small function.

The checker itself only sees :class:`LinkRecord` lists, so it can be driven (and tested) without
BibTeX at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

if TYPE_CHECKING:
    from citekit.model import Library

DOI_HOSTS = {"doi.org", "dx.doi.org", "www.doi.org"}
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


@dataclass(frozen=True)
class LinkRecord:
    """One ``url`` or ``doi`` field of one entry."""

    key: str
    field: str  # "url" or "doi"
    url: str  # the field's value as written (a DOI for field "doi")
    accessed: str | None = None  # the entry's urldate
    path: str = ""
    line: int = 0
    archive_url: str | None = None  # the entry's archiveurl / archivedate, if any
    archive_date: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def clean_url(value: str) -> str:
    """A URL as written in BibTeX: ``\\url{…}`` unwrapped, escapes (``\\_``, ``\\%``, ``\\#``) undone."""
    value = value.strip()
    if "\\" not in value:  # the common case, and the checker's start-up cost: no TeX to undo
        return value if value.isprintable() and " " not in value else "".join(value.split())
    m = re.fullmatch(r"\\(?:url|href)\{(.*?)\}(?:\{.*\})?", value, re.S)
    if m:
        value = m.group(1)
    value = re.sub(r"\\([_%#&~$])", r"\1", value)
    return "".join(value.split())


def normalise_doi(value: str) -> str:
    """``https://doi.org/10.x/y``, ``doi:10.x/y`` or ``10.x/y`` to ``10.x/y`` (DOIs are case-insensitive)."""
    value = clean_url(value)
    value = re.sub(r"^(?:https?://(?:dx\.|www\.)?doi\.org/|doi:\s*)", "", value, flags=re.I)
    return unquote(value)


def is_doi(value: str) -> bool:
    return bool(_DOI.match(normalise_doi(value)))


def doi_of_url(url: str) -> str | None:
    """The DOI when ``url`` is just a doi.org link (checked through the handle API, not the publisher)."""
    if "doi.org" not in url.lower():
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if (parts.hostname or "").lower() in DOI_HOSTS and parts.path.startswith("/10."):
        doi = unquote(parts.path[1:])
        return doi if _DOI.match(doi) else None
    return None


def normalise_url(url: str) -> str:
    """Dedupe key: scheme and host lower-cased, default port and fragment dropped."""
    fast = _already_normal(url)
    if fast is not None:
        return fast
    try:
        parts = urlsplit(clean_url(url))
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, ""))


def _already_normal(url: str) -> str | None:
    """``url`` itself when it is plainly in normal form (the common case), else None (parse it)."""
    if not url.startswith(("http://", "https://")) or url.endswith("?") or any(c in url for c in "#@[\\ \t\n"):
        return None
    start = url.index("://") + 3
    slash = url.find("/", start)
    if slash == -1:
        return None
    netloc = url[start:slash]
    if netloc != netloc.lower() or netloc.endswith((":80", ":443")) or not netloc:
        return None
    return url


def doi_target(doi: str) -> str:
    return "doi:" + normalise_doi(doi).lower()


def handle_api_url(doi: str, doi_base: str) -> str:
    return f"{doi_base.rstrip('/')}/api/handles/{quote(normalise_doi(doi), safe='/')}"


def records_from_library(library: Library) -> list[LinkRecord]:
    """Every ``url`` and ``doi`` field of the library, in file order."""
    out: list[LinkRecord] = []
    for entry in library.entries:
        accessed = entry.get("urldate")
        archive_url = entry.get("archiveurl")
        archive_date = entry.get("archivedate")
        for name in ("doi", "url"):
            value = entry.get(name)
            if not value or not value.strip():
                continue
            f = entry.fields.get(name)
            line = f.line if f is not None and getattr(f, "line", None) else entry.line
            out.append(LinkRecord(
                key=entry.key, field=name,
                url=normalise_doi(value) if name == "doi" else clean_url(value),
                accessed=accessed.strip() if accessed else None,
                path=str(entry.path), line=line,
                archive_url=clean_url(archive_url) if archive_url else None,
                archive_date=archive_date.strip() if archive_date else None,
                extra={"urlstatus": (entry.get("urlstatus") or "").strip().lower()},
            ))
    return out
