"""History: columnar load of snapshot files, gaps, stale flags, errors, community sums."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from community_metrics.analyse.rollup import community_series
from community_metrics.contract.model import Observation, Snapshot
from community_metrics.store.history import Series, load_history
from community_metrics.store.snapshots import snapshot_path, write_json_atomic


def obs(community, source, status="ok", observed_at=None, error=None, created_at=None, **metrics):
    return Observation(
        community=community,
        platform=source.split(":")[0],
        source=source,
        status=status,
        metrics=metrics,
        observed_at=observed_at or "2026-01-01T03:00:00Z",
        created_at=created_at,
        error=error,
    )


def write_day(data: Path, day: str, observations, synthetic=False) -> None:
    snapshot = Snapshot(
        date=day,
        generated_at=f"{day}T03:30:00Z",
        observations=observations,
        synthetic=synthetic,
    )
    write_json_atomic(snapshot_path(data, day), snapshot.to_dict())


@pytest.fixture
def data(tmp_path: Path) -> Path:
    write_day(
        tmp_path,
        "2026-01-01",
        [
            obs("py", "discourse:d", members=100, active_30d=10, created_at="2017-03-01T00:00:00Z"),
            obs("py", "github:g", members=50),
        ],
    )
    # 2026-01-02: no file at all
    write_day(
        tmp_path,
        "2026-01-03",
        [
            obs("py", "discourse:d", members=110, active_30d=12),
            obs("py", "github:g", status="stale", error="HTTP 503", members=50),
        ],
    )
    write_day(
        tmp_path,
        "2026-01-04",
        [
            obs("py", "discourse:d", members=120),
            # github missing this day: the community sum must be a gap, not 120
            obs("rust", "github:r", members=7),
        ],
    )
    write_day(
        tmp_path,
        "2026-01-05",
        [
            obs("py", "discourse:d", status="error", error="HTTP 500", observed_at=None),
            obs("py", "github:g", members=60),
        ],
    )
    return tmp_path


def test_dates_are_every_calendar_day(data: Path) -> None:
    history = load_history(data)
    assert history.dates == ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05"]
    assert history.errors == []
    assert history.communities() == ["py", "rust"]
    assert history.sources("py") == ["discourse:d", "github:g"]
    assert history.last_snapshot_date == "2026-01-05"
    assert history.synthetic is False


def test_series_keeps_gaps_and_stale_flags(data: Path) -> None:
    history = load_history(data)
    members = history.series("py", "discourse:d", "members")
    assert members.values == [100, None, 110, 120, None]  # missing file, then an error day
    github = history.series("py", "github:g", "members")
    assert github.values == [50, None, 50, None, 60]
    assert github.stale == [False, False, True, False, False]
    unknown = history.series("py", "discourse:d", "contributors")
    assert unknown.values == [None] * 5


def test_community_series_sums_and_breaks_when_a_known_source_is_missing(data: Path) -> None:
    history = load_history(data)
    total = community_series(history, "py", "members")
    # day 4: github had reported before but is missing -> gap, never a false dip to 120
    # day 5: discourse failed (error, no value) -> gap
    assert total.values == [150, None, 160, None, None]
    assert total.stale == [False, False, True, False, False]
    assert community_series(history, "rust", "members").values == [None, None, None, 7, None]


def test_latest_last_good_and_last_error(data: Path) -> None:
    history = load_history(data)
    latest = {o.source: o for o in history.latest("py")}
    assert latest["discourse:d"].status == "error"
    assert latest["github:g"].metrics == {"members": 60}
    entry = history.source_history("py", "discourse:d")
    assert entry.last_good_date == "2026-01-04"
    assert entry.last_error_date == "2026-01-05"
    assert entry.last_error.error == "HTTP 500"
    assert entry.created_at == "2017-03-01T00:00:00Z"
    assert history.metrics("py") == ["members", "active_30d"]


def test_corrupt_and_contract_breaking_files_are_named_not_dropped(data: Path) -> None:
    bad_json = snapshot_path(data, "2026-01-02")
    bad_json.write_text("{ not json", encoding="utf-8")
    breaking = snapshot_path(data, "2026-01-06")
    breaking.write_text(
        json.dumps(
            {"schema_version": 1, "date": "2026-01-06", "generated_at": "x", "observations": []}
        ),
        encoding="utf-8",
    )
    history = load_history(data)
    named = sorted(e.path.name for e in history.errors)
    assert named == ["2026-01-02.json", "2026-01-06.json"]
    assert "generated_at" in str(history.errors[1]) or "generated_at" in str(history.errors[0])
    assert history.dates[-1] == "2026-01-06"  # its day is kept, as a gap
    assert history.series("py", "github:g", "members").values[-1] is None


def test_synthetic_flag_and_empty_data(tmp_path: Path) -> None:
    empty = load_history(tmp_path)
    assert empty.dates == [] and empty.communities() == []
    assert community_series(empty, "x", "members").values == []
    write_day(tmp_path, "2026-02-01", [obs("a", "matrix:m", members=3)], synthetic=True)
    assert load_history(tmp_path).synthetic is True


def test_series_helpers() -> None:
    series = Series(
        ["2026-01-01", "2026-01-02", "2026-01-03"], [1.0, 2.0, None], [False, True, False]
    )
    assert series.last() == ("2026-01-02", 2.0, True)
    assert series.value_at_or_before("2026-01-01") == ("2026-01-01", 1.0)
    assert series.value_at_or_before("2025-12-31") is None
    assert Series([], [], []).last() is None


def test_registry_orders_communities_and_exposes_metadata(data: Path, tmp_path: Path) -> None:
    from community_metrics.registry.config import parse_registry

    registry = parse_registry(
        "communities:\n"
        "  - slug: rust\n    name: Rust\n    founded: 2010-07-07\n"
        "    sources:\n      - platform: github\n        repo: rust-lang/rust\n"
        "  - slug: zig\n    name: Zig\n"
        "    sources:\n      - platform: github\n        repo: ziglang/zig\n",
        tmp_path / "communities.yml",
    )
    history = load_history(data, registry)
    assert history.communities() == ["rust", "zig", "py"]
    assert history.community("rust").founded == "2010-07-07"
    assert history.sources("zig") == []


def test_parallel_load_equals_serial_load(tmp_path: Path) -> None:
    from community_metrics.collect.demo import generate_demo
    from community_metrics.render import downloads

    generate_demo(tmp_path, communities=5, days=60, seed=2)
    snapshot_path(tmp_path, "2026-11-01").write_text("{", encoding="utf-8")  # one corrupt day
    serial = load_history(tmp_path, workers=1)
    parallel = load_history(tmp_path, workers=2)
    assert downloads.observations_json(parallel) == downloads.observations_json(serial)
    assert [str(e) for e in parallel.errors] == [str(e) for e in serial.errors]
    assert len(serial.errors) == 1
    for slug in serial.communities():
        assert parallel.latest(slug) == serial.latest(slug)
        for source in serial.sources(slug):
            a, b = serial.source_history(slug, source), parallel.source_history(slug, source)
            assert (a.last_good_date, a.last_error_date, a.created_at) == (
                b.last_good_date,
                b.last_error_date,
                b.created_at,
            )
    assert parallel.last_snapshot_date == serial.last_snapshot_date


def test_parallel_load_places_sources_and_metrics_first_seen_by_the_worker(tmp_path: Path) -> None:
    """The worker sends back only its own days: a source, and a metric, that first appear in
    its days must land on those days of the full-length columns, with gaps before them."""
    days = [f"2026-01-{n:02d}" for n in range(1, 11)]
    for n, day in enumerate(days):
        found = [obs("py", "discourse:d", members=100 + n)]
        if n >= 6:  # late: read by the worker
            found[0].metrics["posts"] = 1000 + n
            found.append(obs("py", "github:late", members=7 + n))
        if n == 8:
            found.append(obs("py", "mastodon:m", status="error", error="HTTP 500"))
        write_day(tmp_path, day, found)
    serial = load_history(tmp_path, workers=1)
    parallel = load_history(tmp_path, workers=2)
    for history in (serial, parallel):
        late = history.series("py", "github:late", "members").values
        assert late == [None] * 6 + [13, 14, 15, 16]
        posts = history.series("py", "discourse:d", "posts").values
        assert posts == [None] * 6 + [1006, 1007, 1008, 1009]
        assert bytes(history.source_history("py", "mastodon:m").status) == bytes([0] * 8 + [4, 0])
    for source in serial.sources("py"):
        a, b = serial.source_history("py", source), parallel.source_history("py", source)
        columns = {metric: column.tobytes() for metric, column in a.values.items()}  # NaN: bytes
        assert columns == {metric: column.tobytes() for metric, column in b.values.items()}
        assert (a.status, a.latest, a.last_error_date) == (b.status, b.latest, b.last_error_date)


def test_manual_values_from_the_registry_hold_until_the_next(data: Path, tmp_path: Path) -> None:
    from community_metrics.glue.manual import manual_values
    from community_metrics.registry.config import parse_registry

    registry = parse_registry(
        "communities:\n"
        "  - slug: py\n    name: Python\n    sources:\n"
        "      - platform: manual\n        name: meetup\n        values:\n"
        "          - {date: 2025-12-30, members: 40, note: meetup page}\n"
        "          - {date: 2026-01-03, members: 44}\n",
        tmp_path / "communities.yml",
    )
    # manual values come from the registry through the glue, as plain values (one path);
    # no registry passed: the snapshot sources here are not in this small registry
    history = load_history(data, manual=manual_values(registry))
    assert history.dates[0] == "2025-12-30"  # extended back to the oldest typed value
    meetup = history.series("py", "manual:meetup", "members")
    assert meetup.values == [40, 40, 40, 40, 44, 44, 44]
    latest = {o.source: o for o in history.latest("py")}["manual:meetup"]
    assert latest.metrics == {"members": 44} and latest.observed_at.startswith("2026-01-03")
    # the manual source joins the community's sum: 2026-01-03 has discourse 110 + github 50
    # (stale) + manual 44; 2026-01-01 has 100 + 50 + 40
    total = community_series(history, "py", "members")
    assert total.values[2] == 190 and total.values[4] == 204


def test_a_file_named_after_no_calendar_date_is_named_not_fatal(data: Path) -> None:
    bogus = data / "snapshots" / "2026" / "2026-02-30.json"
    bogus.write_text("{}", encoding="utf-8")
    history = load_history(data)
    assert [e.path.name for e in history.errors] == ["2026-02-30.json"]
    assert history.dates[0] == "2026-01-01" and history.dates[-1] == "2026-01-05"


def test_a_value_from_1901_and_one_from_today_keep_the_history_small(tmp_path: Path) -> None:
    """The history's size follows the days with data, never the span between them."""
    from datetime import UTC, datetime

    from community_metrics.glue.manual import manual_values
    from community_metrics.registry.config import parse_registry

    today = datetime.now(UTC).date().isoformat()
    write_day(tmp_path, today, [obs("py", "github:g", members=50)])
    registry = parse_registry(
        "communities:\n"
        "  - slug: py\n    name: Python\n    founded: 1901-05-01\n    sources:\n"
        "      - platform: manual\n        name: meetup\n        values:\n"
        f"          - {{date: 1901-05-01, members: 40}}\n"
        f"          - {{date: {today}, members: 44}}\n",
        tmp_path / "communities.yml",
    )
    history = load_history(tmp_path, registry, manual=manual_values(registry))
    assert history.dates == ["1901-05-01", "1901-05-02", today]
    for source in history.sources("py"):
        entry = history.source_history("py", source)
        assert len(entry.status) == 3
        assert all(len(column) == 3 for column in entry.values.values())
    assert history.series("py", "manual:meetup", "members").values == [40, 40, 44]
    # github:g is not in this registry: no longer tracked, never in today's total
    assert community_series(history, "py", "members").values[-1] == 44
