"""The fault table of issue 6 for every second-wave source, through a real server on 127.0.0.1:
5xx, 429 with Retry-After, 401/403, 404, HTML instead of JSON or XML, a timeout, a body of
another shape. Each ends in a FetchError or SourceError whose message a maintainer can act on,
never a traceback, and never with a token in it."""

from __future__ import annotations

import time

import pytest
from werkzeug import Response

from community_metrics.collect.http import FetchError, HttpClient
from community_metrics.collect.sources import FETCHERS
from community_metrics.collect.sources.base import SourceError

SECRET = "111222:fault-table-secret"
#: platform, key, identifier, options, path served, secret variable (None: no token needed)
SOURCES = [
    ("gitlab", "project", "inkscape/inkscape", {}, "/projects/inkscape/inkscape", None),
    ("gitlab", "group", "gitlab-org", {}, "/groups/gitlab-org", None),
    (
        "steam",
        "group",
        "SteamClientBeta",
        {},
        "/groups/SteamClientBeta/memberslistxml/",
        None,
    ),
    ("youtube", "handle", "@GoogleDevelopers", {}, "/channels", "YOUTUBE_API_KEY"),
    ("telegram", "chat", "@telegram", {}, f"/bot{SECRET}/getChatMemberCount", "TELEGRAM_BOT_TOKEN"),
    ("slack", "channel", "C09R23FHP", {}, "/conversations.info", "SLACK_BOT_TOKEN"),
    (
        "zulip",
        "realm",
        "chat.zulip.org",
        {"bot_email": "pulse-bot@chat.zulip.org"},
        "/api/v1/users",
        "ZULIP_API_KEY",
    ),
]
IDS = [f"{s[0]}-{s[1]}" for s in SOURCES]


@pytest.fixture
def client(pauses):
    client = HttpClient(
        retries=1, backoff=0.0, sleep=pauses.append, timeout=(1.0, 0.3), max_wait=30.0
    )
    yield client
    client.close()


def run(make_source, client, monkeypatch, platform, key, ident, options, env):
    if env:
        monkeypatch.setenv(env, SECRET)
    with pytest.raises((FetchError, SourceError)) as caught:
        FETCHERS[platform](make_source(platform, key, ident, **options), client)
    message = str(caught.value)
    assert SECRET not in message
    assert "Traceback" not in message
    return caught.value


@pytest.mark.parametrize(("platform", "key", "ident", "options", "path", "env"), SOURCES, ids=IDS)
def test_server_error_after_retries(
    httpserver, make_source, client, monkeypatch, platform, key, ident, options, path, env
):
    httpserver.expect_request(path).respond_with_data("<h1>502 Bad Gateway</h1>", status=502)
    error = run(make_source, client, monkeypatch, platform, key, ident, options, env)
    assert isinstance(error, FetchError) and error.kind == "http"
    assert "502" in error.message and "after 2 attempts" in error.message
    assert len(httpserver.log) == 2  # retried once


@pytest.mark.parametrize(("platform", "key", "ident", "options", "path", "env"), SOURCES, ids=IDS)
def test_429_with_a_long_retry_after_is_rate_limited(
    httpserver, make_source, client, monkeypatch, platform, key, ident, options, path, env
):
    httpserver.expect_request(path).respond_with_data(
        "slow down", status=429, headers={"Retry-After": "3600"}
    )
    error = run(make_source, client, monkeypatch, platform, key, ident, options, env)
    assert isinstance(error, FetchError) and error.kind == "rate_limited"
    assert error.retry_at is not None


@pytest.mark.parametrize(("platform", "key", "ident", "options", "path", "env"), SOURCES, ids=IDS)
def test_404_names_the_url(
    httpserver, make_source, client, monkeypatch, platform, key, ident, options, path, env
):
    httpserver.expect_request(path).respond_with_json({"message": "404 Not Found"}, status=404)
    error = run(make_source, client, monkeypatch, platform, key, ident, options, env)
    assert isinstance(error, FetchError) and error.kind == "not_found"
    assert "answered 404" in error.message
    assert f":{httpserver.port}/" in error.message  # the URL that was asked


@pytest.mark.parametrize(("platform", "key", "ident", "options", "path", "env"), SOURCES, ids=IDS)
def test_401_and_403_are_authentication_failures(
    httpserver, make_source, client, monkeypatch, platform, key, ident, options, path, env
):
    httpserver.expect_request(path).respond_with_json({"message": "Unauthorized"}, status=401)
    error = run(make_source, client, monkeypatch, platform, key, ident, options, env)
    assert isinstance(error, FetchError) and error.kind == "auth"
    if env:
        assert f"${env}" in error.message  # names the variable to check


@pytest.mark.parametrize(("platform", "key", "ident", "options", "path", "env"), SOURCES, ids=IDS)
def test_html_page_instead_of_the_answer(
    httpserver, make_source, client, monkeypatch, platform, key, ident, options, path, env
):
    page = "<!DOCTYPE html><html><body>Just a moment...</body></html>"
    httpserver.expect_request(path).respond_with_data(page, content_type="text/html")
    error = run(make_source, client, monkeypatch, platform, key, ident, options, env)
    assert "HTML page" in str(error)


@pytest.mark.parametrize(("platform", "key", "ident", "options", "path", "env"), SOURCES, ids=IDS)
def test_a_body_of_another_shape(
    httpserver, make_source, client, monkeypatch, platform, key, ident, options, path, env
):
    if platform == "steam":
        httpserver.expect_request(path).respond_with_data(
            "<?xml version='1.0'?><profile><steamID64>1</steamID64></profile>",
            content_type="text/xml",
        )
    else:
        httpserver.expect_request(path).respond_with_json(["not", "an", "object"])
    error = run(make_source, client, monkeypatch, platform, key, ident, options, env)
    assert isinstance(error, SourceError)


@pytest.mark.parametrize(("platform", "key", "ident", "options", "path", "env"), SOURCES, ids=IDS)
def test_a_server_that_does_not_answer_in_time(
    httpserver, make_source, client, monkeypatch, platform, key, ident, options, path, env
):
    def slow(request):
        time.sleep(1.0)  # longer than the 0.3 s read timeout of the client
        return Response("{}", content_type="application/json")

    httpserver.expect_request(path).respond_with_handler(slow)
    error = run(make_source, client, monkeypatch, platform, key, ident, options, env)
    assert isinstance(error, FetchError) and error.kind == "timeout"
