"""Snapshot files -> a compact, columnar history that metrics and charts read.

``load_history`` streams every snapshot once through ``snapshots.read_snapshot`` (the one
reader) and keeps, per (community, source), one ``array('d')`` per metric (NaN = no value that
day) and one status code per day. ``History.dates`` holds every day that has a snapshot file
(or a typed manual value), and after each run of days one more day as a gap marker, so a day
without a file is a gap in every series, visible as a break in a chart; a span of years with no
data costs one entry, never one per calendar day (``sparse_dates``).
A file that cannot be read or breaks the contract is kept in ``History.errors`` (a list of
``SnapshotError``) and its day stays a gap; it is never silently dropped.

Rules a reader of the numbers should know:

- A value is the metric as the snapshot holds it. ``stale`` values (carried forward after a
  failed run) are kept and flagged in ``Series.stale``; ``error`` observations hold no value.
- How sources add up into a community total is not decided here: ``analyse/rollup.py`` holds
  the one rule.
- Back-filled values (``store/backfill.py``: a platform's own record of the weeks before the
  first snapshot) fill only days where no snapshot holds a value; ``Series.backfilled`` flags
  them (and ``analyse/rollup.py`` marks a total back-filled when any term is).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
import threading
from array import array
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from community_metrics.contract.model import METRICS, Observation, Snapshot
from community_metrics.store.backfill import apply_backfills, backfill_days, read_backfills
from community_metrics.store.snapshots import (
    SnapshotError,
    read_snapshot,
    snapshot_day_problem,
    snapshot_paths,
)

if TYPE_CHECKING:
    from community_metrics.registry.config import Community, Registry

NAN = math.nan

#: Per-day status codes in ``SourceHistory.status`` (0: no observation that day).
STATUS_CODES = {"ok": 1, "partial": 2, "stale": 3, "error": 4}
STATUS_NAMES = {code: name for name, code in STATUS_CODES.items()}
_STALE = STATUS_CODES["stale"]


@dataclass
class Series:
    """One metric over time. ``values[i]`` is None where there is no value (a gap).

    Read-only by convention: series of one history share its ``dates`` list (one list for
    thousands of series and chart traces keeps a large build's memory down)."""

    dates: list[str]
    values: list[float | None]
    stale: list[bool]
    #: True where the value is back-filled (a platform's record of the past, not a snapshot);
    #: None when no value of the series is.
    backfilled: list[bool] | None = None

    def is_backfilled(self, index: int) -> bool:
        return bool(self.backfilled and self.backfilled[index])

    def __len__(self) -> int:
        return len(self.dates)

    def last(self) -> tuple[str, float, bool] | None:
        """The newest (date, value, stale) that holds a value, or None."""
        for index in range(len(self.values) - 1, -1, -1):
            value = self.values[index]
            if value is not None:
                return self.dates[index], value, self.stale[index]
        return None

    def value_at_or_before(self, day: str) -> tuple[str, float] | None:
        """The newest (date, value) on or before ``day`` (ISO dates sort as strings)."""
        for index in range(len(self.dates) - 1, -1, -1):
            if self.dates[index] <= day and self.values[index] is not None:
                return self.dates[index], self.values[index]
        return None

    def has_values(self) -> bool:
        return self.values.count(None) != len(self.values)  # in C: called for every chart


@dataclass(slots=True)
class SourceHistory:
    """Everything kept about one (community, source) pair."""

    community: str
    source: str
    platform: str
    status: bytearray
    values: dict[str, array] = field(default_factory=dict)
    latest: Observation | None = None  # from the newest snapshot that has this source
    last_good: Observation | None = None  # newest ok/partial observation
    last_good_date: str | None = None
    last_error: Observation | None = None  # newest observation carrying an error message
    last_error_date: str | None = None
    created_at: str | None = None  # newest non-null created_at
    #: back-filled values (store/backfill.py), kept apart so that no observed value is replaced
    backfill: dict[str, array] = field(default_factory=dict)
    backfill_method: str | None = None
    backfill_endpoint: str | None = None

    def column(self, metric: str) -> tuple[array | None, list[bool] | None]:
        """The metric's values with back-filled days filled in, and the back-filled flags
        (None when nothing is back-filled)."""
        observed = self.values.get(metric)
        extra = self.backfill.get(metric)
        if extra is None:
            return observed, None
        merged = array("d", extra) if observed is None else array("d", observed)
        flags = [False] * len(merged)
        for index, value in enumerate(extra):
            if value == value and merged[index] != merged[index]:
                merged[index] = value
                flags[index] = True
        return merged, flags

    def metrics(self) -> list[str]:
        """Metrics this source ever reported, in vocabulary order."""
        return [m for m in METRICS if m in self.values]


class History:
    """The whole snapshot history, columnar. Build it with ``load_history``."""

    def __init__(self, dates: list[str]):
        self.dates: list[str] = dates
        self.synthetic: bool = False
        self.errors: list[SnapshotError] = []
        self.backfill_warnings: list[str] = []  # back-fill files skipped (store/backfill.py)
        self.last_generated_at: str | None = None
        self.last_snapshot_date: str | None = None
        self._index = {day: i for i, day in enumerate(dates)}
        self._days = bytearray(len(dates))  # 1 where a snapshot was added (``add_day``)
        self._sources: dict[str, dict[str, SourceHistory]] = {}
        self._registry: dict[str, Community] = {}
        #: Values derived from this history, memoised by later stages for its lifetime (one
        #: build): community totals, source series. Cleared whenever a day is added.
        self.memo: dict[tuple[str, ...], object] = {}

    # --- building --------------------------------------------------------------------------

    def _source(self, observation: Observation) -> SourceHistory:
        by_source = self._sources.setdefault(observation.community, {})
        entry = by_source.get(observation.source)
        if entry is None:
            entry = SourceHistory(
                community=observation.community,
                source=observation.source,
                platform=observation.platform,
                status=bytearray(len(self.dates)),
            )
            by_source[observation.source] = entry
        return entry

    def add_day(self, day: str, observations: Iterable[Observation]) -> None:
        """Record the observations of ``day`` (days oldest first). The one loop every
        observation of a history passes through: kept flat on purpose."""
        index = self._index[day]
        size = len(self.dates)
        self._days[index] = 1
        self.memo.clear()
        sources = self._sources
        codes = STATUS_CODES
        good = STATUS_CODES["partial"]  # ok and partial are the codes up to it
        for observation in observations:
            # subscripts, not .get(): the misses (a new community, source or metric) are rare
            try:
                entry = sources[observation.community][observation.source]
            except KeyError:
                entry = self._source(observation)
            code = entry.status[index] = codes[observation.status]
            values = entry.values
            for metric, value in observation.metrics.items():
                try:
                    values[metric][index] = value
                except KeyError:
                    values[metric] = array("d", [NAN]) * size
                    values[metric][index] = value
            entry.latest = observation
            entry.platform = observation.platform
            if observation.created_at:
                entry.created_at = observation.created_at
            if code <= good:
                entry.last_good = observation
                entry.last_good_date = day
            if observation.error:
                entry.last_error = observation
                entry.last_error_date = day

    # --- reading ---------------------------------------------------------------------------

    def communities(self) -> list[str]:
        """Registry communities first (registry order), then any others found in the data."""
        ordered = list(self._registry)
        ordered += sorted(c for c in self._sources if c not in self._registry)
        return ordered

    def community(self, slug: str) -> Community | None:
        """The registry entry of ``slug`` (None without a registry or for unknown slugs)."""
        return self._registry.get(slug)

    def sources(self, community: str) -> list[str]:
        return sorted(self._sources.get(community, {}))

    def source_history(self, community: str, source: str) -> SourceHistory:
        return self._sources[community][source]

    def latest(self, community: str) -> list[Observation]:
        """The newest observation of each source of ``community`` (status/observed_at/error)."""
        entries = self._sources.get(community, {})
        return [entries[s].latest for s in sorted(entries) if entries[s].latest is not None]

    def metrics(self, community: str) -> list[str]:
        """Metrics any source of ``community`` reported, in vocabulary order."""
        seen = {m for e in self._sources.get(community, {}).values() for m in e.values}
        return [m for m in METRICS if m in seen]

    def series(self, community: str, source: str, metric: str) -> Series:
        """One source's metric; an unknown metric or source gives an all-gap series."""
        entry = self._sources.get(community, {}).get(source)
        column, backfilled = entry.column(metric) if entry else (None, None)
        if column is None:
            size = len(self.dates)
            return Series(self.dates, [None] * size, [False] * size)
        values = [None if v != v else v for v in column]  # NaN != NaN
        status = entry.status
        # most sources never went stale: one search in C, then no step per day
        stale = [code == _STALE for code in status] if _STALE in status else [False] * len(status)
        return Series(self.dates, values, stale, backfilled)


def sparse_dates(days: Iterable[str]) -> list[str]:
    """The days of a history: every day that has a file or a typed value, plus, after each
    such day whose next day has neither, that next day as one gap marker (a chart breaks
    there, a table shows nothing). Its length is at most twice the number of days, whatever
    the span between the oldest and the newest: one value typed in 1901 costs two entries, not
    45,000 per series."""
    present = sorted(set(days))
    dates: list[str] = []
    for position, day in enumerate(present):
        dates.append(day)
        following = present[position + 1] if position + 1 < len(present) else None
        if following is not None:
            next_day = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
            if next_day != following:
                dates.append(next_day)
    return dates


#: Below this many files one process reads them all; above, ``workers`` processes share them.
PARALLEL_MIN_FILES = 120


def can_fork() -> bool:
    """Whether this process may fork workers: on Linux only (macOS forks unsafely, Windows
    cannot), and only while it runs a single thread (a fork taken while another thread holds
    a lock, logging's say, can deadlock the child): the command-line build yes, the
    livereload server, which builds in a thread, no. Every fork of a build asks here."""
    return (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def _default_workers(files: int) -> int:
    if files < PARALLEL_MIN_FILES or not can_fork():
        return 1
    return max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class ManualValue:
    """One dated value typed by a maintainer (platform ``manual`` in communities.yml), handed
    to ``load_history`` as a plain observation: the only way manual values reach the history
    (they are never collected into snapshots)."""

    community: str
    source: str  # "manual:<name>"
    metric: str
    date: str  # YYYY-MM-DD
    value: int | float
    note: str = ""
    created_at: str | None = None  # YYYY-MM-DD, the source's founding day when given


def load_history(
    data_dir: Path,
    registry: Registry | None = None,
    *,
    manual: Iterable[ManualValue] = (),
    workers: int | None = None,
    today: date | None = None,
) -> History:
    """Read every snapshot under ``data_dir`` once into a ``History``.

    Unreadable or contract-breaking files end up in ``History.errors`` (their day is a gap).
    With a ``registry``, its communities are listed first and their metadata (name, founded)
    is available through ``History.community``. ``manual`` values (read from the registry by
    the glue) join the series of their ``manual:`` source. Large
    histories are read by ``workers`` forked processes (default: 2 when there are many
    files), each over a contiguous run of days; the result is the same as reading them in
    one process. ``today`` bounds the newest plausible snapshot day (``snapshot_paths``).
    ``History.dates`` is ``sparse_dates`` of the days found: its size follows
    the number of days with data, never the span between the oldest and the newest.
    """
    problems: list[SnapshotError] = []
    paths = snapshot_paths(Path(data_dir), problems, today=today)
    days = [p.name[:10] for p in paths]
    # a plausible day whose file cannot be used (stored twice, misfiled) stays a gap
    days += [
        d for e in problems if snapshot_day_problem(d := e.path.name[:10], today=today) is None
    ]
    manual = sorted(manual, key=lambda v: (v.community, v.source, v.metric, v.date))
    days += [value.date for value in manual]
    backfills, backfill_warnings = read_backfills(Path(data_dir)) if days else ([], [])
    days += backfill_days(backfills)
    history = History(sparse_dates(days))
    history.errors += problems
    if registry is not None:
        history._registry = {c.slug: c for c in registry.communities}
    workers = _default_workers(len(paths)) if workers is None else workers
    chunks = _balanced_runs(paths, workers) if workers > 1 and len(paths) > 1 else [paths]
    if len(chunks) == 1:
        add_snapshots(history, _read_all(paths, history.errors))
    else:
        # this process reads the first run of days while forked workers read the others
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(chunks) - 1, mp_context=context) as pool:
            later = pool.map(_load_part, [history.dates] * (len(chunks) - 1), chunks[1:])
            add_snapshots(history, _read_all(chunks[0], history.errors))
            for part, errors in later:
                _merge_part(history, part)
                history.errors += [SnapshotError(Path(path), message) for path, message in errors]
    _add_manual(history, manual)
    apply_backfills(history, backfills)
    history.backfill_warnings = backfill_warnings
    history.memo.clear()  # manual and back-filled values changed the series
    return history


def _read_all(paths: Iterable[str | Path], errors: list[SnapshotError]) -> Iterator[Snapshot]:
    for path in paths:
        try:
            yield read_snapshot(Path(path))
        except SnapshotError as exc:
            errors.append(exc)


def _add_manual(history: History, manual: list[ManualValue]) -> None:
    """A dated manual value holds from its day until the next value of the same metric, on
    days where no snapshot holds a value (older snapshots, from before manual values stopped
    being collected, may hold one: it is what the site said that day). A manual source gets a
    ``latest`` observation from its newest values when no snapshot has one."""
    newest: dict[tuple[str, str], dict[str, tuple[str, float]]] = {}
    ordered = manual  # sorted by (community, source, metric, date)
    for position, item in enumerate(ordered):
        metric, day, value = item.metric, item.date, item.value
        start = history._index[day]
        following = ordered[position + 1] if position + 1 < len(ordered) else None
        key = (item.community, item.source, metric)
        same = following is not None and (
            (following.community, following.source, following.metric) == key
        )
        stop = history._index[following.date] if same else len(history.dates)
        entry = history._source(Observation(item.community, "manual", item.source, "ok"))
        column = entry.values.get(metric)
        if column is None:
            column = entry.values[metric] = array("d", [NAN]) * len(history.dates)
        for index in range(start, stop):
            if column[index] != column[index]:
                column[index] = value
                if not entry.status[index]:
                    entry.status[index] = STATUS_CODES["ok"]
        if item.created_at and not entry.created_at:
            entry.created_at = f"{item.created_at}T00:00:00Z"
        newest.setdefault((item.community, item.source), {})[metric] = (day, value)
    for (community, label), metrics in newest.items():
        entry = history._sources[community][label]
        if entry.latest is not None:
            continue
        last_day = max(day for day, _ in metrics.values())
        entry.latest = entry.last_good = Observation(
            community=community,
            platform="manual",
            source=label,
            status="ok",
            metrics={metric: value for metric, (_day, value) in metrics.items()},
            created_at=entry.created_at,
            observed_at=f"{last_day}T00:00:00Z",
            endpoint="communities.yml (manual values)",
            extra={"as_of": {metric: day for metric, (day, _value) in metrics.items()}},
        )
        entry.last_good_date = last_day


#: The first run is read by this process, which does not hand its part back: it takes this much
#: more than a worker (measured: a worker's part is also pickled, sent back and merged here).
FIRST_RUN_WEIGHT = 1.25


def _balanced_runs(paths: list[Path], count: int) -> list[list[str]]:
    """Split consecutive files into ``count`` runs of about equal bytes (later days are
    larger as communities are added, so equal file counts would leave one worker idle), the
    first ``FIRST_RUN_WEIGHT`` times larger."""
    sizes = []
    for path in paths:
        try:
            sizes.append(path.stat().st_size)
        except OSError:
            sizes.append(0)  # read_snapshot will name it
    total = sum(sizes) or 1
    shares = FIRST_RUN_WEIGHT + count - 1
    runs: list[list[str]] = [[]]
    done = 0
    for path, size in zip(paths, sizes, strict=True):
        if done >= total * (FIRST_RUN_WEIGHT + len(runs) - 1) / shares and len(runs) < count:
            runs.append([])
        runs[-1].append(str(path))
        done += size
    return [run for run in runs if run]


def _load_part(dates: list[str], paths: list[str]) -> tuple[History, list[tuple[str, str]]]:
    """A worker: the history of some consecutive files (errors as plain, picklable tuples).

    Only the part's own days travel back: every column is cut to them (``_merge_part`` puts
    them in place), which halves what is pickled and sent."""
    part = History(dates)
    errors: list[SnapshotError] = []
    add_snapshots(part, _read_all(paths, errors))
    if 1 in part._days:
        days = slice(part._days.find(1), part._days.rfind(1) + 1)
        for entries in part._sources.values():
            for entry in entries.values():
                entry.status = entry.status[days]
                entry.values = {metric: column[days] for metric, column in entry.values.items()}
    return part, [(str(e.path), e.message) for e in errors]


def _merge_part(history: History, part: History) -> None:
    """Fold a part read by a worker (a later run of days, its columns cut to those days) into
    ``history``, which holds no value on those days yet: one slice per column."""
    if 1 not in part._days:
        return
    days = slice(part._days.find(1), part._days.rfind(1) + 1)
    size = len(history.dates)
    for community, entries in part._sources.items():
        mine = history._sources.setdefault(community, {})
        for source, entry in entries.items():
            target = mine.get(source)
            if target is None:
                target = mine[source] = replace(entry, status=bytearray(size), values={})
            for metric, column in entry.values.items():
                own = target.values.get(metric)
                if own is None:
                    own = target.values[metric] = array("d", [NAN]) * size
                own[days] = column
            target.status[days] = entry.status
            target.platform = entry.platform
            target.created_at = entry.created_at or target.created_at
            if entry.latest is not None:
                target.latest = entry.latest
            if entry.last_good is not None:
                target.last_good, target.last_good_date = entry.last_good, entry.last_good_date
            if entry.last_error is not None:
                target.last_error = entry.last_error
                target.last_error_date = entry.last_error_date
    history._days[days] = part._days[days]
    history.synthetic = history.synthetic or part.synthetic
    if part.last_snapshot_date:
        history.last_generated_at = part.last_generated_at
        history.last_snapshot_date = part.last_snapshot_date


def add_snapshots(history: History, snapshots: Iterable[Snapshot]) -> None:
    """Fold snapshots (oldest first) into ``history``; a snapshot is synthetic-flagged once
    any file is, so a page never hides that some of its numbers are made up."""
    for snapshot in snapshots:
        history.synthetic = history.synthetic or snapshot.synthetic
        history.last_generated_at = snapshot.generated_at
        history.last_snapshot_date = snapshot.date
        history.add_day(snapshot.date, snapshot.observations)
