"""``invoke snapshot``: collect today's snapshot, or one shard of it, or merge the shards.

``run_snapshot(...)`` is the command (returns an exit status, prints problems without a
traceback); ``collect_and_store(...)`` is what the Pelican plugin calls when
``COMMUNITY_METRICS_FETCH = True``. ``python -m community_metrics.collect.command`` runs the
command without invoke (used by the crash-safety test).

Exit status: 0 when the run succeeded as ``collect.verdict.run_succeeded`` defines it (the
nightly job uses the same function), 1 when every collected source failed or a snapshot file
is unusable, 2 for a usage mistake or an invalid registry. Manual values are not collected.
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

from community_metrics.collect.backfill import take_backfills
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
from community_metrics.collect.verdict import run_succeeded
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
    "[--data DIR] [--record FILE | --replay FILE] [--shard K/N | --merge] [--check]"
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
    backfills: list[Path] = field(default_factory=list)  # back-fill files written (first runs)

    @property
    def exit_status(self) -> int:
        """0 when the run succeeded by the one rule (``collect.verdict``), else 1."""
        return 0 if run_succeeded(self.collection.observations) else 1


def check_date(text: str | None) -> str:
    """``YYYY-MM-DD`` (a real calendar date, a plausible snapshot day: 2000-01-01 to tomorrow,
    UTC) or today's UTC date when None."""
    if text is None:
        return utc_now().strftime("%Y-%m-%d")
    if not _DATE_RE.match(str(text)):
        raise UsageError(f"--date must be YYYY-MM-DD, got {text!r}")
    try:
        datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise UsageError(f"--date {text} is not a calendar date") from None
    problem = snapshot_day_problem(text, today=utc_now().date())
    if problem is not None:
        raise UsageError(f"--date {problem}")
    return text


def _wanted_communities(registry: Registry, only: str | list[str] | None) -> list[str] | None:
    """``--only``'s slugs (None: every community); a slug the registry lacks is a usage error."""
    wanted = _only(only)
    if wanted:
        known = {c.slug for c in registry.communities}
        unknown = [slug for slug in wanted if slug not in known]
        if unknown:
            raise UsageError(
                f"--only {', '.join(unknown)}: no such community in {registry.path} "
                f"(known: {', '.join(sorted(known)) or 'none'})"
            )
    return wanted


def _only(text: str | list[str] | None) -> list[str] | None:
    if text is None:
        return None
    items = text if isinstance(text, list) else str(text).split(",")
    return [item.strip() for item in items if item.strip()] or None


def _client(
    record: str | Path | None, replay: str | Path | None, options: dict[str, Any] | None
) -> HttpClient:
    from community_metrics.collect.sources.agent import user_agent

    try:
        return HttpClient(
            record=record, replay=replay, **{"user_agent": user_agent(), **(options or {})}
        )
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
    wanted = _wanted_communities(registry, only)
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
        report = RunReport(date=day, collection=collection)
        if not sources and part is None:
            return report  # nothing collected: an empty day file would hide the demo data
        if part is not None:
            report.path = write_partial(data_dir, day, part, collection.observations)
        else:
            carry_errors: list[SnapshotError] = []
            with store_lock(data_dir):
                report.snapshot = write_snapshot(
                    data_dir, day, collection.observations, carry_errors=carry_errors
                )
            report.path = snapshot_path(data_dir, day)
            report.warnings = [
                f"{error}; its values were not carried forward" for error in carry_errors
            ]
            _apply_final_status(collection.reports, report.snapshot)
        if record is None and replay is None:  # a recording holds the canonical requests only
            written, warnings = take_backfills(data_dir, sources, collection.observations, client)
            report.backfills = written
            report.warnings += warnings
        return report
    finally:
        client.close()


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


def _format_value(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def check_sources(
    config_path: str | Path,
    *,
    only: str | list[str] | None = None,
    replay: str | Path | None = None,
    http_options: dict[str, Any] | None = None,
    registry: Registry | None = None,
) -> Collection:
    """``--check``: ask each selected source once and return what came back. Writes nothing:
    no snapshot, no partial, no back-fill, no lock file (and no cassette: no ``--record``)."""
    registry = registry or load_registry(config_path)
    wanted = _wanted_communities(registry, only)
    sources = select_sources(registry.sources, only=wanted)
    client = _client(None, replay, http_options)
    try:
        return collect(sources, client)
    finally:
        client.close()


def format_check(collection: Collection) -> str:
    """Per source: what it returned (metric = value) or why it failed, and what it needs."""
    from community_metrics.collect.sources.needs import advice

    by_key = {o.key: o for o in collection.observations}
    lines = []
    for report in collection.reports:
        observation = by_key.get((report.community, report.source))
        failed = report.status not in ("ok", "partial")
        lines.append(f"{report.community} / {report.source}: {report.status}")
        if observation is not None and observation.metrics:
            shown = ", ".join(
                f"{name} {_format_value(value)}"
                for name, value in sorted(observation.metrics.items())
            )
            lines.append(f"  returned: {shown}")
            if observation.created_at:
                lines.append(f"  created_at: {observation.created_at}")
        else:
            lines.append("  returned: nothing")
        if report.error:
            lines.append(f"  {'error' if failed else 'partly failed'}: {report.error}")
        hint = advice(observation.platform if observation else "", failed)
        if hint:
            lines.append(f"  needs: {hint}" if failed else f"  {hint}")
    good = collection.succeeded
    lines.append(
        f"community_metrics: --check asked {len(collection.reports)} source(s) once: "
        f"{good} answered, {len(collection.reports) - good} failed; nothing was written"
    )
    return "\n".join(lines)


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
    check: bool = False,
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
        if check:
            if shard or record or date:
                raise UsageError(
                    "--check asks each source once and writes nothing: it takes only --only, "
                    "--config and --replay"
                )
            collection = check_sources(config, only=only, replay=replay, http_options=http_options)
            print(format_check(collection), file=out)
            return 0 if collection.succeeded == len(collection.reports) else 1
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
    for path in report.backfills:
        print(f"community_metrics: back-filled earlier values into {path}", file=out)
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
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    return run_snapshot(**vars(args))


__all__ = [
    "RunReport",
    "UsageError",
    "check_sources",
    "collect_and_store",
    "format_check",
    "main",
    "run_snapshot",
]

if __name__ == "__main__":
    sys.exit(main())
