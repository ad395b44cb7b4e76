"""Pure parts of scripts/nightly.py: the shard plan, what counts as changed data, the summary."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("nightly", ROOT / "scripts" / "nightly.py")
nightly = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("nightly", nightly)  # dataclasses look their module up there
_spec.loader.exec_module(nightly)


@pytest.mark.parametrize(
    ("sources", "threshold", "max_shards", "expected"),
    [
        (0, 200, 8, ["all"]),
        (200, 200, 8, ["all"]),
        (201, 200, 8, ["1/2", "2/2"]),
        (1000, 200, 8, ["1/5", "2/5", "3/5", "4/5", "5/5"]),
        (10_000, 200, 8, [f"{i}/8" for i in range(1, 9)]),
        (500, 200, 1, ["all"]),
    ],
)
def test_shard_plan(sources, threshold, max_shards, expected):
    assert nightly.shard_plan(sources, threshold, max_shards) == expected


def test_a_bad_threshold_variable_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("SHARD_THRESHOLD", "lots")
    with pytest.raises(nightly.StepError, match="SHARD_THRESHOLD='lots' is not a whole number"):
        nightly.env_int("SHARD_THRESHOLD", 200, minimum=1)
    monkeypatch.setenv("SHARD_THRESHOLD", "0")
    with pytest.raises(nightly.StepError, match="at least 1"):
        nightly.env_int("SHARD_THRESHOLD", 200, minimum=1)


def snapshot_text(**changes) -> str:
    observation = {
        "community": "python", "platform": "github", "source": "github:python/cpython",
        "status": "ok", "metrics": {"members": 10}, "created_at": None,
        "observed_at": "2026-11-22T03:00:00Z", "endpoint": None, "error": None,
    }  # fmt: skip
    observation.update(changes)
    return json.dumps(
        {"schema_version": 1, "date": "2026-11-22", "generated_at": "2026-11-22T03:00:05Z",
         "synthetic": False, "observations": [observation]}
    )  # fmt: skip


def test_only_the_moments_of_a_run_do_not_count_as_changed_data():
    base = nightly.comparable(snapshot_text())
    assert nightly.comparable(snapshot_text(observed_at="2026-11-22T09:00:00Z")) == base
    assert nightly.comparable(snapshot_text(metrics={"members": 11})) != base
    assert nightly.comparable(snapshot_text(status="partial", error="x")) != base
    stale = nightly.comparable(snapshot_text(status="stale", error="404"))
    moved = nightly.comparable(
        snapshot_text(status="stale", error="404", observed_at="2026-11-21T03:00:00Z")
    )
    assert stale != moved  # a stale value's moment says which earlier value it carries


def test_summary_cells_cannot_inject_markup_or_break_the_table():
    hostile = "boom | <script>alert(1)</script> [x](javascript:alert(1)) `code`\nnext line"
    cell = nightly._cell(hostile)
    assert "|" not in cell and "<" not in cell and ">" not in cell and "\n" not in cell
    assert "[" not in cell and "`" not in cell
    assert "&lt;script&gt;" in cell
    assert len(nightly._cell("x" * 1000)) <= 301


def test_summary_lists_every_source_that_is_not_ok():
    observations = [
        nightly.Observation("a", "github", "github:a/a", "ok", {"members": 1},
                            observed_at="2026-11-22T03:00:00Z"),
        nightly.Observation("b", "github", "github:b/b", "stale", {"members": 2},
                            observed_at="2026-11-21T03:00:00Z", error="answered 503"),
        nightly.Observation("c", "reddit", "reddit:c", "error", error="answered 429, reset 04:00"),
    ]  # fmt: skip
    result = nightly.Outcome("2026-11-22", Counter(o.status for o in observations), 1,
                             [o for o in observations if o.status != "ok"])  # fmt: skip
    text = nightly.summary_markdown(result, "Community Pulse snapshot")
    assert "3 sources: 1 ok, 0 partial, 1 stale, 1 error." in text
    assert "github:b/b | stale | 2026-11-21T03:00:00Z | answered 503" in text
    assert "reddit:c | error | — | answered 429, reset 04:00" in text
    assert "github:a/a" not in text


def test_summary_links_a_failing_source_to_its_readme_row(monkeypatch):
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/pulse")
    failing = nightly.Observation("c", "reddit", "reddit:c", "error", error="answered 403")
    result = nightly.Outcome("2026-11-22", Counter({"error": 1}), 0, [failing])
    text = nightly.summary_markdown(result, "Community Pulse snapshot")
    assert "[reddit in README](https://github.com/someone/pulse#platform-reddit)" in text
    readme = (Path(nightly.ROOT) / "README.md").read_text(encoding="utf-8")
    assert 'id="platform-reddit"' in readme
    monkeypatch.delenv("GITHUB_REPOSITORY")
    assert "(README.md#platform-reddit)" in nightly.summary_markdown(result, "t")


def _backfill_file(folder: Path, name: str, value: int) -> Path:
    document = {
        "backfill_version": 1,
        "community": "c",
        "source": "mastodon:example.social",
        "platform": "mastodon",
        "fetched_at": "2026-11-30T03:00:00Z",
        "endpoint": "https://example.social/api/v1/instance/activity",
        "method": "weekly statuses",
        "values": [{"date": "2026-11-22", "metric": "posts_7d", "value": value}],
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_backfill_files_travel_to_the_record_job_and_never_replace_one(tmp_path, monkeypatch):
    collect_data, out, record_data = tmp_path / "a", tmp_path / "out", tmp_path / "b"
    _backfill_file(collect_data / "backfill", "new.json", 5)
    _backfill_file(collect_data / "backfill", "known.json", 6)
    (collect_data / "backfill" / "junk.json").write_text("{nope", encoding="utf-8")
    kept = _backfill_file(record_data / "backfill", "known.json", 1).read_bytes()
    handed = nightly.hand_on_backfills(collect_data, out)
    assert sorted(p.name for p in handed) == ["junk.json", "known.json", "new.json"]
    placed = nightly.place_backfills(out, record_data)
    assert [p.name for p in placed] == ["new.json"]
    assert (record_data / "backfill" / "known.json").read_bytes() == kept
    assert not (record_data / "backfill" / "junk.json").exists()

    # the commit step adds the new back-fill file (a git repository standing in for the checkout)
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    repo = tmp_path / "repo"
    monkeypatch.chdir(repo)
    _backfill_file(Path("data") / "backfill", "c--mastodon-example-social.json", 5)
    assert nightly.changed_paths(Path("data")) == ["data/backfill/c--mastodon-example-social.json"]
