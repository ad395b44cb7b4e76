"""--record / --replay: VCR.py cassettes written and answered by the HTTP layer, across threads."""

from __future__ import annotations

import io
import json

import requests
import vcr
import yaml
from collect_helpers import DISCOURSE_ABOUT, GITHUB_REPO, day, discourse, github, registry
from pytest_httpserver import HTTPServer

from community_metrics.collect.command import run_snapshot
from community_metrics.collect.http import HttpClient

TODAY = "2026-11-21"
CANARY = "canary-0ddba11-replay"


def snapshot(tmp_path, config, data, **options) -> tuple[int, str]:
    out = io.StringIO()
    status = run_snapshot(
        config=config, data=data, date=TODAY, out=out, err=io.StringIO(),
        http_options={"backoff": 0.01}, **options,
    )  # fmt: skip
    return status, out.getvalue()


def metrics_by_source(data) -> dict[str, tuple[str, dict]]:
    return {
        o["source"]: (o["status"], o["metrics"], o["created_at"])
        for o in day(data, TODAY)["observations"]
    }


def serve_two_sources(server: HTTPServer) -> None:
    server.expect_request("/forum/about.json").respond_with_json(DISCOURSE_ABOUT)
    server.expect_request("/api/repos/python/cpython").respond_with_json(GITHUB_REPO)
    contributors = server.url_for("/api/repos/python/cpython/contributors")
    server.expect_request("/api/repos/python/cpython/contributors").respond_with_json(
        [{"login": "a"}],
        headers={"Link": f'<{contributors}?per_page=1&anon=1&page=2>; rel="next", '
                         f'<{contributors}?per_page=1&anon=1&page=2913>; rel="last"'},
    )  # fmt: skip
    server.expect_request("/api/search/issues").respond_with_json(
        {"total_count": 41, "incomplete_results": False, "items": []}
    )


def test_record_then_replay_gives_the_same_snapshot(
    tmp_path, server: HTTPServer, monkeypatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", CANARY)
    serve_two_sources(server)
    config = registry(
        tmp_path / "c.yml",
        [
            ("forum", discourse(server.url_for("/forum"))),
            ("cpython", github(server.url_for("/api"))),
        ],
    )
    cassette = tmp_path / "cassettes" / "run.yaml"
    status, _ = snapshot(tmp_path, config, tmp_path / "live", record=cassette)
    assert status == 0
    recorded = metrics_by_source(tmp_path / "live")
    assert recorded["github:python/cpython"][1]["contributors"] == 2913

    text = cassette.read_text()
    assert CANARY not in text
    document = yaml.safe_load(text)
    assert document["version"] == 1 and len(document["interactions"]) == 4
    for interaction in document["interactions"]:
        assert "Authorization" not in interaction["request"]["headers"]

    server.clear()  # nothing answers live any more: only the cassette can
    status, _ = snapshot(tmp_path, config, tmp_path / "replayed", replay=cassette)
    assert status == 0
    assert metrics_by_source(tmp_path / "replayed") == recorded


def test_missing_request_fails_only_that_source(tmp_path, server: HTTPServer) -> None:
    serve_two_sources(server)
    forum_only = registry(tmp_path / "one.yml", [("forum", discourse(server.url_for("/forum")))])
    cassette = tmp_path / "forum.yaml"
    assert snapshot(tmp_path, forum_only, tmp_path / "live", record=cassette)[0] == 0
    both = registry(
        tmp_path / "both.yml",
        [
            ("forum", discourse(server.url_for("/forum"))),
            ("cpython", github(server.url_for("/api"))),
        ],
    )
    server.clear()
    status, table = snapshot(tmp_path, both, tmp_path / "replayed", replay=cassette)
    assert status == 0
    observed = metrics_by_source(tmp_path / "replayed")
    assert observed["discourse:forum.example.org"][0] == "ok"
    repo = next(
        o for o in day(tmp_path / "replayed", TODAY)["observations"] if o["platform"] == "github"
    )
    assert repo["status"] == "error"
    assert "is not in the cassette" in repo["error"] and str(cassette) in repo["error"]
    assert "record it again with --record" in table


def test_query_order_does_not_matter_on_replay(tmp_path, server: HTTPServer) -> None:
    server.expect_request("/q").respond_with_json({"n": 1})
    cassette = tmp_path / "q.yaml"
    with HttpClient(record=cassette) as http:
        http.get(server.url_for("/q"), params={"a": "1", "b": "2"})
    server.clear()
    with HttpClient(replay=cassette) as http:
        assert http.get(server.url_for("/q") + "?b=2&a=1").json() == {"n": 1}


def test_many_threads_record_and_replay_their_own_answers(tmp_path, server: HTTPServer) -> None:
    count = 40
    entries = []
    for index in range(count):
        about = json.loads(json.dumps(DISCOURSE_ABOUT))
        about["about"]["stats"]["users_count"] = 1000 + index
        server.expect_request(f"/f{index}/about.json").respond_with_json(about)
        entries.append(
            (f"forum-{index}", discourse(server.url_for(f"/f{index}"), f"f{index}.example.org"))
        )
    config = registry(tmp_path / "many.yml", entries)
    cassette = tmp_path / "many.yaml"
    assert snapshot(tmp_path, config, tmp_path / "live", record=cassette)[0] == 0
    server.clear()
    assert snapshot(tmp_path, config, tmp_path / "replayed", replay=cassette)[0] == 0
    members = {
        o["community"]: o["metrics"]["members"]
        for o in day(tmp_path / "replayed", TODAY)["observations"]
    }
    assert members == {f"forum-{i}": 1000 + i for i in range(count)}


def test_cassette_is_vcrpy_format(tmp_path, server: HTTPServer) -> None:
    server.expect_request("/v").respond_with_json({"vcr": True})
    cassette = tmp_path / "v.yaml"
    with HttpClient(record=cassette) as http:
        http.get(server.url_for("/v"))
    server.clear()
    with vcr.use_cassette(str(cassette), record_mode="none"):
        assert requests.get(server.url_for("/v"), timeout=5).json() == {"vcr": True}


def test_unreadable_cassette_is_a_usage_error(tmp_path, server: HTTPServer) -> None:
    config = registry(tmp_path / "c.yml", [("forum", discourse(server.url_for("/forum")))])
    err = io.StringIO()
    status = run_snapshot(
        config=config, data=tmp_path / "d", date=TODAY, replay=tmp_path / "missing.yaml",
        out=io.StringIO(), err=err,
    )  # fmt: skip
    assert status == 2 and "missing.yaml does not exist" in err.getvalue()
    assert not (tmp_path / "d" / "snapshots").exists()


def test_answers_play_in_order_then_the_last_repeats(tmp_path, server: HTTPServer) -> None:
    from werkzeug import Response

    answers = iter([Response("busy", 429, headers={"Retry-After": "1"}), Response('{"n": 2}')])
    server.expect_request("/r").respond_with_handler(lambda request: next(answers))
    cassette = tmp_path / "r.yaml"
    with HttpClient(record=cassette, sleep=lambda s: None) as http:
        assert http.get(server.url_for("/r")).json() == {"n": 2}
    server.clear()
    with HttpClient(replay=cassette) as http:  # the recorded 429 is replayed, then its retry
        assert http.get(server.url_for("/r")).json() == {"n": 2}
        assert http.get(server.url_for("/r")).json() == {"n": 2}
