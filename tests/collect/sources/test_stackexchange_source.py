import pytest
from source_helpers import body

from community_metrics.collect.http import FetchError
from community_metrics.collect.sources import stackexchange
from community_metrics.collect.sources.base import SourceError


def test_site_info(httpserver, http, make_source):
    httpserver.expect_request(
        "/2.3/info", query_string={"site": "stackoverflow"}
    ).respond_with_json(body("stackexchange/info.json"))
    result = stackexchange.fetch(make_source("stackexchange", "site", "stackoverflow"), http)
    assert result.metrics == {
        "members": 29012345,
        "topics": 24123456,
        "posts": 36012345,
        "unanswered": 7123456,
    }
    assert result.extra == {
        "questions_per_minute": 0.42,
        "answers_per_minute": 0.85,
        "quota_remaining": 287,
    }
    assert result.created_at is None
    assert result.endpoint.endswith("/2.3/info?site=stackoverflow")


def test_tag_info_and_backoff_holds_the_next_request(httpserver, http, pauses, make_source):
    httpserver.expect_request(
        "/2.3/tags/python/info", query_string={"site": "stackoverflow"}
    ).respond_with_json(body("stackexchange/tag_info.json"))
    result = stackexchange.fetch(make_source("stackexchange", "tag", "python"), http)
    assert result.metrics == {"topics": 2212345}
    assert pauses == []
    # the answer carried backoff: 10, so the next request to the API waits about 10 s first
    stackexchange.fetch(make_source("stackexchange", "tag", "python"), http)
    assert len(pauses) == 1
    assert 8 < pauses[0] <= 10


def test_tag_on_another_site(httpserver, http, make_source):
    httpserver.expect_request(
        "/2.3/tags/bash/info", query_string={"site": "unix"}
    ).respond_with_json(body("stackexchange/tag_info.json") | {"backoff": None})
    result = stackexchange.fetch(make_source("stackexchange", "tag", "unix/bash"), http)
    assert result.endpoint.endswith("/2.3/tags/bash/info?site=unix")


def test_unknown_tag_and_spent_quota(httpserver, http, make_source):
    httpserver.expect_request("/2.3/tags/nosuchtag/info").respond_with_json(
        body("stackexchange/tag_empty.json")
    )
    with pytest.raises(SourceError, match="no such tag 'nosuchtag' on stackoverflow"):
        stackexchange.fetch(make_source("stackexchange", "tag", "nosuchtag"), http)
    # quota_remaining 0: no further request today; the HTTP layer reports when it resets
    with pytest.raises(FetchError) as caught:
        stackexchange.fetch(make_source("stackexchange", "tag", "nosuchtag"), http)
    assert caught.value.kind == "rate_limited"
    assert caught.value.retry_at is not None
    assert caught.value.retry_at.hour == 0 and caught.value.retry_at.minute == 0


def test_wrapper_without_items(httpserver, http, make_source):
    httpserver.expect_request("/2.3/info").respond_with_json(
        {"error_id": 400, "error_name": "bad_parameter", "error_message": "site is required"}
    )
    with pytest.raises(SourceError, match="no 'items' list"):
        stackexchange.fetch(make_source("stackexchange", "site", "stackoverflow"), http)


def test_app_key_goes_in_the_query_from_the_named_variable(
    httpserver, http, make_source, monkeypatch
):
    monkeypatch.setenv("SE_KEY", "abc123key")
    httpserver.expect_request(
        "/2.3/info", query_string={"site": "unix", "key": "abc123key"}
    ).respond_with_json(body("stackexchange/info.json"))
    result = stackexchange.fetch(
        make_source("stackexchange", "site", "unix", token_env="SE_KEY"), http
    )
    assert "abc123key" not in result.endpoint
    assert result.metrics["members"] == 29012345


def test_site_without_total_unanswered_leaves_unanswered_absent(httpserver, http, make_source):
    info = body("stackexchange/info.json")
    del info["items"][0]["total_unanswered"]
    httpserver.expect_request("/2.3/info").respond_with_json(info)
    result = stackexchange.fetch(make_source("stackexchange", "site", "stackoverflow"), http)
    assert "unanswered" not in result.metrics
    assert result.metrics["topics"] == 24123456
