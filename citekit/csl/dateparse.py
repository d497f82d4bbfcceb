"""CSL-JSON dates in: date objects, ``raw`` strings, and the sort key of a date.

``parse_date`` reads what items carry (``date-parts`` with string or number parts, ``season``,
``circa``, ``literal``, ``raw``) into a ``DateValue`` and never raises: input that makes no
date gives None, or a literal when it was a string. Raw strings are read the way citeproc-js's
date parser reads them (its behaviour is the reference; the code here is citekit's own), so
"May 3-5, 2008", "2008/2009", "Spring 2008", "250 BC", EDTF "2004-06~" and "1998?" come out as
citeproc-js has them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

Parts = tuple[int | None, int | None, int | None]  # year, month, day; month 13-24 are seasons
PART_NAMES = ("year", "month", "day")


@dataclass(frozen=True, slots=True)
class DateValue:
    """One date variable's value.

    ``start`` and ``end`` hold (year, month, day); None is a missing part, and an end part of 0
    is the open end of a range ("2008–"). ``end`` is None for a single date. Months 13-16 and
    21-24 stand for the seasons (spring, summer, autumn, winter). ``season`` is the separate
    ``season`` field as text ("1"-"4" or free text), used when there is no month.
    """

    start: Parts = (None, None, None)
    end: Parts | None = None
    season: str | None = None
    circa: bool = False
    literal: str | None = None

    @property
    def year(self) -> int | None:
        return self.start[0]

    @property
    def month(self) -> int | None:
        return self.start[1]

    @property
    def day(self) -> int | None:
        return self.start[2]

    @property
    def is_range(self) -> bool:
        return self.end is not None and any(p is not None for p in self.end)

    @property
    def has_date(self) -> bool:
        """True when a ``variable`` condition should see the date (a year, month, day or literal)."""
        return bool(self.literal) or any(bool(p) for p in self.start)

    def part(self, name: str, end: bool = False) -> int | None:
        parts = self.end if end else self.start
        if parts is None:
            return None
        return parts[PART_NAMES.index(name)]


# -- date objects -----------------------------------------------------------------------------------


def js_int(value: Any) -> int | None:
    """JavaScript's parseInt on a date part: leading digits of a string, None when there are none."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str):
        m = re.match(r"\s*([+-]?\d+)", value)
        return int(m.group(1)) if m else None
    return None


def _truthy_flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no")
    return bool(value)


def _parts_of(raw: Any) -> Parts:
    if not isinstance(raw, (list, tuple)):
        raw = [raw]
    vals = [js_int(raw[i]) if i < len(raw) else None for i in range(3)]
    return (vals[0], vals[1], vals[2])


# The conditions and the date renderer ask for the same item's dates several times per entry:
# parsed once per value (by identity; the entry keeps the value, and items are not edited while
# they are rendered). DateValue is frozen, so sharing it is safe.
_PARSED: dict[int, tuple[Any, DateValue | None]] = {}


def parse_date(value: Any) -> DateValue | None:
    """A CSL-JSON date (object, raw string, bare number or date-parts list) as a DateValue, or None."""
    found = _PARSED.get(id(value))
    if found is not None and found[0] is value:
        return found[1]
    if len(_PARSED) > 4096:
        _PARSED.clear()
    date = _parse_date(value)
    _PARSED[id(value)] = (value, date)
    return date


def _parse_date(value: Any) -> DateValue | None:
    if type(value) is dict and len(value) == 1:
        # the usual item date, {"date-parts": [[2008, 5, 3]]}: numbers as they stand
        dp = value.get("date-parts")
        if type(dp) is list and len(dp) == 1:
            first = dp[0]
            if type(first) is list and 0 < len(first) <= 3 and all(type(p) is int for p in first):
                return DateValue((*first, None, None)[:3])  # type: ignore[arg-type]
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (str, int, float)):
        value = {"raw": str(value)}
    elif isinstance(value, (list, tuple)):
        value = {"date-parts": value}
    if not isinstance(value, dict):
        return None
    literal = value.get("literal")
    if isinstance(literal, dict) and isinstance(literal.get("part"), str):
        literal = literal["part"]
    literal = literal.strip() if isinstance(literal, str) else None
    season = value.get("season")
    season_text = None if season in (None, "", False) or isinstance(season, (dict, list)) else str(season).strip()
    circa = _truthy_flag(value.get("circa"))
    dp = value.get("date-parts")
    starts: Parts = (None, None, None)
    end: Parts | None = None
    if isinstance(dp, (list, tuple)) and dp:
        if not isinstance(dp[0], (list, tuple)):
            dp = [dp]  # a flat [y, m, d]: lenient
        starts = _parts_of(dp[0])
        if len(dp) > 1:
            end = _parts_of(dp[1])
    elif isinstance(value.get("raw"), str) and not literal:
        parsed = parse_raw(value["raw"])
        if parsed is None:
            return None
        starts, end = parsed.start, parsed.end
        literal = parsed.literal
        circa = circa or parsed.circa
        season_text = season_text or parsed.season
    if literal:
        # A literal date is printed as is: parts given beside it are not printed too.
        return DateValue(literal=literal, season=season_text, circa=circa)
    if not any(p is not None for p in starts) and not season_text:
        return None
    return DateValue(starts, end, season_text, circa, None)


# -- raw strings ------------------------------------------------------------------------------------

# Month and season names are recognised by their first three letters anywhere in a word
# (citeproc-js does the same): "Sept.", "August", "Spring", "Fall".
_MONTH_KEYS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
               "spr", "sum", "fal", "win")
_ERAS = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988}
_ERA_RE = re.compile("(" + "|".join(_ERAS) + ")([0-9]+)")
_PIECE_RE = re.compile(r"^\s*([\-/]|[^\-/~?0-9]+|[\-~?0-9]+)\s*$")


def _tokenizer(num_delim: str, range_delim: str) -> re.Pattern[str]:
    nd = re.escape(num_delim)
    year_first = rf"[?0-9]{{4}}(?:{nd}[?0-9]{{1,2}}){{0,2}}(?![0-9])"
    year_last = rf"(?:[?0-9]{{1,2}}{nd}){{0,2}}[?0-9]{{4}}(?![0-9])"
    alts = [year_first, year_last, r"[?0-9]{1,3}", "[" + re.escape(range_delim) + "]", r"[?~]", r"[^\-/~?0-9]+"]
    return re.compile("(" + "|".join(alts) + ")")


_TOKENIZERS = {("-", "-"): _tokenizer("-", "-"), ("-", "/"): _tokenizer("-", "/"), ("/", "-"): _tokenizer("/", "-")}


def _numeric_date(out: dict[str, Any], delim: str, suff: str, text: str) -> None:
    """"2008-05-03", "12-15-2005", "2005-12": a year of four digits and month (then day) numbers."""
    pieces = text.split(delim)
    for i, piece in enumerate(pieces):
        if len(piece) == 4:
            out["year" + suff] = piece.lstrip("0")
            pieces = pieces[1:] if i == 0 else pieces[:i]
            break
    nums = [js_int(p) for p in pieces]
    if len(nums) == 1 or (len(nums) == 2 and not nums[1]):
        if nums[0]:
            out["month" + suff] = str(nums[0])
    elif len(nums) == 2:
        month, day = nums
        if month is not None and month > 12:  # month-first unless the first number cannot be a month
            month, day = day, month
        if month:
            out["month" + suff] = str(month)
            if day:
                out["day" + suff] = str(day)


def _kanji(text: str) -> str:
    text = re.sub(r"\s+", "", text).replace("日", "")
    text = re.sub("[月年]", "-", text).replace("〜", "/").replace("-/", "/")
    text = re.sub("-$", "", text)
    text = _ERA_RE.sub(lambda m: str(_ERAS[m.group(1)] + int(m.group(2))), text)
    text = re.sub(r"\s*-\s*$", "", text)
    text = re.sub(r"\s*-\s*/", "/", text, count=1)
    text = re.sub(r"\.\s*$", "", text)
    return re.sub(r"\.(?! )", "", text, count=1)


@lru_cache(maxsize=4096)
def parse_raw(raw: str) -> DateValue | None:
    """A free-text date as citeproc-js reads it; what it cannot read becomes a literal (cached: values are frozen)."""
    orig = raw
    text = raw.strip()
    if not text:
        return None
    text = re.sub(r"^(.*[0-9])T[0-9].*", r"\1", text)  # ISO 8601 time of day
    negative = text.startswith("-")
    if negative:
        text = text[1:]
    if re.fullmatch(r"[0-9]{1,3}", text):
        text = text.zfill(4)
    text = re.sub(r"\s*[0-9]{2}:[0-9]{2}(?::[0-9]+)", "", text, count=1)
    mixed = False
    if re.search("[月年]", text):
        text = _kanji(text)
        mixed = "/" in text and "-" in text
    text = re.sub(r"([A-Za-z])\.", r"\1", text)  # a.d., b.c., Sept.
    if len(text) > 1 and text[0] == '"' and text[-1] == '"':
        return DateValue(literal=text[1:-1])
    if mixed and text.count("/") > 2:
        range_delim, date_delim = "-", "/"
        text = text.replace("_", "-")
    elif mixed:
        range_delim, date_delim = "/", "-"
        text = text.replace("_", "/")
    else:
        text = text.replace("/", "-").replace("_", "-")
        range_delim = date_delim = "-"
    tokens = []
    for piece in _TOKENIZERS[(date_delim, range_delim)].split(text):
        m = _PIECE_RE.match(piece)
        if m:
            tokens.append(m.group(1))
    sides = [tokens]
    if range_delim in tokens:
        i = tokens.index(range_delim)
        sides = [tokens[:i], tokens[i + 1:]]
    found: dict[str, Any] = {}
    circa = False
    for side, suff in zip(sides, ("", "_end")[:len(sides)], strict=True):
        number = note = ""
        for element in side:
            low = element.lower()
            if date_delim in element:
                _numeric_date(found, date_delim, suff, element)
                continue
            if re.search("[0-9]{4}", element):
                found["year" + suff] = element.lstrip("0")
                continue
            if element in ("~", "?", "c") or element.startswith("cir"):
                circa = True
            month = next((k for k, key in enumerate(_MONTH_KEYS, 1) if key in low), None)
            if month is not None:
                found["month" + suff] = str(month)
                continue
            if element.isdigit():
                number = element
            if low.startswith("bc") and number:
                found["year" + suff] = str(-int(number))
                number = ""
                continue
            if low.startswith("ad") and number:
                found["year" + suff] = number
                number = ""
                continue
            if re.search("mic|tri|hil|eas", low) and not found.get("season" + suff):
                note = element  # Michaelmas, Trinity, Hilary, Easter: law terms as seasons
        if number:
            found["day" + suff] = number
        if note and not found.get("season" + suff):
            found["season" + suff] = note.strip()
    if len(sides) == 2:
        for name in ("year", "month", "day", "season"):
            if found.get(name) and not found.get(name + "_end"):
                found[name + "_end"] = found[name]
            elif not found.get(name) and found.get(name + "_end"):
                found[name] = found[name + "_end"]
    if not found.get("year") or (found.get("day") and not found.get("month")):
        return DateValue(literal=orig.strip())
    nums: dict[str, int | None] = {}
    for key in ("year", "month", "day", "year_end", "month_end", "day_end"):
        val = found.get(key)
        if val is None or val == "":
            nums[key] = None
        elif re.fullmatch(r"-?[0-9]{1,9}", val):  # longer is no date citekit can print
            nums[key] = int(val)
        else:
            return DateValue(literal=orig.strip())  # "199?": not a number citekit can print as a year
    if negative and nums["year"] is not None:
        nums["year"] = -nums["year"]
    start: Parts = (nums["year"], nums["month"], nums["day"])
    end: Parts | None = None
    if any(k.endswith("_end") for k in found):
        end = (nums["year_end"], nums["month_end"], nums["day_end"])
    return DateValue(start, end, found.get("season"), circa, None)


# -- sort keys --------------------------------------------------------------------------------------


def _year_key(year: int | None) -> str:
    y = year or 0
    if y < 0:
        return "0" + str(9999 - abs(y)).zfill(4)  # BC years sort first, the oldest first
    return "1" + str(y).zfill(4)


def _md_key(value: int | None, month: bool) -> str:
    if not value or value < 0 or (month and value > 12):
        return "00"  # a missing part sorts before every present one; seasons sort as no month
    return str(value).zfill(2)


def date_sort_key(value: Any, parts: tuple[str, ...] | list[str] = PART_NAMES) -> str:
    """A string that sorts dates chronologically: start, then end; "" when there is no year.

    ``parts`` limits the key to the date-parts a ``cs:date`` renders (a macro sort key).
    """
    date = value if isinstance(value, DateValue) else parse_date(value)
    if date is None or not date.year:
        return ""
    out = []
    for parts_of in (date.start, date.end or (None, None, None)):
        year, month, day = parts_of
        out.append(_year_key(year if "year" in parts else None))
        out.append(_md_key(month if "month" in parts else None, True))
        out.append(_md_key(day if "day" in parts else None, False))
    return "".join(out)
