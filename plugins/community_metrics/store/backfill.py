"""Back-filled history: values from before a source's first snapshot, where a platform offers
them (Mastodon's weekly ``instance/activity``, Stack Exchange's question counts by date range).

One file per (community, source), ``<data>/backfill/<community>--<source slug>.json``, written
once, atomically, when the source is first collected; no snapshot file is ever rewritten:

```json
{"backfill_version": 1, "community": "fedi", "source": "mastodon:example.social",
 "platform": "mastodon", "fetched_at": "2026-11-30T03:12:09Z",
 "endpoint": "https://example.social/api/v1/instance/activity",
 "method": "weekly statuses of the 11 complete weeks ...",
 "values": [{"date": "2026-11-22", "metric": "posts_7d", "value": 1234}]}
```

``read_backfills`` reads them all (a file that is unreadable or breaks this shape is skipped with
a warning, never half-read); ``apply_backfills`` puts the values into a ``History`` beside the
observed ones, on days where no snapshot holds a value for that metric: an observed value always
wins. ``History.series`` then marks those days ``backfilled``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from array import array
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from community_metrics.contract.model import METRICS
from community_metrics.store.snapshots import write_json_atomic

if TYPE_CHECKING:
    from community_metrics.store.history import History

BACKFILL_DIR = "backfill"
BACKFILL_VERSION = 1


@dataclass(frozen=True)
class BackfillValue:
    date: str  # YYYY-MM-DD: the day the value describes
    metric: str
    value: int | float


@dataclass
class Backfill:
    community: str
    source: str
    platform: str
    endpoint: str
    fetched_at: str
    method: str
    values: list[BackfillValue] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "backfill_version": BACKFILL_VERSION,
            "community": self.community,
            "source": self.source,
            "platform": self.platform,
            "fetched_at": self.fetched_at,
            "endpoint": self.endpoint,
            "method": self.method,
            "values": [
                {"date": v.date, "metric": v.metric, "value": v.value}
                for v in sorted(self.values, key=lambda v: (v.date, v.metric))
            ],
        }


class BackfillError(ValueError):
    """A back-fill file that cannot be used; the message names the file and the problem."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "source"


def backfill_path(data_dir: Path, community: str, source: str) -> Path:
    """``<data>/backfill/<community>--<source slug>-<hash>.json`` (the hash keeps two labels
    that slug alike apart: ``github:a/b-c`` and ``github:a-b/c``)."""
    digest = hashlib.sha256(f"{community}\n{source}".encode()).hexdigest()[:8]
    return Path(data_dir) / BACKFILL_DIR / f"{_slug(community)}--{_slug(source)}-{digest}.json"


def write_backfill(data_dir: Path, backfill: Backfill) -> Path | None:
    """Write the source's back-fill file atomically; None (and nothing written) when the source
    already has one: a back-fill is taken once, on the source's first collection."""
    path = backfill_path(data_dir, backfill.community, backfill.source)
    if path.exists():
        return None
    write_json_atomic(path, backfill.to_dict())
    return path


def has_backfill(data_dir: Path, community: str, source: str) -> bool:
    return backfill_path(data_dir, community, source).exists()


def _is_day(text: Any) -> bool:
    if not isinstance(text, str) or len(text) != 10:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def parse_backfill(data: Any, where: str) -> Backfill:
    """A back-fill document, validated whole; ``BackfillError`` names the first problem."""
    if not isinstance(data, dict) or data.get("backfill_version") != BACKFILL_VERSION:
        raise BackfillError(f"{where}: not a back-fill file (backfill_version {BACKFILL_VERSION})")
    texts = {}
    for key in ("community", "source", "platform", "fetched_at", "endpoint", "method"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            raise BackfillError(f"{where}: '{key}' must be a non-empty string")
        texts[key] = value
    raw = data.get("values")
    if not isinstance(raw, list):
        raise BackfillError(f"{where}: 'values' must be a list")
    values = []
    for position, item in enumerate(raw):
        spot = f"{where}: values[{position}]"
        if not isinstance(item, dict):
            raise BackfillError(f"{spot} is not an object")
        day, metric, value = item.get("date"), item.get("metric"), item.get("value")
        if not _is_day(day):
            raise BackfillError(f"{spot}: 'date' must be YYYY-MM-DD, got {day!r}")
        if metric not in METRICS:
            raise BackfillError(f"{spot}: unknown metric {metric!r}")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            raise BackfillError(f"{spot}: 'value' must be a non-negative number, got {value!r}")
        values.append(BackfillValue(day, metric, value))
    return Backfill(values=values, **texts)


def read_backfills(data_dir: Path) -> tuple[list[Backfill], list[str]]:
    """Every usable back-fill file under ``<data>/backfill`` (sorted by name) and a warning per
    file that was skipped."""
    folder = Path(data_dir) / BACKFILL_DIR
    found: list[Backfill] = []
    warnings: list[str] = []
    if not folder.is_dir():
        return found, warnings
    for path in sorted(folder.glob("*.json")):
        try:
            found.append(parse_backfill(json.loads(path.read_text(encoding="utf-8")), str(path)))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            warnings.append(f"{path}: cannot be read ({exc.__class__.__name__}); skipped")
        except BackfillError as exc:
            warnings.append(f"{exc}; skipped")
    return found, warnings


def backfill_days(backfills: list[Backfill]) -> list[str]:
    return [value.date for backfill in backfills for value in backfill.values]


def apply_backfills(history: History, backfills: list[Backfill]) -> None:
    """Put back-filled values beside the observed ones. An observed value of the same day and
    metric always wins; a back-filled value is kept apart (``SourceHistory.backfill``), so no
    observed value is ever replaced, and ``History.series`` flags the days it fills."""
    from community_metrics.contract.model import Observation

    nan = math.nan
    size = len(history.dates)
    for backfill in backfills:
        entry = history._source(
            Observation(backfill.community, backfill.platform, backfill.source, "ok")
        )
        for value in backfill.values:
            index = history._index.get(value.date)
            if index is None:
                continue
            observed = entry.values.get(value.metric)
            if observed is not None and observed[index] == observed[index]:
                continue  # an observed value that day: it wins
            column = entry.backfill.get(value.metric)
            if column is None:
                column = entry.backfill[value.metric] = array("d", [nan]) * size
            column[index] = value.value
        entry.backfill_method = backfill.method
        entry.backfill_endpoint = backfill.endpoint
