"""One writer at a time per data folder: the read-merge-write of a day file is not atomic
across processes (a nightly run and a build with COMMUNITY_METRICS_FETCH at once would lose
one run's values), so writers hold an advisory lock on ``<data>/.snapshot.lock``.

Holding it also makes it safe to remove the temporary files a killed writer left behind
(``.YYYY-MM-DD.json.*.tmp`` next to the day files): no live writer can own one.

The lock is ``filelock``'s: an OS lock (``flock`` on POSIX, ``msvcrt`` on Windows) that the
kernel releases when a writer dies, so a killed run never leaves the folder locked."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock

logger = logging.getLogger(__name__)

LOCK_NAME = ".snapshot.lock"


@contextlib.contextmanager
def store_lock(data_dir: Path) -> Iterator[None]:
    """Hold the data folder's write lock (waits for another writer to finish)."""
    folder = Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(folder / LOCK_NAME):  # no timeout: waits for the other writer to finish
        remove_stale_temporaries(folder)
        yield


def remove_stale_temporaries(data_dir: Path) -> list[Path]:
    """Delete the half-written temporaries of killed writers (call only under the lock)."""
    removed = []
    for path in (Path(data_dir) / "snapshots").glob("*/.*.json.*.tmp"):
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
            logger.info("community_metrics: removed %s, left by an interrupted run", path)
    return removed
