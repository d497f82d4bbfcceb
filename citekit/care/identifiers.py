"""Recognising what ``citekit add`` was given: a DOI, a NIST series id, a bill, or a URL."""

from __future__ import annotations

import re
from dataclasses import dataclass

from citekit.errors import CitekitError

# congress.gov path segment, API type, printed number prefix, chamber
BILL_TYPES: dict[str, tuple[str, str, str]] = {
    "hr": ("house-bill", "H.R.", "House"),
    "s": ("senate-bill", "S.", "Senate"),
    "hres": ("house-resolution", "H.Res.", "House"),
    "sres": ("senate-resolution", "S.Res.", "Senate"),
    "hjres": ("house-joint-resolution", "H.J.Res.", "House"),
    "sjres": ("senate-joint-resolution", "S.J.Res.", "Senate"),
    "hconres": ("house-concurrent-resolution", "H.Con.Res.", "House"),
    "sconres": ("senate-concurrent-resolution", "S.Con.Res.", "Senate"),
}
_SEGMENT_TO_TYPE = {seg: t for t, (seg, _, _) in BILL_TYPES.items()}

_DOI = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.I)
# "NIST AMS 600-17", "NIST SP 800-53r5", "NISTIR 8280", "NIST.SP.800-207", "NIST TN 2126"
_NIST = re.compile(r"^NIST(?:\s+|\.|(?=IR))([A-Z]{2,8})(?:\s+|\.)([0-9][\w.-]*)$", re.I)
_BILL = re.compile(
    r"^(?P<type>H\.?\s*R\.?|S\.?|H\.?\s*RES\.?|S\.?\s*RES\.?|H\.?\s*J\.?\s*RES\.?|S\.?\s*J\.?\s*RES\.?|"
    r"H\.?\s*CON\.?\s*RES\.?|S\.?\s*CON\.?\s*RES\.?)\s*(?P<number>\d+)\s*"
    r"(?:\(\s*(?P<c1>\d+)(?:st|nd|rd|th)?(?:\s+Congress)?\s*\)|/\s*(?P<c2>\d+)|,?\s+(?P<c3>\d+)(?:st|nd|rd|th)"
    r"\s+Congress)$",
    re.I,
)
_CONGRESS_URL = re.compile(
    r"^https?://(?:www\.)?congress\.gov/bill/(?P<congress>\d+)(?:st|nd|rd|th)-congress/"
    r"(?P<segment>[a-z-]+)/(?P<number>\d+)", re.I
)


@dataclass(frozen=True)
class Identifier:
    kind: str  # "doi", "nist", "bill", "url"
    value: str  # DOI (for doi and nist), canonical URL (bill, url)
    label: str = ""  # NIST: "NIST AMS 600-17"; bill: "H.R. 2996"
    congress: int = 0
    bill_type: str = ""  # API type: hr, s, hres, …
    number: int = 0


def bill_identifier(congress: int, bill_type: str, number: int) -> Identifier:
    segment, prefix, _ = BILL_TYPES[bill_type]
    suffix = "th" if 10 <= congress % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(congress % 10, "th")
    url = f"https://www.congress.gov/bill/{congress}{suffix}-congress/{segment}/{number}"
    return Identifier("bill", url, f"{prefix} {number}", congress, bill_type, number)


def parse_identifier(text: str) -> Identifier:
    """Classify ``text``; raises :class:`CitekitError` when it is none of the supported kinds."""
    text = text.strip()
    m = _DOI.match(text)
    if m:
        return Identifier("doi", m.group(1))
    m = _NIST.match(text.replace("NISTIR", "NIST IR"))
    if m:
        series, number = m.group(1).upper(), m.group(2)
        return Identifier("nist", f"10.6028/NIST.{series}.{number}", f"NIST {series} {number}")
    m = _BILL.match(text)
    if m:
        btype = re.sub(r"[^a-z]", "", m.group("type").lower())
        congress = int(m.group("c1") or m.group("c2") or m.group("c3"))
        if btype not in BILL_TYPES or not 1 <= congress <= 200:
            raise CitekitError(f"not a bill number: {text!r}")
        return bill_identifier(congress, btype, int(m.group("number")))
    m = _CONGRESS_URL.match(text)
    if m:
        btype = _SEGMENT_TO_TYPE.get(m.group("segment").lower())
        if btype is None:
            raise CitekitError(f"unsupported congress.gov URL: {text!r}")
        return bill_identifier(int(m.group("congress")), btype, int(m.group("number")))
    if re.match(r"^https?://\S+$", text, re.I):
        return Identifier("url", text)
    raise CitekitError(
        f"cannot tell what {text!r} is: expected a DOI, a NIST series id (NIST SP 800-53), "
        "a bill (H.R. 2996 (113th), S.1260/117), or a URL"
    )
