from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer


@pytest.fixture(scope="module")
def _threaded_server() -> Iterator[HTTPServer]:
    httpserver = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    httpserver.start()
    yield httpserver
    if httpserver.is_running():
        httpserver.stop()


@pytest.fixture
def server(_threaded_server: HTTPServer) -> Iterator[HTTPServer]:
    """A threaded pytest-httpserver on 127.0.0.1 (a slow handler does not block the next),
    cleared after each test."""
    yield _threaded_server
    _threaded_server.clear()


class SleepRecorder:
    """An injectable ``sleep`` that records what the client asked to wait, and waits nothing."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()
