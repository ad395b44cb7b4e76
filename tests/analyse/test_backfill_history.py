"""Back-filled values in the history and the downloads: read from data/backfill/, flagged,
never over an observed value; a broken back-fill file is skipped with a warning."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from community_metrics.analyse import rollup
from community_metrics.contract.model import Observation
from community_metrics.render import downloads
from community_metrics.store.backfill import (
    Backfill,
    BackfillValue,
    backfill_path,
    read_backfills,
    write_backfill,
)
from community_metrics.store.history import load_history
from community_metrics.store.snapshots import write_snapshot


def observation(day: str, members: int, posts_7d: int | None = None) -> Observation:
    metrics = {"members": members} | ({"posts_7d": posts_7d} if posts_7d is not None else {})
    return Observation(
        "fedi",
        "mastodon",
        "mastodon:example.social",
        "ok",
        metrics,
        observed_at=f"{day}T03:00:00Z",
        endpoint="https://example.social/api/v1/instance",
    )


def backfill(*values: tuple[str, str, float]) -> Backfill:
    return Backfill(
        community="fedi",
        source="mastodon:example.social",
        platform="mastodon",
        endpoint="https://example.social/api/v1/instance/activity",
        fetched_at="2026-11-03T03:00:05Z",
        method="weekly statuses",
        values=[BackfillValue(d, m, v) for d, m, v in values],
    )


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    write_snapshot(folder, "2026-11-02", [observation("2026-11-02", 100, 70)])
    write_snapshot(folder, "2026-11-03", [observation("2026-11-03", 101)])
    write_backfill(
        folder,
        backfill(
            ("2026-10-19", "posts_7d", 50),
            ("2026-10-26", "posts_7d", 60),
            ("2026-11-02", "posts_7d", 999),  # an observed value that day: never shown
            ("2026-11-03", "posts_7d", 65),  # no observed posts_7d that day: filled
        ),
    )
    return folder


def test_history_starts_at_the_oldest_backfilled_day_and_flags_it(data: Path) -> None:
    before = sorted(p.read_bytes() for p in (data / "snapshots").rglob("*.json"))
    history = load_history(data)
    assert history.dates[0] == "2026-10-19" and history.dates[-1] == "2026-11-03"
    series = history.series("fedi", "mastodon:example.social", "posts_7d")
    got = {
        day: (value, series.is_backfilled(i))
        for i, (day, value) in enumerate(zip(series.dates, series.values, strict=True))
        if value is not None
    }
    assert got == {
        "2026-10-19": (50, True),
        "2026-10-26": (60, True),
        "2026-11-02": (70, False),  # observed wins
        "2026-11-03": (65, True),
    }
    total = rollup.community_series(history, "fedi", "posts_7d")
    assert total.values[0] == 50 and total.is_backfilled(0)
    assert not total.is_backfilled(history.dates.index("2026-11-02"))
    members = history.series("fedi", "mastodon:example.social", "members")
    assert members.backfilled is None  # nothing back-filled: no flags
    # no snapshot file was rewritten
    assert sorted(p.read_bytes() for p in (data / "snapshots").rglob("*.json")) == before


def test_downloads_mark_backfilled_values(data: Path) -> None:
    history = load_history(data)
    rows = list(csv.reader(io.StringIO(downloads.observations_csv(history))))
    prefix = ["fedi", "mastodon", "mastodon:example.social", "posts_7d"]
    # the last column is stale_since (empty: these values are not carried forward)
    assert ["2026-10-19", *prefix, "50", "backfilled", ""] in rows
    assert ["2026-11-02", *prefix, "70", "ok", ""] in rows
    assert not [r for r in rows if r[0] == "2026-11-02" and r[-2] == "backfilled"]
    wide = list(csv.reader(io.StringIO(downloads.community_csv(history, "fedi"))))
    assert wide[0] == ["date", "platform", "source", "status", "members", "posts_7d", "stale_since"]
    source = ["mastodon", "mastodon:example.social"]
    assert ["2026-10-19", *source, "backfilled", "", "50", ""] in wide
    assert ["2026-11-03", *source, "ok", "101", "", ""] in wide
    assert ["2026-11-03", *source, "backfilled", "", "65", ""] in wide
    data_json = json.loads(downloads.observations_json(history))
    series = data_json["series"][0]
    assert series["backfilled"]["posts_7d"][0] == 50
    assert series["metrics"]["posts_7d"][0] is None  # observed columns stay observed only


def test_a_backfill_file_is_written_once(data: Path) -> None:
    assert write_backfill(data, backfill(("2026-10-01", "posts_7d", 1))) is None
    text = backfill_path(data, "fedi", "mastodon:example.social").read_text(encoding="utf-8")
    assert '"2026-10-01"' not in text


@pytest.mark.parametrize(
    "broken",
    [
        "{not json",
        '{"backfill_version": 1, "community": "fedi"}',
        json.dumps(
            backfill(("2026-10-19", "posts_7d", 50)).to_dict()
            | {"values": [{"date": "2026-10-19", "metric": "posts_7d", "value": -5}]}
        ),  # fmt: skip
        json.dumps(
            backfill(("2026-10-19", "posts_7d", 50)).to_dict()
            | {"values": [{"date": "19/10/2026", "metric": "posts_7d", "value": 5}]}
        ),  # fmt: skip
        json.dumps(
            backfill(("2026-10-19", "posts_7d", 50)).to_dict()
            | {"values": [{"date": "2026-10-19", "metric": "likes", "value": 5}]}
        ),  # fmt: skip
    ],
)
def test_a_broken_backfill_file_is_skipped_with_a_warning(data: Path, broken: str) -> None:
    path = backfill_path(data, "fedi", "mastodon:example.social")
    path.write_text(broken, encoding="utf-8")
    found, warnings = read_backfills(data)
    assert found == [] and len(warnings) == 1 and str(path) in warnings[0]
    history = load_history(data)
    assert history.backfill_warnings == warnings
    assert history.dates[0] == "2026-11-02"  # nothing of it was used
    series = history.series("fedi", "mastodon:example.social", "posts_7d")
    assert series.values[0] == 70 and not series.is_backfilled(0)
