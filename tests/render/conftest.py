"""Fixtures of the dashboard tests: a site built once from the tiny fixture history."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_helpers import build


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("site"))
