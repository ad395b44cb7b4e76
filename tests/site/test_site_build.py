"""The whole site, built through Pelican's API into a temporary folder: pages of the URL map,
links, meta, security headers in HTML, feeds, sitemap, robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.site.conftest import PUBLISH_SITEURL
from tests.site.sitecheck import (
    broken_references,
    external_resources,
    html_files,
    is_external,
    parse,
    site_path,
)

POST_SLUGS = ["counting-members", "community-age", "measuring-engagement"]

# The URL map of DESIGN.md ("Pages") as files. The dashboard pages come from the
# community_metrics generator, Methodology from the sources work: listed here on purpose, so
# the site is only green when every page of the map exists.
URL_MAP = [
    "index.html",
    "dashboard/index.html",
    "benchmarks/index.html",
    "status/index.html",
    "data/index.html",
    "compare/index.html",
    "methodology/index.html",
    "about/index.html",
    "archives/index.html",
    "tags/index.html",
    "categories/index.html",
    "authors/index.html",
    "404.html",
    "sitemap.xml",
    "robots.txt",
    "favicon.ico",
    ".nojekyll",
    "theme/css/site.css",
    "theme/img/favicon.svg",
    *[f"posts/{slug}/index.html" for slug in POST_SLUGS],
    "categories/measurement/index.html",
    "tags/membership/index.html",
    "tags/engagement/index.html",
    "tags/age/index.html",
    "posts/2026/index.html",
]
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.mark.parametrize("path", URL_MAP)
def test_url_map_page_exists(local_site: Path, path: str) -> None:
    assert (local_site / path).is_file(), f"{path} missing from the built site"


def test_every_community_has_its_badges_and_comparison_data(local_site: Path) -> None:
    slugs = [page.parent.name for page in (local_site / "communities").glob("*/index.html")]
    assert slugs
    for slug in slugs:
        for path in (
            f"badges/{slug}/members.svg",
            f"badges/{slug}/engagement.svg",
            f"compare/data/{slug}.json",
        ):
            assert (local_site / path).is_file(), f"{path} missing from the built site"


def test_every_internal_reference_resolves(local_site: Path) -> None:
    problems = broken_references(local_site)
    assert not problems, "broken internal references:\n" + "\n".join(problems)


def test_every_internal_reference_resolves_with_publish_settings(publish_site: Path) -> None:
    problems = broken_references(publish_site, PUBLISH_SITEURL)
    assert not problems, "broken internal references:\n" + "\n".join(problems)


@pytest.mark.parametrize("which", ["local", "publish"])
def test_no_resource_is_loaded_from_another_host(
    which: str, local_site: Path, publish_site: Path
) -> None:
    root, site_url = (local_site, "") if which == "local" else (publish_site, PUBLISH_SITEURL)
    problems = external_resources(root, site_url)
    assert not problems, "resources from other hosts:\n" + "\n".join(problems)


def _pages(root: Path) -> list[tuple[str, BeautifulSoup]]:
    return [(site_path(root, file), parse(file)) for file in html_files(root)]


def test_every_page_has_title_lang_description_and_social_meta(local_site: Path) -> None:
    pages = _pages(local_site)
    assert len(pages) >= 15
    for path, soup in pages:
        assert soup.title and soup.title.get_text(strip=True), f"{path}: empty <title>"
        assert soup.html.get("lang"), f"{path}: <html> has no lang"
        description = soup.find("meta", attrs={"name": "description"})
        assert description and description.get("content", "").strip(), (
            f"{path}: no meta description"
        )
        assert soup.find("meta", attrs={"property": "og:title"}), f"{path}: no og:title"
        assert soup.find("meta", attrs={"name": "twitter:card"}), f"{path}: no twitter:card"
        assert soup.find("meta", attrs={"name": "viewport"}), f"{path}: no viewport meta"


def test_every_page_has_landmarks_and_a_skip_link(local_site: Path) -> None:
    for path, soup in _pages(local_site):
        main = soup.find("main", id="main")
        assert main is not None, f"{path}: no <main id=main>"
        skip = soup.find("a", class_="skip-link")
        assert skip is not None and skip["href"] == "#main", f"{path}: no skip link to #main"
        assert soup.find("nav", attrs={"aria-label": "Main"}), f"{path}: no main <nav>"
        assert soup.find("header") and soup.find("footer"), f"{path}: header/footer missing"


def test_titles_and_descriptions_are_specific(local_site: Path) -> None:
    post = parse(local_site / "posts/counting-members/index.html")
    assert post.title.get_text().startswith("Counting members")
    description = post.find("meta", attrs={"name": "description"})["content"]
    assert "platform counts members differently" in description
    assert post.find("meta", attrs={"property": "og:type"})["content"] == "article"


def test_content_security_policy_allows_only_self(local_site: Path) -> None:
    for path, soup in _pages(local_site):
        meta = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert meta is not None, f"{path}: no CSP meta"
        policy = {
            part.split()[0]: part.split()[1:] for part in meta["content"].split(";") if part.strip()
        }
        assert policy["default-src"] == ["'self'"], path
        assert policy["script-src"] == ["'self'"], f"{path}: scripts must come from 'self' only"
        assert "'unsafe-eval'" not in meta["content"], path
        assert policy["img-src"][0] == "'self'", path
        assert set(policy["style-src"]) <= {"'self'", "'unsafe-inline'"}, path


def test_no_inline_executable_script(local_site: Path) -> None:
    for path, soup in _pages(local_site):
        for script in soup.find_all("script"):
            if script.get("src"):
                continue
            assert script.get("type") == "application/json", (
                f"{path}: inline <script> that the CSP would block: {str(script)[:80]}"
            )
        for tag in soup.find_all(True):
            handlers = [name for name in tag.attrs if name.lower().startswith("on")]
            assert not handlers, f"{path}: inline event handler {handlers} on <{tag.name}>"


def test_external_links_carry_noopener_noreferrer(local_site: Path) -> None:
    external = 0
    for path, soup in _pages(local_site):
        for link in soup.find_all("a", href=True):
            if is_external(link["href"]) and link["href"].startswith(("http", "//")):
                external += 1
                rel = set(link.get("rel") or [])
                assert {"noopener", "noreferrer"} <= rel, f"{path}: {link} lacks rel noopener"
    assert external >= 1  # the About page links to Pelican: the check has something to check


def test_home_lists_the_latest_posts_newest_first(local_site: Path) -> None:
    home = parse(local_site / "index.html")
    titles = [a.get_text(strip=True) for a in home.select(".post-list .post-card-title a")]
    assert titles[0].startswith("Engagement")
    assert titles[-1].startswith("Counting members")
    nav = [a.get_text(strip=True) for a in home.select("nav[aria-label=Main] a")]
    assert nav == [
        "Home",
        "Dashboard",
        "Compare",
        "Benchmarks",
        "Status",
        "Data",
        "Posts",
        "Methodology",
        "About",
    ]
    assert home.select_one('nav[aria-label=Main] a[aria-current="page"]').get_text() == "Home"


def test_local_build_has_no_feeds_and_relative_urls(local_site: Path) -> None:
    assert not (local_site / "feeds").exists()
    post = (local_site / "posts/counting-members/index.html").read_text(encoding="utf-8")
    assert 'href="../../theme/css/site.css"' in post


def test_posts_cite_published_figures_with_sources(local_site: Path) -> None:
    text = parse(local_site / "posts/counting-members/index.html").get_text(" ")
    assert "34%" in text and "Econsultancy" in text and "2008" in text
    assert "not our measurements" in text
    engagement = parse(local_site / "posts/measuring-engagement/index.html").get_text(" ")
    assert "90 / 9 / 1" in engagement and "Nielsen" in engagement and "2006" in engagement


# --- publish settings --------------------------------------------------------------------------


def test_publish_uses_absolute_urls_and_canonical_links(publish_site: Path) -> None:
    post = parse(publish_site / "posts/community-age/index.html")
    canonical = post.find("link", rel="canonical")["href"]
    assert canonical == f"{PUBLISH_SITEURL}/posts/community-age/"
    assert post.find("meta", attrs={"property": "og:url"})["content"] == canonical
    css = post.find("link", rel="stylesheet")["href"]
    assert css.startswith(PUBLISH_SITEURL + "/theme/")


def test_publish_feeds_parse_as_atom(publish_site: Path) -> None:
    feed = ET.parse(publish_site / "feeds/all.atom.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) >= 3
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert f"{PUBLISH_SITEURL}/posts/measuring-engagement/" in links
    category = ET.parse(publish_site / "feeds/categories/measurement.atom.xml").getroot()
    assert len(category.findall(f"{ATOM}entry")) == 3


def test_publish_writes_the_changes_feed(publish_site: Path) -> None:
    feed = ET.parse(publish_site / "feeds/changes.atom.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == (
        f"{PUBLISH_SITEURL}/feeds/changes.atom.xml"
    )


def test_pages_link_their_atom_feeds(publish_site: Path) -> None:
    home = parse(publish_site / "index.html")
    alternate = home.find("link", attrs={"type": "application/atom+xml"})
    assert alternate["href"] == f"{PUBLISH_SITEURL}/feeds/all.atom.xml"
    post = parse(publish_site / "posts/counting-members/index.html")
    feeds = [link["href"] for link in post.find_all("link", attrs={"type": "application/atom+xml"})]
    assert f"{PUBLISH_SITEURL}/feeds/categories/measurement.atom.xml" in feeds


def test_sitemap_lists_posts_pages_and_dashboard(publish_site: Path) -> None:
    root = ET.parse(publish_site / "sitemap.xml").getroot()
    locations = {url.findtext(f"{SITEMAP}loc") for url in root.findall(f"{SITEMAP}url")}
    assert f"{PUBLISH_SITEURL}/posts/counting-members/" in locations
    assert f"{PUBLISH_SITEURL}/about/" in locations
    assert f"{PUBLISH_SITEURL}/dashboard/" in locations
    assert not any(location.endswith("404.html") for location in locations)
    assert all(location.startswith(PUBLISH_SITEURL + "/") for location in locations)


def test_local_sitemap_parses(local_site: Path) -> None:
    root = ET.parse(local_site / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"


def test_robots_txt_points_at_the_sitemap(publish_site: Path) -> None:
    robots = (publish_site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {PUBLISH_SITEURL}/sitemap.xml" in robots.splitlines()
    assert "User-agent: *" in robots


def test_404_page_links_absolutely(publish_site: Path) -> None:
    # GitHub Pages serves 404.html at any missing path, so its links must not be relative.
    page = parse(publish_site / "404.html")
    for tag in page.find_all(["a", "link", "img", "script"]):
        value = tag.get("href") or tag.get("src")
        if value and not value.startswith("#"):
            assert value.startswith(("https://", "http://")), f"relative reference {value}"


def test_nojekyll_and_favicon_are_published(publish_site: Path) -> None:
    assert (publish_site / ".nojekyll").is_file()
    icon = (publish_site / "favicon.ico").read_bytes()
    assert icon[:4] == b"\x00\x00\x01\x00"  # ICO header


def test_publish_build_passes_with_fatal_warnings(tmp_path: Path) -> None:
    """`pelican content -s publishconf.py --fatal warnings`, as `invoke publish` runs it (without
    collecting: the test has no network, and collection is the nightly job's step)."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pelican",
            "content",
            "-s",
            "publishconf.py",
            "--fatal",
            "warnings",
            "-o",
            str(tmp_path / "out"),
            "--log-handler",
            "plain",
            "-e",
            "COMMUNITY_METRICS_FETCH=false",
        ],
        cwd=ROOT,
        env={**os.environ, "SITEURL": PUBLISH_SITEURL, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert (tmp_path / "out/feeds/all.atom.xml").is_file()
