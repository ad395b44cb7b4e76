"""One module per platform; ``FETCHERS`` maps a platform name (as written in communities.yml,
and as specified in ``registry/platforms.py``) to its ``fetch``. Adding a platform = one spec in
the registry + one module here + its tests."""

from __future__ import annotations

from community_metrics.collect.sources import (
    bluesky,
    discord,
    discourse,
    forgejo,
    github,
    gitlab,
    huggingface,
    lemmy,
    manual,
    mastodon,
    matrix,
    mediawiki,
    nodeinfo,
    opencollective,
    peertube,
    reddit,
    slack,
    stackexchange,
    steam,
    telegram,
    youtube,
    zulip,
)
from community_metrics.collect.sources.base import Fetch

FETCHERS: dict[str, Fetch] = {
    "github": github.fetch,
    "discourse": discourse.fetch,
    "stackexchange": stackexchange.fetch,
    "mastodon": mastodon.fetch,
    "reddit": reddit.fetch,
    "discord": discord.fetch,
    "bluesky": bluesky.fetch,
    "lemmy": lemmy.fetch,
    "matrix": matrix.fetch,
    "manual": manual.fetch,
    "nodeinfo": nodeinfo.fetch,
    "peertube": peertube.fetch,
    "forgejo": forgejo.fetch,
    "mediawiki": mediawiki.fetch,
    "huggingface": huggingface.fetch,
    "opencollective": opencollective.fetch,
    "gitlab": gitlab.fetch,
    "steam": steam.fetch,
    "youtube": youtube.fetch,
    "telegram": telegram.fetch,
    "slack": slack.fetch,
    "zulip": zulip.fetch,
}

__all__ = ["FETCHERS", "Fetch"]
