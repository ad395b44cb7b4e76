"""The fault table for the second-wave sources, through the real HTTP layer on 127.0.0.1:
server errors, a 429 with Retry-After, a 403, a body of another shape."""

import pytest
from source_helpers import body
from werkzeug import Response

from community_metrics.collect.http import FetchError
from community_metrics.collect.sources import FETCHERS
from community_metrics.collect.sources.base import SourceError

#: platform, key, identifier, the canonical path, a good body for it
CANONICAL = [
    ("nodeinfo", "host", "mastodon.social", "/.well-known/nodeinfo", None),
    ("peertube", "instance", "framatube.org", "/api/v1/server/stats", "peertube/server_stats.json"),
    (
        "peertube",
        "channel",
        "blender_channel@video.blender.org",
        "/api/v1/video-channels/blender_channel",
        "peertube/video_channel.json",
    ),
    ("forgejo", "repo", "forgejo/forgejo", "/api/v1/repos/forgejo/forgejo", "forgejo/repo.json"),
    ("mediawiki", "site", "en.wikipedia.org", "/w/api.php", "mediawiki/siteinfo_statistics.json"),
    (
        "huggingface",
        "org",
        "huggingface",
        "/api/organizations/huggingface/overview",
        "huggingface/org_overview.json",
    ),
    (
        "opencollective",
        "collective",
        "homebrew",
        "/homebrew.json",
        "opencollective/collective.json",
    ),
]
IDS = [f"{row[0]}-{row[1]}" for row in CANONICAL]


def serve_good(httpserver, platform, path, fixture):
    if platform == "nodeinfo":
        httpserver.expect_request(path).respond_with_json(body("nodeinfo/discovery_mastodon.json"))
        httpserver.expect_request("/nodeinfo/2.0").respond_with_json(
            body("nodeinfo/mastodon_2.0.json")
        )
    else:
        httpserver.expect_request(path).respond_with_json(body(fixture))
    if platform == "opencollective":
        httpserver.expect_request("/graphql/v2", method="POST").respond_with_json(
            body("opencollective/graphql_account.json")
        )


@pytest.mark.parametrize(("platform", "key", "ident", "path", "fixture"), CANONICAL, ids=IDS)
def test_server_error_names_the_url(
    httpserver, http, make_source, platform, key, ident, path, fixture
):
    httpserver.expect_request(path).respond_with_data("<html>Bad gateway</html>", status=502)
    with pytest.raises(FetchError) as caught:
        FETCHERS[platform](make_source(platform, key, ident), http)
    assert caught.value.kind == "http"
    assert "502" in str(caught.value) and path in str(caught.value)


@pytest.mark.parametrize(("platform", "key", "ident", "path", "fixture"), CANONICAL, ids=IDS)
def test_rate_limit_with_retry_after_is_waited(
    httpserver, http, pauses, make_source, platform, key, ident, path, fixture
):
    httpserver.expect_ordered_request(path).respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "2"})
    )
    serve_good(httpserver, platform, path, fixture)
    result = FETCHERS[platform](make_source(platform, key, ident), http)
    assert result.metrics["members"] > 0
    assert result.failures == []
    assert pauses and 1.5 < max(pauses) <= 2.0  # the Retry-After, not a guess


@pytest.mark.parametrize(("platform", "key", "ident", "path", "fixture"), CANONICAL, ids=IDS)
def test_forbidden_is_an_error(httpserver, http, make_source, platform, key, ident, path, fixture):
    httpserver.expect_request(path).respond_with_json({"error": "Forbidden"}, status=403)
    with pytest.raises(FetchError, match="403"):
        FETCHERS[platform](make_source(platform, key, ident), http)


@pytest.mark.parametrize(("platform", "key", "ident", "path", "fixture"), CANONICAL, ids=IDS)
def test_body_of_another_shape(httpserver, http, make_source, platform, key, ident, path, fixture):
    httpserver.expect_request(path).respond_with_json([1, 2, 3])
    with pytest.raises(SourceError, match=r"expected .* as a JSON object, got list"):
        FETCHERS[platform](make_source(platform, key, ident), http)
