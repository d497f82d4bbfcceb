"""Name values before rendering: normalisation, particle and suffix parsing, script detection, initials.

The rules follow citeproc-js, the behaviour of record: particles are the leading lower-case words of
a family name (non-dropping) and the trailing lower-case words of a given name (dropping); a comma
in a given name starts a suffix (two commas, or ``,!``, make it a comma-suffix); a family name in
double quotes is taken as it stands.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# Letters of the scripts written with spaces between given and family names ("romanesque").
_LETTERS = ("a-zA-Z\u0e01-\u0e5b\u00c0-\u017f\u0370-\u03ff\u0400-\u052f\u0590-\u05d4\u05d6-\u05ff"
            "\u1f00-\u1fff\u0600-\u06ff\u200c\u200d\u200e\u0218\u0219\u021a\u021b\u202a-\u202e")
ROMANESQUE = re.compile(f"[-0-9{_LETTERS}]")
STARTS_ROMANESQUE = re.compile(f"^[&{_LETTERS}]")
ALL_ROMANESQUE = re.compile(f"^[{_LETTERS}]+$")
_INITIAL = re.compile(
    "^([A-Z\u0e01-\u0e5b\u00c0-\u017f\u0400-\u042f\u0590-\u05d4\u05d6-\u05ff\u0600-\u06ff\u0370\u0372\u0376"
    "\u0386\u0388-\u03ab\u03e2\u03e4\u03e6\u03e8\u03ea\u03ec\u03ee\u03f4\u03f7\u03fd-\u03ff])"
    "([a-zA-Z\u0e01-\u0e5b\u00c0-\u017f\u0400-\u052f\u0600-\u06ff\u0370-\u03ff\u1f00-\u1fff]*)")
_PARTICLE_GIVEN = re.compile(r"^([^ ]+(?:\u02bb |\u2019 | |' ) *)(.+)$", re.S)
_PARTICLE_FAMILY = re.compile(r"^([^ ]+(?:-|\u02bb|\u2019| |') *)(.+)$", re.S)
_TRAILING_SPACE = re.compile(r"[\t\n\x0b\x0c\r \ufeff\u00a0]+$")
_MARKUP = re.compile(r"^((?:<[^>]+>)*)(.*?)((?:</[^>]+>)*)$", re.S)

NAME_PARTS = ("family", "given", "non-dropping-particle", "dropping-particle", "suffix")
_NO_PARTS = dict.fromkeys(NAME_PARTS, "")
# Particles are split off at these (given names: a space always, see _PARTICLE_GIVEN).
_FAMILY_SEPARATOR = re.compile("[- '\u02bb\u2019]")
_SUFFIX_COMMA = re.compile(r"\s*,!*\s*")


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _truthy(value: Any) -> bool:
    return value not in (None, False, "", 0, "false")


_NORMALIZED: dict[tuple[Any, ...], dict[str, Any]] = {}


def normalize_name(raw: dict[str, Any], parse: bool = True) -> dict[str, Any]:
    """A copy of a CSL-JSON name with string parts, literal names made explicit, particles parsed.

    The result has ``literal`` (institutions and ``{"literal": ...}``) or the five name parts,
    plus ``comma-suffix``, ``static-ordering`` and ``comma-dropping-particle``. The same name
    recurs across a library's entries: its parts are worked out once (a fresh copy each time).
    """
    try:
        key = (parse, *raw.items())
        found = _NORMALIZED.get(key)
    except TypeError:  # a part that is not hashable (a list): no memo
        return _normalize_name(raw, parse)
    if found is None:
        if len(_NORMALIZED) > 20_000:
            _NORMALIZED.clear()
        found = _NORMALIZED[key] = _normalize_name(raw, parse)
    return dict(found)


def _normalize_name(raw: dict[str, Any], parse: bool) -> dict[str, Any]:
    name: dict[str, Any] = dict(_NO_PARTS)
    for k in NAME_PARTS:
        value = raw.get(k)
        if value is not None:
            name[k] = (value if type(value) is str else str(value)).strip()
    name["comma-suffix"] = _truthy(raw.get("comma-suffix"))
    name["static-ordering"] = _truthy(raw.get("static-ordering"))
    name["comma-dropping-particle"] = ""
    literal = _s(raw.get("literal")).strip()
    if not literal and not name["given"] and name["family"] and _truthy(raw.get("isInstitution")):
        literal = name["family"]
    if literal:
        return {"literal": literal}
    parse_names = raw.get("parse-names")
    if parse_names is not None and not _truthy(parse_names):
        parse = False
    family = name["family"]
    if len(family) > 1 and family.startswith('"') and family.endswith('"'):
        name["family"] = family[1:-1]
        parse = False
    if parse and name["family"] and name["given"] and not name["non-dropping-particle"] \
            and not _truthy(raw.get("static-particles")):
        parse_particles(name)
    return name


def _split_particles(value: str, given: bool) -> tuple[str, list[str]]:
    """Peel lower-case particles off the end (given) or the start (family) of a name part."""
    if (" " not in value) if given else not _FAMILY_SEPARATOR.search(value):
        return value, []  # one word: nothing to peel
    rex = _PARTICLE_GIVEN if given else _PARTICLE_FAMILY
    work = value[::-1] if given else value
    orig = value
    particles: list[str] = []
    m = rex.match(work)
    while m:
        piece = m.group(1)[::-1] if given else m.group(1)
        first = re.sub(r"^[-'\u02bb\u2019\s]*(.).*$", r"\1", piece, flags=re.S)
        if first.upper() == first:
            break
        if given:
            particles.append(orig[len(orig) - len(piece):])
            orig = orig[:len(orig) - len(piece)]
        else:
            particles.append(orig[:len(piece)])
            orig = orig[len(piece):]
        work = m.group(2)
        m = rex.match(work)
    if given:
        particles.reverse()
        for i in range(1, len(particles)):
            if particles[i].startswith(" "):
                particles[i - 1] += " "
        particles = [p[1:] if p.startswith(" ") else p for p in particles]
        return orig[:len(work)], particles
    return orig[len(orig) - len(work):], particles


def parse_particles(name: dict[str, Any]) -> None:
    """Move particles (and a comma-separated suffix) out of family and given, in place."""
    family, found = _split_particles(name["family"], False)
    name["family"] = family
    ndp = "".join(found)
    last = ndp[-1:]
    ndp = ndp.strip()
    if last == " " and ndp[-1:] in ("'", "\u2019"):
        ndp += " "  # "d' Artagnan" keeps its space
    if ndp:
        name["non-dropping-particle"] = ndp
    given = name["given"]
    if not name["suffix"] and "," in given:
        m = _SUFFIX_COMMA.search(given)
        if m:
            suffix = given[m.end():]
            comma = re.sub(r"\s*", "", m.group(0))
            if suffix.replace(".", "") == "et al" and not name["dropping-particle"]:
                name["dropping-particle"] = suffix
                name["comma-dropping-particle"] = ","
            else:
                name["comma-suffix"] = name["comma-suffix"] or len(comma) == 2
                name["suffix"] = suffix
            name["given"] = given[:m.start()]
    given, found = _split_particles(name["given"], True)
    name["given"] = given
    dp = "".join(found).strip()
    if dp:
        name["dropping-particle"] = dp


def script_class(name: dict[str, Any], language: str | None = None) -> int:
    """0: no romanesque letters in the family name (CJK and the like), 1: mixed, 2: romanesque."""
    family = name.get("family", "").replace('"', "")
    ret = 2 if ROMANESQUE.search(family) else 0
    if not ret and STARTS_ROMANESQUE.match(name.get("given", "")):
        ret = 1
    if ret == 2 and language and language[:2].lower() in ("ja", "zh"):
        ret = 1
    return ret


def _tokens(given: str, hyphen: bool) -> list[str]:
    """Words and separators, alternating; "T.S." style clusters become one word per initial."""
    s = given
    if not hyphen:
        s = s.replace("-", " ")
    s = re.sub(r"\s*-\s*", "-", s)
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"-([a-z])", "\u2013\\1", s)  # a hyphen before lower case does not start an initial
    parts = re.split(r"([-\s]+)", s)
    out: list[str] = []
    for i, part in enumerate(parts):
        if i % 2 == 0 and "." in part[:-1]:
            pieces = re.findall(r"[^.]+\.?|\.", part)
            for j, piece in enumerate(pieces):
                if j:
                    out.append(" ")
                out.append(piece)
        else:
            out.append(part)
    return out


def _finish(text: str) -> str:
    text = _TRAILING_SPACE.sub("", text)
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"[\t\n\x0b\x0c\r ]+", " ", text).lstrip(" ")
    return text.replace("\u2013", "-")


def _unwrap(word: str) -> tuple[str, str, str]:
    m = _MARKUP.match(word)
    if not m or "<" not in word:
        return "", word, ""
    return m.group(1), m.group(2), m.group(3)


@lru_cache(maxsize=8192)  # a pure function of its arguments, and given names repeat across a library
def initialize(given: str, terminator: str | None, *, hyphen: bool = True, first_only: bool = False) -> str:
    """Initials of a given name ("John Jeeves", ". " → "J. J."); abbreviations like "Ph." stay whole."""
    if not given:
        return ""
    term = terminator or ""
    plain = re.sub(r"<[^>]+>", "", given)
    if given in ("Lord", "Lady") or (not STARTS_ROMANESQUE.match(plain) and "%s" not in term):
        return given
    toks = _tokens(given, hyphen)
    if first_only:
        toks = toks[:1]
    n = len(toks)
    for i in range(0, n, 2):
        pre, word, post = _unwrap(toks[i])
        if not word:
            continue
        if word.endswith(".") and len(word) > 2 and ALL_ROMANESQUE.match(word[:-1]):
            initial = word[:-1]  # an abbreviation (Ph., Me.) is kept, not reduced
        else:
            m = _INITIAL.match(word)
            if m is None and not STARTS_ROMANESQUE.match(word) and len(word) > 1 and "%s" in term:
                m = re.match(r"(.)(.*)", word, re.S)
            if m is None or m.group(1) != m.group(1).upper():
                if ROMANESQUE.search(word):
                    toks[i] = " " + toks[i]
                continue
            rest = m.group(2)
            run = ""
            for c in rest:
                if c != c.upper():
                    break
                run += c
            extra = run.lower() if len(run) < len(rest) else ""  # "TSerendorjiin" → "Ts."
            initial = m.group(1).upper() + extra
        if "%s" in term:
            toks[i] = pre + term.replace("%s", initial) + post
            continue
        stripped = _TRAILING_SPACE.sub("", term)
        tail = term[len(stripped):]
        toks[i] = pre + initial + stripped + post
        if i < n - 1:
            sep = toks[i + 1]
            toks[i + 1] = tail + sep if "-" in sep else tail
        else:
            toks.append(tail)
    return _finish("".join(toks))


def normalize_initials(given: str, terminator: str | None, *, hyphen: bool = True) -> str:
    """initialize="false": only the initials already there get the terminator ("M.E" → "M. E.")."""
    if not given:
        return ""
    term = terminator or ""
    if given in ("Lord", "Lady") or not STARTS_ROMANESQUE.match(given):
        return given
    toks = _tokens(given, hyphen)
    abbrev: list[bool] = []
    for i, tok in enumerate(toks):
        if i % 2:
            abbrev.append(False)
        elif len(tok) > 1 and tok.endswith("."):
            toks[i] = tok[:-1]
            abbrev.append(True)
        else:
            abbrev.append(len(tok) == 1 and tok.upper() == tok and tok.lower() != tok)
    n = len(toks)
    for i in range(0, n, 2):
        if not abbrev[i]:
            continue
        if i == n - 1:
            toks[i] += term
        elif abbrev[i + 2]:
            toks[i] += term
            toks[i + 1] = ""
        else:
            toks[i] += _TRAILING_SPACE.sub("", term)
            toks[i + 1] = " " if " " in toks[i + 1] or not toks[i + 1] else toks[i + 1]
    return _finish("".join(toks))
