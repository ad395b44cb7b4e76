from pathlib import Path

import pytest

from community_metrics.collect.sources import steam
from community_metrics.collect.sources.base import SourceError

FIXTURES = Path(__file__).parent / "fixtures" / "steam"
PATH = "/groups/SteamClientBeta/memberslistxml/"
XML = "text/xml; charset=utf-8"


def serve(httpserver, name_or_body, status=200):
    data = (
        name_or_body if isinstance(name_or_body, bytes) else (FIXTURES / name_or_body).read_bytes()
    )
    httpserver.expect_request(PATH, query_string={"xml": "1"}).respond_with_data(
        data, status=status, content_type=XML
    )


def test_counts_from_group_details(httpserver, http, make_source):
    serve(httpserver, "memberslist.xml")
    result = steam.fetch(make_source("steam", "group", "SteamClientBeta"), http)
    assert result.metrics == {"members": 1234567, "online": 123456}
    assert result.extra == {"in_chat": 321, "in_game": 45678}
    assert result.endpoint.endswith(f"{PATH}?xml=1")
    assert result.created_at is None


def test_member_ids_are_never_kept(httpserver, http, make_source):
    serve(httpserver, "memberslist.xml")
    result = steam.fetch(make_source("steam", "group", "SteamClientBeta"), http)
    assert "7656119796026572" not in repr(result)


def test_missing_or_empty_elements_stay_absent(httpserver, http, make_source):
    text = (FIXTURES / "memberslist.xml").read_text(encoding="utf-8")
    text = text.replace("<membersOnline>123456</membersOnline>", "<membersOnline></membersOnline>")
    text = text.replace("<membersInChat>321</membersInChat>", "")
    serve(httpserver, text.encode())
    result = steam.fetch(make_source("steam", "group", "SteamClientBeta"), http)
    assert result.metrics == {"members": 1234567}
    assert result.extra == {"in_game": 45678}


def test_entity_expansion_bomb_is_refused(httpserver, http, make_source):
    serve(httpserver, "bomb.xml")
    with pytest.raises(SourceError, match="refused") as caught:
        steam.fetch(make_source("steam", "group", "SteamClientBeta"), http)
    assert PATH in str(caught.value)


def test_external_entity_is_refused_and_never_read(httpserver, http, make_source):
    serve(httpserver, "external_entity.xml")
    with pytest.raises(SourceError, match="refused") as caught:
        steam.fetch(make_source("steam", "group", "SteamClientBeta"), http)
    assert "root:" not in str(caught.value)


def test_unknown_group_error_document(httpserver, http, make_source):
    serve(httpserver, "error.xml")
    with pytest.raises(SourceError, match="No group could be retrieved"):
        steam.fetch(make_source("steam", "group", "SteamClientBeta"), http)


def test_html_instead_of_xml(httpserver, http, make_source):
    serve(
        httpserver,
        b"<!DOCTYPE html><html><head><title>Steam Community :: Error</title></head></html>",
    )
    with pytest.raises(SourceError, match="HTML page"):
        steam.fetch(make_source("steam", "group", "SteamClientBeta"), http)


def test_truncated_xml(httpserver, http, make_source):
    serve(httpserver, (FIXTURES / "memberslist.xml").read_bytes()[:300])
    with pytest.raises(SourceError, match="not well-formed XML"):
        steam.fetch(make_source("steam", "group", "SteamClientBeta"), http)


@pytest.mark.parametrize(
    ("value", "reason"),
    [("1,234", "not a plain number"), ("-3", "not a plain number"), ("1e300", "implausibly large")],
)
def test_hostile_member_count(httpserver, http, make_source, value, reason):
    text = (FIXTURES / "memberslist.xml").read_text(encoding="utf-8")
    text = text.replace(
        "<memberCount>1234567</memberCount>", f"<memberCount>{value}</memberCount>", 1
    )
    serve(httpserver, text.encode())
    with pytest.raises(SourceError, match=reason) as caught:
        steam.fetch(make_source("steam", "group", "SteamClientBeta"), http)
    assert "memberCount" in str(caught.value)
    assert PATH in str(caught.value)


def test_no_member_count(httpserver, http, make_source):
    text = (FIXTURES / "memberslist.xml").read_text(encoding="utf-8")
    text = text.replace("<memberCount>1234567</memberCount>", "", 1)
    serve(httpserver, text.encode())
    with pytest.raises(SourceError, match="no <memberCount>"):
        steam.fetch(make_source("steam", "group", "SteamClientBeta"), http)
