"""What real servers answer to a GitHub-hosted runner, and what each source then says.

Bodies are shaped like the platforms' answers: Reddit's token exchange (OAuth2 wiki,
application-only) and its network-policy block page, Stack Exchange's throttle_violation error
wrapper, Matrix's M_MISSING_TOKEN, Cloudflare's "Just a moment..." and Anubis's challenge pages.
"""

from __future__ import annotations

import base64
import json
import threading

import pytest
from source_helpers import FIXTURES, body
from werkzeug import Response

from community_metrics.collect.http import FetchError, HttpClient
from community_metrics.collect.run import collect
from community_metrics.collect.sources import agent, discourse, lemmy, matrix, reddit, stackexchange
from community_metrics.collect.sources.base import SourceError
from community_metrics.collect.sources.blocking import describe_block

CLIENT_ID = "p-jcoLKBynTLew"
CLIENT_SECRET = "gko_LXELoV07ZBNUXrvWZfzE3aI"  # noqa: S105 -- a test value


def page(name: str) -> str:
    return (FIXTURES / "blocks" / name).read_text(encoding="utf-8")


@pytest.fixture
def reddit_app(monkeypatch):
    monkeypatch.setenv("REDDIT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", CLIENT_SECRET)


@pytest.fixture
def no_reddit_app(monkeypatch):
    monkeypatch.delenv("REDDIT_CLIENT_ID", raising=False)
    monkeypatch.delenv("REDDIT_CLIENT_SECRET", raising=False)


# --- Reddit ------------------------------------------------------------------------------------


def test_reddit_oauth_exchanges_once_and_reads_the_oauth_api(
    httpserver, http, make_source, reddit_app
):
    token = body("reddit/access_token.json")["access_token"]
    exchanges = []

    def token_endpoint(request):
        exchanges.append(request)
        return Response(
            json.dumps(body("reddit/access_token.json")), 200, content_type="application/json"
        )

    httpserver.expect_request("/api/v1/access_token", method="POST").respond_with_handler(
        token_endpoint
    )
    seen_auth = []

    def about(request):
        seen_auth.append(request.headers.get("Authorization"))
        return Response(json.dumps(body("reddit/about.json")), 200, content_type="application/json")

    httpserver.expect_request("/r/Python/about", method="GET").respond_with_handler(about)
    httpserver.expect_request("/r/learnpython/about", method="GET").respond_with_handler(about)

    sources = [make_source("reddit", "subreddit", name) for name in ("Python", "learnpython")]
    results = collect(sources, http)
    assert [r.status for r in results.reports] == ["ok", "ok"]
    assert results.observations[0].metrics == {"members": 1412345, "online": 812}
    assert results.observations[0].endpoint.endswith("/r/Python/about")
    # one exchange for every subreddit of the run, with basic auth and the client-credentials grant
    assert len(exchanges) == 1
    sent = exchanges[0]
    pair = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert sent.headers["Authorization"] == f"Basic {pair}"
    assert sent.form["grant_type"] == "client_credentials"
    assert sent.headers["User-Agent"].startswith("python:community-pulse:")
    assert seen_auth == [f"bearer {token}", f"bearer {token}"]
    # the token is registered for redaction: it can never be written
    assert http.redact(f"x {token} y") == "x *** y"


def test_reddit_token_is_shared_across_threads(httpserver, make_source, reddit_app):
    calls = []
    lock = threading.Lock()

    def token_endpoint(request):
        with lock:
            calls.append(1)
        return Response(
            json.dumps(body("reddit/access_token.json")), 200, content_type="application/json"
        )

    httpserver.expect_request("/api/v1/access_token").respond_with_handler(token_endpoint)
    names = [f"sub{i}" for i in range(12)]
    for name in names:
        httpserver.expect_request(f"/r/{name}/about").respond_with_json(body("reddit/about.json"))
    with HttpClient(retries=0, backoff=0.0) as client:
        result = collect([make_source("reddit", "subreddit", n) for n in names], client, workers=8)
    assert result.succeeded == 12
    assert len(calls) == 1


def test_reddit_wrong_credentials_name_the_variables_never_the_values(
    httpserver, http, make_source, reddit_app
):
    httpserver.expect_request("/api/v1/access_token").respond_with_json(
        body("reddit/unauthorized.json"), status=401
    )
    sources = [make_source("reddit", "subreddit", n) for n in ("Python", "rust")]
    result = collect(sources, http)
    assert [r.status for r in result.reports] == ["error", "error"]
    for report in result.reports:
        assert "REDDIT_CLIENT_ID" in report.error and "REDDIT_CLIENT_SECRET" in report.error
        assert CLIENT_SECRET not in report.error and CLIENT_ID not in report.error
    # the failed exchange is not repeated for every subreddit
    assert len([r for r, _ in httpserver.log if r.path == "/api/v1/access_token"]) == 1


def test_reddit_token_answer_without_a_token(httpserver, http, make_source, reddit_app):
    httpserver.expect_request("/api/v1/access_token").respond_with_json(
        {"error": "unsupported_grant_type"}
    )
    with pytest.raises(
        SourceError, match="no access token .unsupported_grant_type.*REDDIT_CLIENT_SECRET"
    ):
        reddit.fetch(make_source("reddit", "subreddit", "Python"), http)


def test_reddit_only_one_of_the_two_secrets(httpserver, http, make_source, monkeypatch):
    monkeypatch.setenv("REDDIT_CLIENT_ID", CLIENT_ID)
    monkeypatch.delenv("REDDIT_CLIENT_SECRET", raising=False)
    with pytest.raises(
        SourceError, match=r"\$REDDIT_CLIENT_ID is set but \$REDDIT_CLIENT_SECRET is not"
    ):
        reddit.fetch(make_source("reddit", "subreddit", "Python"), http)


def test_reddit_anonymous_without_credentials(httpserver, http, make_source, no_reddit_app):
    httpserver.expect_request("/r/Python/about.json").respond_with_json(body("reddit/about.json"))
    result = reddit.fetch(make_source("reddit", "subreddit", "Python"), http)
    assert result.metrics["members"] == 1412345
    assert result.endpoint.endswith("/r/Python/about.json")


def test_reddit_block_page_says_blocked_and_names_both_secrets(
    httpserver, http, make_source, no_reddit_app
):
    httpserver.expect_request("/r/Python/about.json").respond_with_data(
        page("reddit_blocked.html"), status=403, content_type="text/html; charset=utf-8"
    )
    with pytest.raises(FetchError) as caught:
        reddit.fetch(make_source("reddit", "subreddit", "Python"), http)
    message = caught.value.message
    assert caught.value.kind == "blocked"
    assert 'answered 403 with Reddit\'s network-policy block page ("Blocked")' in message
    assert "REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET" in message
    assert "https://www.reddit.com/prefs/apps" in message


def test_reddit_json_403_without_reason_is_the_block_but_private_is_not(
    httpserver, http, make_source, no_reddit_app
):
    httpserver.expect_request("/r/Python/about.json").respond_with_json(
        {"message": "Forbidden", "error": 403}, status=403
    )
    with pytest.raises(FetchError, match="blocks anonymous requests from cloud IP ranges"):
        reddit.fetch(make_source("reddit", "subreddit", "Python"), http)
    httpserver.expect_request("/r/secret/about.json").respond_with_json(
        body("reddit/private.json"), status=403
    )
    with pytest.raises(FetchError) as caught:
        reddit.fetch(make_source("reddit", "subreddit", "secret"), http)
    assert "private" in caught.value.message
    assert "REDDIT_CLIENT_ID" not in caught.value.message


# --- Stack Exchange ------------------------------------------------------------------------------


def test_stackexchange_key_from_stackexchange_key_by_default(
    httpserver, http, make_source, monkeypatch
):
    monkeypatch.setenv("STACKEXCHANGE_KEY", "U4DMV*8nvpm3EOpvf69Rxw((")
    httpserver.expect_request(
        "/2.3/info", query_string={"site": "unix", "key": "U4DMV*8nvpm3EOpvf69Rxw(("}
    ).respond_with_json(body("stackexchange/info.json"))
    result = stackexchange.fetch(make_source("stackexchange", "site", "unix"), http)
    assert result.metrics["members"] == 29012345


def test_stackexchange_throttle_violation_says_so_with_the_numbers(
    httpserver, http, make_source, monkeypatch
):
    monkeypatch.delenv("STACKEXCHANGE_KEY", raising=False)
    httpserver.expect_request("/2.3/info").respond_with_json(
        body("stackexchange/throttle_violation.json"), status=400
    )
    with pytest.raises(FetchError) as caught:
        stackexchange.fetch(make_source("stackexchange", "site", "unix"), http)
    message = caught.value.message
    assert caught.value.kind == "rate_limited"
    assert "error_id 502 throttle_violation" in message
    assert "more requests in 82216 s" in message
    assert "300 requests a day per IP" in message and "$STACKEXCHANGE_KEY" in message
    assert caught.value.retry_at is not None


def test_stackexchange_spent_quota_names_quota_max(httpserver, http, make_source, monkeypatch):
    monkeypatch.delenv("STACKEXCHANGE_KEY", raising=False)
    httpserver.expect_request("/2.3/info").respond_with_json(
        body("stackexchange/info.json") | {"quota_remaining": 0}
    )
    stackexchange.fetch(make_source("stackexchange", "site", "unix"), http)
    with pytest.raises(FetchError) as caught:
        stackexchange.fetch(make_source("stackexchange", "site", "unix"), http)
    assert caught.value.kind == "rate_limited"
    assert "quota used up (quota_remaining 0 of quota_max 300)" in caught.value.message
    assert "set $STACKEXCHANGE_KEY" in caught.value.message


def test_stackexchange_wrong_key_names_the_variable_never_the_value(
    httpserver, http, make_source, monkeypatch
):
    monkeypatch.setenv("STACKEXCHANGE_KEY", "wrongkey-123456")
    httpserver.expect_request("/2.3/info").respond_with_json(
        body("stackexchange/bad_key.json"), status=400
    )
    with pytest.raises(FetchError) as caught:
        stackexchange.fetch(make_source("stackexchange", "site", "unix"), http)
    assert caught.value.kind == "auth"
    assert "refused the key in $STACKEXCHANGE_KEY" in caught.value.message
    assert "wrongkey-123456" not in caught.value.message
    assert "wrongkey-123456" not in caught.value.url


# --- Matrix --------------------------------------------------------------------------------------


def test_matrix_missing_token_names_matrix_token(httpserver, http, make_source, monkeypatch):
    monkeypatch.delenv("MATRIX_TOKEN", raising=False)
    httpserver.expect_request("/_matrix/client/v3/publicRooms").respond_with_json(
        {"errcode": "M_MISSING_TOKEN", "error": "Missing access token"}, status=401
    )
    with pytest.raises(SourceError) as caught:
        matrix.fetch(make_source("matrix", "room", "#matrix:matrix.org"), http)
    assert "requires an access token" in str(caught.value)
    assert "401 M_MISSING_TOKEN" in str(caught.value)
    assert "$MATRIX_TOKEN" in str(caught.value)


def test_matrix_token_is_sent_and_a_refused_one_is_named_not_shown(
    httpserver, http, make_source, monkeypatch
):
    monkeypatch.setenv("MATRIX_TOKEN", "syt_bWF0cml4_test_token_123")
    httpserver.expect_request(
        "/_matrix/client/v3/publicRooms",
        headers={"Authorization": "Bearer syt_bWF0cml4_test_token_123"},
    ).respond_with_json(
        {"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token passed."}, status=401
    )
    with pytest.raises(SourceError) as caught:
        matrix.fetch(make_source("matrix", "room", "#matrix:matrix.org"), http)
    text = str(caught.value)
    assert "refused the access token in $MATRIX_TOKEN (401 M_UNKNOWN_TOKEN)" in text
    assert "syt_bWF0cml4_test_token_123" not in text


# --- Discourse / Lemmy behind a bot challenge --------------------------------------------------


def test_discourse_behind_cloudflare_says_what_was_returned(httpserver, http, make_source):
    httpserver.expect_request("/about.json").respond_with_data(
        page("cloudflare_just_a_moment.html"),
        status=403,
        headers={"cf-mitigated": "challenge", "Server": "cloudflare"},
        content_type="text/html; charset=UTF-8",
    )
    with pytest.raises(FetchError) as caught:
        discourse.fetch(make_source("discourse", "host", "forum.example.org"), http)
    message = caught.value.message
    assert caught.value.kind == "blocked"
    assert 'answered 403 with a Cloudflare bot challenge ("Just a moment...")' in message
    assert "the Discourse forum blocked the request" in message


def test_discourse_503_challenge_after_retries(httpserver, make_source):
    httpserver.expect_request("/about.json").respond_with_data(
        page("cloudflare_just_a_moment.html"), status=503, content_type="text/html"
    )
    with (
        HttpClient(retries=1, backoff=0.0, sleep=lambda s: None) as client,
        pytest.raises(FetchError, match="answered 503 with a Cloudflare bot challenge"),
    ):
        discourse.fetch(make_source("discourse", "host", "forum.example.org"), client)


def test_lemmy_behind_anubis_says_what_was_returned(httpserver, http, make_source):
    httpserver.expect_request("/api/v3/community").respond_with_data(
        page("anubis_challenge.html"), status=200, content_type="text/html; charset=utf-8"
    )
    with pytest.raises(FetchError) as caught:
        lemmy.fetch(make_source("lemmy", "community", "technology@lemmy.example"), http)
    message = caught.value.message
    assert 'an Anubis proof-of-work bot challenge ("Making sure you\'re not a bot!")' in message
    assert "the Lemmy instance blocked the request" in message


def test_an_unrecognised_html_page_is_described_by_its_title():
    html = (
        b"<!DOCTYPE html><html><head><title>Access denied | forum.example.org</title></head></html>"
    )
    assert describe_block(403, html) == 'an HTML page ("Access denied | forum.example.org")'


# --- User-Agent ----------------------------------------------------------------------------------


def test_user_agents_follow_each_platforms_rule(monkeypatch):
    monkeypatch.delenv("PULSE_USER_AGENT", raising=False)
    monkeypatch.setenv("COMMUNITY_METRICS_CONTACT", "https://example.org/pulse; pulse@example.org")
    monkeypatch.setenv("REDDIT_USERNAME", "pulse_bot")
    assert agent.user_agent().startswith(
        "CommunityPulse/0.1 (https://example.org/pulse; pulse@example.org) python-requests/"
    )
    assert agent.reddit_user_agent() == "python:community-pulse:0.1 (by /u/pulse_bot)"
    monkeypatch.setenv("PULSE_USER_AGENT", "MyPulse/2 (+https://example.net)")
    assert agent.user_agent() == "MyPulse/2 (+https://example.net)"


def test_contact_defaults_to_the_repository_of_the_job(monkeypatch):
    monkeypatch.delenv("COMMUNITY_METRICS_CONTACT", raising=False)
    monkeypatch.delenv("REDDIT_USERNAME", raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/their-pulse")
    assert agent.contact() == "https://github.com/someone/their-pulse"
    assert agent.reddit_user_agent() == (
        "python:community-pulse:0.1 (by https://github.com/someone/their-pulse)"
    )


def test_the_snapshot_command_sends_the_configured_user_agent(httpserver, tmp_path, monkeypatch):
    from community_metrics.collect.command import collect_and_store

    monkeypatch.setenv("COMMUNITY_METRICS_CONTACT", "mailto:pulse@example.org")
    monkeypatch.delenv("PULSE_USER_AGENT", raising=False)
    httpserver.expect_request("/about.json").respond_with_json(body("discourse/about_plural.json"))
    config = tmp_path / "communities.yml"
    config.write_text(
        "communities:\n  - slug: forum\n    name: Forum\n    sources:\n"
        f"      - platform: discourse\n        host: forum.example.org\n"
        f"        api: {httpserver.url_for('').rstrip('/')}\n",
        encoding="utf-8",
    )
    collect_and_store(config, tmp_path / "data", date="2026-11-30")
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("CommunityPulse/0.1 (mailto:pulse@example.org)")


def test_a_recording_never_holds_the_reddit_token_or_secret(
    httpserver, make_source, reddit_app, tmp_path
):
    token = body("reddit/access_token.json")["access_token"]
    httpserver.expect_request("/api/v1/access_token").respond_with_json(
        body("reddit/access_token.json")
    )
    httpserver.expect_request("/r/Python/about").respond_with_json(body("reddit/about.json"))
    cassette = tmp_path / "reddit.yaml"
    with HttpClient(retries=0, backoff=0.0, record=cassette) as client:
        result = reddit.fetch(make_source("reddit", "subreddit", "Python"), client)
    assert result.metrics["members"] == 1412345
    text = cassette.read_text(encoding="utf-8")
    assert "access_token" in text  # the exchange was recorded ...
    assert token not in text  # ... without the token
    assert CLIENT_SECRET not in text
    assert base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode() not in text


def test_mastodon_behind_cloudflare_says_what_was_returned(httpserver, http, make_source):
    from community_metrics.collect.sources import mastodon

    httpserver.expect_request("/api/v1/instance").respond_with_data(
        page("cloudflare_just_a_moment.html"),
        status=403,
        headers={"cf-mitigated": "challenge"},
        content_type="text/html",
    )
    with pytest.raises(FetchError, match="the Mastodon server blocked the request"):
        mastodon.fetch(make_source("mastodon", "instance", "example.social"), http)
