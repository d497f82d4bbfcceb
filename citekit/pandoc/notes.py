"""Note styles in a document, as pandoc's citeproc handles them.

A citation outside a footnote becomes a footnote (its first letter capitalised). A citation
already inside one is not nested: at the start of the footnote it stays as it is, elsewhere it
goes in parentheses without its final period; an in-text citation reads "Author, citation".
Footnote marks then move after the punctuation that follows them ("text [^1]," → "text,[^1]").
"""

from __future__ import annotations

import unicodedata
from typing import Any

from citekit.pandoc import ast
from citekit.pandoc.ast import Inline

_CLOSING_QUOTES = ("\u201d", "\u2019", "\u00bb")


def _capitalize_first(inlines: list[Inline]) -> list[Inline]:
    for il in inlines:
        tag = il.get("t")
        if tag == "Str":
            text = il["c"]
            if text and text[0].islower():
                il["c"] = text[0].upper() + text[1:]
            return inlines
        if tag in ("Emph", "Strong", "SmallCaps", "Underline", "Superscript", "Subscript"):
            _capitalize_first(il["c"])
            return inlines
        if tag in ("Span", "Link"):
            _capitalize_first(il["c"][1])
            return inlines
        if tag not in ("Space", "SoftBreak"):
            return inlines
    return inlines


def to_footnote(inlines: list[Inline]) -> Inline:
    return ast.note(_capitalize_first(inlines))


def remove_final_period(inlines: list[Inline]) -> list[Inline]:
    """The citation without its closing period (inside formatting and before a closing quote)."""
    if not inlines:
        return inlines
    last = inlines[-1]
    tag = last.get("t")
    if tag in ("Emph", "Strong", "SmallCaps"):
        return [*inlines[:-1], ast.el(tag, remove_final_period(last["c"]))]
    if tag == "Span":
        return [*inlines[:-1], ast.el("Span", [last["c"][0], remove_final_period(last["c"][1])])]
    if tag == "Str":
        text = last["c"]
        if text.endswith("."):
            return [*inlines[:-1], *([ast.str_(text[:-1])] if text[:-1] else [])]
        if text.endswith(_CLOSING_QUOTES):
            head = [*inlines[:-1], *([ast.str_(text[:-1])] if text[:-1] else [])]
            return [*remove_final_period(head), ast.str_(text[-1])]
    return inlines


def in_note(author: list[Inline], main: list[Inline], first_in_note: bool) -> list[Inline]:
    """A citation written inside a footnote."""
    if author:
        return [*author, ast.str_(","), ast.space(), *remove_final_period(main)] if main else author
    if first_in_note or not main:
        return main
    return [ast.str_("("), *remove_final_period(main), ast.str_(")")]


def _is_punct(ch: str) -> bool:
    # em and en dashes are not moved around (pandoc's rule)
    return unicodedata.category(ch).startswith("P") and ch not in "\u2013\u2014"


def _ends_with_note(il: Any) -> bool:
    if not ast.is_el(il, "Cite"):
        return False
    content = il["c"][1]
    return bool(content) and ast.is_el(content[-1], "Note")


def move_punctuation(inlines: list[Any]) -> None:
    """In place: no space before a citation footnote, and the punctuation after it goes before it
    (outside the Cite when the Cite is only the footnote, so that every writer shows it)."""
    if not any(_ends_with_note(il) for il in inlines):
        return
    i = 0
    while i < len(inlines):
        il = inlines[i]
        if not _ends_with_note(il):
            i += 1
            continue
        content = il["c"][1]
        alone = len(content) == 1
        if alone and i > 0 and ast.is_el(inlines[i - 1], "Space"):
            del inlines[i - 1]
            i -= 1
        after = inlines[i + 1] if i + 1 < len(inlines) else None
        text = after["c"] if ast.is_el(after, "Str") else ""
        n = 0
        while n < len(text) and _is_punct(text[n]):
            n += 1
        if n:
            if text[n:]:
                after["c"] = text[n:]  # type: ignore[index]
            else:
                del inlines[i + 1]
            if alone:
                inlines.insert(i, ast.str_(text[:n]))
                i += 1
            elif not ast.stringify(content[:-1]).endswith((".", ",", ";", ":", "!", "?")):
                content.insert(len(content) - 1, ast.str_(text[:n]))
        i += 1
