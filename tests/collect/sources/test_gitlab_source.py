import pytest
from source_helpers import body

from community_metrics.collect.http import FetchError
from community_metrics.collect.sources import gitlab
from community_metrics.collect.sources.base import SourceError


def test_project_path_is_one_encoded_segment_and_counts_are_mapped(httpserver, http, make_source):
    # werkzeug decodes %2F before matching: the raw request line is checked below
    httpserver.expect_request("/projects/inkscape/inkscape").respond_with_json(
        body("gitlab/project.json")
    )
    result = gitlab.fetch(make_source("gitlab", "project", "inkscape/inkscape"), http)
    assert result.metrics == {"members": 3456}
    assert result.extra == {"forks": 1234, "open_issues": 1789}
    assert result.created_at == "2017-06-09T14:16:35Z"
    assert result.endpoint.endswith("/projects/inkscape%2Finkscape")
    request, _ = httpserver.log[0]
    assert request.environ["REQUEST_URI"] == "/projects/inkscape%2Finkscape"
    assert result.failures == []


def test_project_with_issues_disabled_has_no_open_issues(httpserver, http, make_source):
    httpserver.expect_request("/projects/gitlab-org/gitlab-foss").respond_with_json(
        body("gitlab/project_issues_disabled.json")
    )
    result = gitlab.fetch(make_source("gitlab", "project", "gitlab-org/gitlab-foss"), http)
    assert "open_issues" not in result.extra  # absent, not 0
    assert result.extra == {"forks": 5678}
    assert result.created_at == "2013-09-26T06:02:36Z"


def test_token_is_sent_as_private_token(httpserver, http, make_source, monkeypatch):
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-canary-123")
    httpserver.expect_request(
        "/projects/inkscape/inkscape", headers={"PRIVATE-TOKEN": "glpat-canary-123"}
    ).respond_with_json(body("gitlab/project.json"))
    result = gitlab.fetch(make_source("gitlab", "project", "inkscape/inkscape"), http)
    assert result.metrics == {"members": 3456}


def test_group_creation_date_and_project_count_from_x_total(httpserver, http, make_source):
    httpserver.expect_request(
        "/groups/gitlab-org", query_string={"with_projects": "false"}
    ).respond_with_json(body("gitlab/group.json"))
    httpserver.expect_request(
        "/groups/9970/projects", query_string={"per_page": "1", "include_subgroups": "true"}
    ).respond_with_json(
        body("gitlab/group_projects.json"), headers={"X-Total": "2345", "X-Total-Pages": "2345"}
    )
    result = gitlab.fetch(make_source("gitlab", "group", "gitlab-org"), http)
    assert result.metrics == {}  # a group has no member or star count
    assert result.extra == {"projects": 2345}
    assert result.created_at == "2014-02-10T12:39:06Z"
    assert result.endpoint.endswith("/groups/gitlab-org?with_projects=false")
    assert result.failures == []


def test_group_above_10000_projects_leaves_the_count_absent(httpserver, http, make_source):
    httpserver.expect_request("/groups/gitlab-org").respond_with_json(body("gitlab/group.json"))
    httpserver.expect_request("/groups/9970/projects").respond_with_json(
        body("gitlab/group_projects.json")  # no X-Total: GitLab omits it above 10,000
    )
    result = gitlab.fetch(make_source("gitlab", "group", "gitlab-org"), http)
    assert "projects" not in result.extra
    assert result.failures == []


def test_failed_project_count_leaves_the_group_partial(httpserver, http, make_source):
    httpserver.expect_request("/groups/gitlab-org").respond_with_json(body("gitlab/group.json"))
    httpserver.expect_request("/groups/9970/projects").respond_with_data("", status=502)
    result = gitlab.fetch(make_source("gitlab", "group", "gitlab-org"), http)
    assert result.created_at == "2014-02-10T12:39:06Z"
    assert len(result.failures) == 1 and result.failures[0].startswith("projects:")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"star_count": "1,234"}, "not a plain number"),
        ({"forks_count": -1}, "negative count"),
        ({"created_at": "2100-01-01T00:00:00Z"}, "a date in the future"),
    ],
)
def test_bad_values_fail_the_source(httpserver, http, make_source, change, reason):
    httpserver.expect_request("/projects/inkscape/inkscape").respond_with_json(
        body("gitlab/project.json") | change
    )
    with pytest.raises(SourceError, match=reason):
        gitlab.fetch(make_source("gitlab", "project", "inkscape/inkscape"), http)


def test_a_404_names_the_url(httpserver, http, make_source):
    httpserver.expect_request("/projects/nobody/nothing").respond_with_json(
        {"message": "404 Project Not Found"}, status=404
    )
    with pytest.raises(FetchError) as caught:
        gitlab.fetch(make_source("gitlab", "project", "nobody/nothing"), http)
    assert caught.value.kind == "not_found"
    assert "/projects/nobody%2Fnothing" in caught.value.message


def test_an_answer_of_another_shape_is_refused(httpserver, http, make_source):
    httpserver.expect_request("/projects/inkscape/inkscape").respond_with_json([])
    with pytest.raises(SourceError, match="expected a project"):
        gitlab.fetch(make_source("gitlab", "project", "inkscape/inkscape"), http)
