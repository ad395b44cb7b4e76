"""Downloads for /data/: pure builders, history in, text out (the generator writes the files).

- ``observations-YYYY.csv.gz``: one gzip file per year, the rows of observations.csv of that
  year (always published; each stays far below GitHub Pages' 100 MB per file).
- ``observations.csv``: long, one row per (date, community, source, metric): ``date,
  community, platform, source, metric, value, status``. A source that failed with nothing to
  carry has one row with an empty metric and value, so failures stay visible. A ``stale`` row
  (a value carried forward) says in ``stale_since`` the last day the source was observed
  fresh (empty when that day is before the history). Published with
  observations.json only while the history is small (``FULL_FILES_MAX_ROWS``).
- ``observations.json``: the same history, columnar: ``dates`` plus one entry per (community,
  source) with a status per date and one array per metric (null = no value).
- ``<community>.csv``: wide, one row per (date, source) with a column per metric.
- ``snapshot.schema.json``: JSON Schema (Draft 2020-12) of a snapshot file, schema_version 1,
  generated from the contract's structures (``contract.schema``).

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) are prefixed with ``'``; numbers stay numbers.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from itertools import chain, compress, repeat
from typing import Any

import msgspec

from community_metrics.contract import schema
from community_metrics.contract.model import METRICS
from community_metrics.store.history import STATUS_CODES, STATUS_NAMES, History

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
    return _number_texts([value])[0]


_JSON_NUMBERS = msgspec.json.Encoder()


def _number_texts(column: Iterable[float]) -> list[str]:
    """The text of every value of a column, "" where there is none (NaN): the one rule for
    numbers in the CSVs, applied a column at a time (they hold millions of numbers)."""
    values = column.tolist() if isinstance(column, array) else list(column)
    if not values:
        return []
    # In C: msgspec writes the column as JSON (NaN as null, a whole float as "1080.0"), and the
    # texts are cut from it. Where its notation could differ from Python's (an exponent, a
    # value under 0.0001, a sign), the rule below decides, value by value.
    text = _JSON_NUMBERS.encode(values)
    if b"e" in text or b"-" in text or b"0.0000" in text:
        return [
            # NaN != NaN; "%d" is the quickest way from a whole float to its digits
            "" if v != v else "%d" % v if v.is_integer() else repr(v)  # noqa: UP031
            for v in values
        ]
    cells = (text[1:-1] + b",").replace(b".0,", b",").replace(b"null", b"")
    return cells.decode("ascii").split(",")[:-1]


def csv_note(synthetic: bool) -> str:
    """The first line of a CSV download: the demo-data warning, or nothing."""
    return DEMO_CSV_NOTE if synthetic else ""


#: The status of a back-filled row in the CSV downloads (not a snapshot status: no snapshot
#: observed it; the platform reported it afterwards, see store/backfill.py).
BACKFILLED = "backfilled"
_CHUNK_LINES = 20_000


_GOOD_CODES = (STATUS_CODES["ok"], STATUS_CODES["partial"])
#: status code -> the status and an empty "stale since" cell, ending a yearly-file line
_STATE_CELLS = {code: f"{name},\n" for code, name in STATUS_NAMES.items()}
_NOT = bytes([1]) + bytes(255)  # bytes.translate: 0 -> 1, anything else -> 0
_STALE_CODE = STATUS_CODES["stale"]


def stale_since(status: bytearray, dates: list[str]) -> dict[int, str]:
    """{day index: the last day before it with a fresh (ok/partial) observation, or ""} for
    every stale day of one source (stale days are few: each is found, and its last fresh day
    looked up, by byte searches in C)."""
    found: dict[int, str] = {}
    index = status.find(_STALE_CODE)
    while index >= 0:
        fresh = max(status.rfind(code, 0, index) for code in _GOOD_CODES)
        found[index] = dates[fresh] if fresh >= 0 else ""
        index = status.find(_STALE_CODE, index + 1)
    return found


#: First line of every CSV built from demo data (the JSON files carry ``"synthetic": true``).
DEMO_CSV_NOTE = (
    "# DEMO DATA: synthetic numbers written by invoke demo; they describe no real community. "
    "(pandas: read_csv(path, comment='#'))\n"
)


def _stale_since_of(history: History, entry: Any) -> dict[int, str]:
    """``stale_since`` of one source, memoised for the history: every yearly file asks."""
    key = ("csv_stale_since", entry.community, entry.source)
    found = history.memo.get(key)
    if found is None:
        found = history.memo[key] = stale_since(entry.status, history.dates)
    return found


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
                status_text = f"{STATUS_NAMES[code]},{since.get(index, '')}"
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


#: observations.csv and observations.json (the whole history in one file) are published only
#: up to this many rows (about 50 MB of CSV); the yearly compressed files are always published.
FULL_FILES_MAX_ROWS = 1_000_000
#: How the yearly files are compressed: (library, gzip level). Rows are grouped by (community,
#: source, metric), so even the fastest level compresses them about 17 times, well under GitHub
#: Pages' 100 MB per file. Measured on one demo year (112 MB of CSV): ISA-L's level 1 took
#: 0.07 s for 6.6 MB, zlib's level 1 0.30 s for 6.9 MB, zlib's level 6 0.99 s for 5.7 MB and
#: ISA-L's best (3) 0.49 s for 6.4 MB. Beyond ``FAST_GZIP_MAX_ROWS`` the site nears GitHub
#: Pages' 1 GB and bytes count more than seconds: zlib's level 6 (at 10,000 x 365 the yearly
#: files are 89 MB with it, 105 MB with ISA-L's best, and the site 0.4% under 2**30 bytes).
FAST_GZIP, SMALL_GZIP = ("isal", 1), ("zlib", 6)
FAST_GZIP_MAX_ROWS = 10_000_000


def year_file_gzip(history: History) -> tuple[str, int]:
    """How ``history``'s yearly files are compressed: fast while it is small."""
    return FAST_GZIP if observation_rows(history) <= FAST_GZIP_MAX_ROWS else SMALL_GZIP


def observation_rows(history: History) -> int:
    """About how many rows observations.csv would have (observed days x metrics)."""
    total = 0
    for entry in _entries(history):
        observed = len(entry.status) - entry.status.count(0)
        total += observed * max(1, len(entry.values))
    return total


def full_files_fit(history: History) -> bool:
    return observation_rows(history) <= FULL_FILES_MAX_ROWS


def observation_years(history: History) -> list[str]:
    """The years that have observations, oldest first (one yearly file each)."""
    spans: dict[str, tuple[int, int]] = {}  # year -> (first index, last index + 1): dates sort
    for index, day in enumerate(history.dates):
        first, _ = spans.get(day[:4], (index, index))
        spans[day[:4]] = (first, index + 1)
    entries = list(_entries(history))
    return [
        year
        for year, (first, stop) in sorted(spans.items())
        if any(entry.status[first:stop].count(0) < stop - first for entry in entries)
    ]


def year_file_name(year: str, part: int = 0, parts: int = 1) -> str:
    if parts == 1:
        return f"observations-{year}.csv.gz"
    return f"observations-{year}-part{part + 1}of{parts}.csv.gz"


#: A year with more rows than this is published in 2, 4 or 12 parts (by calendar months), so
#: no file comes near 100 MB (rows compress to about 3 to 4 bytes each).
YEAR_FILE_MAX_ROWS = 12_000_000


def download_files(history: History) -> list[tuple[str, str, str]]:
    """(file name, first day, last day) of each yearly file (or part of a year), oldest first."""
    spans: dict[str, tuple[int, int]] = {}  # YYYY-MM -> (first index, last index + 1)
    for index, day in enumerate(history.dates):
        first, _ = spans.get(day[:7], (index, index))
        spans[day[:7]] = (first, index + 1)
    entries = [(e.status, max(1, len(e.values))) for e in _entries(history)]
    rows = {
        month: sum(
            ((stop - first) - status[first:stop].count(0)) * width for status, width in entries
        )
        for month, (first, stop) in spans.items()
    }
    files = []
    for year in sorted({month[:4] for month in rows}):
        total = sum(count for month, count in rows.items() if month.startswith(year))
        if not total:
            continue
        parts = next((n for n in (1, 2, 4) if total <= YEAR_FILE_MAX_ROWS * n), 12)
        size = 12 // parts
        for part in range(parts):
            months = [f"{year}-{m:02d}" for m in range(part * size + 1, (part + 1) * size + 1)]
            if parts > 1 and not any(rows.get(month) for month in months):
                continue
            last = calendar.monthrange(int(year), int(months[-1][5:]))[1]
            name = year_file_name(year, part, parts)
            files.append((name, f"{months[0]}-01", f"{months[-1]}-{last}"))
    return files


def iter_year_csv(history: History, year: str) -> Iterator[str]:
    """One year of observations.csv (see ``iter_period_csv``)."""
    return iter_period_csv(history, f"{year}-01-01", f"{year}-12-31")


def iter_period_csv(history: History, first_day: str, last_day: str) -> Iterator[str]:
    """The rows of observations.csv from ``first_day`` to ``last_day`` (same columns), grouped
    by community, source and metric, then date: consecutive rows differ little, which is what
    makes the gzip file small. A source that failed with nothing to carry has one row per such
    day with an empty metric and value, after its metrics."""
    yield ",".join(CSV_COLUMNS) + "\n"
    dates = history.dates
    # the period's days are one run of the (sorted) dates
    first, stop = bisect_left(dates, first_day), bisect_right(dates, last_day)
    indices = range(first, stop)
    lines: list[str] = []
    for entry in _entries(history):
        codes = entry.status[first:stop]
        observed = list(compress(indices, codes))  # the days with an observation
        filled = [m for m in METRICS if m in entry.backfill]
        if not observed and not filled:
            continue
        days = list(map(dates.__getitem__, observed))
        # "<status>,<stale since>" of each observed day: the status alone, then the few
        # stale days completed with their last fresh day
        states = list(map(_STATE_CELLS.__getitem__, codes.replace(b"\0", b"")))
        for index, day in _stale_since_of(history, entry).items():
            if first <= index < stop:
                at = bisect_left(observed, index)
                states[at] = f"{STATUS_NAMES[codes[index - first]]},{day}\n"
        source_prefix = _csv_prefix([entry.community, entry.platform, entry.source])
        valued = 0  # bit per observed day (the first day the highest): any metric has a value
        for metric in entry.metrics():
            texts = _number_texts(compress(entry.values[metric][first:stop], codes))
            prefix = source_prefix + _csv_prefix([metric])[:-1]
            # the rows with a value ("": none that day), joined in C
            lines += map(
                ",".join,
                zip(
                    compress(days, texts),
                    repeat(prefix),
                    compress(texts, texts),
                    compress(states, texts),
                ),
            )
            valued |= int.from_bytes(bytes(map(bool, texts)))
        # a day where no metric has a value still has its row: the status says why
        unvalued = valued.to_bytes(len(observed)).translate(_NOT)
        for day, state in compress(zip(days, states, strict=True), unvalued):
            lines.append(f"{day},{source_prefix},,{state}")
        for metric in filled:  # back-filled: rows of their own, status "backfilled"
            column = entry.backfill[metric]
            prefix = source_prefix + _csv_prefix([metric])
            for i in indices:
                value = column[i]
                if value == value:
                    lines.append(f"{dates[i]},{prefix}{_number_text(value)},{BACKFILLED},\n")
        if len(lines) >= _CHUNK_LINES:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


def observations_csv(history: History) -> str:
    return "".join(iter_observations_csv(history))


def community_csv(history: History, community: str) -> str:
    """One community, wide: date, platform, source, status, then a column per metric."""
    entries = list(_entries(history, [community]))
    size = len(history.dates)

    def _texts(column: Any) -> list[str]:  # a metric the source never reported: all empty
        return [""] * size if column is None else _number_texts(column)

    metrics = [m for m in METRICS if any(m in e.values for e in entries)]
    metrics += [m for m in METRICS if m not in metrics and any(m in e.backfill for e in entries)]
    lines = [",".join(["date", "platform", "source", "status", *metrics, "stale_since"]) + "\n"]
    dates = history.dates
    # each source's line of every day, built column-wise (joins and maps run in C), then the
    # sources' lines merged day by day
    per_source: list[list[str]] = []
    for entry in entries:
        prefix = _csv_prefix([entry.platform, entry.source])
        # only the span from the first to the last day with an observation has lines: most
        # sources start after the history does, and the days before them are not written
        status = entry.status
        first, stop = size - len(status.lstrip(b"\0")), len(status.rstrip(b"\0"))
        span = max(stop - first, 0)
        ends = ["\n"] * span  # the stale_since cell and the end of the line
        for index, day in _stale_since_of(history, entry).items():
            ends[index - first] = day + "\n"
        columns = [
            [""] * span if column is None else _number_texts(column[first:stop])
            for column in map(entry.values.get, metrics)
        ]
        codes = status[first:stop]
        # every line joined in C; a day without an observation inside the span has none
        observed = list(
            map(
                ",".join,
                zip(
                    dates[first:stop],
                    repeat(prefix[:-1]),
                    map(STATUS_NAMES.get, codes, repeat("")),
                    *columns,
                    ends,
                ),
            )
        )
        gap = codes.find(0)
        while gap >= 0:
            observed[gap] = ""
            gap = codes.find(0, gap + 1)
        per_source.append([""] * min(first, size) + observed + [""] * (size - max(stop, first)))
        if entry.backfill:
            filled = [""] * size
            columns = [_texts(entry.backfill.get(m)) for m in metrics]
            for index, row in enumerate(zip(*columns, strict=True)):
                if any(row):
                    filled[index] = f"{dates[index]},{prefix}{BACKFILLED},{','.join(row)},\n"
            per_source.append(filled)
    # day by day, each source's observed line then its back-filled one (zip and chain in C)
    lines.extend(chain.from_iterable(zip(*per_source, strict=True)))
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


# --- JSON Schema of the snapshot file: generated from the contract ------------------------------

snapshot_schema = schema.snapshot_schema
snapshot_schema_json = schema.snapshot_schema_json
