"""/benchmarks/ links every source or says, beside it, that no public copy was found (issue 11
item 8): the figures' own sources and each conflicting value's source."""

from __future__ import annotations

from pathlib import Path

from dashboard_helpers import soup

from community_metrics.analyse.benchmarks import load_benchmarks


def test_every_source_on_the_page_links_or_says_so(site: Path) -> None:
    page = soup(site / "benchmarks" / "index.html")
    cited = page.select("section table.pulse-table tbody .pulse-source")
    expected = sum(1 + len(f.conflicts) for s in load_benchmarks() for f in s.figures)
    assert len(cited) == expected  # every figure's source and every conflict's
    for source in cited:
        link = source.select_one("a[href]")
        said = source.select_one(".pulse-no-link")
        assert link is not None or said is not None, source
        if link is not None:
            assert link["href"].startswith(("https://", "http://"))
            assert "noopener" in link["rel"]
        else:
            assert said.get_text(strip=True), source


def test_conflicts_and_release_text_are_linked_where_they_are_named(site: Path) -> None:
    page = soup(site / "benchmarks" / "index.html")
    rows = {r.th.get_text(" ", strip=True): r for r in page.select("section table tbody tr")}
    under_100 = rows["communities with fewer than 100 active members (sources disagree)"]
    value, source = under_100("td")[0], under_100("td")[2]
    assert value.get_text().startswith("34%; also published: 35% (WSJ coverage")
    assert value.select_one("a")["href"] == "https://blog.experientia.com/?p=4501"
    assert source.select_one("a")["href"].startswith("https://econsultancy.com/blog/2640-")
    majority = rows["a majority have fewer than 500 active members"]("td")[2]
    assert majority.select_one("a")["href"].startswith("http://crmindustry.blogspot.com/")
    assert "no copy of the release" in majority.get_text()
    sixty = rows["communities less than one year old (sources disagree)"]("td")[0]
    assert (
        sixty.select_one(".pulse-no-link").get_text(strip=True).startswith("— no public copy found")
    )
    derived = rows["501–1,000 active members"]("td")[2]
    assert "no outside source" in derived.select_one(".pulse-no-link").get_text()
