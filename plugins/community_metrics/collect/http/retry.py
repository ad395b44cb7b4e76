"""The retry policy: which failures are tried again, how often, and how long to wait."""

from __future__ import annotations

import random

DEFAULT_RETRIES = 2  # retries after the first attempt, for connection errors, timeouts, 5xx
DEFAULT_BACKOFF = 0.5  # seconds; doubled per retry, with jitter
MAX_RATE_LIMIT_WAITS = 3  # short rate-limit waits in a row before the source goes stale


def backoff_delay(base: float, attempt: int, rng: random.Random) -> float:
    """Exponential backoff with jitter: ``base * 2**attempt * (0.5 .. 1.5)``."""
    return base * (2**attempt) * (0.5 + rng.random())


def retry_server_error(method: str, status: int, attempt: int, retries: int) -> bool:
    """A 5xx is retried for GET only (a POST may have been acted upon), while retries last."""
    return status >= 500 and method == "GET" and attempt < retries
