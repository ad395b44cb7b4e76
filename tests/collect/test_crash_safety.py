"""Crash safety: the real collector, in a subprocess, SIGKILLed at random moments >= 50 times.

After every kill each snapshot file is a valid snapshot, every other day's file is
byte-identical, and every source that held a good value before still holds one. Each run is a
child forked by a small fork server (crash_runner.py) that imported the collector once, so that
50 runs do not pay 50 interpreter start-ups; two lanes (own data folder each) run side by side.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from collect_helpers import DISCOURSE_ABOUT, discourse, registry
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from community_metrics.store.snapshots import read_snapshot, snapshot_paths

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
KILLS = 51
LANES = 2
SOURCES = 40
DATES = ["2026-11-19", "2026-11-20", "2026-11-21"]


def state(data: Path) -> dict[str, tuple[bytes, set]]:
    """Every snapshot file: its bytes and the keys holding a good value; all must be valid."""
    found = {}
    for path in snapshot_paths(data):
        snapshot = read_snapshot(path)  # raises if a kill left a torn or invalid file
        good = {o.key for o in snapshot.observations if o.is_good}
        found[path.name] = (path.read_bytes(), good)
    return found


def check(before: dict, after: dict, date: str) -> None:
    for name, (content, good) in before.items():
        assert name in after, f"{name} disappeared"
        if name != f"{date}.json":
            assert after[name][0] == content, f"{name} changed though the run wrote {date}"
        assert good <= after[name][1], f"{name} lost good values: {good - after[name][1]}"


class Collector:
    """The fork server (crash_runner.py) in a subprocess: each run is a forked child process."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(HERE)])}
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "crash_runner.py")],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip

    def start(self, *args: str) -> int:
        self.process.stdin.write("RUN " + " ".join(args) + "\n")
        self.process.stdin.flush()
        word, pid = self.process.stdout.readline().split()
        assert word == "PID"
        return int(pid)

    def wait(self, pid: int) -> int:
        word, ended, status = self.process.stdout.readline().split()
        assert word == "EXIT" and int(ended) == pid
        return int(status)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def lane(config: Path, data: Path, seed: int, budget: dict, errors: list, lock) -> None:
    rng = random.Random(seed)
    collector = Collector()
    try:
        pid = collector.start("--config", str(config), "--data", str(data), "--date", DATES[0])
        started = time.monotonic()
        assert collector.wait(pid) == 0  # one full run first: learn how long a run takes
        duration = time.monotonic() - started
        for attempt in itertools.count():
            with lock:
                if budget["kills"] >= KILLS or attempt > 400:
                    return
            date = rng.choice(DATES)
            before = state(data)
            pid = collector.start("--config", str(config), "--data", str(data), "--date", date)
            time.sleep(rng.uniform(0.0, duration * 1.1))
            try:
                os.kill(pid, signal.SIGKILL)  # the child is ours until the runner reaps it
                killed = True
            except ProcessLookupError:
                killed = False
            status = collector.wait(pid)
            if killed and os.WIFSIGNALED(status):
                with lock:
                    budget["kills"] += 1
            check(before, state(data), date)
    except BaseException as exc:  # reported by the test thread
        errors.append(exc)
    finally:
        collector.close()


def test_sigkill_at_random_moments_never_loses_history(tmp_path, server: HTTPServer) -> None:
    counter = itertools.count()

    def about(request: Request) -> Response:
        body = json.loads(json.dumps(DISCOURSE_ABOUT))
        body["about"]["stats"]["users_count"] = 1000 + next(counter)
        return Response(json.dumps(body), content_type="application/json")

    lanes = []
    for index in range(LANES):
        entries = []
        for number in range(SOURCES):
            name = f"l{index}f{number}"
            server.expect_request(f"/{name}/about.json").respond_with_handler(about)
            entries.append((name, discourse(server.url_for(f"/{name}"), f"{name}.example.org")))
        lanes.append((registry(tmp_path / f"lane{index}.yml", entries), tmp_path / f"data{index}"))

    budget = {"kills": 0}
    errors: list[BaseException] = []
    lock = threading.Lock()
    threads = [
        threading.Thread(target=lane, args=(config, data, seed, budget, errors, lock))
        for seed, (config, data) in enumerate(lanes)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    assert budget["kills"] >= 50
    for _, data in lanes:
        files = state(data)
        assert files, "no snapshot was ever completed"
        assert all(good for _, good in files.values())
