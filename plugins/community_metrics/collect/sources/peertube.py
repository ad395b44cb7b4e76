"""PeerTube instance (``GET https://{host}/api/v1/server/stats``) and video channel
(``GET https://{host}/api/v1/video-channels/{name}``).

Docs: https://docs.joinpeertube.org/api-rest-reference.html (``ServerStats``, ``VideoChannel``,
``Actor``). Traps:
- every ``ServerStats`` field is optional: older servers lack the active-user counts, and
  since 6.1 an admin may hide some figures (``null``): absent stays absent;
- a channel's ``videosCount`` is optional in the model (``VideoChannel`` in
  packages/models); ``followersCount`` is "as seen by this instance", so the channel is asked
  on its own host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import api_base, count, expect_object, put, when

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

#: ServerStats field -> metric
INSTANCE_METRICS = {
    "totalUsers": "members",
    "totalDailyActiveUsers": "active_1d",
    "totalWeeklyActiveUsers": "active_7d",
    "totalMonthlyActiveUsers": "active_30d",
    "totalLocalVideos": "posts",
}
#: ServerStats field -> extra
INSTANCE_EXTRA = {
    "totalLocalVideoComments": "video_comments",
    "totalLocalVideoViews": "video_views",
    "totalLocalVideoChannels": "channels",
    "totalInstanceFollowers": "instance_followers",
}


def fetch_instance(source: SourceConfig, http: HttpClient) -> SourceResult:
    endpoint = f"{api_base(source, f'https://{source.id}')}/api/v1/server/stats"
    stats = expect_object(http.get(endpoint).json(), "server statistics", endpoint)
    result = SourceResult(endpoint=endpoint)
    for field, metric in INSTANCE_METRICS.items():
        put(result.metrics, metric, count(stats, field, endpoint))
    for field, name in INSTANCE_EXTRA.items():
        put(result.extra, name, count(stats, field, endpoint))
    if not result.metrics:
        raise SourceError(f"{endpoint}: no known statistic; is {source.id} a PeerTube server?")
    return result


def fetch_channel(source: SourceConfig, http: HttpClient) -> SourceResult:
    name, _, host = source.id.partition("@")
    base = api_base(source, f"https://{host}")
    endpoint = f"{base}/api/v1/video-channels/{quote(name, safe='')}"
    channel = expect_object(http.get(endpoint).json(), "a video channel", endpoint)
    if "followersCount" not in channel and "name" not in channel:
        raise SourceError(f"{endpoint}: the answer is not a video channel")
    result = SourceResult(endpoint=endpoint)
    put(result.metrics, "members", count(channel, "followersCount", endpoint))
    put(result.metrics, "posts", count(channel, "videosCount", endpoint))
    put(result.extra, "total_views", count(channel, "totalViews", endpoint))
    result.created_at = when(channel.get("createdAt"), "createdAt", endpoint)
    return result


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    return fetch_channel(source, http) if source.key == "channel" else fetch_instance(source, http)
