"""Helpers of the dashboard tests: build the fixture site, parse pages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bs4 import BeautifulSoup
from pelican.log import LimitFilter

from tests.conftest import build_site

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


def fixture_settings(**overrides: object) -> dict[str, object]:
    """Settings that build the fixture history with the fixture posts (no network, fixed now)."""
    settings: dict[str, object] = {
        "PATH": str(FIXTURES / "content"),
        "COMMUNITY_METRICS_CONFIG": str(FIXTURES / "communities.yml"),
        "COMMUNITY_METRICS_DATA": str(FIXTURES / "data"),
        "COMMUNITY_METRICS_NOW": NOW,
        "TEMPLATE_PAGES": {},
        "STATIC_PATHS": [],
    }
    settings.update(overrides)
    return settings


def build(output: Path, **overrides: object) -> Path:
    # Pelican drops a warning it has already logged in this process (LimitFilter): forget
    # them, so that each build's warnings can be asserted.
    LimitFilter._raised_messages.clear()
    return build_site(output, **fixture_settings(**overrides))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
