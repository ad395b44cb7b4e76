"""PeerTube instance statistics and video channels, on a real local server."""

import pytest
from source_helpers import body

from community_metrics.collect.http import FetchError
from community_metrics.collect.sources import peertube
from community_metrics.collect.sources.base import SourceError

STATS = "/api/v1/server/stats"


def test_instance_stats(httpserver, http, make_source):
    httpserver.expect_request(STATS).respond_with_json(body("peertube/server_stats.json"))
    result = peertube.fetch(make_source("peertube", "instance", "framatube.org"), http)
    assert result.metrics == {
        "members": 1402,
        "active_1d": 41,
        "active_7d": 102,
        "active_30d": 188,
        "posts": 3210,
    }
    assert result.extra == {
        "video_comments": 8812,
        "video_views": 4512330,
        "channels": 512,
        "instance_followers": 1210,
    }
    assert result.endpoint.endswith(STATS)


def test_older_server_without_active_users(httpserver, http, make_source):
    httpserver.expect_request(STATS).respond_with_json(body("peertube/server_stats_old.json"))
    result = peertube.fetch(make_source("peertube", "instance", "tube.example"), http)
    assert result.metrics == {"members": 230, "posts": 801}  # no active_*: absent, not 0


def test_hidden_figures_are_absent(httpserver, http, make_source):
    stats = body("peertube/server_stats.json")
    stats["totalMonthlyActiveUsers"] = None
    httpserver.expect_request(STATS).respond_with_json(stats)
    result = peertube.fetch(make_source("peertube", "instance", "tube.example"), http)
    assert "active_30d" not in result.metrics


def test_not_a_peertube_server(httpserver, http, make_source):
    httpserver.expect_request(STATS).respond_with_json({"status": "ok"})
    with pytest.raises(SourceError, match="is tube.example a PeerTube server"):
        peertube.fetch(make_source("peertube", "instance", "tube.example"), http)


def test_channel(httpserver, http, make_source):
    httpserver.expect_request("/api/v1/video-channels/blender_channel").respond_with_json(
        body("peertube/video_channel.json")
    )
    source = make_source("peertube", "channel", "blender_channel@video.blender.org")
    result = peertube.fetch(source, http)
    assert result.metrics == {"members": 9321, "posts": 712}
    assert result.created_at == "2018-10-01T13:10:19Z"


def test_channel_without_videos_count(httpserver, http, make_source):
    httpserver.expect_request("/api/v1/video-channels/old_channel").respond_with_json(
        body("peertube/video_channel_no_count.json")
    )
    result = peertube.fetch(make_source("peertube", "channel", "old_channel@tube.example"), http)
    assert result.metrics == {"members": 44}


def test_unknown_channel_names_the_url(httpserver, http, make_source):
    httpserver.expect_request("/api/v1/video-channels/nope").respond_with_json(
        {
            "type": "https://docs.joinpeertube.org/api-rest-reference.html",
            "detail": "Video channel not found",
            "status": 404,
        },
        status=404,
    )
    with pytest.raises(FetchError) as caught:
        peertube.fetch(make_source("peertube", "channel", "nope@tube.example"), http)
    assert "/api/v1/video-channels/nope" in str(caught.value)
    assert caught.value.kind == "not_found"
