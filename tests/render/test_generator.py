"""Generator behaviour around the data: collecting at build time only when asked, demo posts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dashboard_helpers import FIXTURES, build, soup

from community_metrics.collect import command


@pytest.mark.parametrize("fetch", [True, False])
def test_collects_before_the_build_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fetch: bool
) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", data)
    calls = []

    class Report:  # the fields the generator logs
        class collection:  # noqa: N801
            succeeded = 3
            reports = [1, 2, 3]

        path = "2026-11-02.json"

    def collect(config_path: Path, data_dir: Path) -> Report:
        """Stands in for the collector: writes the next day's snapshot."""
        calls.append((Path(config_path), Path(data_dir)))
        source = data_dir / "snapshots" / "2026" / "2026-11-01.json"
        target = source.with_name("2026-11-02.json")
        target.write_text(source.read_text().replace("2026-11-01", "2026-11-02"))
        return Report()

    monkeypatch.setattr(command, "collect_and_store", collect)
    out = build(tmp_path / "out", COMMUNITY_METRICS_DATA=str(data), COMMUNITY_METRICS_FETCH=fetch)
    assert bool(calls) is fetch
    if fetch:
        assert calls == [(FIXTURES / "communities.yml", data)]
    newest = soup(out / "status" / "index.html").select_one(".pulse-headline-value").get_text()
    assert newest == ("2026-11-02" if fetch else "2026-11-01")


def test_post_quoting_demo_numbers_says_so(tmp_path: Path) -> None:
    content = tmp_path / "content" / "posts"
    content.mkdir(parents=True)
    (content / "demo.md").write_text(
        "Title: Demo numbers\nDate: 2026-11-20 09:00\nCategory: Measurement\n"
        "Summary: Quotes the demo.\n\nMembers: {metric willow-beekeepers-forum members}.\n",
        encoding="utf-8",
    )
    out = build(
        tmp_path / "out",
        PATH=str(tmp_path / "content"),
        COMMUNITY_METRICS_DATA=str(tmp_path / "no-data"),
        COMMUNITY_METRICS_DEMO=str(Path(__file__).parents[2] / "demo"),
    )
    page = soup(out / "posts" / "demo-numbers" / "index.html")
    assert "Demo data" in page.select_one(".notice-demo").get_text()
    assert page.select_one("data.pulse-metric")["value"].isdigit()


def test_broken_registry_fails_even_while_building_from_demo(tmp_path: Path, caplog) -> None:
    """Before the first snapshot the pages come from demo/, but a maintainer's mistake in
    communities.yml must still show on the next build, with file and line."""
    import logging

    from community_metrics.glue.generator import PulseBuildError

    registry = tmp_path / "communities.yml"
    registry.write_text(
        "communities:\n  - slug: python\n    name: Python\n    sources:\n"
        "      - platform: githb\n        repo: python/cpython\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.ERROR), pytest.raises(PulseBuildError, match="registry"):
        build(
            tmp_path / "out",
            COMMUNITY_METRICS_CONFIG=str(registry),
            COMMUNITY_METRICS_DATA=str(tmp_path / "no-data"),
            COMMUNITY_METRICS_DEMO=str(Path(__file__).parents[2] / "demo"),
        )
    assert any(
        f"{registry}:5:" in r.getMessage() and "githb" in r.getMessage() for r in caplog.records
    )
