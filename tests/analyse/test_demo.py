"""Demo data: deterministic bytes, flagged synthetic, a registry the loader accepts, realistic
shapes (growth, weekly rhythm, gaps, stale and partial days, missing files)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from community_metrics.analyse.rollup import community_series
from community_metrics.collect.demo import END_DATE, DemoError, generate_demo
from community_metrics.contract.model import Observation, Snapshot
from community_metrics.registry.config import load_registry
from community_metrics.store.history import load_history
from community_metrics.store.snapshots import snapshot_path, snapshot_paths, write_json_atomic

ROOT = Path(__file__).resolve().parents[2]


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo"
    generate_demo(out, communities=6, days=120, seed=7)
    return out


def test_same_seed_same_bytes_other_seed_other_bytes(small: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_demo(again, communities=6, days=120, seed=7, workers=2)  # forked writers too
    assert digest(again) == digest(small)
    other = tmp_path / "other"
    generate_demo(other, communities=6, days=120, seed=8)
    assert digest(other) != digest(small)


def test_committed_demo_is_what_the_generator_writes(tmp_path: Path) -> None:
    generate_demo(tmp_path / "demo")  # the defaults of `invoke demo`
    assert digest(tmp_path / "demo") == digest(ROOT / "demo")


def test_every_file_is_synthetic_and_valid(small: Path) -> None:
    paths = snapshot_paths(small)
    assert paths[-1].name == f"{END_DATE.isoformat()}.json"  # end fixed, not today
    for path in paths:
        raw = json.loads(path.read_text(encoding="utf-8"))
        assert raw["synthetic"] is True
        Snapshot.from_dict(raw)  # raises on any contract break
    history = load_history(small)
    assert history.errors == [] and history.synthetic is True


def test_registry_is_fictional_and_loads(small: Path) -> None:
    registry = load_registry(small / "communities.yml")
    assert len(registry.communities) == 6
    assert len({c.slug for c in registry.communities}) == 6
    for community in registry.communities:
        assert "fictional" in community.description
        for source in community.sources:
            assert "example" in source.id.lower()
    observed = {o.source for p in snapshot_paths(small) for o in _observations(p)}
    assert observed <= {s.label for s in registry.sources}


def _observations(path: Path) -> list[Observation]:
    return Snapshot.from_dict(json.loads(path.read_text(encoding="utf-8"))).observations


def test_shapes_gaps_stale_partial_and_weekly_rhythm(tmp_path: Path) -> None:
    out = tmp_path / "shapes"
    generate_demo(out, communities=20, days=400, seed=3)
    history = load_history(out)
    statuses = {o.status for p in snapshot_paths(out) for o in _observations(p)}
    assert {"ok", "stale", "partial"} <= statuses
    assert len(snapshot_paths(out)) < 400  # some whole days have no file
    # a stale observation carries values observed on an earlier day, and says why
    stale = [
        (p.name[:10], o)
        for p in snapshot_paths(out)
        for o in _observations(p)
        if o.status == "stale"
    ]
    assert stale
    assert all(o.error and o.observed_at[:10] < day for day, o in stale)
    # growth: most communities end bigger than they started
    grew = 0
    for slug in history.communities():
        series = community_series(history, slug, "members")
        values = [v for v in series.values if v is not None]
        grew += values[-1] > values[0]
    assert grew >= 12
    # weekly rhythm: daily active people are lower on weekends than on weekdays
    weekday, weekend = [], []
    for slug in history.communities():
        for source in history.sources(slug):
            series = history.series(slug, source, "active_1d")
            for day, value in zip(series.dates, series.values, strict=True):
                if value:
                    (weekend if date.fromisoformat(day).weekday() >= 5 else weekday).append(value)
    assert weekend and weekday
    assert sum(weekend) / len(weekend) < 0.85 * sum(weekday) / len(weekday)


def test_refuses_to_overwrite_real_snapshots(tmp_path: Path) -> None:
    real = Snapshot("2026-01-01", "2026-01-01T03:00:00Z", [], synthetic=False)
    write_json_atomic(snapshot_path(tmp_path, "2026-01-01"), real.to_dict())
    with pytest.raises(DemoError, match="not synthetic"):
        generate_demo(tmp_path, communities=2, days=10)
    assert snapshot_path(tmp_path, "2026-01-01").exists()


def test_regenerating_replaces_an_older_demo(tmp_path: Path) -> None:
    generate_demo(tmp_path, communities=2, days=30)
    generate_demo(tmp_path, communities=2, days=10)
    assert len(snapshot_paths(tmp_path)) <= 10


def test_bad_arguments() -> None:
    with pytest.raises(DemoError):
        generate_demo(Path("/nonexistent-never-written"), communities=0, days=10)


def test_every_platform_appears_in_a_demo_of_that_many_communities() -> None:
    from community_metrics.collect.demo import _PLATFORMS, plan_community

    shown = {
        source.platform
        for index in range(len(_PLATFORMS))
        for source in plan_community(index, days=30, seed=5).sources
    }
    assert shown == set(_PLATFORMS)
    second_wave = {"nodeinfo", "peertube", "forgejo", "mediawiki", "huggingface", "opencollective"}
    second_wave |= {"gitlab", "steam", "youtube", "telegram", "slack", "zulip"}
    assert second_wave <= shown
