"""``invoke snapshot``: collect today's snapshot, or one shard of it, or merge the shards.

``run_snapshot(...)`` is the command (returns an exit status, prints problems without a
traceback); ``collect_and_store(...)`` is what the Pelican plugin calls when
``COMMUNITY_METRICS_FETCH = True``. ``python -m community_metrics.collect.command`` runs the
command without invoke (used by the crash-safety test).

Exit status: 0 when at least one source succeeded, 1 when every source failed or a snapshot
file is unusable, 2 for a usage mistake or an invalid registry.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from community_metrics.collect.http import HttpClient
from community_metrics.collect.progress import Progress, format_report
from community_metrics.collect.run import (
    Collection,
    SourceReport,
    collect,
    parse_shard,
    select_sources,
)
from community_metrics.collect.shards import merge_partials, write_partial
from community_metrics.contract.model import Snapshot, utc_now
from community_metrics.registry.config import ConfigError, Registry, load_registry
from community_metrics.store.lock import store_lock
from community_metrics.store.snapshots import (
    SnapshotError,
    read_snapshot,
    snapshot_day_problem,
    snapshot_path,
    write_snapshot,
)

logger = logging.getLogger(__name__)

USAGE = (
    "usage: invoke snapshot [--only SLUG[,SLUG]] [--date YYYY-MM-DD] [--config FILE] "
    "[--data DIR] [--record FILE | --replay FILE] [--shard K/N | --merge]"
)
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # ASCII digits only


class UsageError(Exception):
    """A bad argument: printed with the usage line, exit status 2."""


@dataclass
class RunReport:
    """What one collect-and-store run did."""

    date: str
    collection: Collection
    path: Path | None = None  # the snapshot or partial file written
    snapshot: Snapshot | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_status(self) -> int:
        if not self.collection.reports:
            return 0
        return 0 if self.collection.succeeded else 1


def check_date(text: str | None) -> str:
    """``YYYY-MM-DD`` (a real calendar date, a plausible snapshot day: 2000-01-01 to tomorrow,
    UTC) or today's UTC date when None."""
    if text is None:
        return utc_now().strftime("%Y-%m-%d")
    if not _DATE_RE.match(str(text)):
        raise UsageError(f"--date must be YYYY-MM-DD, got {text!r}")
    try:
        datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise UsageError(f"--date {text} is not a calendar date") from None
    problem = snapshot_day_problem(text, today=utc_now().date())
    if problem is not None:
        raise UsageError(f"--date {problem}")
    return text


def _only(text: str | list[str] | None) -> list[str] | None:
    if text is None:
        return None
    items = text if isinstance(text, list) else str(text).split(",")
    return [item.strip() for item in items if item.strip()] or None


def _client(
    record: str | Path | None, replay: str | Path | None, options: dict[str, Any] | None
) -> HttpClient:
    try:
        return HttpClient(record=record, replay=replay, **(options or {}))
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from None


def _check_day_file(data_dir: Path, date: str) -> None:
    """A day file that cannot be read is never overwritten: stop before collecting."""
    path = snapshot_path(data_dir, date)
    if path.exists():
        read_snapshot(path)


def _apply_final_status(reports: list[SourceReport], snapshot: Snapshot | None) -> None:
    """Failed sources become ``stale`` when the store carried earlier values forward."""
    if snapshot is None:
        return
    final = {o.key: o for o in snapshot.observations}
    for report in reports:
        stored = final.get((report.community, report.source))
        if stored is not None and report.status == "error" and stored.status == "stale":
            report.status = "stale"
            report.metrics = sorted(stored.metrics)


def collect_and_store(
    config_path: str | Path,
    data_dir: str | Path,
    *,
    date: str | None = None,
    only: str | list[str] | None = None,
    shard: str | tuple[int, int] | None = None,
    record: str | Path | None = None,
    replay: str | Path | None = None,
    http_options: dict[str, Any] | None = None,
    progress: Progress | None = None,
    registry: Registry | None = None,
) -> RunReport:
    """Collect the registry's sources and store them (the day's snapshot, or a shard's partial).

    Raises ``ConfigError`` (invalid registry), ``SnapshotError`` (the day's file is unusable:
    it is left as it is) and ``UsageError`` (bad date, shard or cassette).
    """
    data_dir = Path(data_dir)
    day = check_date(date)
    part = None
    if shard is not None:
        try:
            part = parse_shard(shard) if isinstance(shard, str) else shard
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    registry = registry or load_registry(config_path)
    wanted = _only(only)
    if wanted:
        known = {c.slug for c in registry.communities}
        unknown = [slug for slug in wanted if slug not in known]
        if unknown:
            raise UsageError(
                f"--only {', '.join(unknown)}: no such community in {registry.path} "
                f"(known: {', '.join(sorted(known)) or 'none'})"
            )
    if part is None:
        _check_day_file(data_dir, day)
    sources = select_sources(registry.sources, only=wanted, shard=part)
    client = _client(record, replay, http_options)
    try:
        if progress is not None:
            progress.start(len(sources))
        collection = collect(sources, client, progress=progress.update if progress else None)
        if progress is not None:
            progress.finish()
    finally:
        client.close()
    report = RunReport(date=day, collection=collection)
    if not sources and part is None:
        return report  # nothing collected: an empty day file would hide the demo data
    if part is not None:
        report.path = write_partial(data_dir, day, part, collection.observations)
        return report
    carry_errors: list[SnapshotError] = []
    with store_lock(data_dir):
        report.snapshot = write_snapshot(
            data_dir, day, collection.observations, carry_errors=carry_errors
        )
    report.path = snapshot_path(data_dir, day)
    report.warnings = [f"{error}; its values were not carried forward" for error in carry_errors]
    _apply_final_status(collection.reports, report.snapshot)
    return report


def merge_command(data_dir: Path, date: str | None, out: TextIO) -> int:
    day = check_date(date)
    result = merge_partials(Path(data_dir), day)
    for problem in result.problems:
        print(f"community_metrics: {problem}", file=out)
    if not result.files:
        print(
            f"community_metrics: no partial files for {day} in {Path(data_dir) / 'partials'}; "
            "run `invoke snapshot --shard K/N` first",
            file=out,
        )
        return 1
    good = sum(1 for o in result.observations if o.is_good)
    print(
        f"community_metrics: merged {len(result.files)} partial file(s), "
        f"{len(result.observations)} observations ({good} good) into {result.path}",
        file=out,
    )
    if result.problems:
        return 1
    return 0 if good else 1


def run_snapshot(
    *,
    only: str | list[str] | None = None,
    date: str | None = None,
    config: str | Path = "communities.yml",
    data: str | Path = "data",
    record: str | Path | None = None,
    replay: str | Path | None = None,
    shard: str | None = None,
    merge: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
    http_options: dict[str, Any] | None = None,
) -> int:
    """The ``invoke snapshot`` command. Returns the exit status; never raises for bad input."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        if merge:
            if shard or record or replay or only:
                raise UsageError("--merge joins partial files: it takes only --date and --data")
            return merge_command(Path(data), date, out)
        if record and replay:
            raise UsageError("--record and --replay cannot be used together")
        report = collect_and_store(
            config,
            data,
            date=date,
            only=only,
            shard=shard,
            record=record,
            replay=replay,
            http_options=http_options,
            progress=Progress(err),
        )
    except UsageError as exc:
        print(f"community_metrics: {exc}\n{USAGE}", file=err)
        return 2
    except ConfigError as exc:
        print(f"community_metrics: {config} is not a valid registry:", file=err)
        for problem in exc.problems:
            print(f"  {problem}", file=err)
        return 2
    except SnapshotError as exc:
        print(
            f"community_metrics: {exc}\nNothing was collected or written: the file is kept "
            "as it is.",
            file=err,
        )
        return 1
    except OSError as exc:  # the data folder cannot be written (permissions, disk full)
        where = f" {exc.filename}" if exc.filename else ""
        print(
            f"community_metrics: cannot write{where}: {exc.strerror or exc}; "
            "earlier snapshot files are untouched",
            file=err,
        )
        return 1
    return _print_report(report, out)


def _print_report(report: RunReport, out: TextIO) -> int:
    reports = report.collection.reports
    for warning in report.warnings:
        print(f"community_metrics: warning: {warning}", file=out)
    if not reports:
        wrote = f"; wrote {report.path}" if report.path else "; nothing written"
        print(f"community_metrics: no sources to collect{wrote}", file=out)
        return 0
    print(format_report(reports), file=out)
    counts: dict[str, int] = {}
    for row in reports:
        counts[row.status] = counts.get(row.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(f"community_metrics: {len(reports)} sources: {summary}; wrote {report.path}", file=out)
    if report.exit_status:
        print(
            f"community_metrics: every source failed ({len(reports)} of {len(reports)}); "
            "the last good values are kept (stale). See the errors above.",
            file=out,
        )
    return report.exit_status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m community_metrics.collect.command")
    parser.add_argument("--only")
    parser.add_argument("--date")
    parser.add_argument("--config", default="communities.yml")
    parser.add_argument("--data", default="data")
    parser.add_argument("--record")
    parser.add_argument("--replay")
    parser.add_argument("--shard")
    parser.add_argument("--merge", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    return run_snapshot(**vars(args))


__all__ = ["RunReport", "UsageError", "collect_and_store", "main", "run_snapshot"]

if __name__ == "__main__":
    sys.exit(main())
