"""BibTeX name lists ⇄ CSL name objects.

Follows BibTeX's own rules (``First von Last``, ``von Last, First``, ``von Last, Jr, First``),
splitting only at brace depth 0, so ``{National Institute of Standards and Technology}`` stays
one corporate name (CSL ``literal``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from citekit.bibtex.latex import decode, encode

_AND = re.compile(r"\s+and\s+", re.I)
_SPACE = re.compile(r"[\s~]+")
_WHITESPACE = re.compile(r"\s+")
_COMMA = re.compile(",")
# Kana, CJK unified ideographs (and extension A), Hangul syllables, compatibility ideographs. Not
# a regular expression: ``re`` compiles a class this wide in 5 ms, a tenth of a small run.
_CJK_RANGES = (("\u3040", "\u30ff"), ("\u3400", "\u4dbf"), ("\u4e00", "\u9fff"), ("\uac00", "\ud7af"),
               ("\uf900", "\ufaff"))


def is_cjk(text: str) -> bool:
    # isascii is a flag, no scan; max() rules out accented Latin without looking at each character
    if text.isascii() or max(text) < "\u3040":
        return False
    return any(a <= ch <= b for ch in text for a, b in _CJK_RANGES)


def _split_top(text: str, sep: re.Pattern[str]) -> list[str]:
    """Split ``text`` at ``sep`` matches that are at brace depth 0."""
    if "{" not in text:  # the common case: no groups to respect
        return sep.split(text)
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        c = text[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0:
            m = sep.match(text, i)
            if m and m.end() > m.start():
                parts.append(text[start:i])
                start = i = m.end()
                continue
        i += 1
    parts.append(text[start:])
    return parts


def _words(text: str) -> list[str]:
    if "{" not in text and "~" not in text:
        return text.split()  # the same split: str.split and re's \s know the same whitespace
    return [w for w in _split_top(text.strip(), _SPACE) if w]


def _is_lower(word: str) -> bool:
    """BibTeX's von test: the first letter at brace depth 0 is lower case.

    A "special character" ``{\\'E}`` at depth 0 counts by the letter it produces.
    """
    depth, i = 0, 0
    while i < len(word):
        c = word[i]
        if c == "{":
            if depth == 0 and word.startswith("{\\", i):
                j = i + 2
                if j < len(word) and word[j].isalpha():
                    k = j
                    while k < len(word) and word[k].isalpha():
                        k += 1
                    return word[j:k].islower()
                letters = [ch for ch in word[j + 1:] if ch.isalpha()]
                return bool(letters) and letters[0].islower()
            depth += 1
        elif c == "}":
            depth -= 1
        elif c.isalpha() and depth == 0:
            return c.islower()
        i += 1
    return False


def _join(words: list[str]) -> str:
    return decode(" ".join(words), markup=False).strip()


def parse_name(raw: str) -> dict[str, str]:
    """One BibTeX name → a CSL name object (a new one each time: callers may change it)."""
    return dict(_cached_name(raw) if len(raw) <= _CACHED_LENGTH else _parse_name(raw))


def _parse_name(raw: str) -> dict[str, str]:
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and _split_top(raw, _WHITESPACE) == [raw]:
        # Wholly braced: an institution, kept exactly (CSL renders literals verbatim).
        return {"literal": decode(raw[1:-1], markup=False)}
    parts = [p.strip() for p in _split_top(raw, _COMMA)]
    if len(parts) == 1:
        words = _words(parts[0])
        if len(words) == 1:
            word = _join(words)
            # A single CJK token is a full personal name written without a separator (孙毅).
            return {"literal": word} if is_cjk(word) else {"family": word}
        # First von Last: von starts at the first lower-case word, Last is the rest.
        last_start = len(words) - 1
        von_start = next((i for i, w in enumerate(words[:-1]) if _is_lower(w)), None)
        if von_start is not None:
            von_end = max(i for i, w in enumerate(words[:-1]) if _is_lower(w)) + 1
            first, von, last = words[:von_start], words[von_start:von_end], words[von_end:]
        else:
            first, von, last = words[:last_start], [], words[last_start:]
        name = {"family": _join(last)}
        if first:
            name["given"] = _join(first)
        if von:
            name["non-dropping-particle"] = _join(von)
        return name
    # von Last, [Jr,] First
    words = _words(parts[0])
    von = []
    while len(words) > 1 and _is_lower(words[0]):
        von.append(words.pop(0))
    name = {"family": _join(words)}
    given = parts[2] if len(parts) >= 3 else parts[1]
    if given:
        name["given"] = _join(_words(given))
    if len(parts) >= 3 and parts[1]:
        name["suffix"] = _join(_words(parts[1]))
    if von:
        name["non-dropping-particle"] = _join(von)
    return name


# A library names the same people again and again. The cache is bounded in names and in their
# length (hostile values stay out of it), and its dicts are never handed out.
_CACHED_LENGTH = 200
_cached_name = lru_cache(maxsize=8192)(_parse_name)


def parse_names(value: str) -> list[dict[str, str]]:
    """A BibTeX ``and``-separated list → CSL names (``others`` dropped; styles add et al.)."""
    out = []
    for part in _split_top(value.strip(), _AND):
        part = part.strip()
        if part and part.lower() != "others":
            out.append(parse_name(part))
    return out


def format_name(name: dict[str, str]) -> str:
    """A CSL name → BibTeX (``von Last, Jr, First``; literals braced)."""
    if "literal" in name:
        literal = name["literal"]
        if is_cjk(literal) and not re.search(r"[\s,]", literal):
            return encode(literal)  # 孙毅: one CJK token reads back as the same literal name
        return "{" + encode(literal) + "}"
    family = encode(name.get("family", ""))
    if " " in family or "," in family:
        family = "{" + family + "}"
    particle = name.get("non-dropping-particle") or name.get("dropping-particle")
    if particle:
        family = f"{encode(particle)} {family}"
    given = encode(name.get("given", ""))
    suffix = name.get("suffix")
    if suffix:
        return f"{family}, {encode(suffix)}, {given}"
    return f"{family}, {given}" if given else family


def format_names(names: list[dict[str, str]]) -> str:
    return " and ".join(format_name(n) for n in names)
