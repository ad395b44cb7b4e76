"""Pelican settings for production: absolute SITEURL from the environment, feeds on,
collect at build time, strict snapshot contract, output directory cleaned first."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: E402, F403

DEFAULT_SITEURL = "https://community-pulse.github.io/community-pulse"


def _github_pages_url(repository: str) -> str:
    """``owner/name`` (GitHub Actions' GITHUB_REPOSITORY) -> its GitHub Pages address."""
    owner, _, name = repository.partition("/")
    if name.lower() == f"{owner.lower()}.github.io":
        return f"https://{owner.lower()}.github.io"
    return f"https://{owner.lower()}.github.io/{name}"


SITEURL = os.environ.get("SITEURL", "").strip().rstrip("/")
if not SITEURL:
    repository = os.environ.get("GITHUB_REPOSITORY", "").strip()
    SITEURL = _github_pages_url(repository) if "/" in repository else DEFAULT_SITEURL
    # A print, not a logger warning: publishing runs with --fatal warnings, and a build
    # without SITEURL should still succeed (its links then point at the address named here).
    print(
        f"community_metrics: SITEURL is not set in the environment; using {SITEURL}. "
        "Set SITEURL=https://<user>.github.io/<repo> to publish elsewhere.",
        file=sys.stderr,
    )
RELATIVE_URLS = False

FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/categories/{slug}.atom.xml"
FEED_MAX_ITEMS = 20

DELETE_OUTPUT_DIRECTORY = True
OUTPUT_RETENTION = [".git"]

COMMUNITY_METRICS_FETCH = True
COMMUNITY_METRICS_STRICT = True
