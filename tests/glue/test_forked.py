"""Per-community work in forked workers: the same results, in order, as in place."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from community_metrics.glue import forked
from tests.conftest import ROOT


def _square_and_pid(index: int) -> tuple[int, int]:
    return index * index, os.getpid()


def _fresh_process(code: str, *args: str) -> str:
    """What ``code`` prints, run in a fresh single-threaded Python (the suite's own process may
    run server threads, and then nothing forks); it must succeed."""
    if not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2:
        pytest.skip("forked workers need Linux and two cores")
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_results_come_back_in_order_from_other_processes() -> None:
    """In a fresh single-threaded process (the suite's own may run server threads, and then
    nothing forks), items are computed by workers and come back in order."""
    code = (
        "import os\n"
        "from community_metrics.glue import forked\n"
        "def job(i):\n"
        "    return i * i, os.getpid()\n"
        "count = forked.FORK_MIN_ITEMS * 3\n"
        "results = list(forked.forked_map(job, count))\n"
        "assert [v for v, _ in results] == [i * i for i in range(count)], results\n"
        "print(len({p for _, p in results} - {os.getpid()}))\n"
    )
    assert int(_fresh_process(code)) >= 1, "no item was computed in a worker"


def test_workers_start_before_the_first_result_is_read(tmp_path) -> None:
    """The caller writes its own pages while the workers compute: they must not wait for
    the first ``next``."""
    code = (
        "import os, pathlib, sys, time\n"
        "from community_metrics.glue import forked\n"
        "marks = pathlib.Path(sys.argv[1])\n"
        "def job(i):\n"
        "    (marks / str(i)).touch()\n"
        "    return i\n"
        "count = forked.FORK_MIN_ITEMS * 2\n"
        "results = forked.forked_map(job, count)\n"
        "deadline = time.monotonic() + 60\n"
        "while len(list(marks.iterdir())) < count and time.monotonic() < deadline:\n"
        "    time.sleep(0.05)\n"
        "print(len(list(marks.iterdir())))\n"
        "assert list(results) == list(range(count))\n"
    )
    assert int(_fresh_process(code, str(tmp_path))) == forked.FORK_MIN_ITEMS * 2  # none read yet


def test_a_small_job_runs_in_place() -> None:
    results = list(forked.forked_map(_square_and_pid, forked.FORK_MIN_ITEMS - 1))
    assert [value for value, _pid in results] == [i * i for i in range(forked.FORK_MIN_ITEMS - 1)]
    assert {pid for _value, pid in results} == {os.getpid()}


def test_a_process_with_other_threads_never_forks() -> None:
    # livereload builds in a thread: a fork there could inherit a held lock and hang
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert forked.workers_for(10_000) == 0
        results = list(forked.forked_map(_square_and_pid, forked.FORK_MIN_ITEMS * 2))
    finally:
        stop.set()
        other.join()
    assert {pid for _value, pid in results} == {os.getpid()}
