"""sitemap.xml for every HTML page the build writes (posts, pages, lists and the dashboard).

Why not the pelican-sitemap package: it keeps its state in a module-level object that is only
reset when a build *finishes*; after one failed build in a process (a test, or an autoreload
session) no later build in that process writes a sitemap. This one starts afresh on every
``initialized`` signal and writes on ``finalized``.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

logger = logging.getLogger(__name__)

EXCLUDED = re.compile(r"(^|/)(404\.html|page/\d+/index\.html)$|^(drafts|theme)/")
SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass
class _Queue:
    pages: dict[str, datetime | None] = field(default_factory=dict)


_queue = _Queue()


def page_url(site_url: str, relative_path: str) -> str:
    """The public URL of an output file: ``posts/x/index.html`` -> ``SITEURL/posts/x/``."""
    path = re.sub(r"(^|/)index\.html$", r"\1", relative_path)
    base = site_url.rstrip("/") if site_url.startswith(("http://", "https://")) else ""
    return f"{base}/{path}"


def render_sitemap(site_url: str, pages: dict[str, datetime | None], built: datetime) -> str:
    """The sitemap XML for ``{relative output path: last modified or None}``."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<urlset xmlns="{SITEMAP_NAMESPACE}">']
    for relative_path in sorted(pages):
        modified = pages[relative_path] or built
        lines.append(
            f"  <url><loc>{escape(page_url(site_url, relative_path))}</loc>"
            f"<lastmod>{modified.date().isoformat()}</lastmod></url>"
        )
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def start(pelican: object) -> None:
    """initialized receiver: forget whatever an earlier (perhaps failed) build queued."""
    _queue.pages = {}


def queue_page(path: str, context: dict) -> None:
    """content_written receiver: remember every HTML page written into the output."""
    output = context.get("OUTPUT_PATH")
    if not output or not str(path).endswith(".html"):
        return
    # Pelican's writer gives an absolute, normalised path (sanitised_join): comparing it with
    # the output folder the same way needs no file-system call (a large build writes
    # thousands of pages)
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(output))
    if relative.split(os.sep, 1)[0] == os.pardir:  # outside the output folder
        return
    relative = relative.replace(os.sep, "/")
    if EXCLUDED.search(relative):
        return
    content = context.get("article") or context.get("page")
    modified = getattr(content, "modified", None) or getattr(content, "date", None)
    _queue.pages[relative] = modified if isinstance(modified, datetime) else None


def write_sitemap(pelican: object) -> None:
    """finalized receiver: write output/sitemap.xml."""
    settings = pelican.settings
    target = Path(pelican.output_path) / "sitemap.xml"
    text = render_sitemap(settings.get("SITEURL", ""), _queue.pages, datetime.now(UTC))
    target.write_text(text, encoding="utf-8")
    logger.debug("community_metrics: sitemap.xml lists %s pages", len(_queue.pages))
    _queue.pages = {}
