import pytest
from source_helpers import body

from community_metrics.collect.http import FetchError
from community_metrics.collect.sources import discourse
from community_metrics.collect.sources.base import SourceError


def test_plural_keys_and_every_window(httpserver, http, make_source):
    httpserver.expect_request("/about.json").respond_with_json(body("discourse/about_plural.json"))
    result = discourse.fetch(make_source("discourse", "host", "discuss.python.org"), http)
    assert result.metrics == {
        "members": 41234,
        "topics": 40123,
        "posts": 512345,
        "active_1d": 1502,
        "active_7d": 2100,
        "active_30d": 5123,
        "posts_7d": 3611,
        "posts_30d": 15022,
    }
    assert result.extra == {"likes": 998877}
    assert result.created_at == "2017-03-01T16:46:07Z"
    assert result.endpoint.endswith("/about.json")


def test_legacy_singular_keys_and_only_some_windows(httpserver, http, make_source):
    httpserver.expect_request("/about.json").respond_with_json(
        body("discourse/about_singular.json")
    )
    result = discourse.fetch(make_source("discourse", "host", "old.example.org"), http)
    # no active_1d / active_30d on this server: absent, never 0
    assert result.metrics == {
        "members": 350,
        "topics": 1200,
        "posts": 9800,
        "active_7d": 44,
        "posts_7d": 90,
        "posts_30d": 310,
    }
    assert result.extra == {"likes": 2100}
    assert result.created_at is None


def test_hidden_stats_is_an_error_not_zeros(httpserver, http, make_source):
    httpserver.expect_request("/about.json").respond_with_json({"about": {"title": "Private"}})
    with pytest.raises(SourceError, match="hidden statistics"):
        discourse.fetch(make_source("discourse", "host", "private.example.org"), http)


def test_not_a_discourse_forum(httpserver, http, make_source):
    httpserver.expect_request("/about.json").respond_with_json({"name": "something else"})
    with pytest.raises(SourceError, match="is example.org a Discourse forum"):
        discourse.fetch(make_source("discourse", "host", "example.org"), http)


def test_html_page_instead_of_json(httpserver, http, make_source):
    httpserver.expect_request("/about.json").respond_with_data(
        "<html><body>Login required</body></html>", content_type="text/html"
    )
    with pytest.raises(FetchError, match="HTML page"):
        discourse.fetch(make_source("discourse", "host", "example.org"), http)


def test_stats_string_numbers_are_parsed_and_bad_ones_refused(httpserver, http, make_source):
    about = body("discourse/about_singular.json")
    about["about"]["stats"]["user_count"] = "350"
    httpserver.expect_request("/about.json").respond_with_json(about)
    result = discourse.fetch(make_source("discourse", "host", "example.org"), http)
    assert result.metrics["members"] == 350
    httpserver.clear()
    about["about"]["stats"]["user_count"] = "12k"
    httpserver.expect_request("/about.json").respond_with_json(about)
    with pytest.raises(SourceError, match="user_count is '12k', not a plain number"):
        discourse.fetch(make_source("discourse", "host", "example.org"), http)
