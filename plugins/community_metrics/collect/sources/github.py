"""GitHub repository (``GET {api}/repos/{owner}/{repo}``), organization (``GET {api}/orgs/{org}``).

Docs: https://docs.github.com/en/rest/repos/repos#get-a-repository ,
https://docs.github.com/en/rest/orgs/orgs#get-an-organization ,
https://docs.github.com/en/rest/repos/repos#list-repository-contributors . Traps:
- ``watchers``/``watchers_count`` equal the stars; real watchers are ``subscribers_count``.
- ``open_issues_count`` counts pull requests too (kept under ``extra``).
- old payloads may lack ``stargazers_count``/``subscribers_count``: absent stays absent.
- contributors have no total: ask for ``per_page=1`` and read the last page from ``Link``
  (https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api).
- ``unanswered``: open issues without any comment, the ``total_count`` of
  ``GET {api}/search/issues?q=repo:{o}/{r}+is:issue+is:open+comments:0&per_page=1``
  (https://docs.github.com/en/rest/search/search#search-issues-and-pull-requests). Search
  has its own, lower rate limit (10/min anonymous, 30/min with a token): a failure leaves
  the source partial. ``incomplete_results`` true (a search that timed out) is not a count;
- organizations publish no member count: ``followers`` is what is public.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from requests.utils import parse_header_links

from community_metrics.collect.http import Auth
from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import (
    api_base,
    count,
    expect_object,
    further,
    put,
    when,
)
from community_metrics.registry.platforms import PLATFORMS

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

DEFAULT_API = PLATFORMS["github"].default_api
HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
MAX_PAGE_DIGITS = 15  # a page number beyond 10**15 is no count (and int() refuses 4300 digits)


def _auth(source: SourceConfig) -> Auth:
    return Auth(source.token_env or "GITHUB_TOKEN")


def last_page(link_header: str | None) -> int | None:
    """The ``page`` of the ``rel="last"`` link, None when there is no such link."""
    if not link_header:
        return None
    for link in parse_header_links(link_header):
        if "last" not in link.get("rel", "").lower().split():
            continue
        page = (parse_qs(urlsplit(link.get("url", "")).query).get("page") or [""])[0]
        if page.isascii() and page.isdigit():
            if len(page) > MAX_PAGE_DIGITS:
                raise SourceError(f"the Link header names page {page[:20]}…, not a count")
            return int(page)
    return None


def _contributors(source: SourceConfig, http: HttpClient, result: SourceResult) -> None:
    url = f"{api_base(source, DEFAULT_API)}/repos/{source.id}/contributors"
    response = http.get(
        url, params={"per_page": "1", "anon": "1"}, headers=HEADERS, auth=_auth(source)
    )
    pages = last_page(response.headers.get("Link"))
    if pages is None:
        # a single page: the body lists 0 or 1 contributor (204 No Content for an empty repo)
        body = response.json() if response.body.strip() else []
        if not isinstance(body, list):
            raise SourceError(f"{url}: expected a list of contributors")
        pages = len(body)
    result.metrics["contributors"] = pages


def _unanswered(source: SourceConfig, http: HttpClient, result: SourceResult) -> None:
    url = f"{api_base(source, DEFAULT_API)}/search/issues"
    query = f"repo:{source.id} is:issue is:open comments:0"
    answer = http.get(
        url, params={"q": query, "per_page": "1"}, headers=HEADERS, auth=_auth(source)
    )
    found = expect_object(answer.json(), "search results", url)
    if found.get("incomplete_results") is True:
        raise SourceError(f"{url}: the search timed out (incomplete_results): no count")
    total = count(found, "total_count", url)
    if total is None:
        raise SourceError(f"{url}: no 'total_count' in the search results")
    result.metrics["unanswered"] = total


def fetch_repo(source: SourceConfig, http: HttpClient) -> SourceResult:
    endpoint = f"{api_base(source, DEFAULT_API)}/repos/{source.id}"
    repo = expect_object(
        http.get(endpoint, headers=HEADERS, auth=_auth(source)).json(), "a repository", endpoint
    )
    if "full_name" not in repo and "id" not in repo:
        raise SourceError(f"{endpoint}: the answer is not a repository (no id or full_name)")
    result = SourceResult(endpoint=endpoint)
    put(result.metrics, "members", count(repo, "stargazers_count", endpoint))
    put(result.extra, "forks", count(repo, "forks_count", endpoint))
    put(result.extra, "watchers", count(repo, "subscribers_count", endpoint))
    put(result.extra, "open_issues", count(repo, "open_issues_count", endpoint))
    result.created_at = when(repo.get("created_at"), "created_at", endpoint)
    further(result, "contributors", lambda: _contributors(source, http, result))
    further(result, "unanswered", lambda: _unanswered(source, http, result))
    return result


def fetch_org(source: SourceConfig, http: HttpClient) -> SourceResult:
    endpoint = f"{api_base(source, DEFAULT_API)}/orgs/{source.id}"
    org = expect_object(
        http.get(endpoint, headers=HEADERS, auth=_auth(source)).json(), "an organization", endpoint
    )
    if "login" not in org and "id" not in org:
        raise SourceError(f"{endpoint}: the answer is not an organization (no id or login)")
    result = SourceResult(endpoint=endpoint)
    put(result.metrics, "members", count(org, "followers", endpoint))
    put(result.extra, "public_repos", count(org, "public_repos", endpoint))
    result.created_at = when(org.get("created_at"), "created_at", endpoint)
    return result


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    return fetch_org(source, http) if source.key == "org" else fetch_repo(source, http)
