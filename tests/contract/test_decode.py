"""The one reader: decoding errors name the file and the JSON path; strings are bounded."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from community_metrics.collect.shards import read_partial
from community_metrics.contract.model import (
    MAX_NAME_CHARS,
    MAX_TEXT_CHARS,
    ContractError,
    MalformedJSON,
    Snapshot,
    decode_snapshot,
)
from community_metrics.store.snapshots import SnapshotError, read_snapshot

OBSERVATION = {
    "community": "python",
    "platform": "discourse",
    "source": "discourse:discuss.python.org",
    "status": "ok",
    "metrics": {"members": 41234},
    "created_at": None,
    "observed_at": "2026-11-22T03:12:04Z",
    "endpoint": "https://discuss.python.org/about.json",
    "error": None,
}


def day(observations: list[dict]) -> dict:
    return {
        "schema_version": 1,
        "date": "2026-11-22",
        "generated_at": "2026-11-22T03:12:09Z",
        "synthetic": False,
        "observations": observations,
    }


def four(**change) -> list[dict]:
    found = [dict(OBSERVATION, source=f"discourse:f{i}") for i in range(4)]
    found[3] = {**found[3], **change}
    return found


def write(tmp_path: Path, document: object, name: str = "2026-11-22.json") -> Path:
    path = tmp_path / "snapshots" / "2026" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"metrics": {"members": -1}}, "$.observations[3].metrics.members"),
        ({"metrics": {"active_7d": 2, "members": "12"}}, "$.observations[3].metrics.members"),
        ({"metrics": {"likes": 1}}, "$.observations[3].metrics.likes"),
        ({"status": "fine"}, "$.observations[3].status"),
        ({"observed_at": "2026-02-30T00:00:00Z"}, "$.observations[3].observed_at"),
        ({"observed_at": None}, "$.observations[3].observed_at"),
        ({"observed_at": "2026-11-22 03:12:04"}, "$.observations[3].observed_at"),
        ({"created_at": "2019-02-29T00:00:00Z"}, "$.observations[3].created_at"),
        ({"endpoint": ""}, "$.observations[3].endpoint"),
        ({"source": "x" * (MAX_NAME_CHARS + 1)}, "$.observations[3].source"),
    ],
)
def test_decoding_errors_name_the_file_and_the_json_path(tmp_path, change, where) -> None:
    path = write(tmp_path, day(four(**change)))
    with pytest.raises(SnapshotError) as info:
        read_snapshot(path)
    assert str(path) in str(info.value) and f"at {where}:" in str(info.value)


def test_malformed_json_is_named_with_line_and_column(tmp_path) -> None:
    path = tmp_path / "snapshots" / "2026" / "2026-11-22.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{\n  "schema_version": 1,\n  "date": ,\n}')
    with pytest.raises(SnapshotError) as info:
        read_snapshot(path)
    assert str(path) in str(info.value)
    assert "is not valid JSON at line 3, column 11" in str(info.value)
    with pytest.raises(MalformedJSON):
        decode_snapshot(b"{")


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (
            b'{\n  "schema_version": 1,\n  "date": "2026-11-2',
            "at line 3, column 21 (the file ends before its JSON does)",
        ),
        (b"", "(the file is empty)"),
        (b"\n", "at line 2, column 1 (the file is empty)"),
    ],
)
def test_a_cut_short_or_empty_file_is_named_where_it_ends(tmp_path, raw, said) -> None:
    path = tmp_path / "snapshots" / "2026" / "2026-11-22.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)
    with pytest.raises(SnapshotError) as info:
        read_snapshot(path)
    assert f"{path}: is not valid JSON" in str(info.value) and said in str(info.value)


def test_a_partial_file_is_read_by_the_same_reader(tmp_path) -> None:
    path = tmp_path / "partials" / "2026-11-22.shard-1-of-2.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(day(four(metrics={"members": -5}))), encoding="utf-8")
    with pytest.raises(SnapshotError) as info:
        read_partial(path)
    assert str(path) in str(info.value)
    assert "$.observations[3].metrics.members: must be finite and non-negative" in str(info.value)


def test_the_bytes_reader_and_the_python_reader_agree() -> None:
    document = day(four(metrics={"members": 3}))
    from_bytes = decode_snapshot(json.dumps(document).encode())
    assert from_bytes == Snapshot.from_dict(copy.deepcopy(document))
    assert from_bytes.to_dict() == document
    broken = day(four(metrics={"members": True}))
    with pytest.raises(ContractError) as one:
        decode_snapshot(json.dumps(broken).encode())
    with pytest.raises(ContractError) as other:
        Snapshot.from_dict(broken)
    assert str(one.value) == str(other.value)


def test_an_error_text_is_cut_where_it_is_read() -> None:
    long_error = "e" * 50_000
    snapshot = decode_snapshot(
        json.dumps(day(four(status="error", error=long_error, metrics={}))).encode()
    )
    assert len(snapshot.observations[3].error) == MAX_TEXT_CHARS
    assert snapshot.observations[3].error.endswith("…")


def test_schema_version_is_required_in_a_file_but_implied_in_code() -> None:
    document = day([])
    del document["schema_version"]
    with pytest.raises(ContractError, match="schema_version"):
        decode_snapshot(json.dumps(document).encode())
    assert Snapshot("2026-11-22", "2026-11-22T03:12:09Z", []).to_dict()["schema_version"] == 1


def test_a_number_past_pythons_digit_limit_is_named_not_a_traceback() -> None:
    document = day(four(metrics={"members": 10**5000}))
    with pytest.raises(ContractError, match=r"\$\.observations\[3\]\.metrics\.members"):
        Snapshot.from_dict(document)
    raw = json.dumps(day(four())).replace('"members": 41234', '"members": ' + "9" * 5000, 1)
    with pytest.raises(ContractError, match=r"metrics"):
        decode_snapshot(raw.encode())


def test_a_timestamp_seen_valid_before_does_not_excuse_a_bad_one(tmp_path) -> None:
    """Valid timestamps are remembered (a history repeats them); a bad one is still named."""
    read_snapshot(write(tmp_path, day(four())))  # every timestamp of the file is now known
    path = write(tmp_path, day(four(created_at="2026-11-22T03:12:04")))  # no time zone
    with pytest.raises(SnapshotError) as info:
        read_snapshot(path)
    assert "at $.observations[3].created_at:" in str(info.value)
    assert "RFC 3339" in str(info.value)
