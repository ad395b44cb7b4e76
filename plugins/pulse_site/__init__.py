"""Site furniture for Community Pulse: front-matter checks, safe external links, sitemap.xml.

Kept apart from ``community_metrics`` (which turns snapshots into pages): this plugin only
looks after the blog's markdown content.
"""

from __future__ import annotations

from pelican import signals

from pulse_site.fatal import install_filter
from pulse_site.frontmatter import check_content_metadata, install_checked_readers
from pulse_site.links import protect_content_links
from pulse_site.sitemap import queue_page, start, write_sitemap


def register() -> None:
    signals.readers_init.connect(install_checked_readers)
    signals.content_object_init.connect(check_content_metadata)
    signals.content_object_init.connect(protect_content_links)
    signals.initialized.connect(install_filter)
    signals.initialized.connect(start)
    signals.content_written.connect(queue_page)
    signals.finalized.connect(write_sitemap)
