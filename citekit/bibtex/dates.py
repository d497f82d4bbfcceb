"""Dates: biblatex ``date`` (ISO 8601 / EDTF level 1 subset) and ``year``/``month`` ⇄ CSL dates."""

from __future__ import annotations

import re
from typing import Any

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}
_ONE = re.compile(r"^\s*(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:T[\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?([?~%]?)\s*$")


class DateError(ValueError):
    pass


def _parts(text: str) -> tuple[list[int], bool, bool]:
    m = _ONE.match(text)
    if not m:
        raise DateError(f"not an ISO 8601 date: {text!r}")
    year, month, day, flag = m.groups()
    parts = [int(year)]
    if month:
        mo = int(month)
        if not 1 <= mo <= 12:
            # EDTF seasons (21-24) are valid but CSL expresses them differently.
            if 21 <= mo <= 24:
                return parts, flag in ("?", "%"), flag in ("~", "%")
            raise DateError(f"month out of range in {text!r}")
        parts.append(mo)
        if day:
            d = int(day)
            if not 1 <= d <= 31:
                raise DateError(f"day out of range in {text!r}")
            parts.append(d)
    return parts, flag in ("?", "%"), flag in ("~", "%")


def parse_date(text: str) -> dict[str, Any]:
    """``2014-09-16``, ``2014-09``, ``2014``, ``2014/2016``, ``2014-09-16/..``, ``2014?`` → CSL date."""
    text = text.strip()
    if not text:
        raise DateError("empty date")
    date: dict[str, Any] = {}
    if "/" in text:
        start, _, end = text.partition("/")
        parts = []
        circa = uncertain = False
        for piece in (start, end):
            if piece in ("", ".."):
                parts.append([])  # an open end
                continue
            p, u, a = _parts(piece)
            parts.append(p)
            uncertain |= u
            circa |= a
        if not parts[0]:
            raise DateError(f"a range needs a start: {text!r}")
        date["date-parts"] = [parts[0], parts[1]] if parts[1] else [parts[0]]
    else:
        p, uncertain, circa = _parts(text)
        date["date-parts"] = [p]
    if circa or uncertain:
        date["circa"] = True
    return date


def month_number(value: str) -> int | None:
    v = value.strip().lower().rstrip(".")
    if v.isdigit():
        n = int(v) if len(v) <= 2 else 0  # never int() of a huge number (the conversion limit)
        return n if 1 <= n <= 12 else None
    return MONTHS.get(v)


def from_fields(year: str | None, month: str | None, day: str | None) -> dict[str, Any] | None:
    """Classic ``year``/``month``/``day`` fields → CSL date (a non-numeric year becomes ``literal``)."""
    if not year:
        return None
    y = year.strip()
    if not re.fullmatch(r"-?\d{1,4}", y):
        m = re.fullmatch(r"(\d{4})\s*[-–/]+\s*(\d{4})", y)
        if m:
            return {"date-parts": [[int(m.group(1))], [int(m.group(2))]]}
        return {"literal": y}
    parts = [int(y)]
    mo = month_number(month) if month else None
    if mo:
        parts.append(mo)
        if day and day.strip().isdigit() and len(day.strip()) <= 2:
            parts.append(int(day))
    return {"date-parts": [parts]}


def format_date(date: dict[str, Any]) -> str:
    """A CSL date → ISO 8601 / EDTF text for biblatex's ``date``/``urldate``."""
    if "date-parts" not in date or not date["date-parts"] or not date["date-parts"][0]:
        return str(date.get("raw") or date.get("literal") or "")

    def one(parts: list[Any]) -> str:
        nums = [int(p) for p in parts[:3]]
        out = f"{nums[0]:04d}" if nums[0] >= 0 else f"-{abs(nums[0]):04d}"
        for n in nums[1:]:
            out += f"-{n:02d}"
        return out

    ranges = date["date-parts"]
    text = one(ranges[0])
    if len(ranges) > 1 and ranges[1]:
        text += "/" + one(ranges[1])
    if date.get("circa"):
        text += "~"
    return text
