"""Work split over forked processes, results handed back in order.

A large build spends most of its time on what each community page needs (charts, the page's
HTML, its comparison data, badges and CSV). Those are independent: ``forked_map`` computes
them in forked workers, one per core (they share the loaded history copy-on-write) and yields the
results here, in order, so that every file is still written by Pelican's writer in this
process (its overwrite guard and ``content_written`` apply). Small builds, and processes
that cannot fork safely, compute in place.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from community_metrics.store.history import can_fork

T = TypeVar("T")

#: Below this many items the fork costs more than it saves.
FORK_MIN_ITEMS = 40
#: Chunks per worker: small enough to keep both workers busy to the end and the writing here
#: going while they compute, large enough that handing results back stays cheap.
CHUNKS_PER_WORKER = 8

_job: Callable[[int], object] | None = None  # set before the fork: workers inherit it


def _run(bounds: tuple[int, int]) -> list[object]:
    assert _job is not None
    return [_job(index) for index in range(*bounds)]


def workers_for(count: int) -> int:
    """How many workers a job of ``count`` items gets: one per core (at most four), or none
    (in place) for a small job, on one core, or where forking is unsafe (``can_fork``)."""
    cores = os.cpu_count() or 1
    if count < FORK_MIN_ITEMS or cores < 2 or not can_fork():
        return 0
    return min(cores, 4)


def forked_map(job: Callable[[int], T], count: int) -> Iterator[T]:
    """``job(0) … job(count - 1)``, in order, computed by forked workers when that pays.

    The workers start at once: the caller can do other work (pages of its own) before it
    reads the first result, instead of leaving a core idle at the end."""
    global _job
    workers = workers_for(count)
    if workers == 0:
        return (job(index) for index in range(count))
    size = max(1, -(-count // (workers * CHUNKS_PER_WORKER)))
    chunks = [(start, min(count, start + size)) for start in range(0, count, size)]
    _job = job
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    try:
        results = pool.map(_run, chunks)  # submits every chunk: the workers fork and start
    except BaseException:
        pool.shutdown(cancel_futures=True)
        _job = None
        raise
    return _in_order(pool, results)


def _in_order(pool: ProcessPoolExecutor, results: Iterator[list[T]]) -> Iterator[T]:
    global _job
    try:
        with pool:
            for chunk in results:
                yield from chunk
    finally:
        _job = None
