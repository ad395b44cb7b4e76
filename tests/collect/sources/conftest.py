"""Helpers for the platform tests: documented-shape bodies served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from community_metrics.collect.http import HttpClient
from community_metrics.registry.config import SourceConfig


@pytest.fixture
def pauses() -> list[float]:
    return []


@pytest.fixture
def http(pauses: list[float]) -> HttpClient:
    """The real HTTP layer, without retries and with recorded (not slept) pauses."""
    client = HttpClient(retries=0, backoff=0.0, sleep=pauses.append)
    yield client
    client.close()


@pytest.fixture
def make_source(httpserver) -> Callable[..., SourceConfig]:
    def make(platform: str, key: str, ident: str, **options: Any) -> SourceConfig:
        token_env = options.pop("token_env", None)
        return SourceConfig(
            community="test",
            platform=platform,
            key=key,
            id=ident,
            api=httpserver.url_for("").rstrip("/"),
            token_env=token_env,
            options=options,
            location="communities.yml:1:1",
        )

    return make


@pytest.fixture(autouse=True)
def _no_ambient_secrets(monkeypatch):
    """A developer's or a runner's own secrets never change what a platform test sees."""
    for name in (
        "REDDIT_CLIENT_ID",
        "REDDIT_CLIENT_SECRET",
        "REDDIT_USERNAME",
        "STACKEXCHANGE_KEY",
        "MATRIX_TOKEN",
        "PULSE_USER_AGENT",
        "COMMUNITY_METRICS_CONTACT",
    ):
        monkeypatch.delenv(name, raising=False)
