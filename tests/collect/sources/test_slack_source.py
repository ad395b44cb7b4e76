import pytest
from source_helpers import body

from community_metrics.collect.http import FetchError
from community_metrics.collect.sources import slack
from community_metrics.collect.sources.base import SourceError

TOKEN = "xoxb-canary-slack-token-123"
QUERY = {"channel": "C1234567890", "include_num_members": "true"}


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)


def test_member_count_and_creation(httpserver, http, make_source):
    httpserver.expect_request(
        "/conversations.info", query_string=QUERY, headers={"Authorization": f"Bearer {TOKEN}"}
    ).respond_with_json(body("slack/conversations_info.json"))
    result = slack.fetch(make_source("slack", "channel", "C1234567890"), http)
    assert result.metrics == {"members": 4321}
    assert result.created_at == "2015-12-04T18:14:49Z"
    assert result.endpoint.endswith(
        "/conversations.info?channel=C1234567890&include_num_members=true"
    )


def test_ok_false_with_200_is_an_error(httpserver, http, make_source):
    httpserver.expect_request("/conversations.info").respond_with_json(
        body("slack/channel_not_found.json")
    )
    with pytest.raises(SourceError, match="channel_not_found"):
        slack.fetch(make_source("slack", "channel", "C1234567890"), http)


def test_token_error_with_200_names_the_variable_and_where(httpserver, http, make_source):
    httpserver.expect_request("/conversations.info").respond_with_json(
        body("slack/invalid_auth.json")
    )
    with pytest.raises(FetchError) as caught:
        slack.fetch(make_source("slack", "channel", "C1234567890"), http)
    assert caught.value.kind == "auth"
    assert "$SLACK_BOT_TOKEN" in caught.value.message
    assert "invalid_auth" in caught.value.message
    assert "api.slack.com/apps" in caught.value.message
    assert TOKEN not in caught.value.message


def test_without_the_token_nothing_is_sent(http, make_source, monkeypatch, httpserver):
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    with pytest.raises(FetchError) as caught:
        slack.fetch(make_source("slack", "channel", "C1234567890"), http)
    assert "$SLACK_BOT_TOKEN" in caught.value.message
    assert "api.slack.com/apps" in caught.value.message
    assert httpserver.log == []


def test_rate_limit_429_with_retry_after_is_waited(httpserver, http, pauses, make_source):
    httpserver.expect_ordered_request("/conversations.info").respond_with_json(
        {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "3"}
    )
    httpserver.expect_ordered_request("/conversations.info").respond_with_json(
        body("slack/conversations_info.json")
    )
    result = slack.fetch(make_source("slack", "channel", "C1234567890"), http)
    assert result.metrics == {"members": 4321}
    assert pauses and pauses[0] == pytest.approx(3, abs=1)


def test_without_num_members_the_count_is_not_invented(httpserver, http, make_source):
    info = body("slack/conversations_info.json")
    del info["channel"]["num_members"]
    httpserver.expect_request("/conversations.info").respond_with_json(info)
    with pytest.raises(SourceError, match="num_members"):
        slack.fetch(make_source("slack", "channel", "C1234567890"), http)


@pytest.mark.parametrize(("value", "reason"), [("4,321", "not a plain number"), (-1, "negative")])
def test_hostile_member_count(httpserver, http, make_source, value, reason):
    info = body("slack/conversations_info.json")
    info["channel"]["num_members"] = value
    httpserver.expect_request("/conversations.info").respond_with_json(info)
    with pytest.raises(SourceError, match=reason):
        slack.fetch(make_source("slack", "channel", "C1234567890"), http)
