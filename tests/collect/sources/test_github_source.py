import pytest
from source_helpers import body

from community_metrics.collect.sources import github
from community_metrics.collect.sources.base import SourceError
from community_metrics.collect.sources.github import last_page


def link(base: str, last: int) -> str:
    url = f"{base}/repos/python/cpython/contributors?per_page=1&anon=1"
    return f'<{url}&page=2>; rel="next", <{url}&page={last}>; rel="last"'


def expect_search(httpserver, repo: str = "python/cpython", **response) -> None:
    query = {"q": f"repo:{repo} is:issue is:open comments:0", "per_page": "1"}
    handler = httpserver.expect_request("/search/issues", query_string=query)
    if response:
        handler.respond_with_json(**response)
    else:
        handler.respond_with_json(body("github/search_unanswered.json"))


def test_repo_maps_counts_and_reads_contributors_from_the_link_header(
    httpserver, http, make_source
):
    httpserver.expect_request("/repos/python/cpython").respond_with_json(body("github/repo.json"))
    expect_search(httpserver)
    httpserver.expect_request(
        "/repos/python/cpython/contributors", query_string={"per_page": "1", "anon": "1"}
    ).respond_with_json(
        body("github/contributors.json"),
        headers={"Link": link(httpserver.url_for("").rstrip("/"), 2847)},
    )
    result = github.fetch(make_source("github", "repo", "python/cpython"), http)
    assert result.metrics == {"members": 68123, "contributors": 2847, "unanswered": 1234}
    # watchers_count equals the stars: the real watchers are subscribers_count
    assert result.extra == {"forks": 31987, "watchers": 1534, "open_issues": 9321}
    assert result.created_at == "2017-02-10T19:23:51Z"
    assert result.endpoint.endswith("/repos/python/cpython")
    assert result.failures == []


def test_old_payload_leaves_stars_and_watchers_absent_and_contributor_failure_is_partial(
    httpserver, http, make_source
):
    httpserver.expect_request("/repos/octocat/Hello-World").respond_with_json(
        body("github/repo_old.json")
    )
    httpserver.expect_request("/repos/octocat/Hello-World/contributors").respond_with_json(
        {"message": "The history or contributor list is too large to list contributors."},
        status=403,
    )
    expect_search(httpserver, "octocat/Hello-World")
    result = github.fetch(make_source("github", "repo", "octocat/Hello-World"), http)
    # no stargazers_count: absent, not 0, not the watchers
    assert result.metrics == {"unanswered": 1234}
    assert result.extra == {"forks": 9, "open_issues": 0}
    assert result.created_at == "2011-01-26T19:01:12Z"
    assert len(result.failures) == 1
    assert result.failures[0].startswith("contributors:")
    assert "too large" in result.failures[0]


def test_single_page_of_contributors_is_counted_from_the_body(httpserver, http, make_source):
    httpserver.expect_request("/repos/python/cpython").respond_with_json(body("github/repo.json"))
    httpserver.expect_request("/repos/python/cpython/contributors").respond_with_json(
        body("github/contributors.json")
    )
    result = github.fetch(make_source("github", "repo", "python/cpython"), http)
    assert result.metrics["contributors"] == 1


def test_token_from_the_environment_is_sent_as_bearer(httpserver, http, make_source, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "canary-token-123")
    httpserver.expect_request(
        "/repos/python/cpython", headers={"Authorization": "Bearer canary-token-123"}
    ).respond_with_json(body("github/repo.json"))
    httpserver.expect_request(
        "/repos/python/cpython/contributors", headers={"Authorization": "Bearer canary-token-123"}
    ).respond_with_json([])
    httpserver.expect_request(
        "/search/issues", headers={"Authorization": "Bearer canary-token-123"}
    ).respond_with_json(body("github/search_unanswered.json"))
    result = github.fetch(make_source("github", "repo", "python/cpython"), http)
    assert result.metrics == {"members": 68123, "contributors": 0, "unanswered": 1234}


def test_org_uses_followers_and_public_repos(httpserver, http, make_source):
    httpserver.expect_request("/orgs/rust-lang").respond_with_json(body("github/org.json"))
    result = github.fetch(make_source("github", "org", "rust-lang"), http)
    assert result.metrics == {"members": 11234}
    assert result.extra == {"public_repos": 231}
    assert result.created_at == "2013-08-29T15:50:12Z"
    assert result.endpoint.endswith("/orgs/rust-lang")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"stargazers_count": "1,234"}, "not a plain number"),
        ({"stargazers_count": -5}, "negative count"),
        ({"forks_count": 1.5}, "not a whole number"),
        ({"created_at": "2999-01-01T00:00:00Z"}, "in the future"),
        ({"created_at": "yesterday"}, "not an ISO 8601 date"),
    ],
)
def test_bad_values_fail_the_source_with_the_reason(httpserver, http, make_source, change, reason):
    httpserver.expect_request("/repos/python/cpython").respond_with_json(
        body("github/repo.json") | change
    )
    with pytest.raises(SourceError, match=reason) as caught:
        github.fetch(make_source("github", "repo", "python/cpython"), http)
    assert "/repos/python/cpython" in str(caught.value)


def test_answer_of_another_shape_is_a_source_error(httpserver, http, make_source):
    httpserver.expect_request("/repos/python/cpython").respond_with_json([{"id": 1}])
    with pytest.raises(SourceError, match="expected a repository"):
        github.fetch(make_source("github", "repo", "python/cpython"), http)
    httpserver.expect_request("/orgs/x").respond_with_json({"message": "hi"})
    with pytest.raises(SourceError, match="not an organization"):
        github.fetch(make_source("github", "org", "x"), http)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ('<https://api.github.com/r?per_page=1&page=2>; rel="next"', None),
        (
            '<https://api.github.com/r?per_page=1&page=2>; rel="next", '
            '<https://api.github.com/r?per_page=1&page=512>; rel="last"',
            512,
        ),
        ('<https://api.github.com/r?page=7&per_page=1>; rel="last"', 7),
    ],
)
def test_last_page(header, expected):
    assert last_page(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('<https://api.github.com/r?per_page=1&page=9>; rel="prev last"', 9),
        ("<https://api.github.com/r?page=3>; rel=last", 3),
        ('<https://api.github.com/r?page=x>; rel="last"', None),
        ("garbage", None),
    ],
)
def test_last_page_reads_the_link_header_as_rfc_8288(header, expected):
    assert last_page(header) == expected


def test_an_absurd_last_page_is_a_source_error():
    with pytest.raises(SourceError, match="not a count"):
        last_page(f'<https://api.github.com/r?page={"9" * 5000}>; rel="last"')


def test_unanswered_is_the_total_of_open_issues_without_comments(httpserver, http, make_source):
    httpserver.expect_request("/repos/python/cpython").respond_with_json(body("github/repo.json"))
    httpserver.expect_request("/repos/python/cpython/contributors").respond_with_json([])
    expect_search(httpserver)
    result = github.fetch(make_source("github", "repo", "python/cpython"), http)
    assert result.metrics["unanswered"] == 1234
    assert result.failures == []


def test_a_failed_search_leaves_the_source_partial(httpserver, http, make_source):
    httpserver.expect_request("/repos/python/cpython").respond_with_json(body("github/repo.json"))
    httpserver.expect_request("/repos/python/cpython/contributors").respond_with_json([])
    expect_search(
        httpserver,
        response_json={"message": "API rate limit exceeded for 203.0.113.9."},
        status=403,
    )
    result = github.fetch(make_source("github", "repo", "python/cpython"), http)
    assert "unanswered" not in result.metrics  # missing, not 0
    assert result.metrics["members"] == 68123  # the canonical answer is kept
    assert len(result.failures) == 1
    assert result.failures[0].startswith("unanswered:")
    assert "rate limit" in result.failures[0]


def test_an_incomplete_search_is_not_a_count(httpserver, http, make_source):
    httpserver.expect_request("/repos/python/cpython").respond_with_json(body("github/repo.json"))
    httpserver.expect_request("/repos/python/cpython/contributors").respond_with_json([])
    incomplete = body("github/search_unanswered.json") | {"incomplete_results": True}
    expect_search(httpserver, response_json=incomplete)
    result = github.fetch(make_source("github", "repo", "python/cpython"), http)
    assert "unanswered" not in result.metrics
    assert result.failures and "incomplete_results" in result.failures[0]
