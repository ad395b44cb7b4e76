"""Injection corpus (issue 6, item 3): hostile names, descriptions, tags, post titles and API
strings flow through the registry, snapshots and posts into every output -- HTML pages, chart
JSON inside script tags, CSV, JSON, the Atom feed -- and come out inert."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from dashboard_helpers import build

XSS = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*7 }}{% if true %}jinja-ran{% endif %}"
FORMULA = '=HYPERLINK("http://evil.example","x")'

NAME_YAML = XSS.replace("'", "''")
FORMULA_YAML = FORMULA.replace('"', '\\"')
REGISTRY = f"""communities:
  - slug: evil
    name: '{NAME_YAML} {TEMPLATE}'
    description: "</script><script>alert(2)</script> {FORMULA_YAML} +1 -1 @SUM(A1)"
    url: 'https://example.org/"><script>alert(3)</script>'
    tags: ['<b onmouseover=alert(4)>bold</b>', '=SUM(1,2)', 'javascript:alert(5)']
    sources:
      - platform: discourse
        host: forum.example.org
"""


def observation(day: str, members: int, **fields: object) -> dict:
    data = {
        "community": "evil",
        "platform": "discourse",
        "source": "discourse:forum.example.org",
        "status": "ok",
        "metrics": {"members": members, "active_30d": 5},
        "created_at": "2020-01-01T00:00:00Z",
        "observed_at": f"{day}T03:00:00Z",
        "endpoint": "https://forum.example.org/about.json",
        "error": None,
    }
    data.update(fields)
    return data


def hostile_site(tmp_path: Path) -> Path:
    (tmp_path / "communities.yml").write_text(REGISTRY, encoding="utf-8")
    folder = tmp_path / "data" / "snapshots" / "2026"
    folder.mkdir(parents=True)
    days = {
        "2026-10-01": [observation("2026-10-01", 10)],
        "2026-10-02": [
            observation(
                "2026-10-02",
                12,
                status="stale",
                error=f"</script><script>alert(6)</script> {XSS} {TEMPLATE}",
                endpoint="javascript:alert(7)",
            ),
            # API strings: a source and platform named by a hostile server
            observation(
                "2026-10-02",
                3,
                source=f"{FORMULA}<svg onload=alert(8)>",
                platform="<iframe src=javascript:alert(9)>",
                endpoint="https://ok.example/\u2028</script>",
            ),
            # a community that is not a slug must never become a path
            observation("2026-10-02", 1, community="../../<script>alert(10)</script>"),
        ],
    }
    for day, observations in days.items():
        snapshot = {
            "schema_version": 1,
            "date": day,
            "generated_at": f"{day}T03:05:00Z",
            "synthetic": False,
            "observations": observations,
        }
        (folder / f"{day}.json").write_text(json.dumps(snapshot), encoding="utf-8")
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    (posts / "hostile.md").write_text(
        f"Title: {XSS} {TEMPLATE}\nDate: 2026-10-02 09:00\nCategory: Measurement\n"
        f"Tags: <svg onload=alert(11)>\nSlug: hostile\nCommunities: evil\n"
        "Summary: A post about a hostile community.\n\n"
        "Members: {metric evil members}. {chart evil members}\n",
        encoding="utf-8",
    )
    return build(
        tmp_path / "out",
        PATH=str(tmp_path / "content"),
        COMMUNITY_METRICS_CONFIG=str(tmp_path / "communities.yml"),
        COMMUNITY_METRICS_DATA=str(tmp_path / "data"),
        SITEURL="http://127.0.0.1:8000",
        RELATIVE_URLS=False,
        FEED_DOMAIN="http://127.0.0.1:8000",
        FEED_ALL_ATOM="feeds/all.atom.xml",
    )


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_site(tmp_path_factory.mktemp("hostile"))


ALLOWED_SCRIPT_SOURCES = (
    "/theme/js/pulse.js",
    "/theme/js/pulse-readers.js",
    "/theme/js/pulse-compare.js",
)
#: The one inline SVG our pages carry, a sparkline: a <title> (escaped text) and a <path>.
SPARKLINE_ATTRIBUTES = {"class", "width", "height", "viewbox", "role", "aria-label"}


def is_sparkline(element: object) -> bool:
    children = [child.name for child in element.find_all(True)]
    return (
        element.get("class") == ["pulse-spark"]
        and set(element.attrs) <= SPARKLINE_ATTRIBUTES
        and children == ["title", "path"]
        and set(element.path.attrs) <= {"d", "fill", "stroke", "stroke-width", "stroke-linecap"}
    )


def injected(markup: str) -> list[str]:
    """Every element or attribute of ``markup`` that could run code or load from elsewhere."""
    found = []
    page = BeautifulSoup(markup, "html.parser")
    for element in page.find_all(True):
        for attribute, value in element.attrs.items():
            if attribute.lower().startswith("on"):
                found.append(f"{element.name}[{attribute}]")
            text = " ".join(value) if isinstance(value, list) else str(value)
            if attribute in ("href", "src", "action", "formaction", "data") and (
                text.strip().lower().startswith("javascript:")
            ):
                found.append(f"{element.name}[{attribute}={text}]")
        if element.name == "svg" and is_sparkline(element):
            continue
        if element.name in ("iframe", "svg", "object", "embed"):
            found.append(str(element)[:80])
        if element.name == "img" and not element.get("src", "").startswith(("http", "/")):
            found.append(str(element)[:80])
        if element.name == "script":
            if element.get("type") == "application/json":
                if "<" in element.string:
                    found.append("raw '<' inside a JSON script block")
                json.loads(element.string)
            elif not element.get("src", "").endswith(ALLOWED_SCRIPT_SOURCES) or element.string:
                found.append(str(element)[:80])
    return found


PULSE_PAGES = ("dashboard", "communities", "benchmarks", "status", "data")


def _problems(out: Path, pages: list[Path]) -> dict[str, list[str]]:
    return {
        str(page.relative_to(out)): found
        for page in pages
        if (found := injected(page.read_text(encoding="utf-8")))
    }


def test_every_dashboard_page_is_inert(out: Path) -> None:
    pages = [p for p in out.rglob("*.html") if p.relative_to(out).parts[0] in PULSE_PAGES]
    assert len(pages) >= 5
    assert _problems(out, pages) == {}


def test_every_blog_page_is_inert(out: Path) -> None:
    pages = [p for p in out.rglob("*.html") if p.relative_to(out).parts[0] not in PULSE_PAGES]
    assert len(pages) >= 5
    assert _problems(out, pages) == {}


def test_hostile_text_is_shown_as_text(out: Path) -> None:
    dashboard = BeautifulSoup((out / "dashboard/index.html").read_text(), "html.parser")
    name = dashboard.select_one("table[data-sortable] tbody th").get_text()
    assert name.startswith('<script>alert("x")</script>')  # visible, as text
    assert name.endswith("{{ 7*7 }}{% if true %}jinja-ran{% endif %}")  # not evaluated
    assert "49" not in dashboard.get_text()
    community = (out / "communities/evil/index.html").read_text()
    assert "&lt;/script&gt;&lt;script&gt;alert(2)" in community


def test_community_that_is_not_a_slug_gets_no_page(out: Path) -> None:
    assert not any("alert(10)" in str(p) for p in out.rglob("*"))
    assert not (out.parent / "<script>alert(10)</script>").exists()
    status = BeautifulSoup((out / "status/index.html").read_text(), "html.parser")
    assert "is not a slug" in status.get_text()


def test_javascript_urls_are_dropped(out: Path) -> None:
    for name in ("communities/evil/index.html", "status/index.html"):
        page = BeautifulSoup((out / name).read_text(), "html.parser")
        hrefs = [a["href"] for a in page.find_all("a", href=True)]
        assert not [h for h in hrefs if "javascript" in h.lower()]
        external = [a for a in page.find_all("a", href=True) if a["href"].startswith("https://")]
        assert external and all(a.get("rel") == ["noopener", "noreferrer"] for a in external)


def test_chart_json_escapes_script_breakers(out: Path) -> None:
    page = (out / "communities/evil/index.html").read_text()
    soup = BeautifulSoup(page, "html.parser")
    blocks = soup.select("script[type='application/json']")
    assert blocks
    for block in blocks:
        text = block.string
        assert "</script" not in text.lower() and "\u2028" not in text
        figure = json.loads(text)
        for trace in figure["data"]:
            assert "<" not in trace.get("name", "").replace("&lt;", "")


def test_feed_entries_are_inert(out: Path) -> None:
    feed = ET.parse(out / "feeds" / "all.atom.xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.getroot().findall("a:entry", ns)
    assert entries
    for entry in entries:
        for tag in ("a:title", "a:summary", "a:content"):
            node = entry.find(tag, ns)
            if node is not None and node.text:
                assert injected(node.text) == [], f"feed {tag}"


def _csv_cells(path: Path) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(path.read_text())) for cell in row]


def test_csv_cells_cannot_start_a_formula(out: Path) -> None:
    files = [out / "data/observations.csv", *sorted((out / "data/communities").glob("*.csv"))]
    for path in files:
        assert path.exists(), path
        for cell in _csv_cells(path):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), f"{path.name}: {cell}"
    assert any(cell.startswith("'=HYPERLINK") for cell in _csv_cells(files[0]))


def test_json_downloads_parse_and_keep_text_verbatim(out: Path) -> None:
    data = json.loads((out / "data/observations.json").read_text())
    sources = [series["source"] for series in data["series"]]
    assert f"{FORMULA}<svg onload=alert(8)>" in sources  # JSON keeps text verbatim
    json.loads((out / "data/snapshot.schema.json").read_text())
