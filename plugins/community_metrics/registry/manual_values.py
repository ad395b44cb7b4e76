"""Manual counts in ``communities.yml``: dated values a maintainer types, inline::

    - platform: manual
      name: meetup
      values:
        - {date: 2026-10-01, members: 1234, note: "meetup.com group page, 2026-10-01"}

or as a CSV file, relative to the registry, with the header ``date,metric,value,note``::

      csv: manual/meetup.csv

Each value keeps its own date and note. Problems are reported with file and line.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from community_metrics.contract.model import METRICS
from community_metrics.contract.values import parse_count
from community_metrics.registry.yaml_nodes import mapping, plausible_day, scalar_or_none

MAX_CSV_BYTES = 5_000_000
CSV_COLUMNS = ("date", "metric", "value", "note")


def _check_value(
    when: Any, metric: str, value: Any, note: Any
) -> tuple[dict[str, Any] | None, str | None]:
    """One dated value, or a sentence saying what is wrong with it."""
    if isinstance(when, datetime):
        when = when.date()
    if isinstance(when, str):
        try:
            when = date.fromisoformat(when.strip())
        except ValueError:
            return None, f"date {when!r} is not a date; write it as YYYY-MM-DD"
    if not isinstance(when, date):
        return None, "each value needs a date: YYYY-MM-DD"
    problem = plausible_day(when)
    if problem:
        return None, f"date {when.isoformat()} {problem}"
    if metric not in METRICS:
        import difflib

        close = difflib.get_close_matches(metric, list(METRICS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return None, f"unknown metric '{metric}'{hint}; known metrics: {', '.join(METRICS)}"
    try:
        number = parse_count(value, metric)
    except ValueError as exc:
        return None, str(exc)
    if note is not None and not isinstance(note, str):
        note = str(note)
    return {"date": when.isoformat(), "metric": metric, "value": number, "note": note or None}, None


def values_from_yaml(node: yaml.Node, problems: Any) -> list[dict[str, Any]]:
    """``values:`` -> a list of dated values; problems are reported with their YAML position."""
    if not isinstance(node, yaml.SequenceNode):
        problems.add(
            node, "'values' must be a list of entries like {date: 2026-10-01, members: 1234}"
        )
        return []
    if not node.value:
        problems.add(
            node, "'values' is empty; give at least one {date: YYYY-MM-DD, <metric>: number}"
        )
        return []
    values: list[dict[str, Any]] = []
    for item in node.value:
        entries = mapping(item, problems, "a manual value")
        if entries is None:
            continue
        if "date" not in entries:
            problems.add(item, "a manual value needs 'date: YYYY-MM-DD'")
            continue
        when = scalar_or_none(entries["date"][1])
        note_node = entries.get("note", (None, None))[1]
        note = scalar_or_none(note_node) if isinstance(note_node, yaml.ScalarNode) else None
        metrics = [key for key in entries if key not in ("date", "note")]
        if not metrics:
            problems.add(item, f"a manual value names no metric; use one of {', '.join(METRICS)}")
        for metric in metrics:
            key_node, value_node = entries[metric]
            raw = scalar_or_none(value_node) if isinstance(value_node, yaml.ScalarNode) else None
            value, problem = _check_value(when, metric, raw, note)
            if problem:
                where = (
                    entries["date"][1]
                    if problem.startswith("date")
                    else (key_node if problem.startswith("unknown metric") else value_node)
                )
                problems.add(where, problem)
            else:
                values.append(value)
    return values


def values_from_csv(
    node: yaml.Node, relative: str, base_dir: Path, problems: Any
) -> list[dict[str, Any]]:
    """``csv:`` -> a list of dated values; problems name the CSV file and line."""
    path = base_dir / relative
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            problems.add(node, f"CSV file {path} is larger than {MAX_CSV_BYTES} bytes")
            return []
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.add(node, f"CSV file {path} does not exist (paths are relative to the registry)")
        return []
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(
            node, f"CSV file {path} cannot be read as UTF-8 text: {exc.__class__.__name__}"
        )
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    values: list[dict[str, Any]] = []
    try:
        header = [column.strip().lower() for column in next(reader, [])]
        if header[:3] != list(CSV_COLUMNS[:3]):
            problems.add_in_file(
                path, 1, f"the header must be {','.join(CSV_COLUMNS)} (note optional)"
            )
            return []
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < 3:
                problems.add_in_file(path, line, "expected date,metric,value[,note]")
                continue
            note = row[3].strip() if len(row) > 3 else None
            value, problem = _check_value(row[0], row[1].strip(), row[2].strip(), note)
            if problem:
                problems.add_in_file(path, line, problem)
            else:
                values.append(value)
    except csv.Error as exc:
        problems.add_in_file(path, reader.line_num, f"malformed CSV: {exc}")
    return values
