"""Partial snapshot files of one shard (``--shard K/N``) and merging them (``--merge``).

A shard run writes ``<data>/partials/YYYY-MM-DD.shard-K-of-N.json``: the snapshot schema,
holding that shard's observations as collected (failures not yet carried forward), outside
``snapshots/`` so the build never reads a partial day. ``--merge`` joins every partial of the
day into the day's snapshot through ``snapshots.write_snapshot`` (which carries failures
forward and merges with an existing day file); merging the same partials again changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from community_metrics.contract.model import (
    Observation,
    Snapshot,
    format_timestamp,
    utc_now,
)
from community_metrics.store.lock import store_lock
from community_metrics.store.snapshots import (
    SnapshotError,
    merge_observations,
    read_contract_file,
    snapshot_path,
    write_json_atomic,
    write_snapshot,
)

_PARTIAL_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.shard-(\d+)-of-(\d+)\.json$")


def partials_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "partials"


def partial_path(data_dir: Path, date: str, shard: tuple[int, int]) -> Path:
    k, n = shard
    return partials_dir(data_dir) / f"{date}.shard-{k}-of-{n}.json"


def write_partial(
    data_dir: Path, date: str, shard: tuple[int, int], observations: list[Observation]
) -> Path:
    """Write (atomically) the shard's observations; a re-run of the shard replaces its file."""
    path = partial_path(data_dir, date, shard)
    snapshot = Snapshot(
        date=date,
        generated_at=format_timestamp(utc_now()),
        observations=merge_observations([], observations),  # one per key, as the schema says
    )
    write_json_atomic(path, snapshot.to_dict())
    return path


def read_partial(path: Path) -> Snapshot:
    """Read and validate one partial file (the snapshot reader, size check included); every
    failure is a ``SnapshotError`` naming it."""
    return read_contract_file(Path(path), what_to_do="run that shard again")


@dataclass
class MergeResult:
    path: Path
    files: list[Path] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def merge_partials(data_dir: Path, date: str) -> MergeResult:
    """Merge every readable partial of ``date`` into the day's snapshot.

    Unreadable partials and missing shards are listed in ``problems`` (named, never silently
    skipped); what could be read is still merged. Raises ``SnapshotError`` when the day's file
    exists but cannot be read (it is left untouched).
    """
    result = MergeResult(path=snapshot_path(data_dir, date))
    folder = partials_dir(data_dir)
    found: dict[int, set[int]] = {}
    candidates = sorted(folder.glob(f"{date}.shard-*-of-*.json")) if folder.is_dir() else []
    merged: list[Observation] = []
    for path in candidates:
        match = _PARTIAL_RE.match(path.name)
        if not match:
            continue
        k, n = int(match.group(2)), int(match.group(3))
        try:
            partial = read_partial(path)
        except SnapshotError as exc:
            result.problems.append(f"{exc} (not merged)")
            continue
        if partial.date != date:
            result.problems.append(f"{path}: holds date {partial.date}, not {date} (not merged)")
            continue
        found.setdefault(n, set()).add(k)
        result.files.append(path)
        merged = merge_observations(merged, partial.observations)
    for n, ks in sorted(found.items()):
        missing = sorted(set(range(1, n + 1)) - ks)
        if missing:
            result.problems.append(
                f"{date}: shard(s) {', '.join(map(str, missing))} of {n} have no partial file; "
                "their sources are missing from the day"
            )
    if len(found) > 1:
        result.problems.append(
            f"{date}: partial files from different shard counts ({', '.join(map(str, found))})"
        )
    if result.files:
        carry_errors: list[SnapshotError] = []
        with store_lock(Path(data_dir)):
            snapshot = write_snapshot(Path(data_dir), date, merged, carry_errors=carry_errors)
        result.problems += [f"{e}; its values were not carried forward" for e in carry_errors]
        keys = {o.key for o in merged}
        result.observations = [o for o in snapshot.observations if o.key in keys]
    return result
