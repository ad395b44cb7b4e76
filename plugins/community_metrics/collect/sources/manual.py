"""Manual counts: dated values a maintainer types, for places without a public API
(Facebook or LinkedIn groups, mailing lists, meetups). The registry parses them
(``registry/manual_values.py``); in communities.yml, either inline::

    - platform: manual
      name: meetup
      values:
        - {date: 2026-10-01, members: 1234, note: "meetup.com group page, 2026-10-01"}

or a CSV file, relative to the registry, with the header ``date,metric,value,note``::

      csv: manual/meetup.csv

Each value keeps its own date and note. ``fetch`` makes no request: it reports, per metric,
the most recent value (with its date and note under ``extra``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from community_metrics.collect.sources.base import SourceError, SourceResult

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    values = source.options.get("values") or []
    if not values:
        raise SourceError(f"{source.location}: no manual values")
    result = SourceResult(endpoint=f"manual entry at {source.location}")
    latest: dict[str, dict[str, Any]] = {}
    for value in values:
        if value["metric"] not in latest or value["date"] >= latest[value["metric"]]["date"]:
            latest[value["metric"]] = value
    for metric, value in latest.items():
        result.metrics[metric] = value["value"]
    result.extra["as_of"] = {metric: value["date"] for metric, value in latest.items()}
    notes = {metric: value["note"] for metric, value in latest.items() if value["note"]}
    if notes:
        result.extra["notes"] = notes
    created = source.options.get("created_at")
    if created:
        result.created_at = f"{created}T00:00:00Z"
    return result
