"""The one small interface every platform module implements.

A platform module defines ``PLATFORM = Platform(...)`` and a ``fetch(source, http)`` function.
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


@dataclass(frozen=True)
class Platform:
    """What ``config`` needs to validate a source entry, and what ``collect`` calls."""

    name: str
    title: str  # for people: "Discourse forum"
    #: identifier keys a source entry may use; exactly one must be given. key -> help text.
    identifiers: dict[str, str]
    fetch: Callable[[SourceConfig, HttpClient], SourceResult]
    #: further optional keys. key -> help text.
    options: dict[str, str] = field(default_factory=dict)
    #: the API base used when the entry gives no ``api:``; None when derived from the identifier.
    default_api: str | None = None
    #: environment variable read for a token when the entry names none; None: no token used.
    default_token_env: str | None = None
    #: identifier or option key -> regular expression its value must match in full (on load).
    identifier_patterns: dict[str, str] = field(default_factory=dict)
