"""Hypothesis: any bytes or JSON as a snapshot file are read or refused with SnapshotError;
merging is idempotent and never loses an ok value."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_metrics.contract.model import METRICS, STATUSES, Observation
from community_metrics.store.snapshots import (
    SnapshotError,
    merge_observations,
    read_snapshot,
    write_snapshot,
)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=25,
)

timestamps = st.sampled_from(
    ["2026-11-21T03:00:00Z", "2026-11-20T00:00:00+02:00", "yesterday", "", None, 5]
)

observation_dicts = st.fixed_dictionaries(
    {
        "community": st.sampled_from(["python", "rust", "", None, 3]),
        "platform": st.sampled_from(["discourse", "github", ""]),
        "source": st.sampled_from(["discourse:a.org", "github:o/r", None]),
        "status": st.sampled_from([*STATUSES, "fine", None]),
        "metrics": st.dictionaries(st.sampled_from([*METRICS, "likes"]), json_values, max_size=3)
        | json_values,
        "observed_at": timestamps,
    },
    optional={
        "created_at": timestamps,
        "endpoint": st.sampled_from(["https://a.org/about.json", "", None, 7]),
        "error": st.sampled_from([None, "boom", 1]),
        "extra": json_values,
    },
)

snapshot_like = st.fixed_dictionaries(
    {
        "schema_version": st.sampled_from([1, 1, 1, 2, "1", None]),
        "date": st.sampled_from(["2026-11-21", "2026-11-21", "2026-02-30", "21/11/2026", None]),
        "generated_at": timestamps,
        "observations": st.lists(observation_dicts, max_size=4) | json_values,
    },
    optional={"synthetic": st.sampled_from([True, False, "yes", None])},
)


def read_bytes_as_snapshot(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "2026-11-21.json"
        path.write_bytes(raw)
        try:
            snapshot = read_snapshot(path)
        except SnapshotError as exc:
            assert str(path) in str(exc)
            return
        assert snapshot.date == "2026-11-21"


@SETTINGS
@given(st.binary(max_size=200))
def test_arbitrary_bytes_are_read_or_refused(raw: bytes) -> None:
    read_bytes_as_snapshot(raw)


@SETTINGS
@given(json_values | snapshot_like)
def test_arbitrary_json_is_read_or_refused(data) -> None:
    read_bytes_as_snapshot(json.dumps(data).encode())


def test_huge_integers_and_deep_nesting_are_refused_cleanly() -> None:
    read_bytes_as_snapshot(b'{"schema_version": 1, "n": ' + b"9" * 5000 + b"}")
    read_bytes_as_snapshot(b"[" * 100_000 + b"]" * 100_000)
    observation = {
        "community": "a", "platform": "b", "source": "b:c", "status": "ok",
        "observed_at": "2026-11-21T00:00:00Z", "metrics": {"members": 10**400},
    }  # fmt: skip
    snapshot = {
        "schema_version": 1, "date": "2026-11-21", "generated_at": "2026-11-21T00:00:00Z",
        "observations": [observation],
    }  # fmt: skip
    read_bytes_as_snapshot(json.dumps(snapshot).encode())


# --- merge ----------------------------------------------------------------------------------

KEYS = [("python", "discourse:a.org"), ("python", "github:o/r"), ("rust", "discourse:a.org")]

observations = st.builds(
    lambda key, status, members: Observation(
        community=key[0],
        platform=key[1].split(":")[0],
        source=key[1],
        status=status,
        metrics={} if status == "error" else {"members": members},
        observed_at="2026-11-21T03:00:00Z",
        error=None if status in ("ok",) else "failed",
    ),
    st.sampled_from(KEYS),
    st.sampled_from(STATUSES),
    st.integers(min_value=0, max_value=10**6),
)
observation_sets = st.lists(observations, max_size=6, unique_by=lambda o: o.key)


@SETTINGS
@given(observation_sets)
def test_merging_a_set_into_itself_changes_nothing(items) -> None:
    assert merge_observations(items, items) == sorted(items, key=lambda o: o.key)


@SETTINGS
@given(observation_sets, observation_sets)
def test_merge_is_idempotent_and_never_loses_an_ok_value(earlier, later) -> None:
    merged = merge_observations(earlier, later)
    assert merge_observations(merged, later) == merged
    assert merge_observations(merged, merged) == merged
    result = {o.key: o for o in merged}
    assert set(result) == {o.key for o in earlier} | {o.key for o in later}
    before = {o.key: o for o in earlier}
    for new in later:
        if new.is_good:
            assert result[new.key] == new  # a later good value replaces
        elif new.key in before and before[new.key].is_good:
            assert result[new.key] == before[new.key]  # a later failure never replaces
    for old in earlier:
        if old.is_good:
            assert result[old.key].is_good


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(observation_sets, observation_sets)
def test_writing_twice_is_idempotent_on_disk(first, second) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        write_snapshot(data, "2026-11-21", first)
        once = write_snapshot(data, "2026-11-21", second).observations
        twice = write_snapshot(data, "2026-11-21", second).observations
        assert once == twice
        kept = {o.key: o for o in twice}
        for old in first:
            if old.is_good:
                assert kept[old.key].is_good
