"""One HTML escape (markupsafe's) and one slug rule (Pelican's slugify) in the plugin."""

from __future__ import annotations

import re
from pathlib import Path

from community_metrics.collect import demo
from community_metrics.render import charts

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "community_metrics"


def test_no_second_html_escape_in_the_plugin() -> None:
    offenders = [
        str(path.relative_to(PLUGIN))
        for path in PLUGIN.rglob("*.py")
        if re.search(r"\bhtml\.escape\(|from html import escape", path.read_text("utf-8"))
    ]
    assert offenders == []


def test_plotly_text_is_markupsafe_escape() -> None:
    assert charts.plotly_text("<b>\"A\" & 'B'</b>") == (
        "&lt;b&gt;&#34;A&#34; &amp; &#39;B&#39;&lt;/b&gt;"
    )


def test_chart_ids_and_demo_slugs_come_from_pelican_slugify() -> None:
    assert charts.chart_id("Python Org", "members") == "chart-python-org-members"
    assert charts.chart_id("C++ / Users") == "chart-c-users"
    assert charts.chart_id("Ünïcode Café", "x") == "chart-unicode-cafe-x"  # transliterated
    assert not hasattr(demo, "_slugify") and not hasattr(charts, "_SLUG_RE")
