"""Helpers shared by the platform modules: reading fields the same way everywhere.

A field that is absent or null stays absent (``None``); a field that is present but not a
clean count or date fails the source with a sentence naming the field and the endpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from community_metrics.collect.http import FetchError
from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.contract.values import parse_count, parse_when

if TYPE_CHECKING:
    from community_metrics.registry.config import SourceConfig


def api_base(source: SourceConfig, default: str) -> str:
    """The entry's ``api:`` override (tests, self-hosted, Enterprise) or the platform default."""
    return (source.api or default).rstrip("/")


def expect_object(payload: Any, what: str, endpoint: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise SourceError(
            f"{endpoint}: expected {what} as a JSON object, got {type(payload).__name__}"
        )
    return payload


def count(
    data: dict[str, Any], key: str, endpoint: str, *, allow_float: bool = False
) -> int | float | None:
    """``data[key]`` as a count, ``None`` when absent or null."""
    value = data.get(key)
    if value is None:
        return None
    try:
        return parse_count(value, key, allow_float=allow_float)
    except ValueError as exc:
        raise SourceError(f"{endpoint}: {exc}") from None


def when(value: Any, field: str, endpoint: str) -> str | None:
    """A date as UTC ISO 8601, ``None`` when absent or null."""
    if value is None:
        return None
    try:
        return parse_when(value, field)
    except ValueError as exc:
        raise SourceError(f"{endpoint}: {exc}") from None


def put(target: dict[str, Any], name: str, value: int | float | None) -> None:
    """Set ``target[name]`` only when the platform reported a value: missing is not zero."""
    if value is not None:
        target[name] = value


def further(result: SourceResult, what: str, request: Callable[[], None]) -> None:
    """Run a non-canonical request; its failure makes the source partial, not failed."""
    try:
        request()
    except (FetchError, SourceError) as exc:
        result.failures.append(f"{what}: {exc}")


@contextmanager
def secret_hint(how: str) -> Iterator[None]:
    """Adds where to get a secret to an authentication failure (unset, refused or expired):
    ``how`` says which secret to create and where, e.g. "a bot token from @BotFather"."""
    try:
        yield
    except FetchError as exc:
        if exc.kind != "auth":
            raise
        raise FetchError(
            "auth", exc.url, f"{exc.message}. To get one: {how}", status=exc.status
        ) from None
