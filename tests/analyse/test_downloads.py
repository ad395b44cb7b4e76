"""Downloads: CSV/JSON builders, formula neutralisation, and the snapshot JSON Schema agreeing
with ``Snapshot.from_dict`` on a corpus of valid and invalid files."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from community_metrics.contract.model import ContractError, Observation, Snapshot
from community_metrics.render import downloads
from community_metrics.store.history import load_history
from community_metrics.store.snapshots import snapshot_path, write_json_atomic


@pytest.fixture
def history(tmp_path: Path):
    def write(day, observations):
        snapshot = Snapshot(day, f"{day}T03:00:00Z", observations)
        write_json_atomic(snapshot_path(tmp_path, day), snapshot.to_dict())

    write(
        "2026-03-01",
        [
            Observation(
                "=evil",
                "discourse",
                "discourse:-x",
                "ok",
                {"members": 10, "active_30d": 2},
                observed_at="2026-03-01T03:00:00Z",
            ),
            Observation(
                "py",
                "github",
                "github:a/b",
                "ok",
                {"members": 5.5},
                observed_at="2026-03-01T03:00:00Z",
            ),
        ],
    )
    write(
        "2026-03-03",
        [
            Observation(
                "py",
                "github",
                "github:a/b",
                "stale",
                {"members": 5.5},
                observed_at="2026-03-01T03:00:00Z",
                error="HTTP 503",
            ),
            Observation("py", "matrix", "matrix:#r:m.org", "error", {}, error="HTTP 401"),
        ],
    )
    return load_history(tmp_path)


def parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_observations_csv_is_long_and_neutralises_formulas(history) -> None:
    rows = parse_csv(downloads.observations_csv(history))
    assert rows[0] == list(downloads.CSV_COLUMNS)
    assert rows[1:] == [
        ["2026-03-01", "'=evil", "discourse", "discourse:-x", "members", "10", "ok", ""],
        ["2026-03-01", "'=evil", "discourse", "discourse:-x", "active_30d", "2", "ok", ""],
        ["2026-03-01", "py", "github", "github:a/b", "members", "5.5", "ok", ""],
        ["2026-03-03", "py", "github", "github:a/b", "members", "5.5", "stale", "2026-03-01"],
        ["2026-03-03", "py", "matrix", "matrix:#r:m.org", "", "", "error", ""],
    ]


def test_safe_cell() -> None:
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert downloads.safe_cell(dangerous) == "'" + dangerous
    assert downloads.safe_cell("plain") == "plain"
    assert downloads.safe_cell(-3) == -3  # a real number stays a number
    assert downloads.safe_cell(4.0) == 4
    assert downloads.safe_cell(None) == ""


def test_community_csv_is_wide(history) -> None:
    rows = parse_csv(downloads.community_csv(history, "py"))
    assert rows == [
        ["date", "platform", "source", "status", "members", "stale_since"],
        ["2026-03-01", "github", "github:a/b", "ok", "5.5", ""],
        ["2026-03-03", "github", "github:a/b", "stale", "5.5", "2026-03-01"],
        ["2026-03-03", "matrix", "matrix:#r:m.org", "error", "", ""],
    ]


def test_observations_json_is_columnar(history) -> None:
    data = json.loads(downloads.observations_json(history))
    assert data["dates"] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    github = next(s for s in data["series"] if s["source"] == "github:a/b")
    assert github["status"] == ["ok", None, "stale"]
    assert github["metrics"] == {"members": [5.5, None, 5.5]}
    assert github["stale_since"] == {"2026-03-03": "2026-03-01"}
    assert data["synthetic"] is False


# --- the schema agrees with the reader ---------------------------------------------------------

VALID = {
    "schema_version": 1,
    "date": "2024-02-29",
    "generated_at": "2024-02-29T03:12:09Z",
    "synthetic": False,
    "observations": [
        {
            "community": "python",
            "platform": "discourse",
            "source": "discourse:discuss.python.org",
            "status": "ok",
            "metrics": {"members": 41234, "active_30d": 5123.5},
            "created_at": "2017-03-01T00:00:00+01:00",
            "observed_at": "2024-02-29T03:12:04.123456Z",
            "endpoint": "https://discuss.python.org/about.json",
            "error": None,
            "extra": {"anything": [1, 2]},
        },
        {
            "community": "python",
            "platform": "matrix",
            "source": "matrix:#python:matrix.org",
            "status": "error",
            "error": "HTTP 401",
        },
    ],
}


def mutate(path: str, value=..., delete: bool = False):
    def apply(doc):
        parts = path.split(".")
        target = doc
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        key = int(parts[-1]) if parts[-1].isdigit() else parts[-1]
        if delete:
            del target[key]
        else:
            target[key] = value
        return doc

    return apply


CASES = {
    # valid variants
    "as is": (lambda d: d, True),
    "no synthetic, no extra": (
        lambda d: mutate("synthetic", delete=True)(mutate("observations.0.extra", delete=True)(d)),
        True,
    ),
    "schema_version 1.0": (mutate("schema_version", 1.0), True),
    "unknown top-level key is ignored": (mutate("note", "hi"), True),
    "error with observed_at": (mutate("observations.1.observed_at", "2024-02-29T03:00:00Z"), True),
    "no metrics": (mutate("observations.0.metrics", delete=True), True),
    "offset timestamp": (mutate("generated_at", "2024-02-29T23:59:59-05:30"), True),
    "zero count": (mutate("observations.0.metrics.members", 0), True),
    "no observations": (mutate("observations", []), True),
    # invalid
    "schema_version 2": (mutate("schema_version", 2), False),
    "schema_version true": (mutate("schema_version", True), False),
    "schema_version missing": (mutate("schema_version", delete=True), False),
    "date not calendar": (mutate("date", "2023-02-29"), False),
    "date month 13": (mutate("date", "2024-13-01"), False),
    "date with newline": (mutate("date", "2024-02-29\n"), False),
    "date year zero": (mutate("date", "0000-01-01"), False),
    "date with time": (mutate("date", "2024-02-29T00:00:00Z"), False),
    "date as number": (mutate("date", 20240229), False),
    "generated_at missing": (mutate("generated_at", delete=True), False),
    "generated_at no zone": (mutate("generated_at", "2024-02-29T03:12:09"), False),
    "generated_at basic format": (mutate("generated_at", "20240229T031209Z"), False),
    "generated_at hour 24": (mutate("generated_at", "2024-02-29T24:00:00Z"), False),
    "generated_at bad day": (mutate("generated_at", "2023-02-29T03:00:00Z"), False),
    "generated_at trailing newline": (mutate("generated_at", "2024-02-29T03:12:09Z\n"), False),
    "synthetic as string": (mutate("synthetic", "yes"), False),
    "observations not a list": (mutate("observations", {}), False),
    "observation not an object": (mutate("observations.0", "x"), False),
    "status unknown": (mutate("observations.0.status", "fine"), False),
    "community empty": (mutate("observations.0.community", ""), False),
    "source missing": (mutate("observations.0.source", delete=True), False),
    "platform number": (mutate("observations.0.platform", 3), False),
    "unknown metric": (mutate("observations.0.metrics.likes", 3), False),
    "negative metric": (mutate("observations.0.metrics.members", -1), False),
    "metric as string": (mutate("observations.0.metrics.members", "12"), False),
    "metric as bool": (mutate("observations.0.metrics.members", True), False),
    "metric null": (mutate("observations.0.metrics.members", None), False),
    "metrics null": (mutate("observations.0.metrics", None), False),
    "ok without observed_at": (mutate("observations.0.observed_at", delete=True), False),
    "ok with null observed_at": (mutate("observations.0.observed_at", None), False),
    "created_at garbage": (mutate("observations.0.created_at", "yesterday"), False),
    "endpoint empty": (mutate("observations.0.endpoint", ""), False),
    "error as number": (mutate("observations.0.error", 5), False),
    "extra null": (mutate("observations.0.extra", None), False),
    "extra list": (mutate("observations.0.extra", []), False),
    "top level list": (lambda d: [d], False),
}


def reader_accepts(text: str) -> bool:
    try:
        Snapshot.from_dict(json.loads(text))
    except ContractError:
        return False
    return True


def schema_accepts(text: str) -> bool:
    def refuse(token: str):
        raise ValueError(f"{token} is not JSON")

    try:
        document = json.loads(text, parse_constant=refuse)  # a strict JSON parser
    except ValueError:
        return False
    validator = jsonschema.Draft202012Validator(downloads.snapshot_schema())
    return validator.is_valid(document)


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(downloads.snapshot_schema())
    assert json.loads(downloads.snapshot_schema_json())["$schema"].endswith("2020-12/schema")


@pytest.mark.parametrize("name", list(CASES))
def test_schema_and_reader_agree(name: str) -> None:
    change, expected = CASES[name]
    text = json.dumps(change(copy.deepcopy(VALID)))
    assert reader_accepts(text) is expected
    assert schema_accepts(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        '{"schema_version":1,"date":"2024-01-01","generated_at":"2024-01-01T00:00:00Z",'
        '"observations":[{"community":"a","platform":"b","source":"c","status":"ok",'
        '"observed_at":"2024-01-01T00:00:00Z","metrics":{"members":NaN}}]}',
        '{"schema_version":1,"date":"2024-01-01","generated_at":"2024-01-01T00:00:00Z",'
        '"observations":[{"community":"a","platform":"b","source":"c","status":"ok",'
        '"observed_at":"2024-01-01T00:00:00Z","metrics":{"members":1e400}}]}',
    ],
)
def test_non_finite_numbers_are_refused_by_both(text: str) -> None:
    assert reader_accepts(text) is False
    assert schema_accepts(text) is False


def test_documented_exception_duplicate_pairs() -> None:
    doc = copy.deepcopy(VALID)
    doc["observations"].append(copy.deepcopy(doc["observations"][0]))
    text = json.dumps(doc)
    assert reader_accepts(text) is False
    assert schema_accepts(text) is True  # not expressible in JSON Schema; named in its text
    assert "unique by (community, source)" in downloads.snapshot_schema()["description"]


def test_demo_files_validate_against_the_schema() -> None:
    root = Path(__file__).resolve().parents[2] / "demo" / "snapshots"
    files = sorted(root.glob("*/*.json"))
    assert files, "the committed demo/ history is missing"
    validator = jsonschema.Draft202012Validator(downloads.snapshot_schema())
    for path in files[:: max(1, len(files) // 20)]:
        validator.validate(json.loads(path.read_text(encoding="utf-8")))


def test_yearly_files_hold_the_rows_of_observations_csv(tmp_path: Path, history) -> None:
    write_json_atomic(
        snapshot_path(tmp_path, "2025-12-31"),
        Snapshot(
            "2025-12-31",
            "2025-12-31T03:00:00Z",
            [
                Observation(
                    "py",
                    "github",
                    "github:a/b",
                    "ok",
                    {"members": 4},
                    observed_at="2025-12-31T03:00:00Z",
                )
            ],
        ).to_dict(),
    )
    both = load_history(tmp_path)
    assert downloads.observation_years(both) == ["2025", "2026"]
    whole = parse_csv(downloads.observations_csv(both))
    parts = [parse_csv("".join(downloads.iter_year_csv(both, y))) for y in ("2025", "2026")]
    assert all(part[0] == whole[0] for part in parts)
    assert sorted(parts[0][1:] + parts[1][1:]) == sorted(whole[1:])
    assert parts[0][1:] == [["2025-12-31", "py", "github", "github:a/b", "members", "4", "ok", ""]]
    assert downloads.year_file_name("2026") == "observations-2026.csv.gz"


def test_the_whole_history_in_one_file_only_while_it_is_small(history, monkeypatch) -> None:
    assert (
        downloads.observation_rows(history)
        == len(parse_csv(downloads.observations_csv(history))) - 1
    )
    assert downloads.full_files_fit(history)
    monkeypatch.setattr(downloads, "FULL_FILES_MAX_ROWS", 4)
    assert not downloads.full_files_fit(history)


def test_yearly_files_trade_bytes_for_seconds_only_while_the_history_is_small(
    history, monkeypatch
) -> None:
    assert downloads.year_file_gzip(history) == downloads.FAST_GZIP == ("isal", 1)
    monkeypatch.setattr(downloads, "FAST_GZIP_MAX_ROWS", downloads.observation_rows(history) - 1)
    assert downloads.year_file_gzip(history) == downloads.SMALL_GZIP == ("zlib", 6)


@pytest.mark.parametrize("fast", [True, False])
def test_yearly_files_are_plain_gzip_whichever_library_wrote_them(
    history, monkeypatch, tmp_path: Path, fast: bool
) -> None:
    import gzip

    from community_metrics.render import pages

    if not fast:
        monkeypatch.setattr(downloads, "FAST_GZIP_MAX_ROWS", 0)
    pages.write_year_files(history, False, tmp_path)
    for name, first_day, last_day in downloads.download_files(history):
        raw = (tmp_path / "data" / name).read_bytes()
        assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\0\0\0\0"  # gzip, mtime 0
        text = gzip.decompress(raw).decode("utf-8")
        assert text == "".join(downloads.iter_period_csv(history, first_day, last_day))


def test_a_year_holding_only_a_gap_marker_gets_no_file(tmp_path: Path) -> None:
    for day in ("2024-12-31", "2026-03-01"):
        observation = Observation(
            "py", "github", "github:a/b", "ok", {"members": 4}, observed_at=f"{day}T03:00:00Z"
        )
        snapshot = Snapshot(day, f"{day}T03:00:00Z", [observation])
        write_json_atomic(snapshot_path(tmp_path, day), snapshot.to_dict())
    history = load_history(tmp_path)
    assert history.dates == ["2024-12-31", "2025-01-01", "2026-03-01"]
    assert downloads.observation_years(history) == ["2024", "2026"]


def test_a_large_year_is_published_in_parts_by_months(tmp_path: Path, monkeypatch) -> None:
    for day in ("2026-01-05", "2026-02-01", "2026-08-01"):
        observation = Observation(
            "py", "github", "github:a/b", "ok", {"members": 4}, observed_at=f"{day}T03:00:00Z"
        )
        snapshot = Snapshot(day, f"{day}T03:00:00Z", [observation])
        write_json_atomic(snapshot_path(tmp_path, day), snapshot.to_dict())
    history = load_history(tmp_path)
    assert downloads.download_files(history) == [
        ("observations-2026.csv.gz", "2026-01-01", "2026-12-31")
    ]
    monkeypatch.setattr(downloads, "YEAR_FILE_MAX_ROWS", 2)
    files = downloads.download_files(history)
    assert files == [
        ("observations-2026-part1of2.csv.gz", "2026-01-01", "2026-06-30"),
        ("observations-2026-part2of2.csv.gz", "2026-07-01", "2026-12-31"),
    ]
    rows = [parse_csv("".join(downloads.iter_period_csv(history, a, b)))[1:] for _, a, b in files]
    assert [[row[0] for row in part] for part in rows] == [
        ["2026-01-05", "2026-02-01"],
        ["2026-08-01"],
    ]
