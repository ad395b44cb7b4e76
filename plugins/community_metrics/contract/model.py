"""The data contract: metric vocabulary, observations and snapshot files (schema_version 1).

Everything that crosses a module boundary is one of these types. ``Observation.from_dict`` and
``Snapshot.from_dict`` validate as they parse, so a snapshot that breaks the contract is named
with the JSON path of the first problem instead of failing somewhere downstream.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SCHEMA_VERSION = 1
#: a community's slug: its URL path and its key in every snapshot
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# How free text becomes a slug or a DOM id: the substitutions given to pelican.utils.slugify
# (which first transliterates to ASCII): every run of other characters becomes one "-".
SLUGIFY_SUBSTITUTIONS = ((r"[^a-z0-9]+", "-"), (r"\A-+|-+\Z", ""))

#: The metric vocabulary of DESIGN.md, in display order. A metric a platform does not report is
#: absent from ``Observation.metrics`` -- never 0.
METRICS: dict[str, str] = {
    "members": "people who joined, subscribe or follow, as the platform counts them",
    "active_1d": "people active in the last day",
    "active_7d": "people active in the last 7 days",
    "active_30d": "people active in the last 30 days",
    "online": "people present right now",
    "posts": "cumulative posts, messages, statuses or answers",
    "topics": "cumulative threads, questions or issues",
    "posts_7d": "new posts in the last 7 days",
    "posts_30d": "new posts in the last 30 days",
    "contributors": "people who contributed code",
    "active_180d": "people active in the last half-year",
    "unanswered": "questions or issues still without any answer",
}

#: ok: every request succeeded; partial: the canonical request succeeded, a further one failed;
#: stale: this run failed and ``metrics`` carry the last good values;
#: error: failed, with nothing earlier to carry.
STATUSES = ("ok", "partial", "stale", "error")
GOOD_STATUSES = ("ok", "partial")

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# RFC 3339 timestamps (UTC "Z" or a numeric offset), written so that the published JSON Schema
# (downloads.snapshot_schema) uses the very same patterns: ASCII digits only, and "(?![\s\S])"
# as the end anchor because "$" also matches before a trailing newline (in Python and in
# jsonschema's re.search). The calendar check of the date part stays in Python.
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?![\s\S])"
TIMESTAMP_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])(?![\s\S])"
)
_TIMESTAMP_RE = re.compile(TIMESTAMP_PATTERN)


class ContractError(ValueError):
    """A snapshot or observation does not follow schema_version 1. ``where`` is a JSON path."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    """UTC ISO 8601 with a ``Z`` and whole seconds, the one timestamp format of our files."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: timestamps must carry a time zone")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> datetime:
    """Parse a timestamp written by ``format_timestamp`` (or any ISO 8601 with an offset)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without time zone: {text!r}")
    return moment.astimezone(UTC)


def _check_metrics(where: str, metrics: Any) -> dict[str, int | float]:
    if not isinstance(metrics, dict):
        raise ContractError(where, "must be an object of metric name to number")
    checked: dict[str, int | float] = {}
    for name, value in metrics.items():
        if name not in METRICS:
            raise ContractError(f"{where}.{name}", f"unknown metric (known: {', '.join(METRICS)})")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ContractError(f"{where}.{name}", f"must be a number, got {value!r}")
        if isinstance(value, int) and value > 2**63:
            raise ContractError(f"{where}.{name}", f"must be a plausible count, got {value!r}")
        if not math.isfinite(value) or value < 0:
            raise ContractError(
                f"{where}.{name}", f"must be finite and non-negative, got {value!r}"
            )
        checked[name] = value
    return checked


def _check_timestamp(where: str, value: Any, *, optional: bool) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ContractError(where, f"must be an ISO 8601 timestamp string, got {value!r}")
    if not _TIMESTAMP_RE.match(value):
        raise ContractError(
            where, f"not an RFC 3339 timestamp such as 2026-11-22T03:12:09Z: {value!r}"
        )
    try:
        parse_timestamp(value)
    except ValueError:
        raise ContractError(where, f"not an ISO 8601 timestamp with time zone: {value!r}") from None
    return value


@functools.lru_cache(maxsize=65536)
def _timestamp_ok(value: str) -> bool:
    """The same test as ``_check_timestamp``, as a yes/no, memoised: many observations of a
    history share their ``created_at`` and the fast path below asks about every one."""
    if not _TIMESTAMP_RE.match(value):
        return False
    try:
        parse_timestamp(value)
    except ValueError:
        return False
    return True


_STATUS_SET = frozenset(STATUSES)
_METRIC_SET = frozenset(METRICS)
_MAX_INT = 2**63


def _observation_fast(data: Any) -> Observation | None:
    """``Observation.from_dict`` for the common, valid case, without building error paths.

    Accepts a subset of what ``from_dict`` accepts (exact JSON types only) and returns None
    for anything else, which then goes through the checks that name the problem. Reading
    a large history spends most of its time here, hence the inlined tests."""
    if type(data) is not dict:
        return None
    get = data.get
    status = get("status")
    if type(status) is not str or status not in _STATUS_SET:
        return None
    community, platform, source = get("community"), get("platform"), get("source")
    if not (
        type(community) is str
        and community
        and type(platform) is str
        and platform
        and type(source) is str
        and source
    ):
        return None
    extra = get("extra", {})
    error = get("error")
    endpoint = get("endpoint")
    if type(extra) is not dict or (error is not None and type(error) is not str):
        return None
    if endpoint is not None and (type(endpoint) is not str or not endpoint):
        return None
    created_at, observed_at = get("created_at"), get("observed_at")
    if created_at is not None and (type(created_at) is not str or not _timestamp_ok(created_at)):
        return None
    if observed_at is None:
        if status != "error":
            return None
    elif type(observed_at) is not str or not _timestamp_ok(observed_at):
        return None
    metrics = get("metrics", {})
    if type(metrics) is not dict:
        return None
    for name, value in metrics.items():
        if name not in _METRIC_SET:
            return None
        kind = type(value)
        if kind is int:
            if value < 0 or value > _MAX_INT:
                return None
        elif kind is float:
            if not (value >= 0 and value != math.inf):  # also refuses NaN
                return None
        else:
            return None
    return Observation(
        community,
        platform,
        source,
        status,
        dict(metrics),
        created_at,
        observed_at,
        endpoint,
        error,
        extra,
    )


def _check_str(where: str, value: Any, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise ContractError(where, f"must be a non-empty string, got {value!r}")
    return value


@dataclass
class Observation:
    """What one source reported in one run (or carried forward from an earlier one)."""

    community: str
    platform: str
    source: str
    status: str
    metrics: dict[str, int | float] = field(default_factory=dict)
    created_at: str | None = None
    observed_at: str | None = None
    endpoint: str | None = None
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        """Identity within one day: the same source may serve two communities."""
        return (self.community, self.source)

    @property
    def is_good(self) -> bool:
        return self.status in GOOD_STATUSES

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "community": self.community,
            "platform": self.platform,
            "source": self.source,
            "status": self.status,
            "metrics": dict(self.metrics),
            "created_at": self.created_at,
            "observed_at": self.observed_at,
            "endpoint": self.endpoint,
            "error": self.error,
        }
        if self.extra:
            data["extra"] = dict(self.extra)
        return data

    @classmethod
    def from_dict(cls, data: Any, where: str = "observation") -> Observation:
        if not isinstance(data, dict):
            raise ContractError(where, "must be an object")
        status = data.get("status")
        if status not in STATUSES:
            raise ContractError(f"{where}.status", f"must be one of {', '.join(STATUSES)}")
        extra = data.get("extra", {})
        if not isinstance(extra, dict):
            raise ContractError(f"{where}.extra", "must be an object")
        error = data.get("error")
        if error is not None and not isinstance(error, str):
            raise ContractError(f"{where}.error", "must be a string or null")
        return cls(
            community=_check_str(f"{where}.community", data.get("community")),
            platform=_check_str(f"{where}.platform", data.get("platform")),
            source=_check_str(f"{where}.source", data.get("source")),
            status=status,
            metrics=_check_metrics(f"{where}.metrics", data.get("metrics", {})),
            created_at=_check_timestamp(
                f"{where}.created_at", data.get("created_at"), optional=True
            ),
            observed_at=_check_timestamp(
                f"{where}.observed_at", data.get("observed_at"), optional=status == "error"
            ),
            endpoint=_check_str(f"{where}.endpoint", data.get("endpoint"), optional=True),
            error=error,
            extra=extra,
        )


@dataclass
class Snapshot:
    """One day's file: ``data/snapshots/YYYY/YYYY-MM-DD.json``."""

    date: str
    generated_at: str
    observations: list[Observation]
    synthetic: bool = False
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "date": self.date,
            "generated_at": self.generated_at,
            "synthetic": self.synthetic,
            "observations": [o.to_dict() for o in sorted(self.observations, key=lambda o: o.key)],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Snapshot:
        if not isinstance(data, dict):
            raise ContractError("$", "a snapshot must be a JSON object")
        version = data.get("schema_version")
        if isinstance(version, bool) or version != SCHEMA_VERSION:
            raise ContractError(
                "$.schema_version",
                f"expected {SCHEMA_VERSION}, got {data.get('schema_version')!r}",
            )
        date = data.get("date")
        if not isinstance(date, str) or not _DATE_RE.match(date):
            raise ContractError("$.date", f"must be YYYY-MM-DD, got {date!r}")
        try:
            datetime.strptime(date, "%Y-%m-%d")
        except ValueError:
            raise ContractError("$.date", f"not a calendar date: {date!r}") from None
        synthetic = data.get("synthetic", False)
        if not isinstance(synthetic, bool):
            raise ContractError("$.synthetic", "must be true or false")
        observations = data.get("observations")
        if not isinstance(observations, list):
            raise ContractError("$.observations", "must be a list")
        parsed = [
            _observation_fast(item) or Observation.from_dict(item, f"$.observations[{index}]")
            for index, item in enumerate(observations)
        ]
        seen: set[tuple[str, str]] = set()
        for index, observation in enumerate(parsed):
            if observation.key in seen:
                raise ContractError(
                    f"$.observations[{index}]",
                    f"duplicate observation for {observation.community} / {observation.source}",
                )
            seen.add(observation.key)
        return cls(
            date=date,
            generated_at=_check_timestamp(
                "$.generated_at", data.get("generated_at"), optional=False
            ),
            observations=parsed,
            synthetic=synthetic,
        )
