"""Open Collective: the collective's JSON, then its creation date from GraphQL v2 (a POST),
on a real local server."""

import json

import pytest
from source_helpers import body

from community_metrics.collect.http import FetchError
from community_metrics.collect.sources import opencollective
from community_metrics.collect.sources.base import SourceError


def test_collective_and_creation_date(httpserver, http, make_source):
    httpserver.expect_request("/webpack.json").respond_with_json(
        body("opencollective/collective_github.json")
    )
    httpserver.expect_request("/graphql/v2", method="POST").respond_with_json(
        body("opencollective/graphql_account.json")
    )
    result = opencollective.fetch(make_source("opencollective", "collective", "webpack"), http)
    assert result.metrics == {"members": 2011, "contributors": 712}
    assert result.extra == {
        "currency": "USD",
        "balance_cents": 10233400,
        "yearly_income_cents": 40210000,
    }
    assert result.created_at == "2016-05-09T16:21:41Z"
    assert result.failures == []
    sent = [request for request, _ in httpserver.log if request.method == "POST"]
    assert json.loads(sent[0].data)["variables"] == {"slug": "webpack"}
    assert "createdAt" in json.loads(sent[0].data)["query"]


def test_graphql_failure_leaves_the_source_partial(httpserver, http, make_source):
    httpserver.expect_request("/homebrew.json").respond_with_json(
        body("opencollective/collective.json")
    )
    httpserver.expect_request("/graphql/v2", method="POST").respond_with_json(
        body("opencollective/graphql_not_found.json")
    )
    result = opencollective.fetch(make_source("opencollective", "collective", "homebrew"), http)
    assert result.metrics == {"members": 812}  # contributorsCount 0: none recorded, absent
    assert result.created_at is None
    assert len(result.failures) == 1
    assert "Account Not Found" in result.failures[0]


def test_graphql_server_error_leaves_the_source_partial(httpserver, http, make_source):
    httpserver.expect_request("/homebrew.json").respond_with_json(
        body("opencollective/collective.json")
    )
    httpserver.expect_request("/graphql/v2", method="POST").respond_with_data("oops", status=502)
    result = opencollective.fetch(make_source("opencollective", "collective", "homebrew"), http)
    assert result.metrics["members"] == 812
    assert "creation date" in result.failures[0]


def test_default_graphql_endpoint():
    from community_metrics.registry.config import SourceConfig

    source = SourceConfig(community="c", platform="opencollective", key="collective", id="x")
    assert opencollective.graphql_url(source) == "https://api.opencollective.com/graphql/v2"


def test_not_a_collective(httpserver, http, make_source):
    httpserver.expect_request("/homebrew.json").respond_with_json({"hello": 1})
    with pytest.raises(SourceError, match="not a collective"):
        opencollective.fetch(make_source("opencollective", "collective", "homebrew"), http)


def test_unknown_collective_names_the_url(httpserver, http, make_source):
    httpserver.expect_request("/nope.json").respond_with_data("Not found", status=404)
    with pytest.raises(FetchError) as caught:
        opencollective.fetch(make_source("opencollective", "collective", "nope"), http)
    assert "/nope.json" in str(caught.value)
