"""The plugin in a site that is not ours: Pelican's default theme, the plugin added to PLUGINS,
COMMUNITY_METRICS_CONFIG set. The plugin ships its own templates and assets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bs4 import BeautifulSoup
from pelican import Pelican
from pelican.settings import read_settings

FIXTURES = Path(__file__).resolve().parents[1] / "render" / "fixtures"


def test_a_default_theme_site_gets_every_plugin_page(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "hello.md").write_text(
        "Title: Hello\nDate: 2026-11-01\n\nA post of a site that only added the plugin.\n",
        encoding="utf-8",
    )
    output = tmp_path / "output"
    settings = read_settings(
        path=None,
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "PLUGINS": ["community_metrics"],
            "COMMUNITY_METRICS_CONFIG": str(FIXTURES / "communities.yml"),
            "COMMUNITY_METRICS_DATA": str(FIXTURES / "data"),
            "COMMUNITY_METRICS_NOW": datetime(2026, 11, 2, 3, 0, tzinfo=UTC),
            "CACHE_CONTENT": False,
            "SITEURL": "",
            "RELATIVE_URLS": True,
        },
    )
    assert settings["THEME"].endswith("notmyidea")
    Pelican(settings).run()

    for page in ("dashboard", "status", "data", "benchmarks"):
        html = (output / page / "index.html").read_text(encoding="utf-8")
        assert "notmyidea" in html or "theme/css/main.css" in html  # the site's own theme
    dashboard = BeautifulSoup((output / "dashboard" / "index.html").read_text(), "html.parser")
    assert dashboard.select("table")  # the plugin's content, inside the default theme
    community = sorted((output / "communities").iterdir())[0] / "index.html"
    assert community.is_file()
    # the assets the plugin's pages load are in the output
    for ref in dashboard.select("script[src], link[rel=stylesheet]"):
        target = ref.get("src") or ref.get("href")
        if target.startswith(("http:", "https:", "//")):
            continue
        assert (output / "dashboard" / target).resolve().is_file(), target
