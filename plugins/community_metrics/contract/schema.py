"""The published JSON Schema of a snapshot file, generated from the contract's structures.

``msgspec.json.schema`` writes the types (required fields, patterns, bounds); ``SCHEMA_RULES``
adds what a type cannot say. ``/data/snapshot.schema.json`` on the site is this text.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from community_metrics.contract.model import SCHEMA_RULES, SCHEMA_VERSION, SnapshotFile


def snapshot_schema() -> dict[str, Any]:
    """JSON Schema (Draft 2020-12) accepting what ``decode_snapshot`` accepts, except for the
    rules named in its description."""
    generated = msgspec.json.schema(SnapshotFile)
    definitions = generated["$defs"]
    root = definitions.pop("SnapshotFile")
    definitions["Observation"].update(SCHEMA_RULES["Observation"])
    root.pop("title", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "snapshot.schema.json",
        "title": f"Community Pulse snapshot file, schema_version {SCHEMA_VERSION}",
        **root,
        "description": (
            "One day of observations: data/snapshots/YYYY/YYYY-MM-DD.json. "
            + SCHEMA_RULES["description"]
        ),
        "$defs": definitions,
    }


def snapshot_schema_json() -> str:
    return json.dumps(snapshot_schema(), indent=2, ensure_ascii=False) + "\n"
