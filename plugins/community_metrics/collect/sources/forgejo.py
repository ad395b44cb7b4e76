"""Forgejo or Gitea repository: ``GET {api}/api/v1/repos/{owner}/{name}`` (``api`` defaults to
https://codeberg.org, Codeberg runs Forgejo).

Docs: the ``Repository`` definition of the swagger served at ``/api/swagger`` by every
Forgejo/Gitea server (https://codeberg.org/api/swagger). Traps:
- ``stars_count`` (GitLab says ``star_count``, GitHub ``stargazers_count``);
- ``open_issues_count`` counts issues only, pull requests are ``open_pr_counter``;
- ``created_at`` carries the server's offset (``2022-07-12T14:30:01+02:00``): normalised to UTC;
- ``archived_at`` is ``1970-01-01T01:00:00+01:00`` on repositories that are not archived (the
  zero time in the server's zone): never used as a date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import api_base, count, expect_object, put, when
from community_metrics.registry.platforms import PLATFORMS

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

DEFAULT_API = PLATFORMS["forgejo"].default_api


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    endpoint = f"{api_base(source, DEFAULT_API)}/api/v1/repos/{source.id}"
    repo = expect_object(http.get(endpoint).json(), "a repository", endpoint)
    if "full_name" not in repo and "id" not in repo:
        raise SourceError(f"{endpoint}: the answer is not a repository (no id or full_name)")
    result = SourceResult(endpoint=endpoint)
    put(result.metrics, "members", count(repo, "stars_count", endpoint))
    put(result.extra, "forks", count(repo, "forks_count", endpoint))
    put(result.extra, "watchers", count(repo, "watchers_count", endpoint))
    put(result.extra, "open_issues", count(repo, "open_issues_count", endpoint))
    put(result.extra, "open_pulls", count(repo, "open_pr_counter", endpoint))
    if repo.get("archived") is True:
        result.extra["archived"] = True
    result.created_at = when(repo.get("created_at"), "created_at", endpoint)
    if not result.metrics:
        raise SourceError(f"{endpoint}: the repository has no stars_count")
    return result
