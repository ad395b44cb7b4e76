"""Per-community work in forked workers: the same results, in order, as in place."""

from __future__ import annotations

import os
import threading

import pytest

from community_metrics.glue import forked
from community_metrics.store.history import can_fork


def _square_and_pid(index: int) -> tuple[int, int]:
    return index * index, os.getpid()


def test_results_come_back_in_order_from_other_processes() -> None:
    if not can_fork() or (os.cpu_count() or 1) < 2:
        pytest.skip("forked workers need Linux and two cores")
    count = forked.FORK_MIN_ITEMS * 3
    results = list(forked.forked_map(_square_and_pid, count))
    assert [value for value, _pid in results] == [i * i for i in range(count)]
    assert {pid for _value, pid in results} - {os.getpid()}, "no item was computed in a worker"


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
