"""GitLab project (``GET {api}/projects/{path}``) and group
(``GET {api}/groups/{path}?with_projects=false``), on gitlab.com or any self-hosted ``api:``.

Docs: https://docs.gitlab.com/api/projects/#get-a-single-project ,
https://docs.gitlab.com/api/groups/#get-a-single-group ,
https://docs.gitlab.com/api/rest/#pagination-response-headers . Traps:
- the path is one URL segment: ``/`` becomes ``%2F`` (``gitlab-org%2Fgitlab``);
- GitLab says ``star_count`` (Gitea ``stars_count``, GitHub ``stargazers_count``);
- ``open_issues_count`` is absent when the project disabled its issues: absent stays absent;
- a group has no member or star count; its project count is the ``X-Total`` header of
  ``GET {api}/groups/{id}/projects?per_page=1&include_subgroups=true``, which GitLab omits
  above 10,000 results (then the count stays absent, never a guess);
- ``GITLAB_TOKEN`` is optional and travels as the ``PRIVATE-TOKEN`` header.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

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

DEFAULT_API = PLATFORMS["gitlab"].default_api


def _auth(source: SourceConfig) -> Auth:
    return Auth(source.token_env or "GITLAB_TOKEN", header="PRIVATE-TOKEN", scheme="")


def _encoded(path: str) -> str:
    return quote(path.strip("/"), safe="")


def fetch_project(source: SourceConfig, http: HttpClient) -> SourceResult:
    endpoint = f"{api_base(source, DEFAULT_API)}/projects/{_encoded(source.id)}"
    project = expect_object(http.get(endpoint, auth=_auth(source)).json(), "a project", endpoint)
    if "id" not in project and "path_with_namespace" not in project:
        raise SourceError(f"{endpoint}: the answer is not a project (no id or path)")
    result = SourceResult(endpoint=endpoint)
    put(result.metrics, "members", count(project, "star_count", endpoint))
    put(result.extra, "forks", count(project, "forks_count", endpoint))
    put(result.extra, "open_issues", count(project, "open_issues_count", endpoint))
    result.created_at = when(project.get("created_at"), "created_at", endpoint)
    if not result.metrics:
        raise SourceError(f"{endpoint}: no 'star_count' in the answer")
    return result


def _project_total(
    source: SourceConfig, http: HttpClient, group_id: object, result: SourceResult
) -> None:
    url = f"{api_base(source, DEFAULT_API)}/groups/{_encoded(str(group_id))}/projects"
    response = http.get(
        url, params={"per_page": "1", "include_subgroups": "true"}, auth=_auth(source)
    )
    total = response.headers.get("X-Total")
    if total is None:
        # GitLab omits X-Total above 10,000 results: unknown, not zero
        return
    put(result.extra, "projects", count({"X-Total": total.strip()}, "X-Total", url))


def fetch_group(source: SourceConfig, http: HttpClient) -> SourceResult:
    endpoint = f"{api_base(source, DEFAULT_API)}/groups/{_encoded(source.id)}"
    group = expect_object(
        http.get(endpoint, params={"with_projects": "false"}, auth=_auth(source)).json(),
        "a group",
        endpoint,
    )
    if "id" not in group:
        raise SourceError(f"{endpoint}: the answer is not a group (no id)")
    result = SourceResult(endpoint=f"{endpoint}?with_projects=false")
    result.created_at = when(group.get("created_at"), "created_at", endpoint)
    further(result, "projects", lambda: _project_total(source, http, group["id"], result))
    return result


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    return fetch_group(source, http) if source.key == "group" else fetch_project(source, http)
