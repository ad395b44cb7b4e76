"""Issue 6, row by row: a real server on 127.0.0.1 misbehaves; a real source module and the real
snapshot command face it. Each test asserts the source's status and error text, the run's exit
status, and that every earlier snapshot is byte-identical afterwards."""

from __future__ import annotations

import io
import itertools
import json
import time
from pathlib import Path

import pytest
from collect_helpers import (
    DISCOURSE_ABOUT,
    GITHUB_REPO,
    discourse,
    fingerprint,
    github,
    only_observation,
    registry,
    resetting_server,
    seed_previous,
)
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from community_metrics.collect.command import run_snapshot

TODAY = "2026-11-21"
YESTERDAY = "2026-11-20"
FORUM = ("forum", "discourse:forum.example.org", "discourse")
REPO = ("cpython", "github:python/cpython", "github")


class Run:
    """One snapshot run against a prepared data folder, remembering the earlier files."""

    def __init__(self, tmp_path: Path, sleeps, entry: tuple[str, dict], *, previous: bool):
        self.data = tmp_path / "data"
        self.config = registry(tmp_path / "communities.yml", [entry])
        self.sleeps = sleeps
        slug = entry[0]
        community, source, platform = FORUM if slug == "forum" else REPO
        seed_previous(self.data, "2026-11-01", "other", "discourse:other.example.org", "discourse")
        if previous:
            seed_previous(self.data, YESTERDAY, community, source, platform)
        self.before = fingerprint(self.data)
        self.out = io.StringIO()
        self.err = io.StringIO()

    def __call__(self, **options) -> tuple[int, dict]:
        status = run_snapshot(
            config=self.config,
            data=self.data,
            date=TODAY,
            out=self.out,
            err=self.err,
            http_options={"timeout": (1.0, 0.3), "backoff": 0.01, "sleep": self.sleeps, **options},
        )
        after = fingerprint(self.data)
        for path, content in self.before.items():
            assert after[path] == content, f"{path} changed"
        return status, only_observation(self.data, TODAY)


def answers(*responses: Response):
    counter = itertools.count()

    def handler(request: Request) -> Response:
        return responses[min(next(counter), len(responses) - 1)]

    return handler


def forum_run(tmp_path, server, sleeps, *, previous=True) -> Run:
    return Run(tmp_path, sleeps, ("forum", discourse(server.url_for("/forum"))), previous=previous)


def assert_failed(observation: dict, previous: bool, *needles: str) -> None:
    if previous:
        assert observation["status"] == "stale"
        assert observation["metrics"] == {"members": 1000, "posts": 5000}
        assert observation["observed_at"] == f"{YESTERDAY}T03:00:00Z"
    else:
        assert observation["status"] == "error"
        assert observation["metrics"] == {}
    for needle in needles:
        assert needle in observation["error"], observation["error"]


def test_500_then_200_is_retried_and_ok(tmp_path, server: HTTPServer, sleeps) -> None:
    server.expect_request("/forum/about.json").respond_with_handler(
        answers(Response("oops", 500), Response(json.dumps(DISCOURSE_ABOUT)))
    )
    status, observation = forum_run(tmp_path, server, sleeps)()
    assert status == 0
    assert observation["status"] == "ok" and observation["error"] is None
    assert observation["metrics"]["members"] == 41234
    assert len(sleeps.calls) == 1


@pytest.mark.parametrize("previous", [True, False])
def test_502_html_page(tmp_path, server: HTTPServer, sleeps, previous) -> None:
    page = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
    server.expect_request("/forum/about.json").respond_with_data(
        page, 502, content_type="text/html"
    )
    run = forum_run(tmp_path, server, sleeps, previous=previous)
    status, observation = run()
    assert status == 1
    assert_failed(observation, previous, "502", "HTML page")
    assert "every source failed" in run.out.getvalue()


def test_429_short_retry_after_waits_then_ok(tmp_path, server: HTTPServer, sleeps) -> None:
    server.expect_request("/forum/about.json").respond_with_handler(
        answers(
            Response("slow down", 429, headers={"Retry-After": "2"}),
            Response(json.dumps(DISCOURSE_ABOUT)),
        )
    )
    status, observation = forum_run(tmp_path, server, sleeps)()
    assert status == 0 and observation["status"] == "ok"
    assert len(sleeps.calls) == 1 and 1.5 <= sleeps.calls[0] <= 2.0


def test_429_long_retry_after_goes_stale_with_reset_time(
    tmp_path, server: HTTPServer, sleeps
) -> None:
    server.expect_request("/forum/about.json").respond_with_data(
        "", 429, headers={"Retry-After": "86400"}
    )
    started = time.time()
    status, observation = forum_run(tmp_path, server, sleeps)()
    assert status == 1 and not sleeps.calls
    reset = time.strftime("%Y-%m-%d %H:", time.gmtime(started + 86400))
    assert_failed(observation, True, "rate limited", "until " + reset)


def test_403_remaining_zero_goes_stale_with_reset_time(
    tmp_path, server: HTTPServer, sleeps
) -> None:
    reset = int(time.time()) + 7200
    server.expect_request("/api/repos/python/cpython").respond_with_data(
        '{"message": "API rate limit exceeded"}',
        403,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
    )
    run = Run(tmp_path, sleeps, ("cpython", github(server.url_for("/api"))), previous=True)
    status, observation = run()
    assert status == 1 and not sleeps.calls
    expected = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(reset))
    assert_failed(observation, True, "rate limited", f"until {expected} UTC")


def test_401_names_the_token_variable_never_its_value(
    tmp_path, server: HTTPServer, sleeps, monkeypatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "canary-f00dfeed-401")
    server.expect_request("/api/repos/python/cpython").respond_with_data(
        '{"message": "Bad credentials"}', 401
    )
    run = Run(tmp_path, sleeps, ("cpython", github(server.url_for("/api"))), previous=False)
    status, observation = run()
    assert status == 1
    assert_failed(observation, False, "$GITHUB_TOKEN", "401")
    everything = json.dumps(observation) + run.out.getvalue() + run.err.getvalue()
    assert "canary-f00dfeed-401" not in everything


def test_404_names_the_url(tmp_path, server: HTTPServer, sleeps) -> None:
    server.expect_request("/forum/about.json").respond_with_data("not here", 404)
    status, observation = forum_run(tmp_path, server, sleeps, previous=False)()
    assert status == 1
    assert_failed(observation, False, server.url_for("/forum/about.json"), "renamed or deleted")


def test_read_timeout_retries_then_stale_without_hanging(
    tmp_path, server: HTTPServer, sleeps
) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response(json.dumps(DISCOURSE_ABOUT))

    server.expect_request("/forum/about.json").respond_with_handler(slow)
    started = time.monotonic()
    status, observation = forum_run(tmp_path, server, sleeps)()
    assert time.monotonic() - started < 5
    assert status == 1
    assert_failed(observation, True, "did not answer within 0.3 s", "after 3 attempts")


def test_connection_reset_retries_then_stale(tmp_path, sleeps) -> None:
    with resetting_server() as base:
        run = Run(tmp_path, sleeps, ("forum", discourse(base)), previous=True)
        status, observation = run()
    assert status == 1
    assert_failed(observation, True, "after 3 attempts")
    assert len(sleeps.calls) == 2


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"about": {"stats": {"users_count": 41', "invalid JSON"),
        ("[1, 2, 3]", "expected the about document as a JSON object, got list"),
        ('{"about": {"stats": {"users_count": "1,234"}}}', "'1,234', not a plain number"),
        ('{"about": {"stats": {"users_count": -5}}}', "a negative count"),
        ('{"about": {"title": "no stats here"}}', "hidden statistics"),
    ],
    ids=["truncated", "other-shape", "comma-number", "negative", "no-stats"],
)
def test_bad_bodies_fail_the_source_with_the_reason(
    tmp_path, server: HTTPServer, sleeps, body, reason
) -> None:
    server.expect_request("/forum/about.json").respond_with_data(
        body, content_type="application/json"
    )
    status, observation = forum_run(tmp_path, server, sleeps)()
    assert status == 1
    assert_failed(observation, True, reason)


def test_redirect_to_another_host_is_reported(tmp_path, server: HTTPServer, sleeps) -> None:
    target = f"http://127.0.0.2:{server.port}/forum/about.json"
    server.expect_request("/forum/about.json").respond_with_data(
        "", 301, headers={"Location": target}
    )
    status, observation = forum_run(tmp_path, server, sleeps)()
    assert status == 1
    assert_failed(observation, True, "redirects to another host", target)


def test_redirect_within_the_host_is_followed(tmp_path, server: HTTPServer, sleeps) -> None:
    server.expect_request("/forum/about.json").respond_with_data(
        "", 302, headers={"Location": "/moved/about.json"}
    )
    server.expect_request("/moved/about.json").respond_with_json(DISCOURSE_ABOUT)
    status, observation = forum_run(tmp_path, server, sleeps)()
    assert status == 0 and observation["status"] == "ok"


def test_50_mb_body_is_bounded(tmp_path, server: HTTPServer, sleeps) -> None:
    def huge(request: Request) -> Response:
        return Response((b" " * 65536 for _ in range(800)), content_type="application/json")

    server.expect_request("/forum/about.json").respond_with_handler(huge)
    status, observation = forum_run(tmp_path, server, sleeps)()
    assert status == 1
    assert_failed(observation, True, "the limit is 10485760 bytes")


def test_failed_further_request_makes_the_source_partial(
    tmp_path, server: HTTPServer, sleeps
) -> None:
    server.expect_request("/api/repos/python/cpython").respond_with_json(GITHUB_REPO)
    server.expect_request("/api/repos/python/cpython/contributors").respond_with_data(
        "<html>oops</html>", 502, content_type="text/html"
    )
    run = Run(tmp_path, sleeps, ("cpython", github(server.url_for("/api"))), previous=True)
    status, observation = run()
    assert status == 0
    assert observation["status"] == "partial"
    assert observation["metrics"] == {"members": 60000}
    assert "contributors" in observation["error"] and "HTML page" in observation["error"]


def test_one_failure_does_not_fail_the_run(tmp_path, server: HTTPServer, sleeps) -> None:
    server.expect_request("/good/about.json").respond_with_json(DISCOURSE_ABOUT)
    server.expect_request("/bad/about.json").respond_with_data("gone", 404)
    data = tmp_path / "data"
    config = registry(
        tmp_path / "c.yml",
        [
            ("good", discourse(server.url_for("/good"), "good.example.org")),
            ("bad", discourse(server.url_for("/bad"), "bad.example.org")),
        ],
    )
    out = io.StringIO()
    status = run_snapshot(
        config=config, data=data, date=TODAY, out=out, err=io.StringIO(),
        http_options={"backoff": 0.01, "sleep": sleeps},
    )  # fmt: skip
    assert status == 0
    table = out.getvalue()
    assert "good / discourse:good.example.org  ok" in table
    assert "bad / discourse:bad.example.org" in table and "404" in table


def test_bug_in_a_source_module_is_caught(tmp_path, server, sleeps, monkeypatch) -> None:
    from community_metrics.collect.sources import FETCHERS

    def broken(source, http):
        raise ZeroDivisionError("oops")

    monkeypatch.setitem(FETCHERS, "discourse", broken)
    status, observation = forum_run(tmp_path, server, sleeps)()
    assert status == 1
    assert_failed(observation, True, "unexpected ZeroDivisionError in the discourse module")


@pytest.mark.parametrize(
    "declared", [{"Content-Length": "100000"}, {}], ids=["declared-length", "never-ends"]
)
def test_a_body_dripping_bytes_goes_stale_at_the_deadline(
    tmp_path, server: HTTPServer, sleeps, declared
) -> None:
    def drip(request: Request) -> Response:
        def chunks():
            ends = time.monotonic() + 5
            while time.monotonic() < ends:
                time.sleep(0.05)
                yield b" "

        return Response(chunks(), headers=declared)

    server.expect_request("/forum/about.json").respond_with_handler(drip)
    status, observation = forum_run(tmp_path, server, sleeps)(retries=0, total_timeout=0.4)
    assert status == 1
    assert_failed(observation, True, "still sending after 0.4 s")


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "9" * 400},
        {"Retry-After": "1e308"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "inf"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1e308"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "nan"},
    ],
    ids=["400-digits", "retry-1e308", "reset-inf", "reset-1e308", "reset-nan"],
)
def test_absurd_rate_limit_headers_go_stale_with_a_plain_message(
    tmp_path, server: HTTPServer, sleeps, headers
) -> None:
    server.expect_request("/forum/about.json").respond_with_data("", 429, headers=headers)
    status, observation = forum_run(tmp_path, server, sleeps)()
    assert status == 1
    assert_failed(observation, True, "rate limited (429) until ")
    assert "Traceback" not in observation["error"] and "Overflow" not in observation["error"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[" * 100_000 + "]" * 100_000, "JSON nested too deeply to read"),
        ('{"about": {"stats": {"users_count": ' + "9" * 5000 + "}}}", "a number longer than"),
    ],
    ids=["deep-json", "5000-digit-int"],
)
def test_json_python_cannot_hold_fails_only_the_source(
    tmp_path, server: HTTPServer, sleeps, body, reason
) -> None:
    server.expect_request("/forum/about.json").respond_with_data(
        body, content_type="application/json"
    )
    status, observation = forum_run(tmp_path, server, sleeps)()
    assert status == 1
    assert_failed(observation, True, reason)
