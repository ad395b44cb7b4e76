import pytest
from source_helpers import body

from community_metrics.collect.sources import mastodon
from community_metrics.collect.sources.base import SourceError


def serve_instance(httpserver, v2=None, activity=None):
    httpserver.expect_request("/api/v1/instance").respond_with_json(
        body("mastodon/instance_v1.json")
    )
    v2_handler = httpserver.expect_request("/api/v2/instance")
    if v2 is None:
        v2_handler.respond_with_json(body("mastodon/instance_v2.json"))
    else:
        v2_handler.respond_with_json(*v2)
    activity_handler = httpserver.expect_request("/api/v1/instance/activity")
    if activity is None:
        activity_handler.respond_with_json(body("mastodon/activity.json"))
    else:
        activity_handler.respond_with_json(*activity)


def test_instance_combines_v1_totals_v2_monthly_actives_and_weekly_strings(
    httpserver, http, make_source
):
    serve_instance(httpserver)
    result = mastodon.fetch(make_source("mastodon", "instance", "mastodon.social"), http)
    assert result.metrics == {
        "members": 2876543,
        "posts": 123456789,
        "active_30d": 301234,
        # the newest week is partial: posts_7d is the last complete week, parsed from strings
        "posts_7d": 1412345,
    }
    assert result.extra == {
        "domains": 98765,
        "logins_7d": 402345,
        "registrations_7d": 12345,
        "activity_week": "2026-11-09T00:00:00Z",
    }
    assert result.created_at is None  # activity covers 12 weeks only: no creation date
    assert result.failures == []


def test_v2_missing_makes_the_source_partial_and_keeps_the_rest(httpserver, http, make_source):
    serve_instance(httpserver, v2=({"error": "Record not found"}, 404))
    result = mastodon.fetch(make_source("mastodon", "instance", "old.example"), http)
    assert "active_30d" not in result.metrics
    assert result.metrics["members"] == 2876543
    assert len(result.failures) == 1
    assert result.failures[0].startswith("monthly active users")


def test_active_month_zero_is_a_real_zero(httpserver, http, make_source):
    v2 = body("mastodon/instance_v2.json")
    v2["usage"]["users"]["active_month"] = 0
    serve_instance(httpserver, v2=(v2, 200))
    result = mastodon.fetch(make_source("mastodon", "instance", "tiny.example"), http)
    assert result.metrics["active_30d"] == 0


def test_activity_of_another_shape_is_partial(httpserver, http, make_source):
    serve_instance(httpserver, activity=({"weeks": []}, 200))
    result = mastodon.fetch(make_source("mastodon", "instance", "x.example"), http)
    assert "posts_7d" not in result.metrics
    assert "weekly activity" in result.failures[0]
    assert "expected a list of weekly buckets" in result.failures[0]


def test_instance_without_stats_is_an_error(httpserver, http, make_source):
    httpserver.expect_request("/api/v1/instance").respond_with_json({"uri": "x"})
    with pytest.raises(SourceError, match="no 'stats' object"):
        mastodon.fetch(make_source("mastodon", "instance", "x.example"), http)


def test_account_lookup(httpserver, http, make_source):
    httpserver.expect_request(
        "/api/v1/accounts/lookup", query_string={"acct": "Mastodon"}
    ).respond_with_json(body("mastodon/account_lookup.json"))
    result = mastodon.fetch(make_source("mastodon", "account", "@Mastodon@mastodon.social"), http)
    assert result.metrics == {"members": 845123, "posts": 3456}
    assert result.extra == {"following": 10}
    assert result.created_at == "2016-11-23T00:00:00Z"
    assert result.endpoint.endswith("/api/v1/accounts/lookup?acct=Mastodon")
