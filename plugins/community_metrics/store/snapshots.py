"""The one reader and writer of snapshot files.

Layout: ``<data>/snapshots/YYYY/YYYY-MM-DD.json``, one file per day, append-only. Writes are
atomic (temporary file in the same folder, fsync, rename, fsync of the folder), so a process
killed at any moment leaves either the old file or the new one. A file that cannot be read is
reported by name (``SnapshotError``) and is never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import tempfile
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from datetime import date as date_type
from pathlib import Path

from msgspec.structs import replace

from community_metrics.contract.model import (
    ContractError,
    MalformedJSON,
    Observation,
    Snapshot,
    decode_snapshot,
    format_timestamp,
    utc_now,
)

_FILE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.json$")
_DAY_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class SnapshotError(Exception):
    """A snapshot file that cannot be used, named with the reason and what to do."""

    def __init__(self, path: Path, message: str):
        super().__init__(f"{path}: {message}")
        self.path = Path(path)
        self.message = message


def snapshot_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "snapshots"


def snapshot_path(data_dir: Path, date: str) -> Path:
    return snapshot_dir(data_dir) / date[:4] / f"{date}.json"


#: A snapshot file larger than this is named and skipped before a byte of it is read. The
#: biggest real day (10,000 communities, several sources each) is a few MB; 64 MB leaves
#: room for growth and still keeps one bad file (or a link to /dev/zero) from eating memory.
MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024

#: The first day a snapshot may hold; the last is tomorrow (UTC): a collector east of UTC may
#: already be on the next day, nothing else is plausible.
FIRST_SNAPSHOT_DAY = date_type(2000, 1, 1)


def snapshot_day_problem(day: str, *, today: date_type | None = None) -> str | None:
    """Why ``day`` cannot be a snapshot day (None when it can). The same answer under any TZ:
    only UTC is consulted."""
    try:
        parsed = date_type.fromisoformat(day)
    except (TypeError, ValueError):
        return f"{day!r} is not a calendar date (YYYY-MM-DD)"
    if not _DAY_RE.match(day):
        return f"{day!r} is not written YYYY-MM-DD"
    last = (today or datetime.now(UTC).date()) + timedelta(days=1)
    if not FIRST_SNAPSHOT_DAY <= parsed <= last:
        return (
            f"{day} is outside the plausible snapshot days "
            f"{FIRST_SNAPSHOT_DAY.isoformat()} .. {last.isoformat()} (tomorrow, UTC)"
        )
    return None


def snapshot_paths(
    data_dir: Path,
    problems: list[SnapshotError] | None = None,
    *,
    today: date_type | None = None,
) -> list[Path]:
    """Every ``YYYY/YYYY-MM-DD.json`` under ``<data>/snapshots``, oldest first. ``today`` (UTC;
    default: the clock's) bounds the newest plausible day: a build for a given moment
    (``COMMUNITY_METRICS_NOW``) judges by that moment.

    A file whose day is not a plausible snapshot day, or that is filed under another year's
    folder, or whose day is also stored in another folder, is left out and named in
    ``problems`` (every reader passes one): the same day twice is never a silent choice."""
    root = snapshot_dir(data_dir)
    if not root.is_dir():
        return []
    found = sorted(
        (
            path
            for year in root.iterdir()
            if year.is_dir() and year.name.isdigit()
            for path in year.iterdir()
            if _FILE_RE.match(path.name)
        ),
        key=lambda p: (p.name, str(p)),
    )
    by_day: dict[str, list[Path]] = {}
    for path in found:
        by_day.setdefault(path.name[:10], []).append(path)
    good: list[Path] = []
    bad: list[SnapshotError] = []
    for day, paths in by_day.items():
        if len(paths) > 1:
            names = " and ".join(str(p) for p in paths)
            for path in paths:
                bad.append(
                    SnapshotError(
                        path,
                        f"the day {day} is stored twice ({names}): keep the one in the "
                        f"{day[:4]} folder and remove the other",
                    )
                )
            continue
        path = paths[0]
        problem = snapshot_day_problem(day, today=today)
        if problem is None and path.parent.name != day[:4]:
            problem = f"is filed under {path.parent.name}/: move it to {day[:4]}/"
        if problem is not None:
            bad.append(SnapshotError(path, problem))
            continue
        good.append(path)
    if problems is not None:
        problems.extend(bad)
    return good


_read_buffers = threading.local()


def _read_whole(path: Path, size: int) -> memoryview:
    """The bytes of ``path`` (at most ``MAX_SNAPSHOT_BYTES + 1``), read into this thread's
    reusable buffer: valid until this thread reads the next file. A history is hundreds of MB
    of JSON, and a fresh bytes object per file costs the kernel a page fault per 4 KiB of it
    (measured: a quarter of the time to read and decode a history).

    A buffer that is too small is replaced, never resized: a view of it may still be alive
    (an exception's traceback holds one)."""
    limit = MAX_SNAPSHOT_BYTES + 1
    buffer = getattr(_read_buffers, "buffer", None)
    if buffer is None or len(buffer) <= size:
        buffer = _read_buffers.buffer = bytearray(min(max(size + 1, 2**20), limit))
    filled = 0
    with path.open("rb", buffering=0) as handle:
        while filled < limit:
            if filled == len(buffer):  # the file grew since its size was taken
                grown = buffer + bytes(min(len(buffer), limit - len(buffer)))
                buffer = _read_buffers.buffer = grown
            count = handle.readinto(memoryview(buffer)[filled:limit])
            if not count:
                break
            filled += count
    return memoryview(buffer)[:filled]


def read_contract_file(path: Path, *, what_to_do: str) -> Snapshot:
    """Size-check, read and decode one snapshot-shaped file (a day or a shard's partial).

    Every failure is a ``SnapshotError`` naming the file: too large or not a regular file
    (checked before reading), unreadable, not JSON (line, column), or breaking the contract
    (JSON path)."""
    path = Path(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise SnapshotError(path, f"cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise SnapshotError(path, "is not a regular file (a device or a folder?): skipped")
    if info.st_size > MAX_SNAPSHOT_BYTES:
        raise SnapshotError(
            path,
            f"is {info.st_size:,} bytes, more than the {MAX_SNAPSHOT_BYTES // 2**20} MB a "
            "snapshot file may hold: skipped",
        )
    try:
        raw = _read_whole(path, info.st_size)
    except OSError as exc:
        raise SnapshotError(path, f"cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_SNAPSHOT_BYTES:  # grew while we looked
        raise SnapshotError(path, f"is more than {MAX_SNAPSHOT_BYTES // 2**20} MB: skipped")
    try:
        return decode_snapshot(raw)
    except MalformedJSON as exc:
        raise SnapshotError(path, f"is {exc}: {what_to_do}") from None
    except ContractError as exc:
        raise SnapshotError(path, f"breaks the snapshot contract at {exc}") from None
    except RecursionError:
        raise SnapshotError(path, "breaks the snapshot contract: nested too deeply") from None


def read_snapshot(path: Path) -> Snapshot:
    """Read and validate one snapshot file; every failure is a ``SnapshotError`` naming it."""
    path = Path(path)
    snapshot = read_contract_file(
        path,
        what_to_do=f"restore it from git (git checkout -- {path.name}) or move it aside",
    )
    if path.name != f"{snapshot.date}.json":
        raise SnapshotError(path, f"holds date {snapshot.date} but is named {path.name}")
    return snapshot


def write_json_atomic(path: Path, data: object, *, indent: int | None = 2) -> None:
    """Write JSON so that readers see the old file or the new one, never a torn one.

    ``indent=None`` writes compact JSON (the C encoder: several times faster for big files)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(data, indent=indent, ensure_ascii=False, sort_keys=False) + "\n"
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def last_good_observations(
    data_dir: Path,
    date: str,
    keys: Iterable[tuple[str, str]],
    errors: list[SnapshotError] | None = None,
) -> dict[tuple[str, str], Observation]:
    """For each key, the newest observation before ``date`` that holds values (ok, partial or
    stale). Walks back only as far as needed: a source missing from the newest file (an
    ``--only`` run, a missing shard) still finds its last good values in an older one."""
    wanted = set(keys)
    found: dict[tuple[str, str], Observation] = {}
    for path in reversed(snapshot_paths(data_dir, errors)):
        if not wanted:
            break
        if path.name >= f"{date}.json":
            continue
        try:
            snapshot = read_snapshot(path)
        except SnapshotError as exc:
            if errors is None:
                raise
            errors.append(exc)
            continue
        for observation in snapshot.observations:
            if observation.key in wanted and observation.metrics and observation.status != "error":
                found[observation.key] = observation
                wanted.discard(observation.key)
    return found


def carry_forward(failed: Observation, last: Observation | None) -> Observation:
    """A failed observation keeps the last good values as ``stale``, or stays ``error``."""
    if last is None or not last.metrics or last.status == "error":
        return replace(failed, status="error", metrics={})
    return replace(
        failed,
        status="stale",
        metrics=dict(last.metrics),
        created_at=failed.created_at or last.created_at,
        observed_at=last.observed_at,
        extra=dict(last.extra),
    )


def merge_observations(
    earlier: Iterable[Observation], later: Iterable[Observation]
) -> list[Observation]:
    """Merge two sets of observations for the same day.

    A later good value replaces; a later failure never replaces an earlier good value; keys
    only one side has are kept. Merging a set with itself changes nothing.
    """
    merged = {o.key: o for o in earlier}
    for new in later:
        old = merged.get(new.key)
        if old is None or new.is_good or not old.is_good:
            if old is not None and not new.is_good and old.status == "stale":
                # both failed: keep the carried values, report the newest error
                merged[new.key] = replace(old, error=new.error or old.error)
            else:
                merged[new.key] = new
    return sorted(merged.values(), key=lambda o: o.key)


def write_snapshot(
    data_dir: Path,
    date: str,
    observations: list[Observation],
    *,
    synthetic: bool = False,
    carry_errors: list[SnapshotError] | None = None,
    now: datetime | None = None,
) -> Snapshot:
    """Merge ``observations`` into the day's file and write it atomically.

    Failures carry the newest earlier good values of the same source forward as ``stale``.
    An existing file for the day that cannot be read is never overwritten: ``SnapshotError``.
    """
    path = snapshot_path(data_dir, date)
    existing = read_snapshot(path) if path.exists() else None
    failed_keys = [o.key for o in observations if not o.is_good]
    last_good = last_good_observations(data_dir, date, failed_keys, errors=carry_errors)
    resolved = [o if o.is_good else carry_forward(o, last_good.get(o.key)) for o in observations]
    merged = merge_observations(existing.observations if existing else [], resolved)
    snapshot = Snapshot(
        date=date,
        generated_at=format_timestamp(now or utc_now()),
        observations=merged,
        synthetic=synthetic or bool(existing and existing.synthetic),
    )
    write_json_atomic(path, snapshot.to_dict())
    return snapshot
