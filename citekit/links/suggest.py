"""Known moves of US government documents, offered as suggestions (never silent rewrites).

Each rule turns a failing URL into candidate replacements; the checker fetches each candidate
and only suggests one that answers (``verify=True``), or one of a documented wholesale move
even when its site refuses robots (``verify=False``: the move is known, the check only confirms).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit


@dataclass(frozen=True)
class Candidate:
    url: str
    why: str
    verify: bool = True  # suggest only if the candidate itself checks ok


# NARA moves each past administration's whitehouse.gov to <name>whitehouse.archives.gov.
_ADMINISTRATIONS = [
    (dt.date(2001, 1, 20), dt.date(2009, 1, 20), "georgewbush-whitehouse.archives.gov"),
    (dt.date(2009, 1, 20), dt.date(2017, 1, 20), "obamawhitehouse.archives.gov"),
    (dt.date(2017, 1, 20), dt.date(2021, 1, 20), "trumpwhitehouse.archives.gov"),
    (dt.date(2021, 1, 20), dt.date(2025, 1, 20), "bidenwhitehouse.archives.gov"),
]
_CRS_ID = re.compile(r"/(?:sgp/)?crs/(?:[a-z0-9_-]+/)*([A-Z]{1,3}\d{3,5})(?:\.pdf|\.html?)?$", re.I)


def _date(accessed: str | None) -> dt.date | None:
    if not accessed:
        return None
    m = re.match(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", accessed)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2) or 12), int(m.group(3) or 28))
    except ValueError:
        return None


def candidates(url: str, accessed: str | None = None) -> list[Candidate]:
    """Replacement candidates for a failing ``url``, best first."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    host = (parts.hostname or "").lower()
    path = parts.path
    out: list[Candidate] = []

    # A known typo in copied government PDF links: WordPress uploads live under /wp-content/.
    if "/wpcontent/" in path:
        fixed = urlunsplit((parts.scheme, parts.netloc, path.replace("/wpcontent/", "/wp-content/", 1),
                            parts.query, ""))
        out.append(Candidate(fixed, "typo: 'wpcontent' for WordPress's 'wp-content'"))

    # fas.org's copies of CRS reports moved (to sgp.fas.org, then many went away); CRS publishes
    # its own product pages at crsreports.congress.gov.
    if host in {"fas.org", "www.fas.org", "sgp.fas.org", "everycrsreport.com", "www.everycrsreport.com"}:
        m = _CRS_ID.search(path)
        if m:
            report = m.group(1).upper()
            out.append(Candidate(f"https://crsreports.congress.gov/product/details?prodcode={report}",
                                 f"CRS report {report} on the Congressional Research Service's own site",
                                 verify=False))
            if host in {"fas.org", "www.fas.org"} and path.startswith("/sgp/"):
                out.append(Candidate(urlunsplit(("https", "sgp.fas.org", path[len("/sgp"):], parts.query, "")),
                                     "fas.org moved its Secrecy Project pages to sgp.fas.org"))

    # whitehouse.gov pages of a past administration: NARA's archived site for the term in which
    # the page was accessed.
    if host in {"whitehouse.gov", "www.whitehouse.gov"} and path not in {"", "/"}:
        when = _date(accessed)
        for start, end, archived in _ADMINISTRATIONS:
            if when and start <= when < end:
                out.append(Candidate(urlunsplit(("https", archived, path, parts.query, "")),
                                     f"whitehouse.gov pages of that administration moved to {archived}",
                                     verify=False))
    # Old archived-whitehouse hosts sometimes lose a "www." or gain one.
    if host.startswith("www.") and host.endswith("whitehouse.archives.gov"):
        out.append(Candidate(urlunsplit((parts.scheme, parts.netloc[4:], path, parts.query, "")),
                             "archived White House sites have no www. prefix"))
    return out
