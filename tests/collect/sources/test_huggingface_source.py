"""Hugging Face organizations, on a real local server."""

import pytest
from source_helpers import body

from community_metrics.collect.http import FetchError
from community_metrics.collect.sources import huggingface
from community_metrics.collect.sources.base import SourceError

PATH = "/api/organizations/huggingface/overview"


def test_organization_overview(httpserver, http, make_source):
    httpserver.expect_request(PATH).respond_with_json(body("huggingface/org_overview.json"))
    result = huggingface.fetch(make_source("huggingface", "org", "huggingface"), http)
    assert result.metrics == {"members": 51233, "contributors": 231}
    assert result.extra == {"models": 72, "datasets": 160, "spaces": 88}
    assert result.endpoint.endswith(PATH)
    assert result.created_at is None


def test_counts_left_out_stay_absent(httpserver, http, make_source):
    httpserver.expect_request("/api/organizations/small-lab/overview").respond_with_json(
        body("huggingface/org_overview_minimal.json")
    )
    result = huggingface.fetch(make_source("huggingface", "org", "small-lab"), http)
    assert result.metrics == {"members": 12}
    assert result.extra == {}


def test_not_an_organization(httpserver, http, make_source):
    httpserver.expect_request(PATH).respond_with_json({"error": None})
    with pytest.raises(SourceError, match="not an organization overview"):
        huggingface.fetch(make_source("huggingface", "org", "huggingface"), http)


def test_unknown_organization_names_the_url(httpserver, http, make_source):
    httpserver.expect_request(PATH).respond_with_json({"error": "Not Found"}, status=404)
    with pytest.raises(FetchError) as caught:
        huggingface.fetch(make_source("huggingface", "org", "huggingface"), http)
    assert PATH in str(caught.value)
