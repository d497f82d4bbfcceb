"""Link-check rules configured like lychee's: ``[tool.citekit.check]`` / ``[check]``, flags, ``.citekitignore``.

The settings file is found by :func:`citekit.config.project_settings`; flags add to its lists and
override its scalars. Header values may name an environment variable (``"$TOKEN"``), so secrets
stay out of the file; values are never put into a message.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citekit.config import project_settings
from citekit.errors import CitekitError

KEYS = ("exclude", "include", "exclude-path", "accept", "remap", "headers", "max-cache-age", "offline")
IGNORE_FILE = ".citekitignore"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


@dataclass
class LinkRules:
    """What to skip, rewrite, accept and send, for one run."""

    exclude: list[tuple[re.Pattern[str], str]] = field(default_factory=list)  # (pattern, where it came from)
    include: list[re.Pattern[str]] = field(default_factory=list)
    exclude_path: list[str] = field(default_factory=list)
    accept: list[tuple[re.Pattern[str] | None, frozenset[int]]] = field(default_factory=list)
    remap: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    headers: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)  # host -> headers
    max_cache_age: float | None = None
    offline: bool = False
    root: Path | None = None  # exclude-path globs are relative to this folder

    def excluded(self, url: str) -> str | None:
        """Why ``url`` is not to be requested, or None. ``include`` wins over every exclude."""
        if any(p.search(url) for p in self.include):
            return None
        for pattern, source in self.exclude:
            if pattern.search(url):
                return f"excluded by {source} pattern {pattern.pattern!r}"
        return None

    def accepted(self, url: str) -> frozenset[int]:
        codes: frozenset[int] = frozenset()
        for pattern, these in self.accept:
            if pattern is None or pattern.search(url):
                codes |= these
        return codes

    def remapped(self, url: str) -> str:
        """``url`` after the first remap rule that matches it (lychee applies one rule, too)."""
        for pattern, replacement in self.remap:
            if pattern.search(url):
                return pattern.sub(replacement, url, count=1)
        return url

    def path_excluded(self, path: str | Path) -> bool:
        p = Path(path).resolve()
        rel = p.as_posix()
        if self.root is not None:
            try:
                rel = p.relative_to(self.root.resolve()).as_posix()
            except ValueError:
                pass
        for glob in self.exclude_path:
            g = glob.rstrip("/")
            if fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(rel, g + "/*") or fnmatch.fnmatch(p.name, g):
                return True
        return False


def parse_codes(value: Any, where: str = "accept") -> frozenset[int]:
    """``200..=299, 403`` (lychee's syntax: ``a..=b`` inclusive, ``a..b`` exclusive), a number, or a list."""
    items = value if isinstance(value, list) else [value]
    codes: set[int] = set()
    for item in items:
        for part in str(item).replace(" ", "").split(","):
            if not part:
                continue
            m = re.fullmatch(r"(\d{3})(?:\.\.(=?)(\d{3}))?", part)
            if not m:
                raise CitekitError(f"{where}: {part!r} is not a status code or range (e.g. 200..=299, 403)")
            lo = int(m.group(1))
            hi = lo if m.group(3) is None else int(m.group(3)) - (0 if m.group(2) else 1)
            if not 100 <= lo <= hi <= 999:
                raise CitekitError(f"{where}: {part!r} is an empty or impossible range")
            codes.update(range(lo, hi + 1))
    return frozenset(codes)


def parse_duration(value: Any, where: str = "max-cache-age") -> float:
    """``3600``, ``90s``, ``30m``, ``12h``, ``1d``, ``2w`` (or ``1d12h``) to seconds."""
    text = str(value).strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)([smhdw])", text)
    if not parts or "".join(n + u for n, u in parts) != text.replace(" ", ""):
        raise CitekitError(f"{where}: {value!r} is not a duration (e.g. 1d, 12h, 30m, 3600)")
    return sum(float(n) * _UNITS[u] for n, u in parts)


def _regex(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise CitekitError(f"{where}: bad regular expression {pattern!r}: {exc}") from None


def _replacement(text: str) -> str:
    """lychee/Rust replacement syntax (``$1``, ``${1}``, ``$name``, ``${name}``) to Python's."""
    text = text.replace("\\", "\\\\")
    return re.sub(r"\$(?:\{(\w+)\}|(\w+))", lambda m: f"\\g<{m.group(1) or m.group(2)}>", text)


def parse_remap(rule: str, where: str = "remap") -> tuple[re.Pattern[str], str]:
    parts = str(rule).split()
    if len(parts) != 2:
        raise CitekitError(f"{where}: {rule!r} must be 'PATTERN REPLACEMENT'")
    return _regex(parts[0], where), _replacement(parts[1])


def _header_value(value: Any, host: str, name: str) -> str:
    text = str(value)
    m = re.fullmatch(r"\$\{?(\w+)\}?", text.strip())
    if m:
        env = os.environ.get(m.group(1))
        if env is None:
            raise CitekitError(f"headers: {name} for {host} names ${m.group(1)}, which is not set")
        return env
    return text


def parse_header_flag(flag: str) -> tuple[str, str, str]:
    """``HOST=Name: value`` to (host, name, value)."""
    host, sep, rest = flag.partition("=")
    name, colon, value = rest.partition(":")
    if not sep or not colon or not host.strip() or not name.strip():
        # The flag itself may hold a secret: name only its host in the message.
        raise CitekitError(f"--header for {host.strip() or '?'}: must be 'HOST=Name: value'")
    return host.strip().lower(), name.strip(), value.strip()


def _accept_rules(value: Any, where: str) -> list[tuple[re.Pattern[str] | None, frozenset[int]]]:
    if isinstance(value, dict):
        return [(_regex(p, where), parse_codes(c, f"{where} {p!r}")) for p, c in value.items()]
    return [(None, parse_codes(value, where))]


def accept_flag(flag: str) -> tuple[re.Pattern[str] | None, frozenset[int]]:
    """``--accept CODES`` (every URL) or ``--accept 'PATTERN CODES'``."""
    try:
        return None, parse_codes(flag, "--accept")
    except CitekitError:
        pattern, _, codes = flag.strip().rpartition(" ")
        if not pattern:
            raise
        return _regex(pattern.strip(), "--accept"), parse_codes(codes, "--accept")


def read_ignore_file(path: Path) -> list[str]:
    """URL regexes, one a line; blank lines and ``#`` comments skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CitekitError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", path) from None
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def _strings(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise CitekitError(f"{where} must be a string or a list of strings")


def load_rules(start: str | Path | None = None, *, exclude: Iterable[str] = (), include: Iterable[str] = (),
               exclude_path: Iterable[str] = (), accept: Iterable[str] = (), remap: Iterable[str] = (),
               headers: Iterable[str] = (), max_cache_age: str | None = None,
               offline: bool | None = None) -> LinkRules:
    """The rules at ``start`` (the settings file's ``check`` table, ``.citekitignore``), plus flags."""
    settings = project_settings(start)
    table = {k.replace("_", "-"): v for k, v in settings.table("check").items()}
    unknown = sorted(set(table) - set(KEYS))
    try:
        if unknown:
            raise CitekitError(f"[check] has unknown key(s) {', '.join(unknown)}; known: {', '.join(KEYS)}")
        root = settings.root or Path.cwd()
        rules = LinkRules(root=root)
        for pat in _strings(table.get("exclude", []), "[check] exclude"):
            rules.exclude.append((_regex(pat, "[check] exclude"), "configuration"))
        rules.include = [_regex(p, "[check] include") for p in _strings(table.get("include", []), "[check] include")]
        rules.exclude_path = _strings(table.get("exclude-path", []), "[check] exclude-path")
        if "accept" in table:
            rules.accept = _accept_rules(table["accept"], "[check] accept")
        rules.remap = [parse_remap(r, "[check] remap") for r in _strings(table.get("remap", []), "[check] remap")]
        host_table = table.get("headers", {})
        if not isinstance(host_table, dict) or not all(isinstance(v, dict) for v in host_table.values()):
            raise CitekitError('[check] headers must be tables, e.g. [tool.citekit.check.headers."example.org"]')
        for host, hdrs in host_table.items():
            rules.headers[host.lower()] = {n: _header_value(v, host, n) for n, v in hdrs.items()}
        if "max-cache-age" in table:
            rules.max_cache_age = parse_duration(table["max-cache-age"], "[check] max-cache-age")
        if "offline" in table:
            if not isinstance(table["offline"], bool):
                raise CitekitError("[check] offline must be true or false")
            rules.offline = table["offline"]
    except CitekitError as exc:
        raise CitekitError(exc.message, exc.path or settings.path, exc.line) from None
    for folder in dict.fromkeys([root, Path.cwd()]):
        ignore = folder / IGNORE_FILE
        if ignore.is_file():
            for pat in read_ignore_file(ignore):
                rules.exclude.append((_regex(pat, str(ignore)), IGNORE_FILE))
    rules.exclude += [(_regex(p, "--exclude"), "--exclude") for p in exclude]
    rules.include += [_regex(p, "--include") for p in include]
    rules.exclude_path += list(exclude_path)
    rules.accept += [accept_flag(a) for a in accept]
    rules.remap += [parse_remap(r, "--remap") for r in remap]
    for flag in headers:
        host, name, value = parse_header_flag(flag)
        rules.headers.setdefault(host, {})[name] = _header_value(value, host, name)
    if max_cache_age is not None:
        rules.max_cache_age = parse_duration(max_cache_age, "--max-cache-age")
    if offline is not None:
        rules.offline = offline
    return rules
