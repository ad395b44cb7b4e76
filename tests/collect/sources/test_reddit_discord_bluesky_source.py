import pytest
from source_helpers import body

from community_metrics.collect.sources import bluesky, discord, reddit
from community_metrics.collect.sources.base import SourceError


def test_reddit_active_user_count_and_created_utc(httpserver, http, make_source):
    httpserver.expect_request("/r/Python/about.json").respond_with_json(body("reddit/about.json"))
    result = reddit.fetch(make_source("reddit", "subreddit", "Python"), http)
    assert result.metrics == {"members": 1412345, "online": 812}
    assert result.created_at == "2008-01-25T03:35:35Z"


def test_reddit_legacy_accounts_active_and_utc_not_local_created(httpserver, http, make_source):
    httpserver.expect_request("/r/rust/about.json").respond_with_json(
        body("reddit/about_legacy.json")
    )
    result = reddit.fetch(make_source("reddit", "subreddit", "r/rust"), http)
    assert result.metrics == {"members": 345678, "online": 1203}
    # created (1291360102) is offset from UTC; created_utc (1291331302) is the truth
    assert result.created_at == "2010-12-02T23:08:22Z"


def test_reddit_listing_instead_of_subreddit(httpserver, http, make_source):
    httpserver.expect_request("/r/gone/about.json").respond_with_json(
        {"kind": "Listing", "data": {"children": [], "after": None}}
    )
    with pytest.raises(SourceError, match="not a subreddit"):
        reddit.fetch(make_source("reddit", "subreddit", "gone"), http)


def test_discord_counts_and_snowflake_creation(httpserver, http, make_source):
    httpserver.expect_request(
        "/invites/python", query_string={"with_counts": "true"}
    ).respond_with_json(body("discord/invite.json"))
    result = discord.fetch(make_source("discord", "invite", "python"), http)
    assert result.metrics == {"members": 412503, "online": 18342}
    # (267624335836053506 >> 22) + 1420070400000 ms = 2017-01-08T12:03:33.883Z
    assert result.created_at == "2017-01-08T12:03:33Z"


def test_discord_invite_without_counts_or_guild(httpserver, http, make_source):
    invite = body("discord/invite.json")
    del invite["approximate_member_count"], invite["approximate_presence_count"]
    httpserver.expect_request("/invites/python").respond_with_json(invite)
    with pytest.raises(SourceError, match="no approximate counts"):
        discord.fetch(make_source("discord", "invite", "python"), http)
    httpserver.clear()
    httpserver.expect_request("/invites/dm").respond_with_json({"code": "dm", "type": 1})
    with pytest.raises(SourceError, match="not for a server"):
        discord.fetch(make_source("discord", "invite", "dm"), http)


def test_discord_snowflake_must_be_digits(httpserver, http, make_source):
    invite = body("discord/invite.json")
    invite["guild"]["id"] = "12ab"
    httpserver.expect_request("/invites/python").respond_with_json(invite)
    with pytest.raises(SourceError, match="not a snowflake"):
        discord.fetch(make_source("discord", "invite", "python"), http)


def test_bluesky_profile(httpserver, http, make_source):
    httpserver.expect_request(
        "/xrpc/app.bsky.actor.getProfile", query_string={"actor": "bsky.app"}
    ).respond_with_json(body("bluesky/profile.json"))
    result = bluesky.fetch(make_source("bluesky", "handle", "bsky.app"), http)
    assert result.metrics == {"members": 32123456, "posts": 654}
    assert result.extra == {"follows": 7}
    assert result.created_at == "2023-04-12T04:53:57Z"


def test_bluesky_without_created_at_does_not_use_indexed_at(httpserver, http, make_source):
    httpserver.expect_request("/xrpc/app.bsky.actor.getProfile").respond_with_json(
        body("bluesky/profile_no_created.json")
    )
    result = bluesky.fetch(make_source("bluesky", "handle", "atproto.com"), http)
    assert result.metrics == {"members": 87654, "posts": 120}
    assert result.created_at is None
