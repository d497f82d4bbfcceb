"""Pandoc's JSON AST (API versions 1.22 and 1.23): reading metadata, walking, building inlines.

Elements are kept as the plain JSON objects pandoc writes (``{"t": "Str", "c": "word"}``), so
everything the filter does not touch passes through unchanged, whatever block types a newer API
adds (1.23's ``Figure``): the walk is generic over lists and objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Json = Any
Inline = dict[str, Any]

SUPPORTED = ((1, 22), (1, 23))


def api_version(doc: Json) -> list[int]:
    """The document's ``pandoc-api-version``; a ValueError when it is not one citekit reads."""
    version = doc.get("pandoc-api-version") if isinstance(doc, dict) else None
    if not isinstance(version, list) or len(version) < 2 or not all(isinstance(v, int) for v in version):
        raise ValueError("not a pandoc JSON document (no pandoc-api-version)")
    if (version[0], version[1]) not in SUPPORTED:
        # Cite, Note, Span, Div and Header have kept their shape since 1.17; later minors are
        # accepted too, earlier ones lack Underline and are refused.
        if version[0] != 1 or version[1] < 21:
            raise ValueError(f"unsupported pandoc API version {'.'.join(map(str, version))} (1.22 or 1.23 expected)")
    return version


# --- building ---------------------------------------------------------------------------------


def attr(ident: str = "", classes: list[str] | None = None, kvs: list[list[str]] | None = None) -> list[Any]:
    return [ident, classes or [], kvs or []]


def el(tag: str, content: Any = None) -> Inline:
    return {"t": tag} if content is None else {"t": tag, "c": content}


def str_(text: str) -> Inline:
    return el("Str", text)


SPACE: Inline = {"t": "Space"}


def space() -> Inline:
    return {"t": "Space"}


def text_inlines(text: str) -> list[Inline]:
    """Plain text as Str and Space inlines (runs of ASCII white space are one Space; a
    no-break space stays inside its word, as pandoc's readers keep it)."""
    out: list[Inline] = []
    word = []
    for ch in text:
        if ch in " \t\n\r":
            if word:
                out.append(str_("".join(word)))
                word = []
            if not out or out[-1].get("t") != "Space":
                out.append(space())
        else:
            word.append(ch)
    if word:
        out.append(str_("".join(word)))
    return out


def span(inlines: list[Inline], classes: list[str] | None = None, kvs: list[list[str]] | None = None) -> Inline:
    return el("Span", [attr("", classes, kvs), inlines])


def link(inlines: list[Inline], url: str) -> Inline:
    return el("Link", [attr(), inlines, [url, ""]])


def para(inlines: list[Inline]) -> Inline:
    return el("Para", inlines)


def div(ident: str, classes: list[str], blocks: list[Any], kvs: list[list[str]] | None = None) -> Inline:
    return el("Div", [attr(ident, classes, kvs), blocks])


def header(level: int, ident: str, classes: list[str], inlines: list[Inline]) -> Inline:
    return el("Header", [level, attr(ident, classes), inlines])


def note(inlines: list[Inline]) -> Inline:
    return el("Note", [para(inlines)])


# --- reading ----------------------------------------------------------------------------------


def stringify(node: Json) -> str:
    """The plain text of inlines, blocks or a metadata value (pandoc's ``stringify``)."""
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return node if isinstance(node, str) else ""
    tag, c = node.get("t"), node.get("c")
    if tag in ("Str", "MetaString"):
        return c if isinstance(c, str) else ""
    if tag in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if tag in ("Code", "Math", "RawInline"):
        return c[1] if isinstance(c, list) and len(c) > 1 and tag != "RawInline" else ""
    if tag == "MetaBool":
        return "true" if c else "false"
    if tag == "Quoted" and isinstance(c, list) and len(c) == 2:
        single = isinstance(c[0], dict) and c[0].get("t") == "SingleQuote"
        return ("\u2018" if single else "\u201c") + stringify(c[1]) + ("\u2019" if single else "\u201d")
    if tag in ("Note", "Cite") and isinstance(c, list):
        return "" if tag == "Note" else stringify(c[1] if len(c) > 1 else [])
    if tag in ("Span", "Link", "Image", "Div", "Header", "CodeBlock"):
        return stringify(c[-2] if tag in ("Link", "Image") else c[-1]) if isinstance(c, list) and c else ""
    return stringify(c)


def meta_value(meta: dict[str, Any], key: str) -> Json | None:
    value = meta.get(key)
    return value if isinstance(value, dict) else None


def meta_text(value: Json | None) -> str | None:
    """A metadata value as text (MetaString, MetaInlines, MetaBlocks of one paragraph)."""
    if value is None:
        return None
    if value.get("t") in ("MetaList", "MetaMap"):
        return None
    return stringify(value).strip()


def meta_texts(value: Json | None) -> list[str]:
    """One text or a MetaList of them."""
    if value is None:
        return []
    if value.get("t") == "MetaList":
        return [t for t in (meta_text(v) for v in value.get("c", []) if isinstance(v, dict)) if t]
    text = meta_text(value)
    return [text] if text else []


def meta_bool(value: Json | None, default: bool = False) -> bool:
    """pandoc's truthiness: true, or the strings t/true/yes."""
    if value is None:
        return default
    if value.get("t") == "MetaBool":
        return bool(value.get("c"))
    text = meta_text(value)
    return text is not None and text.lower() in ("t", "true", "yes")


def meta_inlines(value: Json | None) -> list[Inline] | None:
    """A metadata value as inlines (for a section title)."""
    if value is None:
        return None
    tag, c = value.get("t"), value.get("c")
    if tag == "MetaString":
        return text_inlines(c)
    if tag == "MetaInlines":
        return c
    if tag == "MetaBlocks" and len(c) == 1 and c[0].get("t") in ("Plain", "Para"):
        return c[0]["c"]
    return None


# --- walking ----------------------------------------------------------------------------------


def is_el(node: Json, tag: str) -> bool:
    return isinstance(node, dict) and node.get("t") == tag


def walk_cites(node: Json, on_cite: Callable[[Inline, Inline | None], None],
               on_note: Callable[[Inline], None] | None = None, note: Inline | None = None,
               on_header: Callable[[Inline], None] | None = None) -> None:
    """Call ``on_cite(cite, enclosing_note)`` for every Cite in document order (``on_note`` for
    every footnote and ``on_header`` for every heading, when it starts). A Cite's own fallback
    text is not searched."""
    if isinstance(node, list):
        for child in node:
            walk_cites(child, on_cite, on_note, note, on_header)
        return
    if not isinstance(node, dict):
        return
    tag = node.get("t")
    if tag == "Cite":
        on_cite(node, note)
        return
    if tag == "Note":
        if on_note is not None:
            on_note(node)
        walk_cites(node.get("c"), on_cite, on_note, node, on_header)
        return
    if tag == "Header" and on_header is not None:
        on_header(node)
    if "t" in node:
        walk_cites(node.get("c"), on_cite, on_note, note, on_header)
    else:  # a metadata map or another plain object
        for value in node.values():
            walk_cites(value, on_cite, on_note, note, on_header)


def inline_lists(node: Json) -> Iterator[list[Any]]:
    """Every list inside ``node`` (for passes that look at neighbouring inlines)."""
    if isinstance(node, list):
        yield node
        for child in node:
            yield from inline_lists(child)
    elif isinstance(node, dict):
        for value in node.values():
            yield from inline_lists(value)
