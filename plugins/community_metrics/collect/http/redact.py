"""The one place every message and every recorded byte passes: secrets become ``***``.

A secret is matched in every spelling it can take on the way out: raw; percent-encoded with
upper- or lower-case hex digits, as ``quote``/``quote_plus`` write it (a space as ``+``), even
mixed within one token; JSON-escaped (``\\"``, ``\\/``, ``\\uXXXX``) as a server may echo it in an
error body. The base64 ``user:token`` pair of basic authentication is registered as a secret of
its own. URL userinfo (``https://user:password@host``) is removed from every text whatever it
holds. Secrets shorter than ``MIN_SECRET`` characters are not registered (they would blank out
ordinary words); platform tokens are far longer.
"""

from __future__ import annotations

import json
import logging
import re
import threading

MIN_SECRET = 4
MASK = "***"

# ``scheme://userinfo@``: whatever stands before the ``@`` of an authority is a credential
_USERINFO = re.compile(r"(?<=://)[^/?#@\s\"'<>]*@")


def _hex(byte: int, prefix: str) -> str:
    """``%2F`` or ``\\u002f`` for one code unit, hex digits in either case."""
    digits = f"{byte:02X}" if prefix == "%" else f"{byte:04X}"
    return re.escape(prefix) + "".join(f"[{d}{d.lower()}]" if d.isalpha() else d for d in digits)


def _char(c: str) -> str:
    """A regular expression for one character of a secret in any of its spellings, the longest
    first (a literal ``%`` must not match the start of ``%25``)."""
    units = c.encode("utf-16-be")
    forms = [
        "".join(_hex(int.from_bytes(units[i : i + 2]), "\\u") for i in range(0, len(units), 2)),
        "".join(_hex(b, "%") for b in c.encode("utf-8")),
    ]
    escaped = json.dumps(c)[1:-1]
    if escaped != c:
        forms.append(re.escape(escaped))
    if c == "/":
        forms.append(r"\\/")
    if c == " ":
        forms.append(r"\+")
    forms.append(re.escape(c))
    return "(?:" + "|".join(forms) + ")"


def pattern_for(secret: str) -> str:
    return "".join(_char(c) for c in secret)


class Redactor:
    """Holds a client's secrets; thread-safe (sources register tokens from many threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._text: re.Pattern[str] | None = None
        self._bytes: re.Pattern[bytes] | None = None

    def add(self, secret: str) -> None:
        if len(secret) < MIN_SECRET:
            return
        with self._lock:
            if secret in self._secrets:
                return
            self._secrets.add(secret)
            # longest first: a secret containing another is masked whole
            source = "|".join(pattern_for(s) for s in sorted(self._secrets, key=len, reverse=True))
            self._text = re.compile(source)
            self._bytes = re.compile(source.encode("utf-8"))

    def text(self, text: str) -> str:
        """``text`` without any secret and without URL userinfo."""
        pattern = self._text
        if pattern is not None:
            text = pattern.sub(MASK, text)
        if "@" in text:
            text = _USERINFO.sub(MASK + "@", text)
        return text

    def secrets(self, text: str) -> str:
        """``text`` without any secret (URL userinfo left alone: for recorded bodies)."""
        pattern = self._text
        return pattern.sub(MASK, text) if pattern is not None else text

    def bytes(self, data: bytes) -> bytes:
        """``data`` (a recorded body) without any secret; everything else left as it was."""
        pattern = self._bytes
        return pattern.sub(MASK.encode(), data) if pattern is not None else data


def has_userinfo(url: str) -> bool:
    return bool(_USERINFO.search(url))


class RedactingFilter(logging.Filter):
    """Scrubs secrets from the lines of a library logger (urllib3's debug lines show URLs, and a
    token may travel as a query parameter or in the path)."""

    def __init__(self, redactor: Redactor):
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redactor.text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
