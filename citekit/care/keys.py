"""Citation keys in Better BibTeX's default style: ``auth.lower + shorttitle(3,3) + year``.

The first creator's family name in lower case, the first three words of the title that are not
function words, each capitalised, then the year: ``rossEngineeringTrustworthySecure2022``. Keys are
folded to ASCII letters and digits. A corporate creator ("{National Institute of Standards and
Technology}") contributes the initials of its significant words (``nist``) when it has three or
more, else its words run together; with no creator at all, the publisher stands in. A key already
taken gets ``a``, ``b``, … appended, as BBT does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from typing import Any

from citekit.bibtex import latex

# Words BBT's shorttitle skips (its default "skipWords", abridged to the ones that matter).
SKIP_WORDS = frozenset(
    "a ab aboard about above across after against al along amid among an and anti around as at before behind "
    "below beneath beside besides between beyond but by d da das de del dell dello dei degli della dem den der "
    "des despite die do down du during ein eine einem einen einer eines el en et except for from gli i il in "
    "inside into is l la las le les like lo los near nor of off on onto or over past per plus round save since "
    "so some sur than the through to toward towards un una unas under underneath une unlike uno unos until up "
    "upon versus via von while with within without yet zu zum".split()
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def ascii_fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isascii() and (c.isalnum()))


def _plain(value: str) -> str:
    return latex.strip_markup(latex.decode(value, markup=False)) if latex.needs_decoding(value) else value


def _creator_part(item: dict[str, Any]) -> str:
    # no person or body named as creator (a web page): its publisher stands in, as a body
    stand_in = [{"literal": str(item[v])} for v in ("publisher", "container-title") if item.get(v)][:1]
    for var in ("author", "editor", "container-author", "director", "contributor", "stand-in"):
        for name in (item.get(var) if var != "stand-in" else stand_in) or []:
            if "family" in name:
                part = ascii_fold(_plain(name["family"])).lower()
                if part:
                    return part
            literal = name.get("literal")
            if literal:
                words = [w for w in _WORD.findall(_plain(literal)) if w.lower() not in SKIP_WORDS]
                if len(words) >= 3:
                    part = "".join(ascii_fold(w)[:1] for w in words).lower()
                else:
                    part = ascii_fold("".join(words)).lower()
                if part:
                    return part
    return ""


def _title_part(title: str, words: int = 3) -> str:
    picked = []
    for w in _WORD.findall(_plain(title)):
        if w.lower() in SKIP_WORDS:
            continue
        folded = ascii_fold(w)
        if folded:
            picked.append(folded[:1].upper() + folded[1:])
        if len(picked) == words:
            break
    return "".join(picked)


def _year(item: dict[str, Any]) -> str:
    for var in ("issued", "original-date", "accessed"):
        d = item.get(var) or {}
        parts = d.get("date-parts") or []
        if parts and parts[0] and parts[0][0]:
            return str(parts[0][0])
        m = re.search(r"\d{4}", str(d.get("raw", "")))
        if m:
            return m.group()
    return ""


def bbt_key(item: dict[str, Any]) -> str:
    """The key Better BibTeX's default formula would give a CSL-JSON item (no collision check)."""
    words = _creator_part(item) + _title_part(str(item.get("title", "")))
    # nothing foldable to ASCII (a Chinese author and title): BBT would transliterate; we say so
    return (words or "anon") + _year(item)


def unique_key(base: str, taken: Container[str]) -> str:
    """``base``, or ``base`` + ``a``, ``b``, … ``z``, ``aa``, … when taken."""
    if base not in taken:
        return base
    n = 0
    while True:
        suffix, k = "", n
        while True:
            suffix = chr(ord("a") + k % 26) + suffix
            k = k // 26 - 1
            if k < 0:
                break
        if base + suffix not in taken:
            return base + suffix
        n += 1
