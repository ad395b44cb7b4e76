"""The vendored plotly.js is the partial bundle at the version the installed plotly expects."""

from __future__ import annotations

import re
from pathlib import Path

import plotly.offline

VENDOR = (
    Path(__file__).resolve().parents[2]
    / "plugins"
    / "community_metrics"
    / "static"
    / "vendor"
    / "plotly"
)


def test_vendored_plotly_matches_the_installed_plotly() -> None:
    expected = plotly.offline.get_plotlyjs_version()
    assert (VENDOR / "VERSION").read_text().strip() == expected
    header = (VENDOR / "plotly-basic.min.js").read_text(encoding="utf-8")[:400]
    found = re.search(r"plotly\.js \(basic - minified\) v(\d+\.\d+\.\d+)", header)
    assert found, "plotly-basic.min.js does not start with the bundle's banner"
    assert found.group(1) == expected


def test_vendored_plotly_keeps_its_licence() -> None:
    assert "MIT License" in (VENDOR / "LICENSE").read_text()
