import pytest
from source_helpers import body

from community_metrics.collect.http import FetchError
from community_metrics.collect.sources import youtube
from community_metrics.collect.sources.base import SourceError

KEY = "AIza-canary-key-123"


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("YOUTUBE_API_KEY", KEY)


def test_channel_by_id_counts_are_strings(httpserver, http, make_source):
    httpserver.expect_request(
        "/channels",
        query_string={"part": "snippet,statistics", "id": "UC_x5XG1OV2P6uZZ5FSM9Ttw", "key": KEY},
    ).respond_with_json(body("youtube/channel.json"))
    result = youtube.fetch(make_source("youtube", "channel", "UC_x5XG1OV2P6uZZ5FSM9Ttw"), http)
    assert result.metrics == {"members": 2470000, "posts": 6789}
    assert result.extra == {"views": 271234567}
    assert result.created_at == "2007-08-23T00:34:43Z"
    assert KEY not in result.endpoint
    assert result.endpoint.endswith("/channels?id=UC_x5XG1OV2P6uZZ5FSM9Ttw")


@pytest.mark.parametrize("handle", ["@GoogleDevelopers", "GoogleDevelopers"])
def test_channel_by_handle(httpserver, http, make_source, handle):
    httpserver.expect_request(
        "/channels",
        query_string={"part": "snippet,statistics", "forHandle": "@GoogleDevelopers", "key": KEY},
    ).respond_with_json(body("youtube/channel.json"))
    result = youtube.fetch(make_source("youtube", "handle", handle), http)
    assert result.metrics["members"] == 2470000


def test_hidden_subscriber_count_is_absent_and_fractional_published_at(
    httpserver, http, make_source
):
    httpserver.expect_request("/channels").respond_with_json(body("youtube/channel_hidden.json"))
    result = youtube.fetch(make_source("youtube", "channel", "UCabcdefghijklmnopqrstuv"), http)
    assert "members" not in result.metrics  # hidden: absent, never 0
    assert result.metrics == {"posts": 42}
    assert result.extra == {"views": 98765, "subscribers_hidden": True}
    assert result.created_at == "2012-03-04T05:06:07Z"


def test_unknown_channel_has_no_items(httpserver, http, make_source):
    httpserver.expect_request("/channels").respond_with_json(body("youtube/no_items.json"))
    with pytest.raises(SourceError, match="no channel @nobody"):
        youtube.fetch(make_source("youtube", "handle", "@nobody"), http)


def test_without_the_key_says_which_secret_and_where(http, make_source, monkeypatch, httpserver):
    monkeypatch.delenv("YOUTUBE_API_KEY")
    with pytest.raises(FetchError) as caught:
        youtube.fetch(make_source("youtube", "handle", "@GoogleDevelopers"), http)
    assert caught.value.kind == "auth"
    assert "$YOUTUBE_API_KEY" in caught.value.message
    assert "Google Cloud console" in caught.value.message
    assert httpserver.log == []  # nothing was sent without the key


def test_refused_key_is_reported_without_the_key(httpserver, http, make_source):
    httpserver.expect_request("/channels").respond_with_json(
        body("youtube/key_invalid.json"), status=400
    )
    with pytest.raises(FetchError) as caught:
        youtube.fetch(make_source("youtube", "channel", "UC_x5XG1OV2P6uZZ5FSM9Ttw"), http)
    assert caught.value.kind == "auth"
    assert KEY not in caught.value.message and KEY not in caught.value.url
    assert "API key not valid" in caught.value.message
    assert "Google Cloud console" in caught.value.message


def test_bad_count_fails_with_the_field(httpserver, http, make_source):
    channel = body("youtube/channel.json")
    channel["items"][0]["statistics"]["subscriberCount"] = "2.47M"
    httpserver.expect_request("/channels").respond_with_json(channel)
    with pytest.raises(SourceError, match="subscriberCount"):
        youtube.fetch(make_source("youtube", "channel", "UC_x5XG1OV2P6uZZ5FSM9Ttw"), http)
