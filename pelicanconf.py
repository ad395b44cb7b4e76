"""Pelican settings for local work: relative URLs, no feeds, demo data when data/ is empty.

``publishconf.py`` imports everything from here and switches on what production needs.
"""

from __future__ import annotations

AUTHOR = "Community Pulse"
SITENAME = "Community Pulse"
SITESUBTITLE = "Are our communities alive? Membership, age and engagement, measured nightly."
SITE_DESCRIPTION = (
    "Community Pulse tracks how online communities grow and engage over time, from the public "
    "APIs of the platforms they live on, and writes about measuring communities."
)
SITEURL = ""
RELATIVE_URLS = True

PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
# Files copied as they are; hidden files are ignored by Pelican, hence "nojekyll" renamed below.
STATIC_PATHS = ["extra"]
EXTRA_PATH_METADATA = {
    "extra/favicon.ico": {"path": "favicon.ico"},
    "extra/nojekyll": {"path": ".nojekyll"},
}
# robots.txt is a template so that it can name the sitemap by its absolute URL.
TEMPLATE_PAGES = {"extra/robots.txt": "robots.txt"}
READERS = {"txt": None}

TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%d %B %Y"
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
SUMMARY_MAX_LENGTH = 60

# --- URLs: pretty, directory-style (see DESIGN.md, "Pages") -----------------------------------
ARTICLE_URL = "posts/{slug}/"
ARTICLE_SAVE_AS = "posts/{slug}/index.html"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "categories/{slug}/"
CATEGORY_SAVE_AS = "categories/{slug}/index.html"
CATEGORIES_URL = "categories/"
CATEGORIES_SAVE_AS = "categories/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
AUTHOR_URL = "authors/{slug}/"
AUTHOR_SAVE_AS = "authors/{slug}/index.html"
AUTHORS_URL = "authors/"
AUTHORS_SAVE_AS = "authors/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
YEAR_ARCHIVE_URL = "posts/{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = "posts/{date:%Y}/index.html"
MONTH_ARCHIVE_URL = "posts/{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = "posts/{date:%Y}/{date:%m}/index.html"
DIRECT_TEMPLATES = ["index", "tags", "categories", "authors", "archives", "404"]
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None, "author": None}
# A 404 is served at any missing path, so it links with absolute URLs (see publishconf.py).
# Jinja cannot name a key that starts with a digit in settings, hence the explicit entries.
globals()["404_SAVE_AS"] = "404.html"
globals()["404_URL"] = "404.html"

# --- Feeds: off locally (no feed warnings without SITEURL); on in publishconf.py ----------------
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# --- Theme and plugins ------------------------------------------------------------------------
THEME = "theme"
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["community_metrics", "pulse_site"]

# Navigation, in order: (label, URL relative to the site root).
NAV_LINKS = [
    ("Home", ""),
    ("Dashboard", "dashboard/"),
    ("Compare", "compare/"),
    ("Benchmarks", "benchmarks/"),
    ("Status", "status/"),
    ("Data", "data/"),
    ("Posts", "archives/"),
    ("Methodology", "methodology/"),
    ("About", "about/"),
]
DISPLAY_PAGES_ON_MENU = False
DISPLAY_CATEGORIES_ON_MENU = False

# Categories a post may use; anything else is reported as a front-matter error (pulse_site).
PULSE_CATEGORIES = ["Measurement", "Methods", "Project"]

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "markdown.extensions.toc": {"permalink": False},
        "markdown.extensions.smarty": {},
    },
    "output_format": "html5",
}

# --- Community Pulse plugin -------------------------------------------------------------------
COMMUNITY_METRICS_CONFIG = "communities.yml"
COMMUNITY_METRICS_DATA = "data"
COMMUNITY_METRICS_DEMO = "demo"
COMMUNITY_METRICS_FETCH = False
COMMUNITY_METRICS_STRICT = False

CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

# Every build starts from an empty output/: no page of a deleted post, or of a demo community
# once real snapshots exist, survives a rebuild. A checkout kept in output/ stays.
DELETE_OUTPUT_DIRECTORY = True
OUTPUT_RETENTION = [".git", ".hg", ".svn"]
