"""English titles from BibTeX's title case to sentence case, as gbt7714-bibtex-style prints them.

BibTeX libraries keep titles in title case ("Shaking without Quaking") and let the style lower
them; CSL styles print titles as entered. ``title-case = "sentence"`` (``[tool.citekit.format]``)
lowers them when the library is read. It works on the raw LaTeX value, where braces are still
visible: a braced group is protected (``{AI}``, ``{Internet}``), and so is a word written in
capitals (``OCLC``), a word with a capital after its first character (``McGraw``, ``eXtensible``,
``3D``) and the pronoun ``I``; the first word keeps its case; everything else is lowered, after
a colon too (``Geoecology and computers: proceedings of …``). Command names are never touched.
Only English entries are converted (:func:`is_english`).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from citekit.bibtex.names import is_cjk
from citekit.errors import CitekitError
from citekit.perf import compiled_later

TitleCase = Literal["as-is", "sentence"]
TITLE_CASES: tuple[str, ...] = ("as-is", "sentence")
# BibTeX fields holding the title of the work or of its host (journal names are left alone).
TITLE_FIELDS = frozenset({"title", "subtitle", "titleaddon", "shorttitle", "booktitle", "booksubtitle",
                          "maintitle", "mainsubtitle"})
_ENGLISH = frozenset({"english", "american", "british", "usenglish", "ukenglish", "canadian", "australian",
                      "newzealand", "en"})
_NON_LATIN = compiled_later(r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0e00-\u0e7f]")
_TOKEN = re.compile(r"[^\W_](?:[^\W_]|['\u2019](?=[^\W_]))*")
_COMMAND = re.compile(r"\\(?:[A-Za-z]+|.)")


def is_english(langid: str | None, title: str) -> bool:
    """English by ``langid``/``language``; without one, a title in Latin script counts as English."""
    lang = (langid or "").strip().lower()
    if lang:
        return lang in _ENGLISH or lang.startswith("en-")
    if title.isascii() or max(title) < "\u0370":  # Latin script, accents and all
        return True
    return not is_cjk(title) and not _NON_LATIN().search(title)


@dataclass(frozen=True)
class Word:
    """A word at brace depth 0 that sentence case decides about (offsets into the raw value)."""

    start: int
    end: int
    text: str
    first: bool  # the title's first word: kept as written

    @property
    def protected(self) -> bool:
        """Kept by its own shape: capitals only (two letters or more), an inner capital, or ``I``."""
        letters = [c for c in self.text if c.isalpha()]
        if len(letters) >= 2 and all(c.isupper() for c in letters):
            return True
        return self.text == "I" or any(c.isupper() for c in self.text[1:])

    @property
    def lowered(self) -> bool:
        """Whether sentence case changes this word."""
        return not self.first and not self.protected and self.text != self.text.lower()


def words(raw: str) -> Iterator[Word]:
    """The depth-0 words of a raw BibTeX value, in order (braced groups, commands and math skipped)."""
    i, n, depth, first = 0, len(raw), 0, True
    while i < n:
        c = raw[i]
        if c == "\\":
            m = _COMMAND.match(raw, i)
            i = m.end() if m else i + 1
            continue
        if c == "{":
            if depth == 0 and first and any(ch.isalpha() for ch in raw[i:_group_end(raw, i)]):
                first = False  # "{AI} and …": the braced first word is the first word
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif c == "$" and depth == 0:
            end = raw.find("$", i + 1)
            i = n if end == -1 else end + 1
            continue
        elif depth == 0 and (c.isalnum()):
            m = _TOKEN.match(raw, i)
            if m:
                text = m.group()
                yield Word(m.start(), m.end(), text, first and any(ch.isalpha() for ch in text))
                if any(ch.isalpha() for ch in text):
                    first = False
                i = m.end()
                continue
        i += 1


def _group_end(raw: str, start: int) -> int:
    depth = 0
    for j in range(start, len(raw)):
        if raw[j] == "{":
            depth += 1
        elif raw[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(raw)


def sentence_case(raw: str, *, keep_first: bool = True) -> str:
    """A raw BibTeX title in sentence case (braces, commands and math kept as written).

    ``keep_first=False`` for a subtitle, which follows a colon and so starts in lower case."""
    out, last = [], 0
    for w in words(raw):
        if w.lowered or (w.first and not keep_first and not w.protected and w.text != w.text.lower()):
            out += [raw[last:w.start], w.text.lower()]
            last = w.end
    out.append(raw[last:])
    return "".join(out)


# --- the project setting -----------------------------------------------------------------------


def check_title_case(value: object, path: Path | None = None, what: str = "[format] title-case") -> TitleCase:
    """``value`` as a title-case choice; a CitekitError naming the settings file otherwise."""
    if value not in TITLE_CASES:
        raise CitekitError(f"{what} must be one of {', '.join(TITLE_CASES)}, not {value!r}", path)
    return cast(TitleCase, value)


def project_title_case(start: str | Path | None = None) -> TitleCase:
    """``[tool.citekit.format] title-case`` of the project at ``start`` (default: the working directory)."""
    from citekit.config import project_settings

    settings = project_settings(start)
    return check_title_case(settings.table("format").get("title-case", "as-is"), settings.path)


@functools.lru_cache(maxsize=64)
def _cached_project_title_case(directory: str) -> TitleCase:
    return project_title_case(directory)


_override: list[TitleCase | None] = [None]


def use_title_case(choice: str | None) -> None:
    """Set the choice for this process (``citekit format --title-case``); None: the project's again."""
    _override[0] = check_title_case(choice, what="--title-case") if choice is not None else None


def _choice(directory: str) -> TitleCase:
    return _override[0] if _override[0] is not None else _cached_project_title_case(directory)


def title_case_for(path: str | Path) -> TitleCase:
    """The choice for one library file: the override, else the project the file belongs to."""
    return _choice(str(Path(path).resolve().parent))


def default_title_case() -> TitleCase:
    """The choice in force: the one set by :func:`use_title_case`, else the working directory's project.

    Looked up once per directory and process, so mapping a large library reads the settings once.
    """
    return _choice(os.getcwd())


# --- words sentence case would wrongly lower (lint) ---------------------------------------------

# Words English always capitalises; lowered unbraced, they read wrong ("cataloging internet resources").
PROPER_NOUNS = frozenset("""
    Internet Web Congress Senate Parliament Bible God Christmas Easter Islam Christian Muslim Jewish
    Africa African America American Americas Antarctica Arctic Asia Asian Atlantic Pacific Mediterranean
    Australia Australian Europe European Oceania Britain British England English Scotland Scottish Ireland
    Irish Wales Welsh France French Germany German Italy Italian Spain Spanish Portugal Portuguese Greece
    Greek Russia Russian China Chinese Japan Japanese Korea Korean India Indian Canada Canadian Mexico
    Mexican Brazil Brazilian Netherlands Dutch Sweden Swedish Norway Norwegian Denmark Danish Finland
    Finnish Poland Polish Turkey Turkish Egypt Egyptian Israel Arab Arabic Iran Persian Latin Taiwan
    Beijing Shanghai London Paris Tokyo Washington Kyushu Hong Kong Indonesia Vietnam Thailand Singapore
    January February April June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    Newton Einstein Darwin Shakespeare Marx Bayesian Gaussian Markov Fourier Boolean Euclidean
""".split())


def suspicious_words(raw: str) -> list[str]:
    """Words sentence case would lower that look like proper nouns: a known name (``China``,
    ``Internet``), or any capitalised word in a title already written mostly in lower case."""
    found = list(words(raw))
    lowered = [w for w in found if w.lowered]
    longer = [w for w in found if not w.first and len(w.text) > 3 and any(c.isalpha() for c in w.text)]
    mostly_lower = bool(longer) and sum(w.text == w.text.lower() for w in longer) * 2 > len(longer)
    return [w.text for w in lowered if w.text in PROPER_NOUNS or (mostly_lower and w.text[:1].isupper())]
