"""NodeInfo: discovery, then the highest 2.x document, on a real local server; every document
variant real servers send."""

import pytest
from source_helpers import body

from community_metrics.collect.http import FetchError
from community_metrics.collect.sources import nodeinfo
from community_metrics.collect.sources.base import SourceError

WELL_KNOWN = "/.well-known/nodeinfo"


def serve(httpserver, discovery, path, document):
    httpserver.expect_request(WELL_KNOWN).respond_with_json(body(f"nodeinfo/{discovery}"))
    if document is not None:
        httpserver.expect_request(path).respond_with_json(body(f"nodeinfo/{document}"))


def test_mastodon_2_0(httpserver, http, make_source):
    serve(httpserver, "discovery_mastodon.json", "/nodeinfo/2.0", "mastodon_2.0.json")
    result = nodeinfo.fetch(make_source("nodeinfo", "host", "mastodon.social"), http)
    assert result.metrics == {
        "members": 2893104,
        "active_30d": 301234,
        "active_180d": 611345,
        "posts": 141234567,
    }
    assert result.extra == {"software": "mastodon", "software_version": "4.3.2", "schema": "2.0"}
    assert result.endpoint.endswith("/nodeinfo/2.0")
    assert result.created_at is None


def test_highest_2x_link_wins_and_href_may_end_in_json(httpserver, http, make_source):
    serve(httpserver, "discovery_pleroma.json", "/nodeinfo/2.1.json", "akkoma_2.1.json")
    result = nodeinfo.fetch(make_source("nodeinfo", "host", "pleroma.example"), http)
    assert result.extra["schema"] == "2.1"
    assert result.extra["software"] == "akkoma"
    assert result.metrics == {"members": 154, "active_30d": 38, "active_180d": 61, "posts": 48211}
    assert "local_comments" not in result.extra  # Akkoma does not send it: absent


def test_schema_2_2_wins_and_other_rels_are_ignored(httpserver, http, make_source):
    serve(httpserver, "discovery_2.2.json", "/nodeinfo/2.2", "friendica_2.2.json")
    result = nodeinfo.fetch(make_source("nodeinfo", "host", "friendica.example"), http)
    assert result.extra["schema"] == "2.2"
    assert result.metrics == {"members": 640, "active_30d": 102, "active_180d": 211, "posts": 90211}
    assert result.extra["local_comments"] == 230112


def test_active_week_when_a_server_sends_it(httpserver, http, make_source):
    """PLATFORMS.md names usage.users.activeWeek for 2.2; the published 2.2 schema does not
    define it, so it is read only when a server sends it."""
    document = body("nodeinfo/friendica_2.2.json")
    document["usage"]["users"]["activeWeek"] = 57
    httpserver.expect_request(WELL_KNOWN).respond_with_json(body("nodeinfo/discovery_2.2.json"))
    httpserver.expect_request("/nodeinfo/2.2").respond_with_json(document)
    result = nodeinfo.fetch(make_source("nodeinfo", "host", "friendica.example"), http)
    assert result.metrics["active_7d"] == 57


def test_lemmy_without_services_or_metadata(httpserver, http, make_source):
    serve(httpserver, "discovery_lemmy.json", "/nodeinfo/2.1", "lemmy_2.1.json")
    result = nodeinfo.fetch(make_source("nodeinfo", "host", "lemmy.world"), http)
    assert result.metrics["members"] == 181022
    assert result.extra["local_comments"] == 5123377
    assert result.extra["software_version"] == "0.19.7"


def test_misskey_zero_comments_is_not_a_count(httpserver, http, make_source):
    serve(httpserver, "discovery_misskey.json", "/nodeinfo/2.1", "misskey_2.1.json")
    result = nodeinfo.fetch(make_source("nodeinfo", "host", "misskey.example"), http)
    assert "local_comments" not in result.extra
    assert result.metrics["posts"] == 9120334


def test_funkwhale_zero_comments_is_kept(httpserver, http, make_source):
    serve(
        httpserver,
        "discovery_funkwhale.json",
        "/api/v1/instance/nodeinfo/2.0/",
        "funkwhale_2.0.json",
    )
    result = nodeinfo.fetch(make_source("nodeinfo", "host", "funkwhale.example"), http)
    assert result.extra["local_comments"] == 0  # a real 0 from a server that counts
    assert result.metrics["posts"] == 0


def test_firefish_without_local_comments(httpserver, http, make_source):
    serve(httpserver, "discovery_firefish.json", "/nodeinfo/2.0", "firefish_2.0.json")
    result = nodeinfo.fetch(make_source("nodeinfo", "host", "firefish.example"), http)
    assert "local_comments" not in result.extra
    assert result.metrics == {
        "members": 812,
        "active_30d": 101,
        "active_180d": 230,
        "posts": 120993,
    }


def test_peertube_posts_are_videos(httpserver, http, make_source):
    serve(httpserver, "discovery_peertube.json", "/nodeinfo/2.0.json", "peertube_2.0.json")
    result = nodeinfo.fetch(make_source("nodeinfo", "host", "framatube.org"), http)
    assert result.metrics["posts"] == 3210
    assert result.extra["posts_are"] == "videos"


def test_relay_without_local_posts_over_http_href(httpserver, http, make_source):
    serve(httpserver, "discovery_relay.json", "/nodeinfo/2.0.json", "relay_2.0.json")
    result = nodeinfo.fetch(make_source("nodeinfo", "host", "relay.example"), http)
    assert result.metrics == {"members": 1}  # no localPosts: absent, not 0


def test_href_on_the_server_itself_is_used_as_given(httpserver, http, make_source):
    href = httpserver.url_for("/stats/nodeinfo.json")
    httpserver.expect_request(WELL_KNOWN).respond_with_json(
        {"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": href}]}
    )
    httpserver.expect_request("/stats/nodeinfo.json").respond_with_json(
        body("nodeinfo/mastodon_2.0.json")
    )
    result = nodeinfo.fetch(make_source("nodeinfo", "host", "mastodon.social"), http)
    assert result.endpoint == href


def test_link_to_another_host_is_refused(httpserver, http, make_source):
    serve(httpserver, "discovery_other_host.json", "/nodeinfo/2.0", None)
    with pytest.raises(SourceError) as caught:
        nodeinfo.fetch(make_source("nodeinfo", "host", "example.social"), http)
    message = str(caught.value)
    assert "another host" in message
    assert "stats.elsewhere.example" in message
    assert WELL_KNOWN in message


def test_no_2x_schema_names_what_was_found(httpserver, http, make_source):
    serve(httpserver, "discovery_only_1.0.json", "/nodeinfo/1.0", None)
    with pytest.raises(SourceError, match=r"no NodeInfo 2\.x schema .*schema/1\.0"):
        nodeinfo.fetch(make_source("nodeinfo", "host", "old.example"), http)


def test_no_links_at_all(httpserver, http, make_source):
    httpserver.expect_request(WELL_KNOWN).respond_with_json({"links": []})
    with pytest.raises(SourceError, match="found: no links at all"):
        nodeinfo.fetch(make_source("nodeinfo", "host", "empty.example"), http)


def test_document_without_usage(httpserver, http, make_source):
    document = body("nodeinfo/mastodon_2.0.json")
    del document["usage"]
    httpserver.expect_request(WELL_KNOWN).respond_with_json(
        body("nodeinfo/discovery_mastodon.json")
    )
    httpserver.expect_request("/nodeinfo/2.0").respond_with_json(document)
    with pytest.raises(SourceError, match="no 'usage' object"):
        nodeinfo.fetch(make_source("nodeinfo", "host", "mastodon.social"), http)


def test_missing_discovery_names_the_url(httpserver, http, make_source):
    httpserver.expect_request(WELL_KNOWN).respond_with_data("Not Found", status=404)
    with pytest.raises(FetchError) as caught:
        nodeinfo.fetch(make_source("nodeinfo", "host", "gone.example"), http)
    assert caught.value.kind == "not_found"
    assert WELL_KNOWN in str(caught.value)


def test_html_discovery(httpserver, http, make_source):
    httpserver.expect_request(WELL_KNOWN).respond_with_data(
        "<html><body>Checking your browser</body></html>", content_type="text/html"
    )
    with pytest.raises(FetchError, match="HTML page"):
        nodeinfo.fetch(make_source("nodeinfo", "host", "walled.example"), http)


def test_numbers_as_strings(httpserver, http, make_source):
    document = body("nodeinfo/mastodon_2.0.json")
    document["usage"]["users"]["activeMonth"] = "301234"
    httpserver.expect_request(WELL_KNOWN).respond_with_json(
        body("nodeinfo/discovery_mastodon.json")
    )
    httpserver.expect_request("/nodeinfo/2.0").respond_with_json(document)
    result = nodeinfo.fetch(make_source("nodeinfo", "host", "mastodon.social"), http)
    assert result.metrics["active_30d"] == 301234


def test_relative_href_stays_on_the_server(httpserver, http, make_source):
    httpserver.expect_request(WELL_KNOWN).respond_with_json(
        {"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": "/ni/2.1"}]}
    )
    httpserver.expect_request("/ni/2.1").respond_with_json(body("nodeinfo/lemmy_2.1.json"))
    result = nodeinfo.fetch(make_source("nodeinfo", "host", "lemmy.world"), http)
    assert result.endpoint.endswith("/ni/2.1")
    assert result.metrics["members"] == 181022


def test_href_that_is_not_http_is_refused(httpserver, http, make_source):
    httpserver.expect_request(WELL_KNOWN).respond_with_json(
        {
            "links": [
                {
                    "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                    "href": "file:///etc/passwd",
                }
            ]
        }
    )
    with pytest.raises(SourceError, match="not an http"):
        nodeinfo.fetch(make_source("nodeinfo", "host", "odd.example"), http)
