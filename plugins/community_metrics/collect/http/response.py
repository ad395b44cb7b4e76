"""One answer as the sources see it: status, case-insensitive headers, the body bytes."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from requests.structures import CaseInsensitiveDict

from community_metrics.collect.http.errors import FetchError


@dataclass
class HttpResponse:
    url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=CaseInsensitiveDict)
    body: bytes = b""

    def __post_init__(self) -> None:
        # HTTP header names are case-insensitive: every reader can ask for "Link" or "link"
        if not isinstance(self.headers, CaseInsensitiveDict):
            self.headers = CaseInsensitiveDict(self.headers)

    def json(self) -> Any:
        """The body as JSON; anything else (HTML, truncated, nested beyond Python's recursion
        limit, an integer longer than Python converts) is ``FetchError("bad_json")``."""
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            what = f"{describe_body(self)}, not JSON"
        except RecursionError:
            what = "JSON nested too deeply to read"
        except ValueError as exc:  # int-max-str-digits: a number of thousands of digits
            if "digits" in str(exc):
                limit = sys.get_int_max_str_digits()
                what = f"a number longer than {limit} digits, which no count can be"
            else:
                what = "invalid JSON (truncated or malformed), not JSON"
        raise FetchError(
            "bad_json", self.url, f"{self.url} returned {what}", status=self.status, body=self.body
        )


def describe_body(response: HttpResponse) -> str:
    """'an HTML page', 'an empty body' or 'invalid JSON': what came instead of JSON."""
    kind = response.headers.get("Content-Type", "") or ""
    start = response.body.lstrip()[:1]
    if "html" in kind.lower() or start == b"<":
        return "an HTML page"
    if not response.body.strip():
        return "an empty body"
    return "invalid JSON (truncated or malformed)"


def platform_reason(response: HttpResponse) -> str:
    """The short reason a JSON error body gives (``message``, ``reason``, ``error``), if any."""
    try:
        data = json.loads(response.body[:65536])
    except (UnicodeDecodeError, ValueError, RecursionError):
        return ""
    if not isinstance(data, dict):
        return ""
    for key in ("message", "reason", "error", "error_message", "description", "msg"):
        value = data.get(key)
        if isinstance(value, dict):  # Google APIs: {"error": {"code": 400, "message": …}}
            value = value.get("message")
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return ""


def host_of(url: str) -> str:
    """The key of the per-host limit and of ``defer``: ``host[:port]``, lower case."""
    return urlsplit(url).netloc.lower()
