"""The HTTP layer on its own, against real servers on 127.0.0.1."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime

import pytest
from collect_helpers import resetting_server
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from community_metrics.collect.http import USER_AGENT, Auth, FetchError, HttpClient


def sequence(*responses: Response):
    """A handler answering with ``responses`` in turn (the last one repeats)."""
    counter = itertools.count()

    def handler(request: Request) -> Response:
        return responses[min(next(counter), len(responses) - 1)]

    return handler


def client(sleeps=None, **options) -> HttpClient:
    options.setdefault("backoff", 0.01)
    options.setdefault("timeout", (1.0, 0.5))
    if sleeps is not None:
        options["sleep"] = sleeps
    return HttpClient(**options)


def test_sends_user_agent_and_parses_json(server: HTTPServer) -> None:
    server.expect_request("/x", headers={"User-Agent": USER_AGENT}).respond_with_json({"a": 1})
    with client() as http:
        assert http.get(server.url_for("/x")).json() == {"a": 1}


def test_retries_5xx_with_growing_jittered_backoff(server: HTTPServer, sleeps) -> None:
    server.expect_request("/x").respond_with_handler(
        sequence(Response("no", 500), Response("no", 503), Response('{"ok": 1}'))
    )
    with client(sleeps, backoff=1.0) as http:
        assert http.get(server.url_for("/x")).json() == {"ok": 1}
    assert len(sleeps.calls) == 2
    first, second = sleeps.calls
    assert 0.5 <= first <= 1.5 and 1.0 <= second <= 3.0  # base * 2**n * (0.5..1.5)


def test_gives_up_after_retries_with_html_message(server: HTTPServer, sleeps) -> None:
    page = Response("<html><body>Bad gateway</body></html>", 502, content_type="text/html")
    server.expect_request("/x").respond_with_handler(sequence(page))
    with client(sleeps, retries=2) as http, pytest.raises(FetchError) as caught:
        http.get(server.url_for("/x"))
    assert caught.value.kind == "http" and caught.value.status == 502
    assert "HTML page" in caught.value.message and "after 3 attempts" in caught.value.message
    assert len(sleeps.calls) == 2


def test_short_retry_after_is_waited(server: HTTPServer, sleeps) -> None:
    server.expect_request("/x").respond_with_handler(
        sequence(Response("slow down", 429, headers={"Retry-After": "2"}), Response("[1]"))
    )
    with client(sleeps) as http:
        assert http.get(server.url_for("/x")).json() == [1]
    assert sleeps.calls and 1.5 <= sleeps.calls[0] <= 2.0


def test_long_retry_after_is_not_waited(server: HTTPServer, sleeps) -> None:
    server.expect_request("/x").respond_with_data("", 429, headers={"Retry-After": "86400"})
    with client(sleeps) as http, pytest.raises(FetchError) as caught:
        http.get(server.url_for("/x"))
    error = caught.value
    assert error.kind == "rate_limited" and error.retry_at is not None
    assert abs((error.retry_at - datetime.now(UTC)).total_seconds() - 86400) < 60
    assert f"{error.retry_at:%Y-%m-%d %H:%M:%S} UTC" in error.message
    assert not sleeps.calls


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        # GitHub: epoch seconds
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "{epoch}"}, 3600),
        # IETF draft: delta seconds
        ({"RateLimit-Remaining": "0", "RateLimit-Reset": "600"}, 600),
        # Mastodon: lower case, ISO 8601
        ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "{iso}"}, 3600),
    ],
)
def test_exhausted_quota_headers(server: HTTPServer, sleeps, headers, expected) -> None:
    now = time.time()
    reset = datetime.fromtimestamp(now + 3600, tz=UTC)
    filled = {
        k: v.format(epoch=int(now + 3600), iso=reset.isoformat().replace("+00:00", "Z"))
        for k, v in headers.items()
    }
    server.expect_request("/x").respond_with_data("{}", 403, headers=filled)
    with client(sleeps) as http, pytest.raises(FetchError) as caught:
        http.get(server.url_for("/x"))
    assert caught.value.kind == "rate_limited"
    waited = (caught.value.retry_at - datetime.now(UTC)).total_seconds()
    assert abs(waited - expected) < 60
    assert not sleeps.calls


def test_exhausted_quota_on_success_defers_next_request(server: HTTPServer, sleeps) -> None:
    server.expect_request("/x").respond_with_json(
        {}, headers={"RateLimit-Remaining": "0", "RateLimit-Reset": "5"}
    )
    with client(sleeps) as http:
        http.get(server.url_for("/x"))
        http.get(server.url_for("/x"))
    assert sleeps.calls and 4 <= sleeps.calls[0] <= 5


def test_defer_is_the_one_waiting_mechanism(server: HTTPServer, sleeps) -> None:
    server.expect_request("/x").respond_with_json({})
    with client(sleeps, max_wait=30) as http:
        http.defer(server.url_for("/x"), 3)
        http.get(server.url_for("/x"))
        assert sleeps.calls and 2 <= sleeps.calls[0] <= 3
        http.defer(server.url_for("/x"), 600)
        with pytest.raises(FetchError) as caught:
            http.get(server.url_for("/x"))
    assert caught.value.kind == "rate_limited"


def test_401_names_the_variable_never_the_value(server: HTTPServer, monkeypatch) -> None:
    monkeypatch.setenv("PULSE_TEST_TOKEN", "canary-8c1f2a")
    expected = {"Authorization": "Bearer canary-8c1f2a"}
    server.expect_request("/x", headers=expected).respond_with_data(
        '{"message": "Bad credentials"}', 401
    )
    with client() as http, pytest.raises(FetchError) as caught:
        http.get(server.url_for("/x"), auth=Auth("PULSE_TEST_TOKEN"))
    assert caught.value.kind == "auth"
    assert "$PULSE_TEST_TOKEN" in caught.value.message
    assert "canary-8c1f2a" not in caught.value.message


def test_token_in_query_is_redacted(server: HTTPServer, monkeypatch) -> None:
    monkeypatch.setenv("PULSE_KEY", "canary-key-77")
    server.expect_request("/x").respond_with_data("nope", 400)
    with client() as http, pytest.raises(FetchError) as caught:
        http.get(server.url_for("/x"), auth=Auth("PULSE_KEY", param="key"))
    assert "canary-key-77" not in caught.value.message + caught.value.url
    assert "key=***" in caught.value.url


def test_404_names_the_url(server: HTTPServer) -> None:
    server.expect_request("/gone/about.json").respond_with_data("{}", 404)
    with client() as http, pytest.raises(FetchError) as caught:
        http.get(server.url_for("/gone/about.json"))
    assert caught.value.kind == "not_found"
    assert server.url_for("/gone/about.json") in caught.value.message
    assert "renamed or deleted" in caught.value.message


def test_read_timeout_is_retried_then_reported(server: HTTPServer, sleeps) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response("{}")

    server.expect_request("/slow").respond_with_handler(slow)
    started = time.monotonic()
    with client(sleeps, timeout=(1.0, 0.2), retries=1) as http, pytest.raises(FetchError) as c:
        http.get(server.url_for("/slow"))
    assert c.value.kind == "timeout" and "did not answer within 0.2 s" in c.value.message
    assert "after 2 attempts" in c.value.message
    assert time.monotonic() - started < 1.5  # two 0.2 s timeouts, not the handler's 2 s


def test_connection_reset_is_retried_then_reported(sleeps) -> None:
    with (
        resetting_server() as base,
        client(sleeps, retries=2) as http,
        pytest.raises(FetchError) as caught,
    ):
        http.get(f"{base}/about.json")
    assert caught.value.kind == "connection"
    assert "after 3 attempts" in caught.value.message
    assert len(sleeps.calls) == 2


def test_refused_connection(sleeps) -> None:
    probe = __import__("socket").socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    with client(sleeps, retries=1) as http, pytest.raises(FetchError) as caught:
        http.get(f"http://127.0.0.1:{port}/x")
    assert caught.value.kind == "connection" and "connection refused" in caught.value.message


def test_redirect_within_host_is_followed(server: HTTPServer) -> None:
    server.expect_request("/old").respond_with_data("", 301, headers={"Location": "/new"})
    server.expect_request("/new").respond_with_json({"moved": True})
    with client() as http:
        answer = http.get(server.url_for("/old"))
    assert answer.json() == {"moved": True} and answer.url.endswith("/new")


def test_redirect_to_another_host_is_reported(server: HTTPServer) -> None:
    elsewhere = f"http://127.0.0.2:{server.port}/new"  # another loopback address: another host
    server.expect_request("/old").respond_with_data("", 302, headers={"Location": elsewhere})
    with client() as http, pytest.raises(FetchError) as caught:
        http.get(server.url_for("/old"))
    assert caught.value.kind == "redirect"
    assert "another host" in caught.value.message and elsewhere in caught.value.message


def test_body_size_is_bounded_without_content_length(server: HTTPServer) -> None:
    sent = []

    def huge(request: Request) -> Response:
        def chunks():
            for _ in range(50 * 16):  # 50 MB in 64 KB chunks
                sent.append(1)
                yield b"x" * 65536

        return Response(chunks(), content_type="application/json")

    server.expect_request("/huge").respond_with_handler(huge)
    with client(max_bytes=1024 * 1024) as http, pytest.raises(FetchError) as caught:
        http.get(server.url_for("/huge"))
    assert caught.value.kind == "too_large"
    assert "limit is 1048576 bytes" in caught.value.message


def test_declared_oversize_body_is_not_read(server: HTTPServer) -> None:
    server.expect_request("/big").respond_with_data(b"x" * (3 * 1024 * 1024))
    with client(max_bytes=1024 * 1024) as http, pytest.raises(FetchError) as caught:
        http.get(server.url_for("/big"))
    assert caught.value.kind == "too_large" and "3145728 bytes" in caught.value.message


def test_non_json_bodies_are_named(server: HTTPServer) -> None:
    server.expect_request("/html").respond_with_data("<html></html>", content_type="text/html")
    server.expect_request("/cut").respond_with_data('{"about": {"stats": {"users_co')
    with client() as http:
        with pytest.raises(FetchError, match="an HTML page, not JSON"):
            http.get(server.url_for("/html")).json()
        with pytest.raises(FetchError, match="invalid JSON"):
            http.get(server.url_for("/cut")).json()


def test_per_host_limit_holds_under_load(server: HTTPServer) -> None:
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def tracked(request: Request) -> Response:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return Response("{}")

    server.expect_request("/t").respond_with_handler(tracked)
    with client(per_host=3) as http:
        threads = [
            threading.Thread(target=http.get, args=(server.url_for("/t"),)) for _ in range(24)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert state["max"] == 3  # reached, never exceeded


def test_a_server_dripping_bytes_is_cut_off(server: HTTPServer, sleeps) -> None:
    def drip(request: Request) -> Response:
        def chunks():
            for _ in range(40):
                time.sleep(0.05)
                yield b" "

        return Response(chunks(), content_type="application/json")

    server.expect_request("/drip").respond_with_handler(drip)
    with client(sleeps, retries=0, total_timeout=0.3) as http, pytest.raises(FetchError) as c:
        http.get(server.url_for("/drip"))
    assert c.value.kind == "timeout" and "still sending after 0.3 s" in c.value.message


def test_dns_failure_is_named(monkeypatch, sleeps) -> None:
    import socket

    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with client(sleeps, retries=1) as http, pytest.raises(FetchError) as caught:
        http.get("http://forum.example.invalid/about.json")
    assert caught.value.kind == "connection"
    assert "host name not found (DNS)" in caught.value.message
    assert "forum.example.invalid" in caught.value.message


def test_retry_after_as_http_date(server: HTTPServer, sleeps) -> None:
    from email.utils import format_datetime

    later = format_datetime(datetime.fromtimestamp(time.time() + 7200, tz=UTC), usegmt=True)
    server.expect_request("/x").respond_with_data("", 503, headers={"Retry-After": later})
    with client(sleeps) as http, pytest.raises(FetchError) as caught:
        http.get(server.url_for("/x"))
    assert caught.value.kind == "rate_limited" and not sleeps.calls
    assert abs((caught.value.retry_at - datetime.now(UTC)).total_seconds() - 7200) < 60


def test_response_headers_are_case_insensitive_however_built():
    from community_metrics.collect.http import HttpResponse

    response = HttpResponse("https://api.example.org/x", 200, {"link": '<u?page=7>; rel="last"'})
    assert response.headers.get("Link") == response.headers["LINK"] == '<u?page=7>; rel="last"'


def test_post_sends_a_form_and_is_recorded_and_replayed_by_method(
    server: HTTPServer, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("PULSE_TEST_SECRET", "s3cr3t-value")
    server.expect_request(
        "/token", method="POST", data="grant_type=client_credentials"
    ).respond_with_json({"access_token": "abc"})
    cassette = tmp_path / "c.yaml"
    auth = Auth("PULSE_TEST_SECRET", basic_user="client-id")
    with client(record=cassette) as http:
        answer = http.post(
            server.url_for("/token"), data={"grant_type": "client_credentials"}, auth=auth
        )
        assert answer.json() == {"access_token": "abc"}
    recorded = cassette.read_text()
    assert "POST" in recorded and "s3cr3t-value" not in recorded
    with client(replay=cassette) as http:
        assert http.post(server.url_for("/token"), auth=auth).json() == {"access_token": "abc"}
        with pytest.raises(FetchError) as missing:
            http.get(server.url_for("/token"))
        assert missing.value.kind == "replay_missing"


def test_basic_auth_and_path_token_are_sent_and_never_shown(
    server: HTTPServer, monkeypatch
) -> None:
    import base64

    monkeypatch.setenv("PULSE_TEST_KEY", "k3y-k3y-k3y")
    pair = base64.b64encode(b"bot@example.org:k3y-k3y-k3y").decode()
    server.expect_request("/users", headers={"Authorization": f"Basic {pair}"}).respond_with_json(
        {}
    )
    server.expect_request("/botk3y-k3y-k3y/getMe").respond_with_json({"ok": False}, status=404)
    with client() as http:
        assert (
            http.get(
                server.url_for("/users"), auth=Auth("PULSE_TEST_KEY", basic_user="bot@example.org")
            ).json()
            == {}
        )
        with pytest.raises(FetchError) as failed:
            http.get(server.url_for("/bot{token}/getMe"), auth=Auth("PULSE_TEST_KEY", in_path=True))
    assert "k3y-k3y-k3y" not in str(failed.value) and "k3y-k3y-k3y" not in failed.value.url
    assert "/bot***/getMe" in str(failed.value)


def test_a_required_secret_that_is_unset_is_named_and_nothing_is_sent(
    server: HTTPServer, monkeypatch
) -> None:
    monkeypatch.delenv("PULSE_TEST_KEY", raising=False)
    with client() as http, pytest.raises(FetchError) as failed:
        http.get(server.url_for("/bot{token}/getMe"), auth=Auth("PULSE_TEST_KEY", in_path=True))
    assert failed.value.kind == "auth" and "$PULSE_TEST_KEY is not set" in str(failed.value)
    assert server.log == []


# --- the total deadline holds while the body is read ------------------------------------------


def dripping_with_length(seconds: float, state: dict):
    """A handler that declares a large Content-Length, then sends one byte every 50 ms for
    ``seconds`` (then gives up, noting ``state["gave_up"]``): each read returns quickly, so no
    read timeout ever fires."""

    def handler(request: Request) -> Response:
        def chunks():
            ends = time.monotonic() + seconds
            while time.monotonic() < ends:
                time.sleep(0.05)
                yield b" "
            state["gave_up"] = True

        return Response(
            chunks(), content_type="application/json", headers={"Content-Length": "100000"}
        )

    return handler


def test_a_declared_body_dripping_bytes_is_cut_off_at_the_deadline(
    server: HTTPServer, sleeps
) -> None:
    # without the deadline the read would last until the server gives up (3 s), then end as a
    # dropped connection; with it the exchange is cut off as a timeout at 0.3 s
    state = {"gave_up": False}
    server.expect_request("/drip").respond_with_handler(dripping_with_length(5.0, state))
    with client(sleeps, retries=0, total_timeout=0.3) as http, pytest.raises(FetchError) as c:
        http.get(server.url_for("/drip"))
    assert c.value.kind == "timeout", c.value.message
    assert "still sending after 0.3 s" in c.value.message
    assert not state["gave_up"]  # the client hung up first; it did not wait for the server


# --- rate limits: hostile values and the limit that was hit ---------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "9" * 400},
        {"Retry-After": "inf"},
        {"Retry-After": "nan"},
        {"Retry-After": "1e308"},
        {"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1e308"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "inf"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "nan"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "9" * 400},
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "9999-12-31T23:59:59Z"},
    ],
    ids=lambda h: "-".join(f"{k}={v[:12]}" for k, v in h.items()),
)
def test_absurd_rate_limit_values_give_a_plain_bounded_message(
    server: HTTPServer, sleeps, headers
) -> None:
    from community_metrics.collect.http.ratelimit import MAX_DELAY

    server.expect_request("/x").respond_with_data("", 429, headers=headers)
    with client(sleeps, max_wait=30) as http, pytest.raises(FetchError) as caught:
        http.get(server.url_for("/x"))
    error = caught.value
    assert error.kind == "rate_limited" and "rate limited (429)" in error.message
    assert error.retry_at is not None
    assert (error.retry_at - datetime.now(UTC)).total_seconds() <= MAX_DELAY + 60
    assert f"{error.retry_at:%Y-%m-%d %H:%M:%S} UTC" in error.message


def test_a_huge_backoff_request_is_bounded(server: HTTPServer, sleeps) -> None:
    server.expect_request("/x").respond_with_json({})
    with client(sleeps) as http:
        for absurd in (float("inf"), float("nan"), 10**400):
            http.defer(server.url_for("/x"), absurd)
        with pytest.raises(FetchError) as caught:
            http.get(server.url_for("/x"))
    assert caught.value.kind == "rate_limited" and caught.value.retry_at.year < 9999


def test_repeated_short_rate_limits_say_which_limit_was_hit(server: HTTPServer, sleeps) -> None:
    server.expect_request("/x").respond_with_data("", 429, headers={"Retry-After": "1"})
    with client(sleeps, max_wait=30) as http, pytest.raises(FetchError) as caught:
        http.get(server.url_for("/x"))
    message = caught.value.message
    assert caught.value.kind == "rate_limited"
    assert "rate limited 4 times in a row" in message, message
    assert "more than 30 s" not in message  # a 1 s wait is not "more than 30 s"
    assert len(sleeps.calls) == 3


# --- JSON that Python refuses to hold ----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"users_count": ' + "7" * 5000 + "}", "a number longer than"),
        ('{"a": ' * 50_000 + "1" + "}" * 50_000, "nested too deeply"),
    ],
    ids=["deep-list", "5000-digits", "deep-object"],
)
def test_json_python_cannot_hold_is_bad_json(server: HTTPServer, body, needle) -> None:
    server.expect_request("/x").respond_with_data(body, content_type="application/json")
    with client() as http:
        response = http.get(server.url_for("/x"))
        with pytest.raises(FetchError) as caught:
            response.json()
    assert caught.value.kind == "bad_json" and needle in caught.value.message
    assert server.url_for("/x") in caught.value.message and len(caught.value.message) < 300


def test_an_error_body_python_cannot_hold_still_gives_the_status(server: HTTPServer) -> None:
    server.expect_request("/x").respond_with_data("[" * 100_000, 400)
    with client() as http, pytest.raises(FetchError) as caught:
        http.get(server.url_for("/x"))
    assert caught.value.kind == "http" and "answered 400" in caught.value.message


# --- credentials -------------------------------------------------------------------------------


def test_a_redirect_leaving_https_drops_every_credential() -> None:
    from community_metrics.collect.http.auth import redirect_headers

    sent = {
        "Authorization": "Bearer t0ken-t0ken",
        "X-Api-Key": "k3y-k3y-k3y",
        "Cookie": "session=1",
        "Accept": "application/json",
    }
    auth = Auth("PULSE_TEST_KEY", header="X-Api-Key", scheme="")
    down = redirect_headers(sent, "https://api.example.org/a", "http://api.example.org/b", auth)
    assert down == {"Accept": "application/json"}
    same = redirect_headers(sent, "https://api.example.org/a", "https://api.example.org/b", auth)
    assert same == sent
    plain = redirect_headers(sent, "http://api.example.org/a", "http://api.example.org/b", auth)
    assert plain == sent


def test_a_redirect_leaving_https_is_followed_without_the_token(monkeypatch) -> None:
    """Through the client: the second request, to http, carries no Authorization."""
    from community_metrics.collect.http.client import HttpClient as Client
    from community_metrics.collect.http.response import HttpResponse

    monkeypatch.setenv("PULSE_TEST_TOKEN", "t0ken-t0ken-t0ken")
    seen: list[tuple[str, dict]] = []

    def fake_send(self, method, url, headers, body=None, auth=None):
        seen.append((url, dict(headers)))
        if url.startswith("https://"):
            return HttpResponse(url, 301, {"Location": "http://api.example.org/b"})
        return HttpResponse(url, 200, {}, b"{}")

    monkeypatch.setattr(Client, "_send", fake_send)
    with client() as http:
        assert http.get("https://api.example.org/a", auth=Auth("PULSE_TEST_TOKEN")).json() == {}
    assert seen[0][1]["Authorization"] == "Bearer t0ken-t0ken-t0ken"
    assert seen[1][0] == "http://api.example.org/b" and "Authorization" not in seen[1][1]


def test_credentials_in_the_url_are_refused_and_never_shown(server: HTTPServer) -> None:
    url = server.url_for("/x").replace("http://", "http://someone:pa55-w0rd-9@")
    with client() as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert caught.value.kind == "auth" and "credentials in the URL" in caught.value.message
    assert "pa55-w0rd-9" not in caught.value.message + caught.value.url
    assert server.log == []


def test_a_redirect_to_plain_http_carrying_the_token_in_the_url_is_refused(monkeypatch) -> None:
    from community_metrics.collect.http.client import HttpClient as Client
    from community_metrics.collect.http.response import HttpResponse

    monkeypatch.setenv("PULSE_TEST_KEY", "k3y-k3y-k3y-k3y")
    seen: list[str] = []

    def fake_send(self, method, url, headers, body=None, auth=None):
        seen.append(url)
        return HttpResponse(url, 302, {"Location": url.replace("https://", "http://")})

    monkeypatch.setattr(Client, "_send", fake_send)
    with client() as http, pytest.raises(FetchError) as caught:
        http.get("https://api.example.org/info", auth=Auth("PULSE_TEST_KEY", param="key"))
    assert caught.value.kind == "redirect" and "plain http" in caught.value.message
    assert "k3y-k3y-k3y-k3y" not in caught.value.message
    assert seen == ["https://api.example.org/info?key=k3y-k3y-k3y-k3y"]  # never sent over http


def test_a_token_http_cannot_send_in_a_header_is_a_plain_error(
    server: HTTPServer, monkeypatch
) -> None:
    monkeypatch.setenv("PULSE_TEST_TOKEN", "t\u014dken-\u014dken")
    server.expect_request("/x").respond_with_json({})
    with client() as http, pytest.raises(FetchError) as caught:
        http.get(server.url_for("/x"), auth=Auth("PULSE_TEST_TOKEN"))
    assert "non-Latin-1" in caught.value.message
    assert "\u014dken" not in caught.value.message


def test_an_absurd_content_length_is_too_large_not_a_crash(sleeps) -> None:
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def answer_once() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        length = "9" * 5000
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n{{}}".encode())
        conn.close()

    thread = threading.Thread(target=answer_once, daemon=True)
    thread.start()
    with client(sleeps, retries=0) as http, pytest.raises(FetchError) as caught:
        http.get(f"http://127.0.0.1:{port}/x")
    thread.join(timeout=5)
    listener.close()
    assert caught.value.kind == "too_large", caught.value.message


def test_a_keep_alive_answer_dripping_bytes_is_cut_off_at_the_deadline(sleeps) -> None:
    """The same over a kept-alive HTTP/1.1 connection (the socket still belongs to the pool)."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    state = {"gave_up": False}

    def drip() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        try:
            ends = time.monotonic() + 5
            while time.monotonic() < ends:
                time.sleep(0.05)
                conn.sendall(b" ")
            state["gave_up"] = True
        except OSError:
            pass  # the client hung up
        finally:
            conn.close()

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    with client(sleeps, retries=0, total_timeout=0.3) as http, pytest.raises(FetchError) as c:
        http.get(f"http://127.0.0.1:{port}/x")
    listener.close()
    assert c.value.kind == "timeout" and "still sending after 0.3 s" in c.value.message
    assert not state["gave_up"]
