"""The one small interface every platform module implements.

A platform module defines a ``fetch(source, http)`` function; its registry keys are data in
``registry/platforms.py``.
``fetch`` makes the canonical request first (PLATFORMS.md), and raises ``SourceError`` (or lets
``FetchError`` from the HTTP layer propagate) when that request fails: the source then counts as
failed. Further requests that fail are recorded in ``SourceResult.failures``, which makes the
source ``partial`` while keeping what it got. Adding a platform = one module + its tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig


class SourceError(Exception):
    """The platform answered, but not with what the source needs. Message is for a maintainer."""


@dataclass
class SourceResult:
    endpoint: str
    metrics: dict[str, int | float] = field(default_factory=dict)
    created_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


#: ``fetch(source, http)`` of one platform module.
Fetch = Callable[["SourceConfig", "HttpClient"], SourceResult]
