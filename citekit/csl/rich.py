"""Rich text in CSL-JSON field values: citeproc-js's micro-HTML and smart quotes, as nodes.

Field values may carry ``<i>``, ``<b>``, ``<sc>``, ``<sup>``, ``<sub>``,
``<span style="font-variant:small-caps;">``, ``<span class="nocase">`` and
``<span class="nodecor">``, and quotation marks (straight or curly). Quotation marks become
quote spans so that ``output.py`` can render them with the locale's terms, alternating inner
and outer with nesting; apostrophes become ’. Markup that does not pair up stays literal text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from citekit.csl.nodes import Formatting, NoCase, Node, NoDecor, Span, Tag, Text

# Tag kind wrapping a quotation found in a field (around a quotes=True span). Its value is
# the form the writer chose, kept when the quotation is not nested in another: "outer" or
# "inner" for straight quotes (the first kind seen in a field is the outer one), or the
# opening character of curly quotes, which output.py reads against the locale's terms (‘x’
# is an inner quotation in English, an outer one in British English).
QUOTE = "quote"
# Tag kind wrapping in-field markup spans (value: i, b, sc, sup, sub): text-case leaves
# the text of sc, sup and sub alone, which a style's own formatting does not get.
MARKUP = "markup"

_QUICK_CHARS = "<\"'\u201c\u201d\u2018\u2019"
_APOS = "\u2019"

_TAG_RE = re.compile(
    r"<span\s+class=\"(nocase|nodecor)\"[^>]*>"
    r"|<span\s+style=\"\s*font-variant:\s*small-caps;?\s*\"[^>]*>"
    r"|</span>"
    r"|<(/?)(i|b|sc|sup|sub)>"
    r"|[\"'\u201c\u201d\u2018\u2019]"
)

_FORMATS: dict[str, dict[str, str]] = {
    "i": {"font_style": "italic"},
    "b": {"font_weight": "bold"},
    "sc": {"font_variant": "small-caps"},
    "sup": {"vertical_align": "sup"},
    "sub": {"vertical_align": "sub"},
}


@dataclass(slots=True)
class _Tok:
    """One piece of the value: text, or a markup/quote token that may pair up."""

    kind: str  # text | open | close
    text: str  # the literal characters (what a token falls back to when unpaired)
    name: str = ""  # i, b, sc, sup, sub, nocase, nodecor, span-sc; for quotes the opening char
    closer: str = ""  # for quote openers: the closing character expected
    pair: int = -1
    form: str = ""  # for quote openers: the writer's form (see QUOTE)


def _has_quick(value: str) -> bool:
    """Whether ``value`` holds a character that can start markup or a quotation, one of
    ``_QUICK_CHARS`` (written out: substring tests are faster than a loop over them, a regex or
    a set of the value's characters)."""
    return ("<" in value or "\"" in value or "'" in value or "\u201c" in value or "\u201d" in value
            or "\u2018" in value or "\u2019" in value)


def parse_rich(value: str, quotes: tuple[str, str, str, str] | None = None) -> list[Node]:
    """Turn a field value into nodes (``[Text(value)]`` when it carries no markup or quotes).

    ``quotes`` are the locale's (open, close, open-inner, close-inner) terms: their characters
    are recognised as quotation marks as well as the English curly ones.
    """
    if not value:
        return []
    if not _has_quick(value) and not (quotes and set(quotes[0] + quotes[2]).intersection(value)):
        return [Text(value)]
    toks = _tokenize(value, quotes)
    _pair(toks)
    return _build(toks)


def _curly_table(quotes: tuple[str, str, str, str] | None) -> dict[str, str]:
    """Opening quote characters → their closing character."""
    table = {"\u201c": "\u201d", "\u2018": "\u2019"}
    if quotes:
        outer, outer_close, inner, inner_close = (q.strip() for q in quotes)
        for open_, close in ((outer, outer_close), (inner, inner_close)):
            if len(open_) == 1 and len(close) == 1 and open_ not in "\"'":
                table[open_] = close
    return table


def _tokenize(value: str, quotes: tuple[str, str, str, str] | None) -> list[_Tok]:
    curly = _curly_table(quotes)
    closers = set(curly.values())
    pattern = _TAG_RE
    extra = "".join(c for c in (*curly, *closers) if c not in "\u201c\u2018\u201d\u2019")
    if extra:
        # The pattern ends with the class of quote characters: add the locale's to it.
        pattern = re.compile(_TAG_RE.pattern[:-1] + re.escape(extra) + "]")
    toks: list[_Tok] = []
    pos = 0
    first_straight = ""
    for m in pattern.finditer(value):
        start, end = m.span()
        # A quote right after an opening tag or quote opens, whatever precedes the tag.
        after_opener = start == pos and bool(toks) and toks[-1].kind == "open"
        if start > pos:
            toks.append(_Tok("text", value[pos:start]))
        pos = end
        s = m.group(0)
        if len(s) > 1:
            if s == "</span>":
                toks.append(_Tok("close", s, "span"))
            elif m.group(1):
                toks.append(_Tok("open", s, m.group(1)))
            elif m.group(3):
                toks.append(_Tok("close" if m.group(2) else "open", s, m.group(3)))
            else:
                toks.append(_Tok("open", s, "span-sc"))
            continue
        before = value[start - 1] if start else ""
        after = value[end] if end < len(value) else ""
        opening_pos = not before or before.isspace() or before == "(" or after_opener
        if s == "'" or s == _APOS:
            if before.isalnum() and after.isalnum():
                toks.append(_Tok("text", _APOS))
                continue
        if s in ("\"", "'"):
            if opening_pos:
                if s == "'" and (not after or after.isspace()):
                    toks.append(_Tok("text", _APOS))
                    continue
                if not first_straight:
                    first_straight = s
                toks.append(_Tok("open", s, s, s, form="outer" if s == first_straight else "inner"))
            else:
                toks.append(_Tok("close", s, s))
            continue
        if s in curly and not (s in closers and _closes_open_quote(toks, s)):
            toks.append(_Tok("open", s, s, curly[s], form=s))
        else:
            toks.append(_Tok("close", s, s))
    if pos < len(value):
        toks.append(_Tok("text", value[pos:]))
    return toks


def _closes_open_quote(toks: list[_Tok], char: str) -> bool:
    """A character that is both a locale's closer and another's opener closes when it can."""
    for tok in reversed(toks):
        if tok.kind == "open" and tok.closer == char and tok.pair < 0:
            return True
    return False


def _matches(opener: _Tok, closer: _Tok) -> bool:
    if opener.closer:
        return closer.text == opener.closer
    if closer.name == "span":
        return opener.name in ("nocase", "nodecor", "span-sc")
    return opener.name == closer.name


def _pair(toks: list[_Tok]) -> None:
    """Pair openers and closers with a stack; what does not pair is left with ``pair == -1``."""
    stack: list[int] = []
    for i, tok in enumerate(toks):
        if tok.kind == "open":
            stack.append(i)
        elif tok.kind == "close":
            if tok.text == "'":
                # A straight single quote closes only the innermost quote; otherwise it is an apostrophe.
                at = len(stack) - 1 if stack and _matches(toks[stack[-1]], tok) else -1
            else:
                at = next((k for k in range(len(stack) - 1, -1, -1) if _matches(toks[stack[k]], tok)), -1)
            if at < 0:
                continue
            # Openers between the match and the top are crossed by this closer: they stay literal.
            del stack[at + 1:]
            opener = stack.pop()
            toks[opener].pair = i
            tok.pair = opener


def _literal(tok: _Tok) -> str:
    """An unpaired token as text: a lone straight single quote reads as an apostrophe."""
    if tok.text == "'" or (tok.text == _APOS and tok.kind == "close"):
        return _APOS
    return tok.text


def _build(toks: list[_Tok]) -> list[Node]:
    root: list[Node] = []
    stack: list[tuple[_Tok, list[Node]]] = []
    out = root
    for tok in toks:
        if tok.kind == "open" and tok.pair >= 0:
            stack.append((tok, out))
            out = []
        elif tok.kind == "close" and tok.pair >= 0:
            opener, parent = stack.pop()
            parent.append(_wrap(opener, _merge(out)))
            out = parent
        else:
            text = tok.text if tok.kind == "text" else _literal(tok)
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text + text)
            else:
                out.append(Text(text))
    return _merge(root)


def _merge(nodes: list[Node]) -> list[Node]:
    merged: list[Node] = []
    for node in nodes:
        if isinstance(node, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + node.text)
        elif not (isinstance(node, Text) and not node.text):
            merged.append(node)
    return merged


def _wrap(opener: _Tok, children: list[Node]) -> Node:
    if opener.closer:
        return Tag(QUOTE, opener.form, [Span(children, Formatting(quotes=True))])
    if opener.name == "nocase":
        return NoCase(children)
    if opener.name == "nodecor":
        return NoDecor(children)
    name = "sc" if opener.name == "span-sc" else opener.name
    return Tag(MARKUP, name, [Span(children, Formatting(**_FORMATS[name]))])
