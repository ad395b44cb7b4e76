"""/compare/data/<slug>.json: daily values from the first one on, whether or not every day
between has a snapshot (with every day present the values are slices of the history)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from community_metrics.contract.model import Observation, Snapshot
from community_metrics.render import compare
from community_metrics.store.history import load_history
from community_metrics.store.snapshots import snapshot_path, write_json_atomic


def _history(tmp_path: Path, members: dict[str, float | None]):
    for day, value in members.items():
        metrics = {} if value is None else {"members": value, "posts": 10}
        observation = Observation(
            "py", "github", "github:a/b", "ok" if metrics else "error", metrics,
            observed_at=f"{day}T03:00:00Z" if metrics else None,
        )  # fmt: skip
        snapshot = Snapshot(day, f"{day}T03:00:00Z", [observation])
        write_json_atomic(snapshot_path(tmp_path, day), snapshot.to_dict())
    return load_history(tmp_path)


def _data(history) -> dict:
    view = SimpleNamespace(slug="py", name="Py <b>", rollup=SimpleNamespace(start=None))
    text = compare.community_json(history, view, ("#123456", "solid"))
    assert "</" not in text
    return json.loads(text)


def test_every_day_present_gives_the_values_in_order_rounded(tmp_path: Path) -> None:
    history = _history(
        tmp_path,
        {"2026-01-01": None, "2026-01-02": 5, "2026-01-03": 6.5, "2026-01-04": 7.123456},
    )
    data = _data(history)
    assert data["start"] == "2026-01-02"  # from the first value on, not the first file
    assert data["metrics"]["members"] == [5, 6.5, 7.1235]
    assert [type(v) for v in data["metrics"]["members"]] == [int, float, float]
    assert data["metrics"]["posts"] == [10, 10, 10]
    assert data["colour"] == "#123456" and data["name"] == "Py <b>"


def test_days_without_a_file_are_filled_in_as_gaps(tmp_path: Path) -> None:
    history = _history(tmp_path, {"2026-01-01": 5, "2026-01-02": 6, "2026-01-06": 9})
    members = _data(history)["metrics"]["members"]
    assert members == [5, 6, None, None, None, 9]


def test_no_value_at_all_gives_no_start(tmp_path: Path) -> None:
    data = _data(_history(tmp_path, {"2026-01-01": None}))
    assert data["start"] is None
