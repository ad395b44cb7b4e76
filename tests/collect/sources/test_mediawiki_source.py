"""MediaWiki siteinfo statistics, on a real local server."""

import pytest
from source_helpers import body

from community_metrics.collect.http import FetchError
from community_metrics.collect.sources import mediawiki
from community_metrics.collect.sources.base import SourceError

QUERY = {
    "action": "query",
    "meta": "siteinfo",
    "siprop": "statistics",
    "format": "json",
    "formatversion": "2",
}


def test_wikipedia_statistics(httpserver, http, make_source):
    httpserver.expect_request("/w/api.php", query_string=QUERY).respond_with_json(
        body("mediawiki/siteinfo_statistics.json")
    )
    result = mediawiki.fetch(make_source("mediawiki", "site", "en.wikipedia.org"), http)
    assert result.metrics == {
        "members": 49712033,
        "active_30d": 118233,
        "posts": 1281203344,
        "topics": 6931204,
    }
    assert result.extra == {"pages": 63112045, "images": 918233, "admins": 826}
    assert result.endpoint.endswith(
        "/w/api.php?action=query&meta=siteinfo&siprop=statistics&format=json&formatversion=2"
    )


def test_root_script_path_and_formatversion_1_shape(httpserver, http, make_source):
    httpserver.expect_request("/api.php", query_string=QUERY).respond_with_json(
        body("mediawiki/siteinfo_statistics_v1.json")
    )
    source = make_source("mediawiki", "site", "wiki.archlinux.org", path="/")
    result = mediawiki.fetch(source, http)
    assert result.metrics["members"] == 98120
    assert result.metrics["active_30d"] == 512


def test_api_error_is_reported(httpserver, http, make_source):
    httpserver.expect_request("/w/api.php").respond_with_json(body("mediawiki/error.json"))
    with pytest.raises(SourceError, match="refused the query: Unrecognized value"):
        mediawiki.fetch(make_source("mediawiki", "site", "en.wikipedia.org"), http)


def test_not_a_wiki(httpserver, http, make_source):
    httpserver.expect_request("/w/api.php").respond_with_json({"hello": "world"})
    with pytest.raises(SourceError, match="is example.org a MediaWiki wiki"):
        mediawiki.fetch(make_source("mediawiki", "site", "example.org"), http)


def test_wrong_script_path_names_the_url(httpserver, http, make_source):
    httpserver.expect_request("/w/api.php").respond_with_data("Not Found", status=404)
    with pytest.raises(FetchError) as caught:
        mediawiki.fetch(make_source("mediawiki", "site", "example.org"), http)
    assert "/w/api.php" in str(caught.value)
