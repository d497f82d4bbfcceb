"""Names as data once rendered: subsequent-author-substitute and the generated citation label.

``author_names``/``substitute_author`` work on a ``names.render_names`` output (its ``names`` and
``name`` tags); ``citation_label`` builds citeproc-js's "trigraph" label (``Asth00``) for the
``citation-label`` variable when an item has none.
"""

from __future__ import annotations

import re
from typing import Any

from citekit.csl.context import Context
from citekit.csl.items import NAME_VARIABLES_IN_ORDER
from citekit.csl.nameparts import ROMANESQUE, normalize_name
from citekit.csl.nodes import Node, Span, Tag, Text

# -- subsequent-author-substitute -------------------------------------------------------------------


def author_names(node: Node | None) -> list[str]:
    """The names a ``render_names`` output shows, each as its parsed parts run together.

    This is what subsequent-author-substitute compares (as citeproc-js does), not the rendering:
    {"family": "Beijing Zoo"} is {"literal": "Beijing Zoo"}. An empty list means the output holds
    no names (a substituted title, say).
    """
    found: list[str] = []

    def visit(n: Any) -> None:
        if isinstance(n, Tag) and n.kind == "name":
            found.append(_compared(n.value))
            return
        for child in getattr(n, "children", ()):
            visit(child)

    visit(node)
    return found


def _compared(raw: Any) -> str:
    name = normalize_name(raw if isinstance(raw, dict) else {"literal": str(raw)})
    parts = ("non-dropping-particle", "family", "given", "dropping-particle", "suffix", "literal")
    return "".join(str(name.get(p) or "") for p in parts)


def _is_list(node: Node) -> bool:
    return isinstance(node, Span) and any(isinstance(c, Tag) and c.kind == "name" for c in node.children)


def _after_label(block: Tag) -> Node | None:
    """The label that follows a variable's names, if any (a label before them is replaced with them)."""
    inner = block.children[0] if block.children else None
    if isinstance(inner, Span) and len(inner.children) == 2 and _is_list(inner.children[0]):
        return inner.children[1]
    return None


def _replace_names(node: Node, keys: list[str], replacement: str, count: int) -> tuple[Node, int]:
    """A copy with the first ``count`` names whose keys match replaced (count < 0: every name)."""
    if isinstance(node, Tag) and node.kind == "name":
        index = len(keys)
        keys.append(_compared(node.value))
        if count < 0 or index < count:
            return Tag("name", node.value, [Text(replacement)]), 1
        return node, 0
    if isinstance(node, (Span, Tag)):
        replaced = 0
        children = []
        for child in node.children:
            new, n = _replace_names(child, keys, replacement, count)
            children.append(new)
            replaced += n
        if isinstance(node, Span):
            return Span(children, node.fmt), replaced
        return Tag(node.kind, node.value, children), replaced
    return node, 0


def substitute_author(node: Node | None, replacement: str, previous: list[str],
                      rule: str = "complete-all") -> Node | None:
    """``node`` (a ``render_names`` output) with subsequent-author-substitute applied against the
    previous entry's ``author_names``; unchanged when the rule does not apply.

    complete-all: all names match, the whole name list goes (the cs:names affixes and a label after
    the names stay); complete-each: all match, each name is replaced; partial-each: the names that
    match from the first on are replaced; partial-first: only the first, if it matches.
    """
    current = author_names(node)
    if node is None or not current or not previous:
        return node
    if rule in ("partial-each", "partial-first"):
        same = 0
        while same < min(len(current), len(previous)) and current[same] == previous[same]:
            same += 1
        if not same:
            return node
        return _replace_names(node, [], replacement, 1 if rule == "partial-first" else same)[0]
    if current != previous:
        return node
    if rule == "complete-each":
        return _replace_names(node, [], replacement, -1)[0]
    blocks = [c for c in getattr(node, "children", ()) if isinstance(c, Tag) and c.kind == "names"]
    label = _after_label(blocks[-1]) if blocks else None
    body: list[Node] = [Text(replacement)] if replacement else []
    if label is not None:
        body.append(label)
    if not body:
        return None
    return Span(body, node.fmt) if isinstance(node, Span) else Span(body)


# -- citation-label ---------------------------------------------------------------------------------

# Letters per name for 1, 2, 3 and 4+ names, then two year digits (citeproc-js's default
# trigraph "Aaaa00:AaAa00:AaAA00:AAAA00").
_TRIGRAPH = ((4,), (2, 2), (2, 1, 1), (1, 1, 1, 1))
# Lower-case words a title label skips (citeproc-js's skip-words; matched case-sensitively).
_TITLE_SKIP = frozenset(
    "about above across after against along amid among around as at before behind below beneath beside between "
    "beyond but by circa despite down during except for from in inside into like near of off on onto out over per "
    "since than through to toward towards under until up upon versus vs. v. vs v via with within without or yet so "
    "and nor a an the de d' von van c ca".split())


def _label_part(text: str, width: int) -> str:
    text = re.sub(r"^(?:a|the|an)\s+", "", text, flags=re.I)
    text = "".join(c for c in text if ROMANESQUE.match(c) and c not in "-0123456789")[:width]
    return text[:1].upper() + text[1:].lower()


def citation_label(ctx: Context) -> str:
    """The generated citation label: up to four letters from the first names and the year's last two
    digits ("Asth00"); from the title's words when there are no names. The disambiguating
    year-suffix is the caller's to add."""
    item = ctx.item
    label = ""
    for var in NAME_VARIABLES_IN_ORDER:
        raws = [n for n in (item.get(var) or []) if isinstance(n, dict)] if isinstance(item.get(var), list) else []
        if not raws:
            continue
        widths = _TRIGRAPH[min(len(raws), len(_TRIGRAPH)) - 1]
        for raw, width in zip(raws, widths, strict=False):
            name = normalize_name(raw)
            text = name.get("literal") or re.sub(r"^[ '\u2019a-z]+\s+", "", name.get("family", ""))
            part = _label_part(text, width)
            if not part:
                break
            label += part
        break
    if not label and item.get("title"):
        text = "".join(w for w in str(item["title"]).split() if w not in _TITLE_SKIP)[:_TRIGRAPH[0][0]]
        label = text[:1].upper() + text[1:].lower()
    year = "0000"
    issued = item.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts") or [[]]
        if parts and parts[0] and str(parts[0][0]).lstrip("-").isdigit():
            year = str(parts[0][0])
    return label + year[-2:]
