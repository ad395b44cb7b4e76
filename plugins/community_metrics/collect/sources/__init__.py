"""One module per platform; ``PLATFORMS`` maps a platform name (as written in
communities.yml) to its ``Platform``. Adding a platform = one module here + its tests."""

from __future__ import annotations

from community_metrics.collect.sources import (
    bluesky,
    discord,
    discourse,
    github,
    lemmy,
    manual,
    mastodon,
    matrix,
    reddit,
    stackexchange,
)
from community_metrics.collect.sources.base import Platform

PLATFORMS: dict[str, Platform] = {
    module.PLATFORM.name: module.PLATFORM
    for module in (
        github,
        discourse,
        stackexchange,
        mastodon,
        reddit,
        discord,
        bluesky,
        lemmy,
        matrix,
        manual,
    )
}

__all__ = ["PLATFORMS", "Platform"]
