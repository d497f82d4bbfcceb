"""LaTeX ⇄ Unicode for BibTeX field values.

Decoding is citekit's own small scanner rather than pylatexenc: it runs only on values that
contain TeX (most do not), it never treats ``%`` as a comment (URLs keep ``%20``), and it turns
case-protecting braces into CSL's ``<span class="nocase">`` so styles that change case keep
``{DNA}`` as written.
"""

from __future__ import annotations

import re
import unicodedata

# Combining marks for the accent commands.
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "d": "\u0323", "b": "\u0331", "r": "\u030a", "t": "\u0361",
}
_SYMBOLS = {
    "o": "ø", "O": "Ø", "ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
    "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ",
    "NG": "Ŋ", "dj": "đ", "DJ": "Đ", "textendash": "–", "textemdash": "—", "textquoteright": "’",
    "textquoteleft": "‘", "textquotedblleft": "“", "textquotedblright": "”", "textbackslash": "\\",
    "textasciitilde": "~", "textregistered": "®", "texttrademark": "™", "textcopyright": "©",
    "copyright": "©", "S": "§", "P": "¶", "dag": "†", "ddag": "‡", "pounds": "£", "euro": "€",
    "textdegree": "°", "textellipsis": "…", "ldots": "…", "dots": "…", "textbullet": "•",
    "LaTeX": "LaTeX", "TeX": "TeX", "textunderscore": "_", "textsection": "§", "textperiodcentered": "·",
    "guillemotleft": "«", "guillemotright": "»", "textless": "<", "textgreater": ">",
}
_ESCAPED = {"&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ", ",": "\u2009"}
# Formatting commands mapped to CSL-JSON's HTML-like rich text (None: keep the content only).
_MARKUP = {
    "emph": ("<i>", "</i>"), "textit": ("<i>", "</i>"), "textsl": ("<i>", "</i>"), "it": ("<i>", "</i>"),
    "textbf": ("<b>", "</b>"), "bf": ("<b>", "</b>"),
    "textsc": ('<span style="font-variant:small-caps;">', "</span>"),
    "textsuperscript": ("<sup>", "</sup>"), "textsubscript": ("<sub>", "</sub>"),
    "mkbibemph": ("<i>", "</i>"), "mkbibitalic": ("<i>", "</i>"), "mkbibbold": ("<b>", "</b>"),
    "enquote": ("“", "”"), "mkbibquote": ("“", "”"),
}
_CONTENT_ONLY = {"url", "href", "texttt", "textrm", "textsf", "textup", "textmd", "textnormal", "mbox", "hbox",
                 "text", "ensuremath", "path", "nolinkurl", "NoCaseChange", "MakeUppercase", "uppercase"}
_NEEDS_DECODING = re.compile(r"[\\{}~$]|--|``|''")
# Every value is tested and most need nothing: a character class finds the candidates far
# faster than the alternation, which then only looks from the first one on.
_MAY_NEED_DECODING = re.compile(r"[-\\{}~$`']")
_NOCASE_OPEN = '<span class="nocase">'


# The decoder recurses once per group; deeper values (no real title nests this far) are read
# flat, so hostile input can never exhaust the stack.
MAX_NESTING = 64
_BRACE = re.compile(r"(?<!\\)[{}]")
_FLAT = re.compile(r"\\([A-Za-z]+\*?\s*|.)|[{}]", re.S)


def _nesting(value: str) -> int:
    depth = deepest = 0
    for m in _BRACE.finditer(value):
        depth += 1 if m.group(0) == "{" else -1
        deepest = max(deepest, depth)
    return deepest


def _flat(value: str) -> str:
    """The text of a value with every brace and command name dropped (escaped characters kept)."""
    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name is None:
            return ""
        return _ESCAPED.get(name, name) if len(name) == 1 and not name.isalpha() else ""

    return _FLAT.sub(one, value)


def needs_decoding(value: str) -> bool:
    m = _MAY_NEED_DECODING.search(value)
    return m is not None and _NEEDS_DECODING.search(value, m.start()) is not None


def decode(value: str, *, markup: bool = True) -> str:
    """Decode a BibTeX value to Unicode text.

    ``markup=True`` keeps emphasis and case protection as CSL-JSON rich-text tags; ``False``
    returns plain text (for names, keys and identifiers).
    """
    if not needs_decoding(value):
        return value
    if _nesting(value) > MAX_NESTING:
        return unicodedata.normalize("NFC", _flat(value))
    out = _Decoder(value, markup).run()
    return unicodedata.normalize("NFC", out)


class _Decoder:
    def __init__(self, text: str, markup: bool) -> None:
        self.s = text
        self.i = 0
        self.markup = markup

    def run(self) -> str:
        return self.group(top=True)

    def group(self, top: bool = False, depth: int = 0) -> str:
        s, out = self.s, []
        while self.i < len(s):
            c = s[self.i]
            if c == "}":
                self.i += 1
                if not top:
                    break
                continue  # a stray closing brace at top level is dropped
            if c == "{":
                self.i += 1
                protect = depth == 0 and self.i < len(s) and s[self.i] != "\\"
                inner = self.group(depth=depth + 1)
                if self.markup and protect and inner and not inner.isspace():
                    out.append(f"{_NOCASE_OPEN}{inner}</span>")
                else:
                    out.append(inner)
            elif c == "\\":
                out.append(self.command())
            elif c == "~":
                out.append("\u00a0")
                self.i += 1
            elif c == "$":
                self.i += 1  # math shift: keep the content, drop the delimiters
            elif s.startswith("---", self.i):
                out.append("—")
                self.i += 3
            elif s.startswith("--", self.i):
                out.append("–")
                self.i += 2
            elif s.startswith("``", self.i):
                out.append("“")
                self.i += 2
            elif s.startswith("''", self.i):
                out.append("”")
                self.i += 2
            else:
                j = self.i
                while j < len(s) and s[j] not in "{}\\~$-`'":
                    j += 1
                if j == self.i:
                    j += 1
                out.append(s[self.i:j])
                self.i = j
        return "".join(out)

    def argument(self) -> str:
        """The next argument: a braced group (decoded) or a single character."""
        s = self.s
        while self.i < len(s) and s[self.i] == " ":
            self.i += 1
        if self.i >= len(s):
            return ""
        if s[self.i] == "{":
            self.i += 1
            return self.group(depth=1)
        if s[self.i] == "\\":
            return self.command()
        ch = s[self.i]
        self.i += 1
        return ch

    def command(self) -> str:
        s = self.s
        self.i += 1  # the backslash
        if self.i >= len(s):
            return "\\"
        c = s[self.i]
        if c in _ACCENTS and not c.isalpha():
            self.i += 1
            return self._accent(c)
        if c in _ESCAPED:
            self.i += 1
            return _ESCAPED[c]
        if c == "\\":
            self.i += 1
            return " "
        if not c.isalpha():
            self.i += 1
            return c
        j = self.i
        while j < len(s) and s[j].isalpha():
            j += 1
        name = s[self.i:j]
        self.i = j
        if name in _ACCENTS and len(name) == 1:
            return self._accent(name)
        # Swallow one space after a control word (TeX does), unless followed by a brace.
        if self.i < len(s) and s[self.i] == " ":
            self.i += 1
        if name in _SYMBOLS:
            if self.s.startswith("{}", self.i):
                self.i += 2
            return _SYMBOLS[name]
        if name in _MARKUP:
            inner = self.argument()
            if not self.markup:
                return inner
            a, b = _MARKUP[name]
            return f"{a}{inner}{b}"
        if name in _CONTENT_ONLY:
            if name in ("url", "nolinkurl", "path"):
                return self._verbatim_argument()
            if name == "href":
                self._verbatim_argument()
            return self.argument()
        # Unknown command: keep its argument's text, drop the command.
        if self.i < len(s) and s[self.i] == "{":
            return self.argument()
        return ""

    def _verbatim_argument(self) -> str:
        """A URL argument: braces delimit it, nothing inside is interpreted (``%`` stays)."""
        s = self.s
        if self.i < len(s) and s[self.i] == "{":
            depth, j = 0, self.i
            while j < len(s):
                if s[j] == "{":
                    depth += 1
                elif s[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            text = s[self.i + 1:j]
            self.i = j + 1
            return text
        return self.argument()

    def _accent(self, cmd: str) -> str:
        base = self.argument()
        base = {"ı": "i", "ȷ": "j"}.get(base, base)
        if not base:
            return _ACCENTS[cmd]
        return unicodedata.normalize("NFC", base[0] + _ACCENTS[cmd] + base[1:])


# --- encoding ---------------------------------------------------------------------------------

_SPECIALS = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
             "~": r"\textasciitilde{}", "\\": r"\textbackslash{}", "\u00a0": "~"}
_TAGS = [
    (re.compile(r'<span class="nocase">(.*?)</span>', re.S), r"{\1}"),
    (re.compile(r"<i>(.*?)</i>", re.S), r"\\emph{\1}"),
    (re.compile(r"<b>(.*?)</b>", re.S), r"\\textbf{\1}"),
    (re.compile(r"<sup>(.*?)</sup>", re.S), r"\\textsuperscript{\1}"),
    (re.compile(r"<sub>(.*?)</sub>", re.S), r"\\textsubscript{\1}"),
    (re.compile(r'<span style="font-variant:\s*small-caps;?">(.*?)</span>', re.S), r"\\textsc{\1}"),
]
_SPECIAL_RE = re.compile(r"[&%$#_{}~\\\u00a0]")


def encode(value: str) -> str:
    """Unicode (CSL rich text) → a biblatex value. Non-ASCII stays as UTF-8, as biber reads it."""
    if not value:
        return value
    escaped = _SPECIAL_RE.sub(lambda m: _SPECIALS[m.group(0)], value)
    for pattern, repl in _TAGS:
        escaped = pattern.sub(repl, escaped)
    return escaped


def strip_markup(value: str) -> str:
    """Rich text → plain text (for engines that do not read CSL-JSON's HTML-like markup)."""
    if "<" not in value:
        return value
    return re.sub(r"</?(?:i|b|sup|sub|span)(?:\s[^>]*)?>", "", value)
