"""Locators in a cite's suffix, read as pandoc's citeproc reads them.

With API 1.22 and 1.23 pandoc's Markdown reader leaves ``[@doe, p. 33]`` as the suffix
``", p. 33"``; the citation processor finds the locator there. The rules (pandoc's
``Text.Pandoc.Citeproc.Locator``): an optional comma, then either ``{label anything}`` or a
label (the longest run of words that is one of the locale's locator terms, any form, singular
or plural; "page" when the suffix starts with a number) followed by locator words: runs with a
digit or a roman numeral (``33``, ``3-5``, ``xiv``, ``34(1)``, ``1.2``), joined by ``,`` or
``;``. What follows is the suffix. A suffix without a locator that does not start with
punctuation or a space gets ", " in front of it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from citekit.pandoc import ast
from citekit.pandoc.ast import Inline

# CSL 1.0.2 locator types (with the names pandoc also accepts): the term names a label can be.
LOCATOR_TERMS = ("act", "appendix", "article-locator", "book", "canon", "chapter", "column", "elocation",
                 "equation", "figure", "folio", "issue", "line", "note", "opus", "page", "paragraph", "part",
                 "rule", "scene", "section", "sub-verbo", "sub verbo", "supplement", "table", "timestamp",
                 "title-locator", "verse", "volume")
_ROMAN = re.compile(r"^M{0,4}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_OPEN_CLOSE = {"(": ")", "[": "]", "{": "}"}


def locator_map(locale: Any) -> dict[str, str]:
    """Every form of every locator term in ``locale`` (case-folded) → the CSL label."""
    found: dict[str, str] = {}
    for name in LOCATOR_TERMS:
        label = "sub-verbo" if name == "sub verbo" else name
        for form in ("long", "short", "symbol"):
            for plural in (False, True):
                try:
                    text = locale.term(name, form, plural)
                except (KeyError, ValueError):
                    text = None
                if text:
                    found.setdefault(text.strip().casefold(), label)
    # A style that shortens "p." to "p" still reads the "p." its authors type (and vice versa).
    for text, label in list(found.items()):
        found.setdefault(text[:-1] if text.endswith(".") else text + ".", label)
    return found


def author_locator_terms(style: Any, locale: Any) -> dict[str, str]:
    """The locator labels an author may type: the style locale's terms, then the English ones.

    Authors write "p. 33" whatever the style's language (GB/T's locale is zh-CN, whose page
    term is 页), so English labels are understood too, after the locale's own."""
    terms = locator_map(locale)
    if not locale.lang.startswith("en"):
        from citekit.csl.locale import load_locale

        for text, label in locator_map(load_locale(style, "en-US")).items():
            terms.setdefault(text, label)
    return terms


@dataclass(slots=True)
class Parsed:
    label: str | None
    locator: str | None
    suffix: list[Inline]


def _is_space(tok: Inline) -> bool:
    if tok.get("t") in ("Space", "SoftBreak"):
        return True
    c = tok.get("c")
    return tok.get("t") == "Str" and bool(c) and c[0].isspace()


def _char(tok: Inline) -> str | None:
    """The character of a one-character Str."""
    c = tok.get("c") if tok.get("t") == "Str" else None
    return c if isinstance(c, str) and len(c) == 1 else None


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def split_tokens(inlines: list[Inline]) -> list[Inline]:
    """Str inlines cut at white space and at punctuation other than ``:`` (each its own token)."""
    out: list[Inline] = []
    for il in inlines:
        if il.get("t") != "Str":
            out.append(il)
            continue
        word = ""
        for ch in il["c"]:
            if ch.isspace() or (_is_punct(ch) and ch != ":"):
                if word:
                    out.append(ast.str_(word))
                    word = ""
                out.append(ast.str_(ch))
            else:
                word += ch
        if word:
            out.append(ast.str_(word))
    return out


class _Parser:
    def __init__(self, toks: list[Inline], terms: dict[str, str]) -> None:
        self.toks = toks
        self.terms = terms

    # -- words ------------------------------------------------------------------------------

    def unit(self, i: int) -> tuple[int, bool, str] | None:
        """A roman numeral token, or a run of tokens without spaces or punctuation (- – : allowed)."""
        toks = self.toks
        if i < len(toks) and toks[i].get("t") == "Str" and _ROMAN.match(toks[i]["c"].upper()) and toks[i]["c"]:
            return i + 1, True, toks[i]["c"]
        j, text = i, ""
        while j < len(toks):
            tok = toks[j]
            ch = _char(tok)
            if _is_space(tok) or tok.get("t") == "Math" or (ch is not None and _is_punct(ch) and ch not in "-\u2013:"):
                break
            text += ast.stringify(tok)
            j += 1
        if j == i:
            return None
        return j, any(c.isdigit() for c in text), text

    def page_seq(self, i: int) -> tuple[int, bool, str] | None:
        """Units joined by periods (``1.2.3``); a trailing period is not taken."""
        first = self.unit(i)
        if first is None:
            if i < len(self.toks) and _char(self.toks[i]) == ".":
                after = self.unit(i + 1)
                if after is not None:
                    return after[0], after[1], "." + after[2]
            return None
        j, digit, text = first
        while j < len(self.toks) and _char(self.toks[j]) == ".":
            more = self.unit(j + 1)
            if more is None:
                break
            j, digit, text = more[0], digit or more[1], text + "." + more[2]
        return j, digit, text

    def balanced(self, i: int) -> tuple[int, bool, str] | None:
        """One or more page sequences, each alone or in (), [] or {}."""
        j, digit, text, any_part = i, False, "", False
        while j < len(self.toks):
            ch = _char(self.toks[j])
            if ch in _OPEN_CLOSE:
                inner = self.page_seq(j + 1)
                k, d, t = inner if inner is not None else (j + 1, False, "")
                if k < len(self.toks) and _char(self.toks[k]) == _OPEN_CLOSE[ch]:
                    j, digit, text = k + 1, digit or d, text + ch + t + _OPEN_CLOSE[ch]
                    any_part = True
                    continue
                break
            if ch is not None and ch in ")]}":
                break
            part = self.page_seq(j)
            if part is None:
                break
            j, digit, text = part[0], digit or part[1], text + part[2]
            any_part = True
        return (j, digit, text) if any_part else None

    def word(self, i: int, first: bool) -> tuple[int, bool, str] | None:
        punct, sp = "", ""
        if not first and i < len(self.toks) and _char(self.toks[i]) in (",", ";"):
            punct, i = self.toks[i]["c"], i + 1
        if i < len(self.toks) and _is_space(self.toks[i]):
            sp, i = " ", i + 1
        found = self.balanced(i)
        if found is None:
            return None
        return found[0], found[1], punct + sp + found[2]

    # -- labels -----------------------------------------------------------------------------

    def label(self, i: int, ok_at: Any) -> tuple[int, str] | None:
        """The longest run of tokens from ``i`` that is a term, ending where ``ok_at`` holds."""
        best = None
        for j in range(i + 1, len(self.toks) + 1):
            if not ok_at(j):
                continue
            name = self.terms.get(ast.stringify(self.toks[i:j]).strip().casefold())
            if name is not None:
                best = (j, name)
        return best

    def integrated(self, i: int) -> tuple[int, str, str] | None:
        def roman_or_digit(j: int) -> bool:
            w = self.word(j, True)
            return w is not None and w[1]

        found = self.label(i, roman_or_digit)
        implicit = found is None
        if implicit:
            w = self.word(i, True)
            if w is None or not any(c.isdigit() for c in w[2]):
                return None
            j, label = i, "page"
        else:
            j, label = found

        def acceptable(w: tuple[int, bool, str] | None) -> bool:
            return w is not None and (any(c.isdigit() for c in w[2]) if implicit else w[1])

        w = self.word(j, not implicit)
        if not acceptable(w):
            return None
        parts = []
        while acceptable(w):
            j, parts = w[0], [*parts, w[2]]  # type: ignore[index]
            w = self.word(j, False)
        return j, label, "".join(parts)

    def delimited(self, i: int) -> tuple[int, str, str] | None:
        if i >= len(self.toks) or _char(self.toks[i]) != "{":
            return None
        depth, close = 0, None
        for k in range(i, len(self.toks)):
            ch = _char(self.toks[k])
            depth += ch in ("{", "[")
            depth -= ch in ("}", "]")
            if depth == 0:
                close = k
                break
        if close is None:
            return None
        j = i + 1
        while j < close and _is_space(self.toks[j]):
            j += 1
        found = self.label(j, lambda k: k < close)
        start, label = found if found is not None else (j, "page")
        return close + 1, label, ast.stringify(self.toks[start:close])


def parse_locator(suffix: list[Inline], terms: dict[str, str]) -> Parsed:
    """The label, locator and remaining suffix of a cite's suffix inlines."""
    toks = split_tokens(suffix)
    parser = _Parser(toks, terms)
    i = 0
    if i < len(toks) and _char(toks[i]) == ",":
        i += 1
    if i < len(toks) and _is_space(toks[i]):
        i += 1
    found = parser.delimited(i) or parser.integrated(i)
    if found is None:
        return Parsed(None, None, _maybe_add_comma(suffix))
    end, label, locator = found
    rest = toks[end:]
    if not locator.strip():
        return Parsed(None, None, _maybe_add_comma(rest))
    return Parsed(label, locator.strip(), rest)


def _maybe_add_comma(inlines: list[Inline]) -> list[Inline]:
    if not inlines:
        return []
    first = inlines[0]
    if first.get("t") in ("Space", "SoftBreak"):
        return inlines
    if first.get("t") == "Str" and first["c"] and (_is_punct(first["c"][0]) or first["c"][0] in " \t"):
        return inlines
    return [ast.str_(", "), *inlines]
