"""Built sites shared by the site tests: one with local settings, one with publish settings
(built once per module; building never touches the network)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pelican import Pelican
from pelican.settings import read_settings

from tests.conftest import ROOT, build_site

PUBLISH_SITEURL = "https://pulse.example.org/community-pulse"


def blog_only_settings(content: Path) -> dict[str, object]:
    """Settings overrides for a build of ``content`` with the blog plugin alone, so that
    blog behaviour is tested without the dashboard's data."""
    return {
        "PATH": str(content),
        "PLUGINS": ["pulse_site"],
        "PLUGIN_PATHS": [str(ROOT / "plugins")],
        "TEMPLATE_PAGES": {},
        "STATIC_PATHS": [],
        "EXTRA_PATH_METADATA": {},
        "NAV_LINKS": [("Home", "")],
    }


def build_publish_site(output: Path, **overrides: object) -> Path:
    """Build with publishconf.py (absolute SITEURL, feeds on), never fetching."""
    import os

    previous = os.environ.get("SITEURL")
    os.environ["SITEURL"] = PUBLISH_SITEURL
    try:
        settings = read_settings(
            str(ROOT / "publishconf.py"),
            override={
                "OUTPUT_PATH": str(output),
                "CACHE_CONTENT": False,
                "COMMUNITY_METRICS_FETCH": False,
                **overrides,
            },
        )
    finally:
        if previous is None:
            os.environ.pop("SITEURL", None)
        else:
            os.environ["SITEURL"] = previous
    Pelican(settings).run()
    return output


@pytest.fixture(scope="session")
def local_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("local-site"))


@pytest.fixture(scope="session")
def publish_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_publish_site(tmp_path_factory.mktemp("publish-site"))
