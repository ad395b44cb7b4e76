"""Documented-shape response bodies of the platform tests (tests/collect/sources/fixtures/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def body(name: str) -> Any:
    """A fixture body, e.g. ``body("github/repo.json")``."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))
