"""Output formats without markup injection.

citeproc-py renders with :mod:`sentinel` below, a formatter that marks italics, bold and so on
with private-use characters and escapes nothing. The finished string is then escaped as a whole
for the target format and only afterwards are the sentinels turned into real markup, so no
field value can ever inject markup (citeproc-py's own HTML formatter leaves variable text raw).
"""

from __future__ import annotations

import html
import re
import sys
import types
from collections.abc import Callable

FORMATS = ("text", "html", "markdown", "latex")

# Private-use code points: open/close per kind of markup.
_MARKS = {
    "i": ("\ue000", "\ue001"), "b": ("\ue002", "\ue003"), "sc": ("\ue004", "\ue005"),
    "sup": ("\ue006", "\ue007"), "sub": ("\ue008", "\ue009"), "u": ("\ue00a", "\ue00b"),
}
_ALL_MARKS = "".join(a + b for a, b in _MARKS.values())


def _wrapper(kind: str) -> type:
    open_, close = _MARKS[kind]

    class Wrapped(str):
        def __new__(cls, text: str) -> Wrapped:
            return super().__new__(cls, f"{open_}{text}{close}")

    Wrapped.__name__ = f"Sentinel_{kind}"
    return Wrapped


def _make_formatter() -> types.ModuleType:
    mod = types.ModuleType("citekit.render.formats.sentinel")
    mod.preformat = lambda text: text  # type: ignore[attr-defined]
    for name, kind in (("Italic", "i"), ("Oblique", "i"), ("Bold", "b"), ("Light", "b"),
                       ("Underline", "u"), ("Superscript", "sup"), ("Subscript", "sub"),
                       ("SmallCaps", "sc")):
        setattr(mod, name, _wrapper(kind))
    mod.Light = str  # type: ignore[attr-defined]  # no light weight in any target
    sys.modules[mod.__name__] = mod
    return mod


sentinel = _make_formatter()

_RICH_TEXT = [
    (re.compile(r"<i>(.*?)</i>", re.S), _MARKS["i"]),
    (re.compile(r"<b>(.*?)</b>", re.S), _MARKS["b"]),
    (re.compile(r"<sup>(.*?)</sup>", re.S), _MARKS["sup"]),
    (re.compile(r"<sub>(.*?)</sub>", re.S), _MARKS["sub"]),
    (re.compile(r'<span style="font-variant:\s*small-caps;?">(.*?)</span>', re.S), _MARKS["sc"]),
]


def rich_text_to_sentinels(value: str) -> str:
    """CSL-JSON in-field markup (``<i>…</i>``) → sentinels; ``nocase`` spans are left for citeproc-py."""
    if "<" not in value:
        return value
    for pattern, (a, b) in _RICH_TEXT:
        value = pattern.sub(lambda m, a=a, b=b: f"{a}{m.group(1)}{b}", value)
    return value


def _finisher(escape: Callable[[str], str], markup: dict[str, tuple[str, str]]) -> Callable[[str], str]:
    table = {}
    for kind, (a, b) in _MARKS.items():
        table[a], table[b] = markup.get(kind, ("", ""))

    def finish(text: str) -> str:
        out = escape(text)
        if any(c in out for c in _ALL_MARKS):
            out = "".join(table.get(c, c) for c in out)
        return out

    return finish


_LATEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%",
                   "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_LATEX_RE = re.compile(r"[\\{}$&%#_~^]")
_MD_RE = re.compile(r"([\\`*_\[\]<>#|])")
_URL_RE = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:)\]]")


def _latex_escape(text: str) -> str:
    # URLs go into \url{} untouched (hyperref handles % and #), the rest is escaped.
    out, last = [], 0
    for m in _URL_RE.finditer(text):
        out.append(_LATEX_RE.sub(lambda c: _LATEX_SPECIALS[c.group(0)], text[last:m.start()]))
        url = m.group(0).replace("\\", "/").replace("{", "%7B").replace("}", "%7D")
        out.append(r"\url{" + url + "}")
        last = m.end()
    out.append(_LATEX_RE.sub(lambda c: _LATEX_SPECIALS[c.group(0)], text[last:]))
    return "".join(out)


def _markdown_escape(text: str) -> str:
    out, last = [], 0
    for m in _URL_RE.finditer(text):
        out.append(_MD_RE.sub(r"\\\1", text[last:m.start()]))
        out.append(f"<{m.group(0)}>")
        last = m.end()
    out.append(_MD_RE.sub(r"\\\1", text[last:]))
    return "".join(out)


def _html_escape(text: str) -> str:
    out, last = [], 0
    for m in _URL_RE.finditer(text):
        out.append(html.escape(text[last:m.start()], quote=False))
        url = html.escape(m.group(0), quote=True)
        out.append(f'<a href="{url}">{url}</a>')
        last = m.end()
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


FINISHERS: dict[str, Callable[[str], str]] = {
    "text": _finisher(lambda s: s, {}),
    "html": _finisher(_html_escape, {
        "i": ("<i>", "</i>"), "b": ("<b>", "</b>"), "sup": ("<sup>", "</sup>"), "sub": ("<sub>", "</sub>"),
        "u": ('<span style="text-decoration:underline;">', "</span>"),
        "sc": ('<span style="font-variant:small-caps;">', "</span>")}),
    "markdown": _finisher(_markdown_escape, {
        "i": ("*", "*"), "b": ("**", "**"), "sup": ("^", "^"), "sub": ("~", "~")}),
    "latex": _finisher(_latex_escape, {
        "i": (r"\emph{", "}"), "b": (r"\textbf{", "}"), "sup": (r"\textsuperscript{", "}"),
        "sub": (r"\textsubscript{", "}"), "sc": (r"\textsc{", "}"), "u": (r"\underline{", "}")}),
}


def finish(text: str, fmt: str) -> str:
    return FINISHERS[fmt](text)


def strip_sentinels(text: str) -> str:
    return text.translate({ord(c): None for c in _ALL_MARKS})
