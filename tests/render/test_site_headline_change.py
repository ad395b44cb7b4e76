"""The site-wide headline card (combined audience) shows its change over 7 and 30 days and a
sparkline, from the one rollup rule; a window with a gap at either end says there is no change
figure yet, never a change computed from fewer communities (issue 11 item 6)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dashboard_helpers import FIXTURES, build, soup


def _audience_card(site: Path, page: str = "dashboard/index.html"):
    cards = soup(site / page).select(".pulse-headline-item")
    return next(c for c in cards if c.dt.get_text(strip=True) == "Combined audience")


def test_combined_audience_shows_7_and_30_day_change_and_a_sparkline(site: Path) -> None:
    card = _audience_card(site)
    # Python 1,200 + 300 and Rust 75 on 2026-11-01 (1,575); 7 days back the newest total at or
    # before 2026-10-25 is 2026-10-15's (1,410; the 2026-10-20 file is left out as broken);
    # 30 days back, 2026-10-01's (1,250)
    change = [line.get_text(strip=True) for line in card.select(".pulse-change")]
    assert change == ["7 days: +165 (+11.7%)", "30 days: +325 (+26.0%)"]
    spark = card.select_one("svg.pulse-spark")
    assert spark is not None and spark["role"] == "img"
    assert "1,575 on 2026-11-01" in spark.title.get_text()


def test_the_home_page_card_shows_the_same_change(site: Path) -> None:
    home = _audience_card(site, "index.html")
    assert home.select_one(".pulse-change").get_text(strip=True).startswith("7 days: +165")


def test_a_gap_at_either_end_is_no_change_figure_not_a_smaller_sum(tmp_path: Path) -> None:
    site = _built_without_rust_on(tmp_path, "2026-10-01")
    change = [line.get_text(strip=True) for line in _audience_card(site).select(".pulse-change")]
    # Rust has no value on 2026-10-01: that day has no combined total, so no 30-day figure
    # (Python alone would have read as +...); the 7-day window still has both ends
    assert change == ["7 days: +165 (+11.7%)", "30 days: no change figure yet"]


def test_a_change_that_ends_before_the_last_snapshot_says_to_which_day(tmp_path: Path) -> None:
    site = _built_without_rust_on(tmp_path, "2026-11-01")
    lines = [line.get_text(strip=True) for line in _audience_card(site).select(".pulse-change")]
    # Rust has no value on 2026-11-01, so the newest combined total is 2026-10-31's
    assert lines[-1] == "to 2026-10-31, the newest day every counted community has a value"
    assert lines[0].startswith("7 days: ")


def _built_without_rust_on(tmp_path: Path, day: str) -> Path:
    """The fixture site built with Rust's observations taken out of one day's snapshot."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", data)
    path = data / f"snapshots/{day[:4]}/{day}.json"
    snapshot = json.loads(path.read_text())
    snapshot["observations"] = [o for o in snapshot["observations"] if o["community"] != "rust"]
    path.write_text(json.dumps(snapshot))
    return build(tmp_path / "out", COMMUNITY_METRICS_DATA=str(data))
