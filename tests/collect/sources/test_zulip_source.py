import base64

import pytest
from source_helpers import body

from community_metrics.collect.http import FetchError
from community_metrics.collect.sources import zulip
from community_metrics.collect.sources.base import SourceError

KEY = "canary-zulip-key-123"
BOT = "pulse-bot@chat.example.org"
BASIC = "Basic " + base64.b64encode(f"{BOT}:{KEY}".encode()).decode()


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("ZULIP_API_KEY", KEY)


def test_counts_active_humans_only(httpserver, http, make_source):
    httpserver.expect_request("/api/v1/users", headers={"Authorization": BASIC}).respond_with_json(
        body("zulip/users.json")
    )
    result = zulip.fetch(make_source("zulip", "realm", "chat.example.org", bot_email=BOT), http)
    # 5 accounts: one deactivated, one bot -> 3 active humans (a guest counts)
    assert result.metrics == {"members": 3}
    assert result.extra == {}
    assert result.endpoint.endswith("/api/v1/users")


def test_the_member_list_is_never_kept(httpserver, http, make_source):
    httpserver.expect_request("/api/v1/users").respond_with_json(body("zulip/users.json"))
    result = zulip.fetch(make_source("zulip", "realm", "chat.example.org", bot_email=BOT), http)
    kept = repr(result)
    for leak in ("Iago", "user8@", "King Hamlet", "user_id"):
        assert leak not in kept


def test_without_the_key_says_which_secret_and_where(http, make_source, monkeypatch, httpserver):
    monkeypatch.delenv("ZULIP_API_KEY")
    with pytest.raises(FetchError) as caught:
        zulip.fetch(make_source("zulip", "realm", "chat.example.org", bot_email=BOT), http)
    assert "$ZULIP_API_KEY" in caught.value.message
    assert "Bots" in caught.value.message
    assert httpserver.log == []


def test_without_the_bot_email_says_what_to_add(http, make_source, httpserver):
    with pytest.raises(FetchError) as caught:
        zulip.fetch(make_source("zulip", "realm", "chat.example.org"), http)
    assert "bot_email" in caught.value.message
    assert httpserver.log == []


def test_a_refused_key_names_the_variable(httpserver, http, make_source):
    httpserver.expect_request("/api/v1/users").respond_with_json(
        body("zulip/invalid_key.json"), status=401
    )
    with pytest.raises(FetchError) as caught:
        zulip.fetch(make_source("zulip", "realm", "chat.example.org", bot_email=BOT), http)
    assert caught.value.kind == "auth"
    assert "$ZULIP_API_KEY" in caught.value.message
    assert "Invalid API key" in caught.value.message
    assert KEY not in caught.value.message


def test_an_answer_of_another_shape(httpserver, http, make_source):
    httpserver.expect_request("/api/v1/users").respond_with_json({"result": "success"})
    with pytest.raises(SourceError, match="not a user list"):
        zulip.fetch(make_source("zulip", "realm", "chat.example.org", bot_email=BOT), http)
