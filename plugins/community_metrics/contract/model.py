"""The data contract: metric vocabulary, observations and snapshot files (schema_version 1).

The snapshot file and the partial files are declared once, below, as msgspec ``Struct``s. The
one reader (``decode_snapshot``), the writer (``Snapshot.to_dict`` / ``encode_snapshot``) and
the published JSON Schema (``contract.schema.snapshot_schema``) all come from them: msgspec
decodes and validates in one pass (in C), and names the JSON path of the first problem
(``$.observations[3].metrics``). The few rules a type cannot say (an ``ok`` observation needs
``observed_at``, a (community, source) pair appears once per file, strings shown on pages are
capped) are in ``check_snapshot`` / ``check_observation`` right next to the structures, and the
schema says them in ``SCHEMA_RULES``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from itertools import compress, repeat
from operator import attrgetter, is_, itemgetter
from typing import Annotated, Any, Literal

import msgspec

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


# --- patterns ------------------------------------------------------------------------------------
# Written so that msgspec (Python's ``re.search``) and the published JSON Schema (jsonschema, or any
# ECMA 262 engine) read them alike: ASCII digits only, and "(?![\s\S])" as the end anchor because
# "$" also matches before a trailing newline.

_END = r"(?![\s\S])"
#: A calendar-valid YYYY-MM-DD (leap years included, no year 0000), without anchors.
CALENDAR_DATE = (
    r"(?!0000)(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)"
)
DATE_PATTERN = "^" + CALENDAR_DATE + _END
#: RFC 3339 timestamps (UTC "Z" or a numeric offset) whose date part is a calendar date.
#: (Each branch of CALENDAR_DATE is exactly ten characters, so no look-ahead is needed: one
#: scan, which matters when a history holds millions of timestamps.)
#: The part of a timestamp after its date: "T", the time, an optional fraction and the zone.
CLOCK_TIME = (
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
)
TIMESTAMP_PATTERN = "^" + CALENDAR_DATE + CLOCK_TIME + _END

# --- bounds --------------------------------------------------------------------------------------

#: The largest integer count (int64) and the largest finite double: a JSON number beyond the
#: double range parses to infinity, which is refused.
MAX_COUNT_INT = 2**63 - 1
MAX_DOUBLE = 1.7976931348623157e308
#: community, platform and source are identifiers shown on every page: longer ones are refused.
MAX_NAME_CHARS = 200
#: ``endpoint`` is refused beyond this; ``error`` (a platform's own words) is cut to it.
MAX_TEXT_CHARS = 2000


class ContractError(ValueError):
    """A snapshot or observation does not follow schema_version 1. ``where`` is a JSON path."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class MalformedJSON(ValueError):
    """Bytes that are not JSON at all; ``line`` and ``column`` count from 1 (0: unknown)."""

    def __init__(self, line: int, column: int, reason: str = ""):
        where = f" at line {line}, column {column}" if line else ""
        super().__init__(f"not valid JSON{where}" + (f" ({reason})" if reason else ""))
        self.line = line
        self.column = column


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


# --- the structures ------------------------------------------------------------------------------

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME_CHARS)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TEXT_CHARS)]
Day = Annotated[str, msgspec.Meta(pattern=DATE_PATTERN, description="YYYY-MM-DD")]
#: The pattern is published in the schema and checked by ``check_snapshot`` (not by msgspec:
#: a history holds millions of timestamps, and a regex per value was the largest cost of
#: reading one).
Timestamp = Annotated[
    str,
    msgspec.Meta(
        description="RFC 3339, e.g. 2026-11-22T03:12:09Z",
        extra_json_schema={"pattern": TIMESTAMP_PATTERN},
    ),
]
Count = (
    Annotated[int, msgspec.Meta(ge=0, le=MAX_COUNT_INT)]
    | Annotated[float, msgspec.Meta(ge=0, le=MAX_DOUBLE)]
)
Metric = Literal[tuple(METRICS)]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]
#: ``1`` (``1.0`` is read as 1, a JSON number is a number); never true.
SchemaVersion = Annotated[float, msgspec.Meta(ge=SCHEMA_VERSION, le=SCHEMA_VERSION)]


class Observation(msgspec.Struct, gc=False):
    """What one source reported in one run (or carried forward from an earlier one)."""

    community: Annotated[Name, msgspec.Meta(description="slug of the community")]
    platform: Annotated[Name, msgspec.Meta(description="github, discourse, mastodon, ...")]
    source: Annotated[Name, msgspec.Meta(description="platform:identifier, unique per community")]
    status: Annotated[
        Status,
        msgspec.Meta(
            description="ok; partial (some requests failed, what succeeded is kept); stale "
            "(this run failed, metrics carry the last good values observed at observed_at); "
            "error (failed, nothing earlier to carry)"
        ),
    ]
    metrics: Annotated[
        dict[Metric, Count],
        msgspec.Meta(
            description="metric name -> count; a metric the platform does not report is "
            "absent, never 0"
        ),
    ] = {}
    created_at: Timestamp | None = None
    observed_at: Timestamp | None = None
    endpoint: Text | None = None
    error: Annotated[
        str | None,
        msgspec.Meta(description=f"why the source failed; cut to {MAX_TEXT_CHARS} characters"),
    ] = None
    extra: Annotated[dict[str, Any], msgspec.Meta(description="platform-specific extras")] = {}

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
        """Validate one observation given as plain Python data (errors say ``where``)."""
        try:
            observation = msgspec.convert(data, cls)
        except msgspec.ValidationError as exc:
            raise _contract_error(exc, data, root=where) from None
        return check_observation(observation, where)


class Snapshot(msgspec.Struct):
    """One day's file: ``data/snapshots/YYYY/YYYY-MM-DD.json`` (a partial file of one shard,
    ``partials/YYYY-MM-DD.shard-K-of-N.json``, has the same shape)."""

    date: Day
    generated_at: Timestamp
    observations: list[Observation]
    synthetic: Annotated[bool, msgspec.Meta(description="true: made-up demo data")] = False
    schema_version: SchemaVersion = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The file as written: observations in a stable order (by community, source)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "date": self.date,
            "generated_at": self.generated_at,
            "synthetic": self.synthetic,
            "observations": [o.to_dict() for o in sorted(self.observations, key=lambda o: o.key)],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Snapshot:
        """Validate a snapshot given as plain Python data (e.g. from ``json.loads``)."""
        try:
            snapshot = msgspec.convert(data, SnapshotFile)
        except msgspec.ValidationError as exc:
            raise _contract_error(exc, data) from None
        return check_snapshot(snapshot)


class SnapshotFile(Snapshot, kw_only=True):
    """A snapshot as read from a file: there ``schema_version`` is required."""

    schema_version: SchemaVersion


# --- what the types cannot say: checked here, said in the schema by SCHEMA_RULES -----------------


# A timestamp matches TIMESTAMP_PATTERN exactly when its first ten characters match
# DATE_PATTERN (every branch of CALENDAR_DATE is ten characters) and the rest matches CLOCK_TIME.
# A history holds millions of timestamps but few distinct days and clock times: each part is
# matched once and remembered (bounded sets, cleared when full).
_DAY_RE = re.compile(DATE_PATTERN)
_CLOCK_RE = re.compile("^" + CLOCK_TIME + _END)
_GOOD_DAYS: set[str] = set()
_GOOD_CLOCKS: set[str] = set()
_GOOD_PARTS_MAX = 200_000
_DAY_PART, _CLOCK_PART = itemgetter(slice(None, 10)), itemgetter(slice(10, None))  # in C
TIMESTAMP_PROBLEM = (
    "not an RFC 3339 timestamp with a calendar date and a time zone "
    "(e.g. 2026-11-22T03:12:09Z or 2026-11-22T04:12:09+01:00)"
)


def _remember(found: set[str], good: set[str], pattern: re.Pattern[str]) -> bool:
    new = found - good
    if not new:
        return True
    if not all(pattern.match(part) for part in new):
        return False
    if len(good) + len(new) > _GOOD_PARTS_MAX:
        good.clear()
    good |= new
    return True


def timestamps_ok(stamps: set[str]) -> bool:
    """Whether every string of ``stamps`` matches ``TIMESTAMP_PATTERN``."""
    return _remember(set(map(_DAY_PART, stamps)), _GOOD_DAYS, _DAY_RE) and _remember(
        set(map(_CLOCK_PART, stamps)), _GOOD_CLOCKS, _CLOCK_RE
    )


def check_timestamp(value: str | None, where: str) -> None:
    """``value`` (None allowed) matches ``TIMESTAMP_PATTERN``, or ContractError at ``where``."""
    if value is not None and not timestamps_ok({value}):
        raise ContractError(where, TIMESTAMP_PROBLEM)


def check_observation(observation: Observation, where: str = "observation") -> Observation:
    """An observation with values must say when they were observed, its timestamps are RFC
    3339; ``error`` is capped."""
    check_timestamp(observation.created_at, f"{where}.created_at")
    check_timestamp(observation.observed_at, f"{where}.observed_at")
    if observation.observed_at is None and observation.status != "error":
        raise ContractError(
            f"{where}.observed_at", f"required when status is {observation.status} (not error)"
        )
    error = observation.error
    if error is not None and len(error) > MAX_TEXT_CHARS:
        observation.error = error[: MAX_TEXT_CHARS - 1] + "…"
    return observation


_KEY = attrgetter("community", "source")
_OBSERVED = attrgetter("observed_at")
_CREATED = attrgetter("created_at")
_STATUS = attrgetter("status")
_ERROR = attrgetter("error")


def check_snapshot(snapshot: Snapshot) -> Snapshot:
    """Every observation checked (``check_observation``); no (community, source) twice in one
    file. A history reads millions of observations: the whole file is checked at once, with
    maps and sets that run in C, and only a file with something to say is walked observation by
    observation, to name the first problem by its JSON path (or to cut a long error text)."""
    snapshot.schema_version = SCHEMA_VERSION  # 1.0 in a file is 1
    check_timestamp(snapshot.generated_at, "$.generated_at")
    observations = snapshot.observations
    observed = list(map(_OBSERVED, observations))
    stamps = set(observed)
    stamps.update(map(_CREATED, observations))
    stamps.discard(None)
    errors = set(map(_ERROR, observations))
    errors.discard(None)
    undated = (  # the statuses of observations without observed_at (few: errors)
        set(compress(map(_STATUS, observations), map(is_, observed, repeat(None))))
        if None in observed
        else set()
    )
    if (
        len(set(map(_KEY, observations))) < len(observations)
        or not undated <= {"error"}
        or (errors and max(map(len, errors)) > MAX_TEXT_CHARS)
        or not timestamps_ok(stamps)  # type: ignore[arg-type]
    ):
        _check_each(observations)
    return snapshot


def _check_each(observations: list[Observation]) -> None:
    """``check_snapshot`` one observation at a time: the first problem, by its JSON path."""
    seen: set[tuple[str, str]] = set()
    for index, observation in enumerate(observations):
        check_observation(observation, f"$.observations[{index}]")
        seen.add(observation.key)
        if len(seen) <= index:
            raise ContractError(
                f"$.observations[{index}]",
                f"duplicate observation for {observation.community} / {observation.source}",
            )


#: The rules above as JSON Schema, merged into the generated schema (``contract.schema``).
SCHEMA_RULES = {
    "Observation": {
        "if": {"properties": {"status": {"const": "error"}}},
        "then": {},
        "else": {"required": ["observed_at"], "properties": {"observed_at": {"type": "string"}}},
    },
    "description": (
        "Not expressible here and checked by the reader: observations are unique by "
        "(community, source); the file is named after its date, which lies between "
        "2000-01-01 and tomorrow (UTC); an error text longer than "
        f"{MAX_TEXT_CHARS} characters is cut."
    ),
}

_SNAPSHOT_DECODER = msgspec.json.Decoder(SnapshotFile)
_BYTE_RE = re.compile(r"\(byte (\d+)\)")


def decode_snapshot(raw: bytes | memoryview) -> Snapshot:
    """The one reader of snapshot (and partial) files: bytes -> a checked ``Snapshot``.

    Raises ``MalformedJSON`` (with line and column) or ``ContractError`` (with the JSON path);
    ``RecursionError`` for nesting deeper than the decoder follows."""
    try:
        snapshot = _SNAPSHOT_DECODER.decode(raw)
    except msgspec.ValidationError as exc:
        raise _contract_error(exc, bytes(raw)) from None
    except msgspec.DecodeError as exc:
        found = _BYTE_RE.search(str(exc))
        reason = ""
        if found:
            offset = int(found.group(1))
        elif "truncated" in str(exc):  # msgspec names no byte: the text stops at the end
            offset = len(raw)
            blank = not bytes(raw).strip()
            reason = "the file is empty" if blank else "the file ends before its JSON does"
        else:
            raise MalformedJSON(0, 0) from None
        before = bytes(raw[:offset])
        line = before.count(b"\n") + 1
        column = offset - (before.rfind(b"\n") + 1) + 1
        raise MalformedJSON(line, column, reason) from None
    return check_snapshot(snapshot)


# --- naming the problem --------------------------------------------------------------------------

_AT_KEY_RE = re.compile(r"^(?P<message>.*) - at `key` in `(?P<path>[^`]*)`$", re.S)
_AT_RE = re.compile(r"^(?P<message>.*) - at `(?P<path>[^`]*)`$", re.S)
_STEP_RE = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _contract_error(exc: msgspec.ValidationError, data: Any, root: str = "$") -> ContractError:
    """msgspec's ``... - at `$.observations[3].metrics[...]``` as a ContractError whose path
    names the very key (msgspec says ``[...]`` for a dict value: the key is looked up here, on
    the error path only)."""
    text = str(exc)
    if match := _AT_KEY_RE.match(text):
        path, message = match["path"], match["message"]
        name = re.search(r"'([^']*)'", message)
        if path.endswith(".metrics") and name:
            path = f"{path}.{name.group(1)}"
            message = f"unknown metric (known: {', '.join(METRICS)})"
    elif match := _AT_RE.match(text):
        path, message = match["path"], match["message"]
    else:
        path, message = "$", text
    if path.endswith("[...]"):
        path, message = _name_dict_key(path, message, data)
    return ContractError(root + path[1:], message)


def _name_dict_key(path: str, message: str, data: Any) -> tuple[str, str]:
    """Replace a trailing ``[...]`` with ``.<key>`` of the first value msgspec refuses there,
    and say what was found."""
    try:
        node = msgspec.json.decode(data) if isinstance(data, bytes | bytearray) else data
        for name, index in _STEP_RE.findall(path[1:-5]):
            node = node[name] if name else node[int(index)]
    except (msgspec.DecodeError, KeyError, IndexError, TypeError, RecursionError):
        return path, message
    if not isinstance(node, dict):
        return path, message
    for key, value in node.items():
        try:
            msgspec.convert(value, Count)
        except msgspec.ValidationError:
            try:
                shown = repr(value)[:80]
            except ValueError:  # an int past Python's digit limit
                shown = "a number too long to print"
            if isinstance(value, int | float) and not isinstance(value, bool):
                return f"{path[:-5]}.{key}", f"must be finite and non-negative, got {shown}"
            return f"{path[:-5]}.{key}", f"must be a number, got {shown}"
    return path, message
