"""`invoke serve` and `invoke livereload` really serve the site on 127.0.0.1 (run as the tasks
run them, in a child process; stopped by pid at the end)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from site_tasks import serve_command
from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, deadline: float) -> str:
    """GET ``url``, retrying while the server is still starting, until ``deadline``."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
                return response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def _running(command: list[str]) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_serve_command_serves_the_output_on_loopback(tmp_path: Path) -> None:
    (tmp_path / "about").mkdir()
    (tmp_path / "about" / "index.html").write_text("<p>about us</p>", encoding="utf-8")
    port = _free_port()
    with _running(serve_command(port, tmp_path)):
        body = _get(f"http://127.0.0.1:{port}/about/", time.monotonic() + 30)
    assert body == "<p>about us</p>"


@pytest.mark.slow
def test_livereload_builds_serves_and_injects_the_reload_script(tmp_path: Path) -> None:
    port = _free_port()
    output = tmp_path / "output"
    script = (
        "import sys; sys.path.insert(0, 'plugins'); import site_tasks; from pathlib import Path;"
        f"site_tasks.serve_with_livereload(site_tasks.BuildOptions(output=Path({str(output)!r})),"
        f" {port})"
    )
    with _running([sys.executable, "-c", script]):
        page = _get(f"http://127.0.0.1:{port}/posts/counting-members/", time.monotonic() + 120)
    assert "Counting members" in page
    assert "livereload.js" in page  # the browser is told to reload on change
    assert (output / "index.html").is_file()
