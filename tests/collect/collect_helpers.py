"""Helpers shared by the collector tests: local servers, registries, snapshot fingerprints."""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from community_metrics.contract.model import Observation
from community_metrics.store.snapshots import snapshot_paths, write_snapshot

DISCOURSE_ABOUT = {
    "about": {
        "stats": {
            "topics_count": 40123,
            "posts_count": 512345,
            "users_count": 41234,
            "active_users_7_days": 2100,
            "active_users_30_days": 5123,
        },
        "site_creation_date": "2017-03-01T00:00:00.000Z",
    }
}

GITHUB_REPO = {
    "id": 81598961,
    "full_name": "python/cpython",
    "stargazers_count": 60000,
    "subscribers_count": 1500,
    "forks_count": 30000,
    "open_issues_count": 9000,
    "created_at": "2017-02-10T19:23:51Z",
}


def registry(path: Path, sources: list[tuple[str, dict[str, str]]]) -> Path:
    """Write a registry: one community per (slug, source entry)."""
    lines = ["communities:"]
    for slug, entry in sources:
        lines += [f"  - slug: {slug}", f"    name: {slug.title()}", "    sources:"]
        first = True
        for key, value in entry.items():
            lines.append(f"      {'- ' if first else '  '}{key}: {json.dumps(value)}")
            first = False
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def discourse(url: str, host: str = "forum.example.org") -> dict[str, str]:
    return {"platform": "discourse", "host": host, "api": url}


def github(url: str, repo: str = "python/cpython") -> dict[str, str]:
    return {"platform": "github", "repo": repo, "api": url}


def seed_previous(data: Path, date: str, community: str, source: str, platform: str) -> None:
    """An earlier day holding one good observation for (community, source)."""
    write_snapshot(
        data,
        date,
        [
            Observation(
                community=community,
                platform=platform,
                source=source,
                status="ok",
                metrics={"members": 1000, "posts": 5000},
                observed_at=f"{date}T03:00:00Z",
                endpoint="https://example.org/about.json",
            )
        ],
    )


def fingerprint(data: Path) -> dict[str, bytes]:
    """Every snapshot file's bytes, by path."""
    return {str(p): p.read_bytes() for p in snapshot_paths(data)}


def day(data: Path, date: str) -> dict:
    return json.loads((data / "snapshots" / date[:4] / f"{date}.json").read_text())


def only_observation(data: Path, date: str) -> dict:
    observations = day(data, date)["observations"]
    assert len(observations) == 1, observations
    return observations[0]


@contextmanager
def resetting_server(host: str = "127.0.0.1") -> Iterator[str]:
    """A TCP server that accepts, reads the request and resets the connection (RST)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            try:
                conn.settimeout(1)
                conn.recv(65536)
            except OSError:
                pass
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        listener.close()
