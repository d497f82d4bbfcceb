"""CSL 1.0.2 text-case over node trees, following citeproc-js's rules.

The text leaves of a tree are read as one stream, so a word split across leaves is still one
word and "first word" / "last word" mean the first and last of the whole tree. Text inside
``NoCase``/``NoDecor`` and inside small-caps, superscript and subscript markup spans keeps its
case (but still counts as words). Title case only capitalises, never lowercases: words in all
caps or with internal capitals (``iPad``) are left alone, stop words stay lowercase except as
first word, after ``:``/``?``/``!``, as last word, or directly before a hyphen in the opening
run of text (citeproc-js: "Pro-Environmental"). A word is cut at an apostrophe for these
tests, so ``d’Doe`` and ``l’Égypte`` keep their lowercase particle.
"""

from __future__ import annotations

import re

from citekit.csl.nodes import NoCase, Node, NoDecor, Span, Tag, Text
from citekit.csl.rich import MARKUP

# citeproc-js's CSL.SKIP_WORDS (English prepositions, articles, conjunctions and particles);
# its multi-word entries ("according to") can never match a single word and are left out.
STOP_WORDS = frozenset("""
about above across afore after against along alongside amid amidst among amongst anenst apropos apud
around as aside astride at athwart atop barring before behind below beneath beside besides between
beyond but by circa despite down during except for forenenst from given in inside into lest like
modulo near next notwithstanding of off on onto out over per plus pro qua sans since than through
thru throughout thruout till to toward towards under underneath until unto up upon versus vs v via
with within without or yet so and nor a an the de d von van c et ca
""".split())

CASES = ("lowercase", "uppercase", "capitalize-first", "capitalize-all", "sentence", "title")

_PUNCT = r"\-\u2010-\u2015/.,;?!:\[\](){}\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u2039\u203a"
_SEP = r"\s" + _PUNCT
_PUNCT_RE = re.compile(rf"[{_PUNCT}]")
_WORD_RE = re.compile(rf"[^{_SEP}]+(?:['\u2019][^{_SEP}]+)*")
_APOS_RE = re.compile("['\u2019]")


def apply_case(nodes: list[Node], case: str, lang: str | None = None) -> list[Node]:
    """A copy of ``nodes`` with ``case`` applied to its unprotected text (input is not mutated)."""
    if case not in CASES:
        return nodes
    leaves: list[tuple[Text, bool]] = []
    copied = [_copy(n, False, leaves) for n in nodes]
    if not leaves:
        return copied
    text = "".join(t.text for t, _ in leaves)
    protected = [p for t, p in leaves for _ in t.text]
    out = list(text)
    if case in ("uppercase", "lowercase"):
        _whole(text, protected, out, case, lang)
    else:
        _words(text, protected, out, case, lang, _first_run_end(leaves, text))
    pos = 0
    for leaf, _ in leaves:
        n = len(leaf.text)
        leaf.text = "".join(out[pos:pos + n])
        pos += n
    return copied


def _copy(node: Node, protected: bool, leaves: list[tuple[Text, bool]]) -> Node:
    if isinstance(node, Text):
        leaf = Text(node.text)
        leaves.append((leaf, protected))
        return leaf
    if isinstance(node, NoCase):
        return NoCase([_copy(c, True, leaves) for c in node.children])
    if isinstance(node, NoDecor):
        return NoDecor([_copy(c, True, leaves) for c in node.children])
    if isinstance(node, Span):
        return Span([_copy(c, protected, leaves) for c in node.children], node.fmt)
    if isinstance(node, Tag):
        # In-field <sc>, <sup> and <sub> keep their case (citeproc-js: implicit nocase).
        inner = protected or (node.kind == MARKUP and node.value in ("sc", "sup", "sub"))
        return Tag(node.kind, node.value, [_copy(c, inner, leaves) for c in node.children])
    return node


def _first_run_end(leaves: list[tuple[Text, bool]], text: str) -> int:
    """End of the opening run of text (before any punctuation or markup), as citeproc-js splits it."""
    end = len(leaves[0][0].text)
    m = _PUNCT_RE.search(text)
    return min(end, m.start()) if m else end


def _upper(s: str, lang: str | None) -> str:
    if lang and lang[:2] in ("tr", "az"):
        s = s.replace("i", "\u0130")
    return s.upper()


def _lower(s: str, lang: str | None) -> str:
    if lang and lang[:2] in ("tr", "az"):
        s = s.replace("I", "\u0131").replace("\u0130", "i")
    return s.lower()


def _whole(text: str, protected: list[bool], out: list[str], case: str, lang: str | None) -> None:
    change = _upper if case == "uppercase" else _lower
    for i, ch in enumerate(text):
        if not protected[i]:
            out[i] = change(ch, lang)


def _capitalise(text: str, start: int, end: int, out: list[str], lang: str | None) -> None:
    """Uppercase a word's first character (citeproc-js leaves a lone Greek letter alone)."""
    ch = text[start]
    if end - start == 1 and "\u0370" <= ch <= "\u03ff":
        return
    out[start] = _upper(ch, lang)


def _mixed(word: str) -> bool:
    """Internal capitals (iPad, McDonald): the writer's casing is kept."""
    return any(c.isupper() for c in word[1:]) and any(c.islower() for c in word)


def _words(text: str, protected: list[bool], out: list[str], case: str, lang: str | None, first_run: int) -> None:
    first = True
    prev_end = 0
    last: tuple[int, int, str] | None = None
    for m in _WORD_RE.finditer(text):
        start, end = m.span()
        word = m.group(0)
        head = _APOS_RE.split(word, maxsplit=1)[0]
        after_punct = any(c in "!?:" for c in text[prev_end:start])
        prev_end = end
        is_first, first = first, False
        if any(protected[start:end]):
            last = None
            continue
        last = (start, end, head)
        if case == "sentence":
            if is_first:
                _capitalise(text, start, end, out, lang)
            else:
                for i in range(start, end):
                    out[i] = _lower(text[i], lang)
            continue
        if _mixed(word):
            continue
        if case == "capitalize-all" or (case == "capitalize-first" and is_first):
            _capitalise(text, start, end, out, lang)
        elif case == "title":
            if is_first or after_punct:
                _capitalise(text, start, end, out, lang)
            elif head.lower() in STOP_WORDS:
                if end <= first_run and text[end:end + 1] == "-":
                    _capitalise(text, start, end, out, lang)
            elif len(head) > 1:
                _capitalise(text, start, end, out, lang)
        if case == "capitalize-first":
            return
    if case == "title" and last and len(last[2]) > 1 and not _mixed(text[last[0]:last[1]]):
        tail = text[last[1]:]
        if not any(protected[last[1] + i] and not c.isspace() for i, c in enumerate(tail)):
            _capitalise(text, last[0], last[1], out, lang)
