"""Forgejo / Gitea repositories, on a real local server."""

import pytest
from source_helpers import body

from community_metrics.collect.http import FetchError
from community_metrics.collect.sources import forgejo
from community_metrics.collect.sources.base import SourceError

PATH = "/api/v1/repos/forgejo/forgejo"


def test_codeberg_repository(httpserver, http, make_source):
    httpserver.expect_request(PATH).respond_with_json(body("forgejo/repo.json"))
    result = forgejo.fetch(make_source("forgejo", "repo", "forgejo/forgejo"), http)
    assert result.metrics == {"members": 2811}
    assert result.extra == {"forks": 512, "watchers": 101, "open_issues": 1204, "open_pulls": 98}
    # +02:00 normalised to UTC; archived_at (1970, "not archived") is never used
    assert result.created_at == "2022-10-26T14:09:36Z"
    assert result.endpoint.endswith(PATH)


def test_gitea_repository_and_default_host(httpserver, http, make_source):
    httpserver.expect_request("/api/v1/repos/go-gitea/gitea").respond_with_json(
        body("forgejo/repo_gitea.json")
    )
    result = forgejo.fetch(make_source("forgejo", "repo", "go-gitea/gitea"), http)
    assert result.metrics == {"members": 330}
    assert result.extra["open_issues"] == 0
    assert result.created_at == "2019-03-15T08:01:22Z"
    assert forgejo.DEFAULT_API == "https://codeberg.org"


def test_archived_repository_is_flagged(httpserver, http, make_source):
    repo = body("forgejo/repo.json")
    repo["archived"] = True
    repo["archived_at"] = "2025-01-02T10:00:00+01:00"
    httpserver.expect_request(PATH).respond_with_json(repo)
    result = forgejo.fetch(make_source("forgejo", "repo", "forgejo/forgejo"), http)
    assert result.extra["archived"] is True
    assert result.created_at == "2022-10-26T14:09:36Z"


def test_not_a_repository(httpserver, http, make_source):
    httpserver.expect_request(PATH).respond_with_json({"message": "hello"})
    with pytest.raises(SourceError, match="not a repository"):
        forgejo.fetch(make_source("forgejo", "repo", "forgejo/forgejo"), http)


def test_missing_repository_names_the_url(httpserver, http, make_source):
    httpserver.expect_request(PATH).respond_with_json(
        {
            "errors": ["user redirect does not exist [name: forgejo]"],
            "message": "GetUserByName",
            "url": "https://codeberg.org/api/swagger",
        },
        status=404,
    )
    with pytest.raises(FetchError) as caught:
        forgejo.fetch(make_source("forgejo", "repo", "forgejo/forgejo"), http)
    assert PATH in str(caught.value)
