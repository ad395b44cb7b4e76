"""Downloads for /data/: pure builders, history in, text out (the generator writes the files).

- ``observations.csv``: long, one row per (date, community, source, metric): ``date,
  community, platform, source, metric, value, status``. A source that failed with nothing to
  carry has one row with an empty metric and value, so failures stay visible. A ``stale`` row
  (a value carried forward) says in ``stale_since`` the last day the source was observed
  fresh (empty when that day is before the history).
- ``observations.json``: the same history, columnar: ``dates`` plus one entry per (community,
  source) with a status per date and one array per metric (null = no value).
- ``<community>.csv``: wide, one row per (date, source) with a column per metric.
- ``snapshot.schema.json``: JSON Schema (Draft 2020-12) of a snapshot file, schema_version 1.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) are prefixed with ``'``; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from typing import Any

from community_metrics.contract.model import METRICS, SCHEMA_VERSION, STATUSES, TIMESTAMP_PATTERN
from community_metrics.store.history import STATUS_NAMES, History

CSV_COLUMNS = (
    "date",
    "community",
    "platform",
    "source",
    "metric",
    "value",
    "status",
    "stale_since",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula; numbers are kept as numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() else value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_line(cells: list[Any]) -> str:
    """One CSV line (with its newline) of formula-safe cells."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue()


def _csv_prefix(cells: list[Any]) -> str:
    """Formula-safe, CSV-quoted cells followed by a comma, for the start of many lines."""
    return csv_line(cells)[:-1] + ","


def _number_text(value: float) -> str:
    """A numeric cell as text: whole numbers without ".0"; never neutralised (a number)."""
    return str(int(value)) if value.is_integer() else repr(value)


_STATUS_TEXT = {code: name for code, name in STATUS_NAMES.items()}
#: The status of a back-filled row in the CSV downloads (not a snapshot status: no snapshot
#: observed it; the platform reported it afterwards, see store/backfill.py).
BACKFILLED = "backfilled"
_CHUNK_LINES = 20_000


_GOOD_CODES = frozenset(code for code, name in STATUS_NAMES.items() if name in ("ok", "partial"))
_STALE_CODE = next(code for code, name in STATUS_NAMES.items() if name == "stale")


def stale_since(status: bytearray, dates: list[str]) -> dict[int, str]:
    """{day index: the last day before it with a fresh (ok/partial) observation, or ""} for
    every stale day of one source."""
    found: dict[int, str] = {}
    last_good = ""
    for index, code in enumerate(status):
        if code in _GOOD_CODES:
            last_good = dates[index]
        elif code == _STALE_CODE:
            found[index] = last_good
    return found


#: First line of every CSV built from demo data (the JSON files carry ``"synthetic": true``).
DEMO_CSV_NOTE = (
    "# DEMO DATA: synthetic numbers written by invoke demo; they describe no real community. "
    "(pandas: read_csv(path, comment='#'))\n"
)


def _entries(history: History, communities: list[str] | None = None):
    for community in communities or history.communities():
        for source in history.sources(community):
            yield history.source_history(community, source)


def iter_observations_csv(history: History) -> Iterator[str]:
    """observations.csv in chunks (it grows with communities x days: stream it to a file).

    Built line by line from pre-quoted prefixes: the text cells of a (community, source,
    metric) never change, so they are made formula-safe and CSV-quoted once."""
    yield ",".join(CSV_COLUMNS) + "\n"
    entries = []
    for entry in _entries(history):
        source_prefix = _csv_prefix([entry.community, entry.platform, entry.source])
        metrics = [(source_prefix + _csv_prefix([m]), entry.values[m]) for m in entry.metrics()]
        backfilled = [
            (source_prefix + _csv_prefix([m]), entry.backfill[m])
            for m in METRICS
            if m in entry.backfill
        ]
        since = stale_since(entry.status, history.dates)
        entries.append((entry.status, source_prefix + ",,", metrics, backfilled, since))
    lines: list[str] = []
    for index, day in enumerate(history.dates):
        for status, empty_prefix, metrics, backfilled, since in entries:
            code = status[index]
            if code:
                status_text = f"{_STATUS_TEXT[code]},{since.get(index, '')}"
                wrote = False
                for prefix, column in metrics:
                    value = column[index]
                    if value == value:  # not NaN
                        lines.append(f"{day},{prefix}{_number_text(value)},{status_text}\n")
                        wrote = True
                if not wrote:
                    lines.append(f"{day},{empty_prefix}{status_text}\n")
            # back-filled values (a platform's record of days before the first snapshot) are
            # rows of their own, with the status "backfilled"
            for prefix, column in backfilled:
                value = column[index]
                if value == value:
                    lines.append(f"{day},{prefix}{_number_text(value)},{BACKFILLED},\n")
        if len(lines) >= _CHUNK_LINES:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


def observations_csv(history: History) -> str:
    return "".join(iter_observations_csv(history))


def community_csv(history: History, community: str) -> str:
    """One community, wide: date, platform, source, status, then a column per metric."""
    entries = list(_entries(history, [community]))
    metrics = [m for m in METRICS if any(m in e.values for e in entries)]
    metrics += [m for m in METRICS if m not in metrics and any(m in e.backfill for e in entries)]
    lines = [",".join(["date", "platform", "source", "status", *metrics, "stale_since"]) + "\n"]
    prepared = [
        (
            entry.status,
            _csv_prefix([entry.platform, entry.source]),
            [entry.values.get(m) for m in metrics],
            [entry.backfill.get(m) for m in metrics] if entry.backfill else None,
            stale_since(entry.status, history.dates),
        )
        for entry in entries
    ]

    def cells_of(columns: list, index: int) -> list[str]:
        cells = []
        for column in columns:
            value = column[index] if column is not None else math.nan
            cells.append("" if value != value else _number_text(value))
        return cells

    for index, day in enumerate(history.dates):
        for status, prefix, columns, backfill, since in prepared:
            code = status[index]
            if code:
                cells = cells_of(columns, index) + [since.get(index, "")]
                lines.append(f"{day},{prefix}{_STATUS_TEXT[code]},{','.join(cells)}\n")
            if backfill is not None:
                cells = cells_of(backfill, index)
                if any(cells):
                    lines.append(f"{day},{prefix}{BACKFILLED},{','.join(cells)},\n")
    return "".join(lines)


def _number(value: float) -> int | float | None:
    if value != value:
        return None
    return int(value) if value.is_integer() else value


def observations_data(history: History) -> dict[str, Any]:
    """The columnar structure of observations.json."""
    series = []
    for entry in _entries(history):
        series.append(
            {
                "community": entry.community,
                "platform": entry.platform,
                "source": entry.source,
                "status": [STATUS_NAMES.get(code) for code in entry.status],
                "metrics": {m: [_number(v) for v in entry.values[m]] for m in entry.metrics()},
                "stale_since": {
                    history.dates[i]: since
                    for i, since in stale_since(entry.status, history.dates).items()
                },
            }
        )
        if entry.backfill:
            series[-1]["backfilled"] = {
                m: [_number(v) for v in entry.backfill[m]] for m in METRICS if m in entry.backfill
            }
    return {
        "description": (
            "Community Pulse observations, columnar: status[i] and metrics[name][i] belong to "
            "dates[i]; null means no observation or no value that day (never zero). "
            "backfilled[name][i], where present, is a value the platform reported later about "
            "a day before the source's first snapshot (never replacing an observed value). "
            "stale_since maps each stale day (a value carried forward) to the last day the "
            "source was observed fresh (empty when unknown)."
        ),
        "synthetic": history.synthetic,
        "dates": list(history.dates),
        "series": series,
    }


def observations_json(history: History) -> str:
    return json.dumps(observations_data(history), ensure_ascii=False, separators=(",", ":"))


# --- JSON Schema of the snapshot file ------------------------------------------------------------

#: A calendar-valid YYYY-MM-DD (leap years included, no year 0000), as a prefix pattern.
CALENDAR_DATE = (
    r"^(?!0000)(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)"
)
_END = r"(?![\s\S])"  # end of string; "$" would also match before a trailing newline

#: The largest finite double: a JSON number beyond it parses to infinity, which is refused.
_MAX_DOUBLE = 1.7976931348623157e308


def snapshot_schema() -> dict[str, Any]:
    """JSON Schema (Draft 2020-12) accepting what ``model.Snapshot.from_dict`` accepts.

    Two rules cannot be said in JSON Schema and are checked by the reader only: no two
    observations of one file share (community, source), and an integer written without an
    exponent must not exceed 2**63. The file name must also equal ``date`` + ".json"."""
    timestamp = {
        "type": "string",
        "allOf": [{"pattern": TIMESTAMP_PATTERN}, {"pattern": CALENDAR_DATE}],
    }
    text = {"type": "string", "minLength": 1}
    observation = {
        "type": "object",
        "required": ["community", "platform", "source", "status"],
        "properties": {
            "community": {**text, "description": "slug of the community in communities.yml"},
            "platform": {**text, "description": "github, discourse, mastodon, ..."},
            "source": {**text, "description": "platform:identifier, unique per community"},
            "status": {
                "enum": list(STATUSES),
                "description": (
                    "ok; partial (some requests failed, what succeeded is kept); stale (this "
                    "run failed, metrics carry the last good values observed at observed_at); "
                    "error (failed, nothing earlier to carry)"
                ),
            },
            "metrics": {
                "type": "object",
                "propertyNames": {"enum": list(METRICS)},
                "additionalProperties": {"type": "number", "minimum": 0, "maximum": _MAX_DOUBLE},
                "description": "metric name -> count; a metric the platform does not report "
                "is absent, never 0",
            },
            "created_at": {"anyOf": [{"type": "null"}, timestamp]},
            "observed_at": {"anyOf": [{"type": "null"}, timestamp]},
            "endpoint": {"anyOf": [{"type": "null"}, text]},
            "error": {"type": ["string", "null"]},
            "extra": {"type": "object", "description": "platform-specific extras"},
        },
        "if": {"properties": {"status": {"const": "error"}}},
        "then": {},
        "else": {"required": ["observed_at"], "properties": {"observed_at": timestamp}},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "snapshot.schema.json",
        "title": "Community Pulse snapshot file, schema_version 1",
        "description": (
            "One day of observations: data/snapshots/YYYY/YYYY-MM-DD.json. Not expressible "
            "here and checked by the reader: observations are unique by (community, source); "
            "integers are at most 2**63; the file is named after its date."
        ),
        "type": "object",
        "required": ["schema_version", "date", "generated_at", "observations"],
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "date": {"type": "string", "pattern": CALENDAR_DATE + _END},
            "generated_at": timestamp,
            "synthetic": {"type": "boolean", "description": "true: made-up demo data"},
            "observations": {"type": "array", "items": observation},
        },
    }


def snapshot_schema_json() -> str:
    return json.dumps(snapshot_schema(), indent=2, ensure_ascii=False) + "\n"
