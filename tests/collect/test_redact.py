"""A token never leaves in any spelling: the redactor alone, then any token through any URL form
of a real exchange (query parameter, path, header, userinfo attempt) against 127.0.0.1."""

from __future__ import annotations

import base64
import json
import logging
import re
import uuid
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from community_metrics.collect.http import Auth, FetchError, HttpClient
from community_metrics.collect.http.redact import Redactor

TOKEN = "t0k/en+with space&50%"


def spellings(token: str) -> set[str]:
    """Every way the token can be written on the way out (for the assertions)."""
    encoded = {
        quote(token, safe=""),
        quote(token, safe="/"),
        quote(token, safe="-._~!$&'()*+,;=:@"),
        quote_plus(token),
        quote_plus(token, safe="/"),
    }
    lower = {re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), e) for e in encoded}
    escaped = {json.dumps(token)[1:-1], json.dumps(token, ensure_ascii=False)[1:-1]}
    return {token} | encoded | lower | escaped


@pytest.mark.parametrize("form", sorted(spellings(TOKEN)))
def test_every_spelling_is_masked(form: str) -> None:
    redactor = Redactor()
    redactor.add(TOKEN)
    text = f"GET https://api.example.org/x?key={form}&page=2 said {form}."
    assert redactor.text(text) == "GET https://api.example.org/x?key=***&page=2 said ***."
    assert redactor.bytes(text.encode()) == redactor.text(text).encode()


def test_mixed_case_hex_and_basic_pair_and_userinfo() -> None:
    redactor = Redactor()
    redactor.add("a/b c")
    redactor.add(base64.b64encode(b"bot@example.org:a/b c").decode())
    assert redactor.text("x=a%2fb+c y=a%2Fb%20c z=%61/b c") == "x=*** y=*** z=***"
    pair = base64.b64encode(b"bot@example.org:a/b c").decode()
    assert redactor.text(f"Authorization: Basic {pair}") == "Authorization: Basic ***"
    assert Redactor().text("see https://me:pa55@host.example/x") == "see https://***@host.example/x"


def test_short_secrets_are_not_registered_and_bodies_keep_their_urls() -> None:
    redactor = Redactor()
    redactor.add("abc")  # would blank ordinary words
    assert redactor.text("abc") == "abc"
    assert redactor.bytes(b"git://user@host/x") == b"git://user@host/x"


# --- the property: any token, any URL form, never written ---------------------------------


def echo(request: Request) -> Response:
    """A server that echoes back everything it was sent: path, query, headers."""
    said = {
        "message": f"refused {request.url} {request.full_path}",
        "path": request.path,
        "query": request.query_string.decode("latin-1"),
        "args": request.args.to_dict(),
        "auth": request.headers.get("Authorization", ""),
    }
    return Response(
        json.dumps(said, ensure_ascii=False),
        400,
        content_type="application/json",
        headers={"X-Echo": quote(request.full_path, safe="/?=&%")},
    )


TOKENS = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=10, max_size=40
).filter(lambda t: t.strip() == t and len(set(t)) >= 5)


@pytest.fixture(scope="module")
def echo_server(_threaded_server: HTTPServer):
    _threaded_server.clear()
    _threaded_server.expect_request(re.compile("/.*")).respond_with_handler(echo)
    yield _threaded_server
    _threaded_server.clear()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(token=TOKENS, form=st.sampled_from(["param", "path", "header", "userinfo"]))
def test_any_token_through_any_url_form_is_never_written(
    echo_server: HTTPServer, tmp_path: Path, monkeypatch, caplog, token: str, form: str
) -> None:
    monkeypatch.setenv("PULSE_PROP_TOKEN", token)
    cassette = tmp_path / f"{uuid.uuid4().hex}.yaml"
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    url = echo_server.url_for("/api/x")
    auth = None
    if form == "param":
        auth = Auth("PULSE_PROP_TOKEN", param="key")
    elif form == "path":
        url, auth = echo_server.url_for("/bot{token}/getMe"), Auth("PULSE_PROP_TOKEN", in_path=True)
    elif form == "header":
        auth = Auth("PULSE_PROP_TOKEN")
    else:
        url = url.replace("http://", f"http://bot:{quote(token, safe='')}@")
    with HttpClient(record=cassette, retries=0) as http:
        with pytest.raises(FetchError) as caught:
            http.get(url, auth=auth)
        if form != "userinfo":
            # the request went out, and with the token: the test is not vacuous
            sent = echo_server.log[-1][0]
            assert token in (
                sent.path + sent.args.get("key", "") + sent.headers.get("Authorization", "")
            )
    written = cassette.read_text(encoding="utf-8") if cassette.exists() else ""
    message = f"{caught.value.message} {caught.value.url} {caught.value}"
    # werkzeug's lines are the test server's own access log, not ours
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    for spelling in spellings(token):
        assert spelling not in written, f"{spelling!r} in the cassette"
        assert spelling not in message, f"{spelling!r} in {message!r}"
        assert spelling not in logged, f"{spelling!r} in the log"
