import logging

import pytest
from source_helpers import body

from community_metrics.collect.http import FetchError, HttpClient
from community_metrics.collect.sources import telegram
from community_metrics.collect.sources.base import SourceError

TOKEN = "123456789:AAcanary-telegram-token_XYZ"


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)


def test_member_count(httpserver, http, make_source):
    httpserver.expect_request(
        f"/bot{TOKEN}/getChatMemberCount", query_string={"chat_id": "@telegram"}
    ).respond_with_json(body("telegram/member_count.json"))
    result = telegram.fetch(make_source("telegram", "chat", "@telegram"), http)
    assert result.metrics == {"members": 123456}
    assert TOKEN not in result.endpoint
    assert result.endpoint.endswith("/bot{TELEGRAM_BOT_TOKEN}/getChatMemberCount?chat_id=@telegram")


def test_chat_without_at_sign(httpserver, http, make_source):
    httpserver.expect_request(
        f"/bot{TOKEN}/getChatMemberCount", query_string={"chat_id": "@telegram"}
    ).respond_with_json(body("telegram/member_count.json"))
    assert telegram.fetch(make_source("telegram", "chat", "telegram"), http).metrics


def test_unknown_chat_is_a_400_with_the_description(httpserver, http, make_source):
    httpserver.expect_request(f"/bot{TOKEN}/getChatMemberCount").respond_with_json(
        body("telegram/chat_not_found.json"), status=400
    )
    with pytest.raises(FetchError) as caught:
        telegram.fetch(make_source("telegram", "chat", "@nosuchchat"), http)
    assert "chat not found" in caught.value.message
    assert TOKEN not in caught.value.message and TOKEN not in caught.value.url


def test_ok_false_with_200_is_an_error_too(httpserver, http, make_source):
    httpserver.expect_request(f"/bot{TOKEN}/getChatMemberCount").respond_with_json(
        body("telegram/chat_not_found.json")
    )
    with pytest.raises(SourceError, match="chat not found"):
        telegram.fetch(make_source("telegram", "chat", "@nosuchchat"), http)


def test_without_the_token_says_which_secret_and_where(http, make_source, monkeypatch, httpserver):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    with pytest.raises(FetchError) as caught:
        telegram.fetch(make_source("telegram", "chat", "@telegram"), http)
    assert "$TELEGRAM_BOT_TOKEN" in caught.value.message
    assert "@BotFather" in caught.value.message
    assert httpserver.log == []


def test_refused_token_names_the_variable_not_the_token(httpserver, http, make_source):
    httpserver.expect_request(f"/bot{TOKEN}/getChatMemberCount").respond_with_json(
        body("telegram/unauthorized.json"), status=401
    )
    with pytest.raises(FetchError) as caught:
        telegram.fetch(make_source("telegram", "chat", "@telegram"), http)
    assert caught.value.kind == "auth"
    assert "$TELEGRAM_BOT_TOKEN" in caught.value.message
    assert TOKEN not in caught.value.message


def test_hostile_count(httpserver, http, make_source):
    httpserver.expect_request(f"/bot{TOKEN}/getChatMemberCount").respond_with_json(
        {"ok": True, "result": -5}
    )
    with pytest.raises(SourceError, match="negative count"):
        telegram.fetch(make_source("telegram", "chat", "@telegram"), http)


def test_the_token_is_in_no_written_byte(httpserver, make_source, tmp_path, caplog):
    """Record a cassette of a success and of an error that echoes the token back, then grep
    every byte written: cassette, log records, result and messages."""
    caplog.set_level(logging.DEBUG)
    httpserver.expect_request(
        f"/bot{TOKEN}/getChatMemberCount", query_string={"chat_id": "@telegram"}
    ).respond_with_json(
        body("telegram/member_count.json"), headers={"X-Echo": f"/bot{TOKEN}/getChatMemberCount"}
    )
    httpserver.expect_request(
        f"/bot{TOKEN}/getChatMemberCount", query_string={"chat_id": "@nosuchchat"}
    ).respond_with_json(
        {"ok": False, "error_code": 400, "description": f"Bad Request: bot{TOKEN} chat not found"},
        status=400,
    )
    cassette = tmp_path / "telegram.yaml"
    client = HttpClient(record=cassette, retries=0, backoff=0.0, sleep=lambda s: None)
    try:
        result = telegram.fetch(make_source("telegram", "chat", "@telegram"), client)
        with pytest.raises(FetchError) as caught:
            telegram.fetch(make_source("telegram", "chat", "@nosuchchat"), client)
    finally:
        client.close()
    written = cassette.read_bytes()
    assert b"getChatMemberCount" in written  # the recording happened
    assert b"bot***/getChatMemberCount" in written
    assert TOKEN.encode() not in written
    assert TOKEN.split(":")[1].encode() not in written
    # every logger of the client side; not the access log of the fake platform's own server
    # (werkzeug's thread logs the request line it received, in time for this check or not)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    assert "getChatMemberCount" in logged
    assert TOKEN not in logged
    assert TOKEN not in repr(result)
    assert TOKEN not in caught.value.message and TOKEN not in caught.value.url

    # the recording replays (the token must be set: the URL cannot be built without it)
    replay = HttpClient(replay=cassette, retries=0)
    assert telegram.fetch(make_source("telegram", "chat", "@telegram"), replay).metrics == {
        "members": 123456
    }
