"""Run every source concurrently and turn what each returns into an ``Observation``.

One thread per source in flight (the per-host limit lives in ``http.py``); sources are
submitted interleaved by host so that workers do not queue behind one busy host. Whatever a
source does -- answers, raises ``FetchError``/``SourceError``, or has a bug -- ends as one
observation and one report row; nothing a source does kills the run.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from itertools import zip_longest
from urllib.parse import urlsplit

from community_metrics.collect.http import FetchError, HttpClient
from community_metrics.collect.sources.base import Fetch, SourceError, SourceResult
from community_metrics.collect.verdict import is_collected
from community_metrics.contract.model import ContractError, Observation, format_timestamp, utc_now
from community_metrics.registry.config import SourceConfig
from community_metrics.registry.platforms import PLATFORMS, PlatformSpec

logger = logging.getLogger(__name__)

MAX_WORKERS = 128


@dataclass
class SourceReport:
    """One row of the run's report table."""

    community: str
    source: str
    status: str  # ok, partial, error (stale is decided when the snapshot is written)
    metrics: list[str] = field(default_factory=list)
    duration: float = 0.0
    error: str | None = None
    kind: str | None = None  # FetchError kind, "source" or "bug"


@dataclass
class Collection:
    observations: list[Observation]
    reports: list[SourceReport]

    @property
    def succeeded(self) -> int:
        return sum(1 for r in self.reports if r.status in ("ok", "partial"))


ProgressCallback = Callable[[int, int, SourceReport], None]


#: The most shards a collection may be split into: GitHub Actions runs at most 256 jobs of one
#: matrix, and more shards than sources would only make empty partial files.
MAX_SHARDS = 256
_SHARD_RE = re.compile(r"^\s*([0-9]{1,6})\s*/\s*([0-9]{1,6})\s*$", re.ASCII)


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> (K, N) with 1 <= K <= N <= MAX_SHARDS; ValueError with a sentence otherwise.
    Only ASCII digits (``str.isdigit`` also accepts fullwidth and superscript digits)."""
    match = _SHARD_RE.match(str(text))
    if match is None:
        shown = repr(str(text))[:40]
        raise ValueError(
            f"--shard must look like K/N in ASCII digits (for example 2/8), got {shown}"
        )
    k, n = int(match.group(1)), int(match.group(2))
    if n > MAX_SHARDS:
        raise ValueError(f"--shard {k}/{n}: N may be at most {MAX_SHARDS}")
    if n < 1 or not 1 <= k <= n:
        raise ValueError(f"--shard {k}/{n}: K must be between 1 and N, and N at least 1")
    return k, n


def shard_of(source: SourceConfig, shards: int) -> int:
    """The shard (1..N) a source belongs to: a stable hash of its label, same on every machine."""
    digest = hashlib.sha256(source.label.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards + 1


def select_sources(
    sources: Iterable[SourceConfig],
    *,
    only: Iterable[str] | None = None,
    shard: tuple[int, int] | None = None,
) -> list[SourceConfig]:
    wanted = set(only) if only else None
    chosen = [
        s for s in sources if is_collected(s.platform) and (wanted is None or s.community in wanted)
    ]
    if shard is not None:
        k, n = shard
        chosen = [s for s in chosen if shard_of(s, n) == k]
    return chosen


def host_hint(source: SourceConfig, platform: PlatformSpec | None) -> str:
    """The host a source will most likely ask, for spreading work; a guess is good enough."""
    base = source.api or (platform.default_api if platform else None)
    if base:
        return urlsplit(base).netloc.lower()
    return source.id.split("/")[0].lower() if "." in source.id else source.platform


def interleave_by_host(sources: list[SourceConfig]) -> list[int]:
    """Indices of ``sources`` taking one per host in turn."""
    by_host: dict[str, list[int]] = defaultdict(list)
    for index, source in enumerate(sources):
        by_host[host_hint(source, PLATFORMS.get(source.platform))].append(index)
    return [i for group in zip_longest(*by_host.values()) for i in group if i is not None]


def _observation(
    source: SourceConfig, result: SourceResult, observed_at: str
) -> tuple[Observation, str | None]:
    status = "partial" if result.failures else "ok"
    error = "; ".join(result.failures) if result.failures else None
    observation = Observation(
        community=source.community,
        platform=source.platform,
        source=source.label,
        status=status,
        metrics=dict(result.metrics),
        created_at=result.created_at,
        observed_at=observed_at,
        endpoint=result.endpoint,
        error=error,
        extra=dict(result.extra),
    )
    # the contract is checked here, so a bad value fails this source and not the file
    Observation.from_dict(observation.to_dict(), f"{source.label}")
    return observation, error


def _failed(source: SourceConfig, message: str, endpoint: str | None) -> Observation:
    return Observation(
        community=source.community,
        platform=source.platform,
        source=source.label,
        status="error",
        metrics={},
        observed_at=format_timestamp(utc_now()),
        endpoint=endpoint,
        error=message,
    )


def collect_one(
    source: SourceConfig, http: HttpClient, fetchers: Mapping[str, Fetch]
) -> tuple[Observation, SourceReport]:
    """Ask one source; every outcome becomes an observation (never an exception)."""
    started = time.monotonic()
    kind: str | None = None
    error: str | None = None
    fetch = fetchers.get(source.platform)
    try:
        if fetch is None:
            raise SourceError(f"no module for platform '{source.platform}'")
        result = fetch(source, http)
        if not isinstance(result, SourceResult):
            raise TypeError(f"fetch returned {type(result).__name__}, not SourceResult")
        observation, error = _observation(source, result, format_timestamp(utc_now()))
    except FetchError as exc:
        kind, error = exc.kind, exc.message
        observation = _failed(source, error, http.redact(exc.url))
    except SourceError as exc:
        kind, error = "source", http.redact(str(exc))
        observation = _failed(source, error, None)
    except ContractError as exc:
        kind, error = "source", f"the platform sent a value outside the contract: {exc}"
        observation = _failed(source, http.redact(error), None)
    except Exception as exc:  # a bug in a source module must not end the run
        kind = "bug"
        error = http.redact(f"unexpected {exc.__class__.__name__} in the {source.platform} module")
        logger.error(
            "community_metrics: %s (%s): %s: %s",
            source.label,
            source.location or source.community,
            error,
            http.redact(str(exc)),
        )
        observation = _failed(source, error, None)
    if error and observation.status == "error":
        # a failing platform is data (the report table, /status/), not a build warning:
        # a publish build with --fatal warnings must survive a platform outage
        logger.info("community_metrics: %s failed: %s", source.label, error)
    report = SourceReport(
        community=source.community,
        source=source.label,
        status=observation.status,
        metrics=sorted(observation.metrics),
        duration=time.monotonic() - started,
        error=error,
        kind=kind,
    )
    return observation, report


def collect(
    sources: list[SourceConfig],
    http: HttpClient,
    *,
    fetchers: Mapping[str, Fetch] | None = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
) -> Collection:
    """Ask every source concurrently; results come back in the order of ``sources``."""
    if fetchers is None:
        from community_metrics.collect.sources import FETCHERS

        fetchers = FETCHERS
    if not sources:
        return Collection([], [])
    results: list[tuple[Observation, SourceReport] | None] = [None] * len(sources)
    size = workers or min(MAX_WORKERS, len(sources))
    done = 0
    with ThreadPoolExecutor(max_workers=size, thread_name_prefix="collect") as pool:
        futures = {
            pool.submit(collect_one, sources[index], http, fetchers): index
            for index in interleave_by_host(sources)
        }
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            done += 1
            if progress is not None:
                progress(done, len(sources), future.result()[1])
    finished = [r for r in results if r is not None]
    return Collection([o for o, _ in finished], [r for _, r in finished])
