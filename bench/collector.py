"""Collector benchmark: 500 sources over 25 loopback hosts, each answering after 200 ms.

    python bench/collector.py [--sources 500] [--hosts 25] [--delay 0.2] [--per-host 4]

One run of the real snapshot command (``run_snapshot``) over a generated registry of real
source modules (Discourse forums and GitHub organizations) whose ``api:`` points at
127.0.0.1 .. 127.0.0.N (Linux routes all of 127.0.0.0/8 to the loopback interface; one
threaded server is bound per address). Host 127.0.0.1 answers its first request with
``429 Retry-After: 1``. Prints the wall time, the most requests any server saw in flight at
once (must never exceed the per-host limit) and how long the 429 host really waited.
``run(...)`` returns the figures as a dict for ``invoke bench``.
"""

from __future__ import annotations

import argparse
import http.server
import io
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from community_metrics.collect.command import run_snapshot  # noqa: E402
from community_metrics.collect.http import DEFAULT_PER_HOST  # noqa: E402

RETRY_AFTER = 1


class HostState:
    """What one server saw: requests in flight (now and at most) and when the 429 was sent."""

    def __init__(self, throttle: bool):
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.requests = 0
        self.throttle = throttle
        self.throttled_path: str | None = None
        self.throttled_sent: float | None = None  # when the 429 went out
        self.arrivals: list[tuple[float, str]] = []


def make_handler(state: HostState, delay: float) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            with state.lock:
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
                state.requests += 1
                state.arrivals.append((time.monotonic(), self.path))
                throttle = state.throttle and state.throttled_path is None
                if throttle:
                    state.throttled_path = self.path
            try:
                time.sleep(delay)
                if throttle:
                    state.throttled_sent = time.monotonic()
                    self._send(429, b'{"message": "slow down"}', {"Retry-After": str(RETRY_AFTER)})
                else:
                    self._send(200, self._body(), {})
            finally:
                with state.lock:
                    state.in_flight -= 1

        def _body(self) -> bytes:
            name = self.path.rsplit("/", 1)[-1]
            if self.path.endswith("/about.json"):
                stats = {"users_count": 1000, "topics_count": 50, "posts_count": 900,
                         "active_users_7_days": 40, "active_users_30_days": 120}  # fmt: skip
                return json.dumps({"about": {"stats": stats}}).encode()
            return json.dumps({"login": name, "id": 1, "followers": 321, "public_repos": 12,
                               "created_at": "2015-01-01T00:00:00Z"}).encode()  # fmt: skip

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # read at bind time: a class attribute, not set afterwards


def start_servers(hosts: int, delay: float) -> tuple[list[http.server.ThreadingHTTPServer], list]:
    servers, states = [], []
    for index in range(1, hosts + 1):
        state = HostState(throttle=index == 1)
        server = _Server((f"127.0.0.{index}", 0), make_handler(state, delay))
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        servers.append(server)
        states.append(state)
    return servers, states


def write_registry(path: Path, servers: list, sources: int) -> None:
    lines = ["communities:"]
    for number in range(sources):
        server = servers[number % len(servers)]
        host, port = server.server_address[:2]
        api = f"http://{host}:{port}"
        lines += [f"  - slug: c{number}", f"    name: Community {number}", "    sources:"]
        if number % 2:
            lines += [
                "      - platform: github",
                f"        org: org{number}",
                f"        api: {api}",
            ]
        else:
            lines += [
                "      - platform: discourse",
                f"        host: forum{number}.example.org",
                f"        api: {api}/forum{number}",  # one path per source: the retry is traced
            ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(
    sources: int = 500, hosts: int = 25, delay: float = 0.2, per_host: int = DEFAULT_PER_HOST
) -> dict:
    """One collector run over the loopback fleet; returns the figures."""
    servers, states = start_servers(hosts, delay)
    try:
        with tempfile.TemporaryDirectory(prefix="collector-bench-") as folder:
            config = Path(folder) / "communities.yml"
            write_registry(config, servers, sources)
            out = io.StringIO()
            started = time.monotonic()
            status = run_snapshot(
                config=config, data=Path(folder) / "data", out=out, err=io.StringIO(),
                http_options={"per_host": per_host},
            )  # fmt: skip
            wall = time.monotonic() - started
            snapshot_files = list((Path(folder) / "data" / "snapshots").rglob("*.json"))
            observations = json.loads(snapshot_files[0].read_text())["observations"]
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    throttled = states[0]
    sent = throttled.throttled_sent or 0.0
    retried = [t for t, path in throttled.arrivals if path == throttled.throttled_path and t > sent]
    waited = retried[0] - sent if retried and throttled.throttled_sent else None
    # requests that reached the throttled host inside the Retry-After window: the host is held
    # back as a whole, so only a request that raced the 429 (sent before it was read) gets in
    inside = sum(1 for t, _ in throttled.arrivals if sent < t < sent + RETRY_AFTER * 0.95)
    return {
        "sources": sources,
        "hosts": hosts,
        "delay_s": delay,
        "per_host_limit": per_host,
        "exit_status": status,
        "wall_s": round(wall, 3),
        "ok": sum(1 for o in observations if o["status"] == "ok"),
        "requests": sum(s.requests for s in states),
        "max_in_flight_per_host": max(s.max_in_flight for s in states),
        "retry_after_s": RETRY_AFTER,
        "retry_after_waited_s": round(waited, 3) if waited is not None else None,
        "requests_inside_retry_after_window": inside,
        "serial_estimate_s": round(sources * delay, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--hosts", type=int, default=25)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--per-host", type=int, default=DEFAULT_PER_HOST)
    args = parser.parse_args(argv)
    figures = run(args.sources, args.hosts, args.delay, args.per_host)
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")
    within = figures["max_in_flight_per_host"] <= figures["per_host_limit"]
    honoured = (figures["retry_after_waited_s"] or 0) >= RETRY_AFTER * 0.95
    print(f"per-host limit respected: {'yes' if within else 'NO'}")
    print(f"Retry-After honoured: {'yes' if honoured else 'NO'}")
    return 0 if within and honoured and figures["ok"] == figures["sources"] else 1


if __name__ == "__main__":
    sys.exit(main())
