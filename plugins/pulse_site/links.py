"""Give every external link in a post or page ``rel="noopener noreferrer"``.

Templates write the attribute themselves; this covers links inside markdown bodies, including
raw HTML the author typed.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

ANCHOR_TAG = re.compile(r"<a\b[^>]*>", re.IGNORECASE)
REQUIRED_REL = ("noopener", "noreferrer")


class _TagAttributes(HTMLParser):
    """Read the attributes of one start tag, decoding entities the way a browser does."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes = attrs


def is_external(href: str, site_url: str = "") -> bool:
    """True for links that leave the site: an http(s) or protocol-relative URL on another host."""
    parts = urlsplit(href.strip())
    if parts.scheme not in ("http", "https", "") or not parts.netloc:
        return False
    site_host = urlsplit(site_url).netloc if site_url else ""
    return parts.netloc.lower() != site_host.lower()


def _rewrite_anchor(tag: str, site_url: str) -> str:
    parser = _TagAttributes()
    parser.feed(tag)
    parser.close()
    attributes = dict(parser.attributes)
    href = attributes.get("href")
    if not href or not is_external(href, site_url):
        return tag
    rel = (attributes.get("rel") or "").split()
    attributes["rel"] = " ".join(rel + [value for value in REQUIRED_REL if value not in rel])
    rendered = " ".join(
        name if value is None else f'{name}="{html.escape(value, quote=True)}"'
        for name, value in attributes.items()
    )
    return f"<a {rendered}>"


def add_noopener(content: str, site_url: str = "") -> str:
    """Return ``content`` with rel="noopener noreferrer" on every external ``<a>``."""
    return ANCHOR_TAG.sub(lambda match: _rewrite_anchor(match.group(0), site_url), content)


def protect_content_links(instance: object) -> None:
    """content_object_init receiver: rewrite the body of an article or page."""
    content = getattr(instance, "_content", None)
    if not content:
        return
    settings = getattr(instance, "settings", {}) or {}
    instance._content = add_noopener(content, settings.get("SITEURL", ""))
