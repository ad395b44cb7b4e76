"""Snapshot store semantics seen through the command: same-day merge, carry-forward, corrupt
files, --only, --shard K/N + --merge, and the invoke task's handling of bad arguments."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from collect_helpers import DISCOURSE_ABOUT, day, discourse, fingerprint, registry, seed_previous
from pytest_httpserver import HTTPServer

from community_metrics.collect.command import run_snapshot
from community_metrics.collect.run import parse_shard, select_sources, shard_of
from community_metrics.registry.config import SourceConfig
from community_metrics.store.snapshots import snapshot_path

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-11-21"


def run(config, data, **options) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    options.setdefault("date", TODAY)
    status = run_snapshot(
        config=config, data=data, out=out, err=err,
        http_options={"backoff": 0.01, "sleep": lambda s: None}, **options,
    )  # fmt: skip
    return status, out.getvalue(), err.getvalue()


def forums(tmp_path, server: HTTPServer, count: int) -> Path:
    entries = []
    for index in range(count):
        about = json.loads(json.dumps(DISCOURSE_ABOUT))
        about["about"]["stats"]["users_count"] = 100 + index
        server.expect_request(f"/f{index}/about.json").respond_with_json(about)
        host = f"f{index}.example.org"
        entries.append((f"forum-{index}", discourse(server.url_for(f"/f{index}"), host)))
    return registry(tmp_path / "forums.yml", entries)


def values(data: Path, date: str = TODAY) -> dict[str, tuple[str, dict]]:
    return {o["community"]: (o["status"], o["metrics"]) for o in day(data, date)["observations"]}


def test_second_run_same_day_merges(tmp_path, server: HTTPServer) -> None:
    server.expect_request("/f/about.json").respond_with_json(DISCOURSE_ABOUT)
    config = registry(tmp_path / "c.yml", [("forum", discourse(server.url_for("/f")))])
    data = tmp_path / "data"
    assert run(config, data)[0] == 0
    first = day(data, TODAY)["observations"][0]
    server.clear()
    server.expect_request("/f/about.json").respond_with_data("down", 503)
    status, out, _ = run(config, data)
    assert status == 1
    kept = day(data, TODAY)["observations"][0]
    assert kept["status"] == "ok" and kept["metrics"] == first["metrics"]  # failure never replaces
    changed = json.loads(json.dumps(DISCOURSE_ABOUT))
    changed["about"]["stats"]["users_count"] = 99999
    server.clear()
    server.expect_request("/f/about.json").respond_with_json(changed)
    assert run(config, data)[0] == 0
    assert day(data, TODAY)["observations"][0]["metrics"]["members"] == 99999  # new ok replaces


def test_carry_forward_reaches_past_a_file_without_the_source(tmp_path, server) -> None:
    server.expect_request("/f/about.json").respond_with_data("gone", 404)
    config = registry(tmp_path / "c.yml", [("forum", discourse(server.url_for("/f")))])
    data = tmp_path / "data"
    seed_previous(data, "2026-11-10", "forum", "discourse:forum.example.org", "discourse")
    seed_previous(data, "2026-11-20", "other", "discourse:other.example.org", "discourse")
    assert run(config, data)[0] == 1
    stale = day(data, TODAY)["observations"][0]
    assert stale["status"] == "stale" and stale["observed_at"] == "2026-11-10T03:00:00Z"
    assert stale["metrics"] == {"members": 1000, "posts": 5000}


def test_corrupt_day_file_is_named_and_never_overwritten(tmp_path, server) -> None:
    server.expect_request("/f/about.json").respond_with_json(DISCOURSE_ABOUT)
    config = registry(tmp_path / "c.yml", [("forum", discourse(server.url_for("/f")))])
    data = tmp_path / "data"
    path = snapshot_path(data, TODAY)
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"schema_version": 1, "date": "2026-11-21", "observ')
    status, _, err = run(config, data)
    assert status == 1
    assert str(path) in err and "not valid JSON" in err and "Nothing was collected" in err
    assert path.read_bytes() == b'{"schema_version": 1, "date": "2026-11-21", "observ'
    assert not server.log  # stopped before asking anyone


def test_corrupt_earlier_file_is_named_and_kept(tmp_path, server) -> None:
    server.expect_request("/f/about.json").respond_with_data("down", 404)
    config = registry(tmp_path / "c.yml", [("forum", discourse(server.url_for("/f")))])
    data = tmp_path / "data"
    broken = snapshot_path(data, "2026-11-20")
    broken.parent.mkdir(parents=True)
    broken.write_text("[]")
    status, out, _ = run(config, data)
    assert status == 1
    assert f"warning: {broken}" in out and "breaks the snapshot contract" in out
    assert broken.read_text() == "[]"


def test_only_selects_communities_and_rejects_unknown(tmp_path, server) -> None:
    config = forums(tmp_path, server, 3)
    data = tmp_path / "data"
    assert run(config, data, only="forum-1")[0] == 0
    assert list(values(data)) == ["forum-1"]
    status, _, err = run(config, data, only="forum-9")
    assert status == 2 and "--only forum-9: no such community" in err


def test_invalid_registry_prints_problems_without_traceback(tmp_path) -> None:
    config = tmp_path / "bad.yml"
    config.write_text(
        "communities:\n  - slug: x\n    name: X\n    sources:\n      - platform: discorse\n"
    )
    status, _, err = run(config, tmp_path / "data")
    assert status == 2
    assert "not a valid registry" in err and "bad.yml:5" in err and "discourse" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "message"),
    [("3", "K/N"), ("0/4", "between 1 and N"), ("5/4", "between 1 and N"), ("a/b", "K/N")],
)
def test_bad_shard(text, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_shard(text)


def test_shards_are_stable_and_partition_the_sources() -> None:
    sources = [
        SourceConfig(community=f"c{i}", platform="discourse", key="host", id=f"f{i}.example.org")
        for i in range(200)
    ]
    # pinned: a change of hash function (or Python's randomised hash) would move sources
    assert [shard_of(s, 7) for s in sources[:8]] == PINNED_SHARDS
    parts = [select_sources(sources, shard=(k, 4)) for k in range(1, 5)]
    labels = [s.label for part in parts for s in part]
    assert sorted(labels) == sorted(s.label for s in sources) and len(set(labels)) == 200
    assert all(30 <= len(part) <= 70 for part in parts)


# sha256 of 'discourse:f{i}.example.org', first 8 bytes big-endian, mod 7, plus 1
PINNED_SHARDS = [6, 6, 6, 4, 2, 1, 1, 1]


def test_shard_runs_then_merge_equal_one_run(tmp_path, server: HTTPServer) -> None:
    config = forums(tmp_path, server, 12)
    assert run(config, tmp_path / "whole")[0] == 0
    sharded = tmp_path / "sharded"
    for k in (1, 2, 3):
        status, out, _ = run(config, sharded, shard=f"{k}/3")
        assert status in (0, 1)
        assert f"partials/{TODAY}.shard-{k}-of-3.json" in out
    assert not snapshot_path(sharded, TODAY).exists()  # partials live outside snapshots/
    status, out, _ = run(None, sharded, merge=True)
    assert status == 0 and "merged 3 partial file(s), 12 observations" in out
    assert values(sharded) == values(tmp_path / "whole")
    before = fingerprint(sharded)
    merged_once = day(sharded, TODAY)["observations"]
    assert run(None, sharded, merge=True)[0] == 0  # merging again changes no observation
    assert day(sharded, TODAY)["observations"] == merged_once
    assert set(fingerprint(sharded)) == set(before)


def test_merge_names_missing_and_corrupt_partials(tmp_path, server: HTTPServer) -> None:
    config = forums(tmp_path, server, 6)
    data = tmp_path / "data"
    run(config, data, shard="1/3")
    run(config, data, shard="2/3")
    (data / "partials" / f"{TODAY}.shard-2-of-3.json").write_text("{not json")
    status, out, _ = run(None, data, merge=True)
    assert status == 1
    assert "shard-2-of-3.json: is not valid JSON" in out
    assert "shard(s) 2, 3 of 3 have no partial file" in out


def test_merge_without_partials_and_merge_with_shard(tmp_path) -> None:
    status, out, _ = run(None, tmp_path / "data", merge=True)
    assert status == 1 and "no partial files" in out
    status, _, err = run(None, tmp_path / "data", merge=True, shard="1/2")
    assert status == 2 and "--merge" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard", "3"], "--shard must look like K/N"),
        (["--date", "2026-13-01"], "not a calendar date"),
    ],
)
def test_invoke_task_bad_arguments(tmp_path, args, message) -> None:
    answer = subprocess.run(
        [sys.executable, "-m", "invoke", "snapshot", "--config", str(tmp_path / "x.yml"),
         "--data", str(tmp_path / "data"), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert answer.returncode == 2
    assert message in answer.stderr and "usage: invoke snapshot" in answer.stderr
    assert "Traceback" not in answer.stderr + answer.stdout


def test_unwritable_data_folder_is_a_clear_error(tmp_path, server: HTTPServer) -> None:
    server.expect_request("/f/about.json").respond_with_json(DISCOURSE_ABOUT)
    config = registry(tmp_path / "c.yml", [("forum", discourse(server.url_for("/f")))])
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    status, _, err = run(config, blocker)
    assert status == 1 and "cannot write" in err and "Traceback" not in err
    assert blocker.read_text() == "a file where the data folder should be"


def test_writer_lock_serialises_writers_and_clears_leftovers(tmp_path, server: HTTPServer) -> None:
    import threading

    from community_metrics.store.lock import store_lock

    server.expect_request("/f/about.json").respond_with_json(DISCOURSE_ABOUT)
    config = registry(tmp_path / "c.yml", [("forum", discourse(server.url_for("/f")))])
    data = tmp_path / "data"
    leftover = data / "snapshots" / "2026" / ".2026-11-20.json.k1ll3d.tmp"
    leftover.parent.mkdir(parents=True)
    leftover.write_text('{"schema_version": 1, "da')  # what a SIGKILL mid-write leaves
    results = []
    with store_lock(data):
        writer = threading.Thread(target=lambda: results.append(run(config, data)[0]))
        writer.start()
        writer.join(timeout=1.0)
        assert writer.is_alive() and not snapshot_path(data, TODAY).exists()  # waits its turn
    writer.join(timeout=30)
    assert results == [0] and snapshot_path(data, TODAY).exists()
    assert not leftover.exists()


def test_store_lock_is_the_filelock_other_tools_can_take(tmp_path) -> None:
    """Another process using filelock (or flock) on the same file waits for the writer."""
    import filelock

    from community_metrics.store.lock import LOCK_NAME, store_lock

    with store_lock(tmp_path), pytest.raises(filelock.Timeout):
        filelock.FileLock(tmp_path / LOCK_NAME, timeout=0).acquire()
    with filelock.FileLock(tmp_path / LOCK_NAME, timeout=0):
        pass  # free again once the writer is done
