"""Snapshot files on disk: plausible days under any TZ, the same day never stored twice, files
size-checked before they are read, and plausible --date / --shard arguments."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from community_metrics.collect.command import UsageError, check_date
from community_metrics.collect.run import parse_shard
from community_metrics.collect.shards import merge_partials, partial_path
from community_metrics.store import snapshots
from community_metrics.store.history import load_history
from community_metrics.store.snapshots import snapshot_day_problem, snapshot_paths


def utc_today():
    return datetime.now(UTC).date()


def document(day: str, members: int = 5, source: str = "github:g") -> dict:
    return {
        "schema_version": 1,
        "date": day,
        "generated_at": f"{day}T03:00:00Z",
        "observations": [
            {
                "community": "py",
                "platform": "github",
                "source": source,
                "status": "ok",
                "metrics": {"members": members},
                "observed_at": f"{day}T03:00:00Z",
            }
        ],
    }


def put(data: Path, folder: str, day: str, **kw) -> Path:
    path = data / "snapshots" / folder / f"{day}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document(day, **kw)), encoding="utf-8")
    return path


@pytest.fixture(params=["Pacific/Kiritimati", "Etc/GMT+12", "UTC"])
def zone(request, monkeypatch):
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_snapshot_days_lie_between_2000_and_tomorrow_utc_under_any_tz(zone) -> None:
    today = utc_today()
    assert snapshot_day_problem("2000-01-01") is None
    assert snapshot_day_problem((today + timedelta(days=1)).isoformat()) is None
    assert "outside" in snapshot_day_problem("1999-12-31")
    assert "outside" in snapshot_day_problem((today + timedelta(days=2)).isoformat())
    assert "outside" in snapshot_day_problem("0206-11-01")
    assert "not a calendar date" in snapshot_day_problem("2026-02-30")
    assert check_date((today + timedelta(days=1)).isoformat())
    with pytest.raises(UsageError, match="outside"):
        check_date((today + timedelta(days=2)).isoformat())
    with pytest.raises(UsageError, match="outside"):
        check_date("1999-12-31")
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        check_date("２０２６-01-01")


def test_implausible_or_misfiled_days_are_named_and_left_out(tmp_path) -> None:
    put(tmp_path, "2026", "2026-11-01")
    put(tmp_path, "0206", "0206-11-01")
    put(tmp_path, "2025", "2025-06-01".replace("2025", "2024"))  # 2024 file in 2025/
    history = load_history(tmp_path)
    named = sorted(str(e) for e in history.errors)
    assert len(named) == 2
    assert "0206-11-01.json" in named[0] and "outside" in named[0]
    assert "2025/2024-06-01.json" in named[1] and "move it to 2024/" in named[1]
    # the misfiled day stays a gap; the implausible one costs nothing
    assert history.dates == ["2024-06-01", "2024-06-02", "2026-11-01"]


def test_the_same_day_stored_twice_names_both_files(tmp_path) -> None:
    first = put(tmp_path, "2025", "2026-11-01", members=1)
    second = put(tmp_path, "2026", "2026-11-01", members=2)
    put(tmp_path, "2026", "2026-11-02", members=3)
    problems: list = []
    assert [p.name for p in snapshot_paths(tmp_path, problems)] == ["2026-11-02.json"]
    history = load_history(tmp_path)
    assert len(history.errors) == 2
    for error in history.errors:
        assert str(first) in str(error) and str(second) in str(error)
        assert "stored twice" in str(error)
    # neither copy is chosen silently: the day is a gap
    assert history.series("py", "github:g", "members").values == [None, 3]


def test_a_link_to_a_device_is_named_and_skipped(tmp_path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    put(tmp_path, "2026", "2026-11-02")
    link = tmp_path / "snapshots" / "2026" / "2026-11-01.json"
    os.symlink("/dev/zero", link)
    history = load_history(tmp_path)
    assert [e.path for e in history.errors] == [link]
    assert "not a regular file" in str(history.errors[0])
    assert history.series("py", "github:g", "members").values[-1] == 5


def test_a_file_over_the_size_limit_is_named_before_it_is_read(tmp_path, monkeypatch) -> None:
    big = put(tmp_path, "2026", "2026-11-01")
    put(tmp_path, "2026", "2026-11-02")
    monkeypatch.setattr(snapshots, "MAX_SNAPSHOT_BYTES", big.stat().st_size - 1)
    monkeypatch.setattr(snapshots, "decode_snapshot", None)  # must not be reached for big
    with pytest.raises(snapshots.SnapshotError, match="more than"):
        snapshots.read_snapshot(big)
    assert snapshots.MAX_SNAPSHOT_BYTES < 64 * 2**20 and snapshots.MAX_SNAPSHOT_BYTES > 0


def test_files_read_one_after_another_share_a_buffer_but_never_their_bytes(tmp_path) -> None:
    """Files are read into one reusable buffer: a short file after a long one is read alone
    (its error names its own line and column), and a failed decode that keeps a view of the
    buffer alive (in the error's traceback) does not stop the next, larger file."""
    long = put(tmp_path, "2026", "2026-11-01")
    many = document("2026-11-01")
    many["observations"] = [
        dict(many["observations"][0], source=f"github:g{n}", endpoint="x" * 400)
        for n in range(4000)
    ]
    long.write_text(json.dumps(many), encoding="utf-8")
    assert long.stat().st_size > 2 * 2**20  # more than the first buffer
    broken = tmp_path / "snapshots" / "2026" / "2026-11-02.json"
    broken.write_text('{"schema_version": 1,\n  "date": ]', encoding="utf-8")
    short = put(tmp_path, "2026", "2026-11-03", members=9)
    assert len(snapshots.read_snapshot(long).observations) == 4000
    with pytest.raises(snapshots.SnapshotError) as failed:
        snapshots.read_snapshot(broken)
    assert "line 2, column 11" in str(failed.value)
    assert snapshots.read_snapshot(short).observations[0].metrics == {"members": 9}
    longer = put(tmp_path, "2026", "2026-11-04")
    many["date"] = "2026-11-04"
    many["observations"] *= 2
    longer.write_text(json.dumps(many).replace("github:g", "gitlab:g", 4000), encoding="utf-8")
    assert len(snapshots.read_snapshot(longer).observations) == 8000  # failed is still alive
    assert failed.value is not None


def test_a_file_that_grew_since_its_size_was_taken_is_read_whole_up_to_the_limit(
    tmp_path, monkeypatch
) -> None:
    path = tmp_path / "grown.json"
    path.write_bytes(b"x" * (3 * 2**20 + 5))
    assert bytes(snapshots._read_whole(path, 10)) == path.read_bytes()
    monkeypatch.setattr(snapshots, "MAX_SNAPSHOT_BYTES", 2**20 + 100)
    assert len(snapshots._read_whole(path, 10)) == 2**20 + 101  # one byte over: refused


def test_merge_names_a_broken_or_oversized_partial_and_merges_the_good_ones(tmp_path) -> None:
    day = utc_today().isoformat()
    good = partial_path(tmp_path, day, (1, 3))
    good.parent.mkdir(parents=True)
    good.write_text(json.dumps(document(day, members=7)), encoding="utf-8")
    broken = partial_path(tmp_path, day, (2, 3))
    broken.write_text('{"schema_version": 1, "date": ', encoding="utf-8")
    if Path("/dev/zero").exists():
        os.symlink("/dev/zero", partial_path(tmp_path, day, (3, 3)))
    result = merge_partials(tmp_path, day)
    assert result.files == [good]
    text = "\n".join(result.problems)
    assert f"{broken}: is not valid JSON" in text
    if Path("/dev/zero").exists():
        assert "shard-3-of-3.json: is not a regular file" in text
    assert [o.metrics for o in result.observations] == [{"members": 7}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1/1000000000", "K/N"),
        ("1/100000", "at most 256"),
        ("１/２", "ASCII"),
        ("1/²", "ASCII"),
        ("٣/٤", "ASCII"),
        ("1/2/3", "K/N"),
        ("", "K/N"),
    ],
)
def test_absurd_or_non_ascii_shards_are_refused(text, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_shard(text)
    assert parse_shard("2/8") == (2, 8) and parse_shard("256/256") == (256, 256)
