"""Community Pulse: the Pelican plugin that turns community snapshots into pages.

``register()`` connects module-level receivers only (Pelican holds them by weak reference) and
keeps no state between runs, so autoreload rebuilds from scratch every time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pelican import signals

#: The plugin's own page templates (``pulse/*.html``): any theme renders the plugin's pages,
#: and a theme that ships a template of the same name overrides it.
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The assets those pages load (pulse.css, pulse.js, the self-hosted plotly.js), copied into the
#: output's theme folder next to the site theme's own.
STATIC = Path(__file__).resolve().parent / "static"

#: The Python-Markdown extension that parses {metric ...} and {chart ...} (glue/markdown_ext.py).
MARKDOWN_EXTENSION = "community_metrics.glue.markdown_ext"

#: Defaults of the plugin's settings, applied with ``setdefault`` so the user's values win.
DEFAULT_SETTINGS: dict[str, Any] = {
    "COMMUNITY_METRICS_CONFIG": "communities.yml",
    "COMMUNITY_METRICS_DATA": "data",
    "COMMUNITY_METRICS_DEMO": "demo",
    "COMMUNITY_METRICS_FETCH": False,
    "COMMUNITY_METRICS_STRICT": False,
    "COMMUNITY_METRICS_PLOTLY_JS": "vendor/plotly/plotly-basic.min.js",
    # Rows per page of the dashboard's communities table (the rest: /dashboard/page/<n>/).
    "COMMUNITY_METRICS_TABLE_ROWS": 50,
    # What changed, as Atom; written when the site's feeds are on (FEED_ALL_ATOM set).
    "COMMUNITY_METRICS_CHANGES_FEED": "feeds/changes.atom.xml",
}


def apply_default_settings(pelican: Any) -> None:
    for name, value in DEFAULT_SETTINGS.items():
        pelican.settings.setdefault(name, value)
    # {metric}/{chart} are Markdown syntax: our extension joins the site's own (a copy of the
    # dict, so that Pelican's defaults are never changed in place)
    markdown = dict(pelican.settings.get("MARKDOWN") or {})
    extensions = list(markdown.get("extensions") or [])
    if MARKDOWN_EXTENSION not in extensions:
        extensions.append(MARKDOWN_EXTENSION)
    markdown["extensions"] = extensions
    pelican.settings["MARKDOWN"] = markdown
    overrides = pelican.settings.setdefault("THEME_TEMPLATES_OVERRIDES", [])
    if str(TEMPLATES) not in overrides:
        overrides.append(str(TEMPLATES))  # appended: the site's own overrides come first
    statics = list(pelican.settings.get("THEME_STATIC_PATHS", ["static"]))
    if str(STATIC) not in statics:
        # first: a file of the same name in the site's theme wins (copied later, overwrites)
        pelican.settings["THEME_STATIC_PATHS"] = [str(STATIC), *statics]


def get_generators(pelican: Any) -> type:
    from community_metrics.glue.generator import CommunityMetricsGenerator

    return CommunityMetricsGenerator


def register() -> None:
    signals.initialized.connect(apply_default_settings)
    signals.get_generators.connect(get_generators)
