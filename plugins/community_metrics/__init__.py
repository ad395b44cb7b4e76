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
    overrides = pelican.settings.setdefault("THEME_TEMPLATES_OVERRIDES", [])
    if str(TEMPLATES) not in overrides:
        overrides.append(str(TEMPLATES))  # appended: the site's own overrides come first


def get_generators(pelican: Any) -> type:
    from community_metrics.glue.generator import CommunityMetricsGenerator

    return CommunityMetricsGenerator


def add_chart_script(path: str, context: dict[str, Any]) -> None:
    from community_metrics.glue.generator import add_chart_script_to_post

    add_chart_script_to_post(path, context)


def register() -> None:
    signals.initialized.connect(apply_default_settings)
    signals.get_generators.connect(get_generators)
    signals.content_written.connect(add_chart_script)
