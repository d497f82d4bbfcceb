"""The secrets citekit reads from the environment, and a redactor that keeps them out of messages.

Servers sometimes echo what they were sent (an API key in an error page); every message citekit
prints passes :func:`redact` first, so a key can only leave through the request it belongs to.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any, TextIO

# Every environment variable citekit reads a credential from.
SECRET_ENV = ("ZOTERO_API_KEY", "CITEKIT_CONGRESS_API_KEY", "CITEKIT_IA_ACCESS_KEY", "CITEKIT_IA_SECRET_KEY")
MASK = "[redacted]"
_MIN_LENGTH = 4  # shorter values would mask ordinary words


def secret_values(extra: Iterable[str | None] = ()) -> list[str]:
    """The configured secret values (longest first, so one never leaves part of another)."""
    values = {os.environ.get(name, "") for name in SECRET_ENV} | {v or "" for v in extra}
    return sorted((v for v in values if len(v.strip()) >= _MIN_LENGTH), key=len, reverse=True)


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """``text`` with every secret value replaced by ``[redacted]``."""
    for value in secret_values() if secrets is None else secrets:
        if value and value in text:
            text = text.replace(value, MASK)
    return text


class RedactingStream:
    """A text stream that redacts secrets from everything written through it."""

    def __init__(self, stream: TextIO, secrets: list[str]) -> None:
        self._stream = stream
        self._secrets = secrets

    def write(self, text: str) -> int:
        self._stream.write(redact(text, self._secrets))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
