"""The snapshot command gives a new source a past: Mastodon's weekly activity and Stack
Exchange's question counts by date range, written once into data/backfill/, never into a day's
snapshot file; an answer of an unexpected shape skips that back-fill with a warning."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from werkzeug import Response

from community_metrics.collect.command import collect_and_store, run_snapshot
from community_metrics.contract.model import parse_timestamp
from community_metrics.store.backfill import BACKFILL_DIR, read_backfills
from community_metrics.store.history import load_history

FIXTURES = Path(__file__).parent / "sources" / "fixtures"
DAY = "2026-11-30"  # the run's date; the fixture weeks all end before it


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _no_key(monkeypatch):
    monkeypatch.delenv("STACKEXCHANGE_KEY", raising=False)


def registry(tmp_path: Path, server, entry: str) -> Path:
    path = tmp_path / "communities.yml"
    path.write_text(
        "communities:\n  - slug: c\n    name: C\n    sources:\n"
        f"      - {entry}\n        api: {server.url_for('').rstrip('/')}\n",
        encoding="utf-8",
    )
    return path


def serve_mastodon(server, activity) -> None:
    server.expect_request("/api/v1/instance").respond_with_json(
        fixture("mastodon/instance_v1.json")
    )
    server.expect_request("/api/v2/instance").respond_with_json(
        fixture("mastodon/instance_v2.json")
    )
    server.expect_request("/api/v1/instance/activity").respond_with_json(activity)


def activity_requests(server) -> int:
    return sum(1 for request, _ in server.log if request.path == "/api/v1/instance/activity")


def test_mastodon_weeks_become_a_backfill_file_once(tmp_path, server):
    serve_mastodon(server, fixture("mastodon/activity_12_weeks.json"))
    config = registry(tmp_path, server, "platform: mastodon\n        instance: example.social")
    data = tmp_path / "data"
    report = collect_and_store(config, data, date=DAY)
    assert report.collection.succeeded == 1
    assert len(report.backfills) == 1
    found, warnings = read_backfills(data)
    assert warnings == []
    [backfill] = found
    assert backfill.source == "mastodon:example.social" and backfill.community == "c"
    # 12 weeks, newest first; the running week (starting 2026-11-23) is skipped
    dates = [v.date for v in backfill.values]
    assert len(dates) == 11
    assert "2026-11-29" not in dates  # the running week's last day
    # oldest first in the file; the last complete week is 2026-11-16 .. 2026-11-22
    assert dates[0] == "2026-09-13" and dates[-1] == "2026-11-22"
    assert {v.metric for v in backfill.values} == {"posts_7d"}
    assert backfill.values[-1].value == 1391000  # parsed from the string "1391000"
    assert activity_requests(server) == 2  # the live request and the back-fill

    # the day's snapshot holds only what was observed today
    day_file = next((data / "snapshots").rglob("*.json"))
    assert "2026-11-22" not in day_file.read_text(encoding="utf-8")

    # a second run keeps the file and does not ask again for a back-fill
    before = next((data / BACKFILL_DIR).glob("*.json")).read_bytes()
    again = collect_and_store(config, data, date=DAY)
    assert again.backfills == []
    assert activity_requests(server) == 3  # only the live request
    assert next((data / BACKFILL_DIR).glob("*.json")).read_bytes() == before

    history = load_history(data)
    series = history.series("c", "mastodon:example.social", "posts_7d")
    first = series.dates.index("2026-09-13")  # the oldest complete week's last day
    assert series.values[first] == 1400000 - 11 * 9000 and series.is_backfilled(first)
    today = series.dates.index(DAY)
    assert series.values[today] == 1391000 and not series.is_backfilled(today)


def test_a_mastodon_answer_of_an_unexpected_shape_skips_the_backfill(tmp_path, server):
    weeks = fixture("mastodon/activity_12_weeks.json")
    weeks[3]["statuses"] = "many"
    # the live source reads only weeks[1]: it succeeds; the back-fill must not
    serve_mastodon(server, weeks)
    config = registry(tmp_path, server, "platform: mastodon\n        instance: example.social")
    data = tmp_path / "data"
    out = io.StringIO()
    status = run_snapshot(config=config, data=data, date=DAY, out=out, err=io.StringIO())
    assert status == 0
    text = out.getvalue()
    assert "warning: back-fill of c / mastodon:example.social skipped" in text
    assert "statuses" in text
    assert not (data / BACKFILL_DIR).exists()
    snapshot = json.loads(next((data / "snapshots").rglob("*.json")).read_text(encoding="utf-8"))
    assert snapshot["observations"][0]["metrics"]["posts_7d"] == 1391000


def questions_handler(seen: list[dict[str, list[str]]], per_day: int = 1000):
    """/2.3/questions with filter=total: questions created in [fromdate, todate], per_day a day."""

    def handle(request):
        query = parse_qs(request.query_string.decode())
        seen.append(query)
        span = int(query["todate"][0]) - int(query["fromdate"][0])
        return Response(
            json.dumps({"total": max(span, 0) // 86400 * per_day}),
            200,
            content_type="application/json; charset=utf-8",
        )

    return handle


def test_stackexchange_counts_back_from_the_observed_total(tmp_path, server):
    server.expect_request("/2.3/info").respond_with_json(fixture("stackexchange/info.json"))
    seen: list[dict[str, list[str]]] = []
    server.expect_request("/2.3/questions").respond_with_handler(questions_handler(seen))
    config = registry(tmp_path, server, "platform: stackexchange\n        site: unix")
    data = tmp_path / "data"
    report = collect_and_store(config, data, date=DAY)
    [backfill], _ = read_backfills(data)
    observed = 24123456
    observed_at = parse_timestamp(report.snapshot.observations[0].observed_at)
    assert len(seen) == 12
    assert all(q["site"] == ["unix"] and q["filter"] == ["total"] for q in seen)
    assert all(q["todate"] == [str(int(observed_at.timestamp()))] for q in seen)
    week_ago = (observed_at.date() - timedelta(days=7)).isoformat()
    value = next(v for v in backfill.values if v.date == week_ago)
    assert value.metric == "topics"
    after = datetime.combine(
        observed_at.date() - timedelta(days=6), datetime.min.time(), UTC
    ).timestamp()
    created_since = int(observed_at.timestamp() - after) // 86400 * 1000
    assert value.value == observed - created_since
    assert [v.date for v in backfill.values][-1] == (
        observed_at.date() - timedelta(days=7)
    ).isoformat()  # sorted oldest first in the file, newest last


def test_stackexchange_tag_backfill_is_tagged(tmp_path, server):
    server.expect_request("/2.3/tags/bash/info").respond_with_json(
        fixture("stackexchange/tag_info.json") | {"backoff": None}
    )
    seen: list[dict[str, list[str]]] = []
    server.expect_request("/2.3/questions").respond_with_handler(questions_handler(seen, 10))
    config = registry(tmp_path, server, "platform: stackexchange\n        tag: unix/bash")
    collect_and_store(config, tmp_path / "data", date=DAY)
    assert seen and all(q["tagged"] == ["bash"] and q["site"] == ["unix"] for q in seen)


def test_a_stackexchange_answer_without_total_skips_the_backfill(tmp_path, server):
    server.expect_request("/2.3/info").respond_with_json(fixture("stackexchange/info.json"))
    server.expect_request("/2.3/questions").respond_with_json(
        {"items": [], "has_more": False, "quota_max": 300, "quota_remaining": 250}
    )
    config = registry(tmp_path, server, "platform: stackexchange\n        site: unix")
    data = tmp_path / "data"
    report = collect_and_store(config, data, date=DAY)
    assert report.backfills == []
    assert any("back-fill of c / stackexchange:unix skipped" in w for w in report.warnings)
    assert not (data / BACKFILL_DIR).exists()
    assert report.snapshot.observations[0].metrics["topics"] == 24123456


def test_no_backfill_for_a_failed_source(tmp_path, server):
    server.expect_request("/api/v1/instance").respond_with_json({"error": "gone"}, status=410)
    config = registry(tmp_path, server, "platform: mastodon\n        instance: example.social")
    report = collect_and_store(config, tmp_path / "data", date=DAY)
    assert report.backfills == [] and activity_requests(server) == 0


def test_a_bug_in_a_backfill_is_a_warning_after_the_snapshot_is_written(
    tmp_path, server, monkeypatch
):
    from community_metrics.collect import backfill

    def broken(source, http, observation):
        raise KeyError("oops")

    monkeypatch.setattr(backfill, "backfiller_for", lambda source: broken)
    serve_mastodon(server, fixture("mastodon/activity_12_weeks.json"))
    config = registry(tmp_path, server, "platform: mastodon\n        instance: example.social")
    report = collect_and_store(config, tmp_path / "data", date=DAY)
    assert report.path.exists()
    assert report.warnings == [
        "back-fill of c / mastodon:example.social skipped: unexpected KeyError in the "
        "back-fill code"
    ]
